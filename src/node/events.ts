// The node's typed events (NodeEvent) for UIs, re-exported by types.ts.
import type { ErrorCode, Level } from '../core/codes.js';
import type { Party } from '../core/signed.js';
import type { WalletLowView } from './reserve.js';
import type { ChannelView, PartnerView, PayoutView, StateView } from './types.js';

/** Typed events for UIs: the extension and the CLI are thin views over these. */
export type NodeEvent =
  /**
   * a line of the node's log; `code` marks a warning UIs act on: PARTNER_OFFLINE, what a user's command sent on
   * `channel` does not reach the partner now (not connected: it goes when they reconnect), told before the command
   * returns (what the node sends by itself is an info line, once a channel until the partner is back)
   */
  /** code CHAIN_READ_AGAIN: the all-clear of ENDPOINT_UNREACHABLE, API_KEY_REJECTED or WATCH_FAILING (blind.ts) */
  /**
   * code DISK_WRITE_AGAIN: the all-clear of a channel's DISK_WRITE_FAILED, with the channel: what its journal held in
   * memory is on disk and it signs new states again (journalretry.ts; its view has no `unsaved` mark any more);
   * `payment`: a payment of ours it held (its command was told it failed), which goes to the partner now
   */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; code?: 'PARTNER_OFFLINE' | 'CHAIN_READ_AGAIN' | 'DISK_WRITE_AGAIN'; channel?: ChannelView; payment?: { step: bigint; amount: bigint } }
  | { type: 'served'; lan: string[]; wan: string[] }
  | { type: 'partnerConnected'; partner: PartnerView }
  | { type: 'partnerDisconnected'; partner: PartnerView }
  | { type: 'channelProposed'; channel: ChannelView }
  /** the partner declined our proposal (we are A) or withdrew its own (B); `reason` when it says more than that */
  | { type: 'proposalDeclined'; channel: ChannelView; reason: string | null }
  /**
   * the partner declined a channel that could not end here (a contract holds, or may get, a deposit of ours):
   * nothing more of ours goes in. `message` says what to do; `next` is that action (null: the node follows the
   * contract by itself, and says it again with `refund` if our deployment lands; `exit`: it locked with both deposits)
   */
  | { type: 'partnerDeclined'; channel: ChannelView; message: string; next: 'refund' | 'decline' | 'exit' | null }
  | { type: 'channelUpdated'; channel: ChannelView }
  | { type: 'depositSeen'; channel: ChannelView; party: Party; amount: bigint }
  /** the partner deployed the contract of a channel I accepted: my deposit may go in now */
  | { type: 'channelDeployed'; channel: ChannelView }
  /** a deposit taken back before the channel locked (`amount` taken; the channel's deposits are in `channel`) */
  | { type: 'refundSeen'; channel: ChannelView; party: Party; amount: bigint }
  | { type: 'channelLocked'; channel: ChannelView }
  /** a state from the partner awaits my signature ("Received new state" / "Received initial state" at step 0) */
  /** `previous`: the state both signed it follows (the channel's view may not show it yet), null at step 0 */
  /** `bySign`: it waits for this user's `sign` (manual mode); else the node countersigns it by itself */
  | { type: 'stateReceived'; channel: ChannelView; state: StateView; previous: StateView | null; bySign?: boolean }
  /** a state became signed by both ("Last state signed successful") */
  | { type: 'stateSigned'; channel: ChannelView; state: StateView }
  /** the partner asked for the turn ("Your partner request empty state"); `byHand`: it waits for this user's createEmpty (manual mode), else the node passes it */
  | { type: 'turnRequested'; channel: ChannelView; byHand?: boolean }
  /** the partner proposes a cooperative close */
  | { type: 'closeRequested'; channel: ChannelView; state: StateView }
  /**
   * a close was started on-chain; byPartner: "Your partner sent the state to the smart contract"; step null: an exit;
   * `earlier`: the record held it, told in a run before this one (a restart says it again: a UI says it as past)
   */
  | { type: 'closeStarted'; channel: ChannelView; step: bigint | null; byPartner: boolean; deadline: number; earlier?: boolean }
  /**
   * a close challenged with `step` (byMe: by this node); `earlier`: told in a run before this one (a restart says it
   * again, with the close: a UI says it as past, "before the restart", not as new)
   */
  | { type: 'challenged'; channel: ChannelView; step: bigint; byMe: boolean; earlier?: boolean }
  /**
   * a challenge of ours failed; the node retries until the deadline (nextRetryMs), unless the window is over or the
   * contract refused this very challenge several times in a row (stopped: each try is a wallet fee); secondsLeft
   * is null before the node's first read of the chain's time (not known yet)
   */
  | { type: 'challengeFailed'; channel: ChannelView; code: ErrorCode; message: string; secondsLeft: number | null; nextRetryMs: number | null; stopped: 'deadline' | 'refused' | null }
  /** `low`: a read of this wallet finds it short of what leaving `channels` alone costs, told once per fall; `low: false`: back above it (reserve.ts) */
  | ({ type: 'walletReserve'; low: boolean; channels: ChannelView[] } & WalletLowView)
  /** the partner has not signed the initial state in time: the exit (refund of the deposits) is open to you */
  | { type: 'exitOffered'; channel: ChannelView; waitedSeconds: number }
  /** the partner signed two different states for one step: the evidence is kept */
  | { type: 'equivocation'; channel: ChannelView; step: bigint }
  | { type: 'closed'; channel: ChannelView; payoutA: bigint; payoutB: bigint; payout: PayoutView }
  /**
   * `partner`: raised by the partner's node (its code and words; its hint is for that node, not this one).
   * `refused`: a partner's message this node refused whose code's next step is the partner's (its hint is not this user's).
   * `wire`: the wire type of the partner's message refused (the message names it in words).
   */
  | { type: 'error'; code: ErrorCode | string; message: string; level: Level; channel?: ChannelView; partner?: true; refused?: true; wire?: string };
