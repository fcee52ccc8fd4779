// Plain-data views of channels and states for UIs (the CLI, the extension, --json). Built in O(1) per channel:
// no view carries the history (history() reads it from the store on demand).
import type { Capability } from '../core/capabilities.js';
import { creatorOf } from '../core/channel.js';
import { balanceOf, type SignedState } from '../core/signed.js';
import type { AppMessage } from '../core/wire.js';
import { addressTextOf } from './addresses.js';
import { withLeave } from './leaving.js';
import { closeUnsentOf } from './closeunsent.js';
import type { ChannelController } from './controller.js';
import { firstStepOf, partnerAddressOf, versionOf } from './record.js';
import type { ChannelView, StateView } from './types.js';

export function hex(b: Buffer | null | undefined): string | null {
  return b ? b.toString('hex').toUpperCase() : null;
}

/** A state's view; `previous` (the state before it, or its view) tells whether it changed any balance. */
export function stateView(s: SignedState, previous?: SignedState | StateView | null): StateView {
  const st = s.state;
  const prev = previous ? ('state' in previous ? previous.state : previous) : null;
  return {
    step: st.step,
    sender: creatorOf(st.step),
    tag: st.tag,
    balanceA: st.balanceA,
    balanceB: st.balanceB,
    sigA: hex(s.sigA),
    sigB: hex(s.sigB),
    committed: !!(s.sigA && s.sigB),
    empty: st.tag === 'state' && st.step > 0n && !!prev && prev.step === st.step - 1n && prev.balanceA === st.balanceA && prev.balanceB === st.balanceB,
  };
}

/** Views of consecutive states (the first one's `empty` needs `before`, the state preceding it). */
export function stateViews(states: readonly SignedState[], before: SignedState | null): StateView[] {
  let prev: SignedState | null = before;
  return states.map((s) => {
    const v = stateView(s, prev);
    prev = s;
    return v;
  });
}

/** Whether a send with a wait asks for the turn and waits for it (Payments.settle): automatic mode, on the partner's turn. */
export function sendAsksTurn(send: Capability, autoMode: boolean, partnerOnline: boolean): boolean {
  return autoMode && partnerOnline && !send.ok && send.code === 'NOT_YOUR_TURN';
}

/**
 * A proposal still waiting for a signature; none once the channel has paid out (it can never be signed), nor one of
 * ours whose write failed (a full disk): it never left, so it never will be.
 */
export function liveStaged(ctl: ChannelController): ChannelController['channel']['staged'] {
  const s = ctl.rec.life === 'closed' ? null : ctl.channel.staged;
  return s && ctl.channel.stagedBy === ctl.rec.me && ctl.journal.unsaved(s.state.step) ? null : s;
}

/**
 * The latest state both signed as the views show it: the latest on disk, or, once the journal could not be written,
 * the one held in memory only (marked `unsaved`): what a withdraw submits (journalfail.ts).
 */
export function latestShown(ctl: ChannelController): StateView | null {
  const disk = ctl.latestView;
  const held = ctl.channel.latestSigned;
  if (!held || !ctl.journal.unsaved(held.state.step) || (disk && disk.step >= held.state.step)) return disk;
  return { ...stateView(held, disk), unsaved: true };
}

export function channelView(ctl: ChannelController, myAddress: string, partnerOnline: boolean, autoMode: boolean): ChannelView {
  const rec = ctl.rec;
  const ch = ctl.channel;
  const latest = latestShown(ctl);
  // While a newer state is being made durable the machine is ahead of the latest state shown: show neither its
  // turn nor its staged state until the disk has caught up, so one view is one consistent picture.
  const settled = (latest?.step ?? -1n) === ch.count - 1n;
  const staged = settled ? liveStaged(ctl) : null;
  const me = rec.me;
  // Paid out: the balances the contract paid by (a stale close that stood, or the deposits of an exit).
  const by = rec.payout ?? latest;
  const mine = by ? balanceOf(by, me) : me === 'A' ? rec.depositA : rec.depositB;
  const theirs = by ? balanceOf(by, me === 'A' ? 'B' : 'A') : me === 'A' ? rec.depositB : rec.depositA;
  const contract = addressTextOf(rec.contract, 'contract');
  const actions = withLeave(ctl, ctl.actions());
  return {
    id: contract,
    channelId: rec.channelId.toString(),
    contract,
    network: rec.network,
    me,
    myAddress,
    partnerAddress: addressTextOf(partnerAddressOf(rec), 'wallet'),
    partnerOnline,
    phase: rec.life,
    challengePeriod: rec.challengePeriod,
    expectedDepositA: rec.expectedDepositA,
    expectedDepositB: rec.expectedDepositB,
    depositA: rec.depositA,
    depositB: rec.depositB,
    latest,
    count: latest ? latest.step + 1n : 0n,
    pending: staged ? { ...stateView(staged, latest), awaiting: ch.stagedBy === me ? 'partner' : 'me' } : null,
    myTurn: settled && ch.isMyTurn && rec.life === 'open',
    sendAsksTurn: sendAsksTurn(actions.send, autoMode, partnerOnline),
    turnRequestedByPartner: ch.partnerWantsTurn,
    depositing: ctl.depositing,
    myBalance: mine,
    partnerBalance: theirs,
    close: rec.close ? { ...rec.close, byMe: rec.close.submitter === me, challengeWith: challengeWith(ctl), secondsLeft: secondsLeftOf(ctl, rec.close.deadline), ...challengedOf(ctl) } : null,
    closeUnsent: closeUnsentOf(ctl, partnerOnline),
    deadline: rec.life === 'closing' ? (rec.close?.deadline ?? null) : null,
    closeStep: rec.close?.step ?? null,
    payout: rec.payout,
    payoutA: rec.payout?.balanceA ?? null,
    payoutB: rec.payout?.balanceB ?? null,
    actions,
    restorePending: rec.restorePending,
    restored: rec.restored === true,
    legacy: rec.legacy,
    contractVersion: versionOf(rec),
  };
}

/**
 * Seconds left in the close's window by the chain's clock (estimated), 0 once over; null before the node's first
 * read of the chain's time (a devnet's clock may be far ahead of the local one): no figure of the local clock.
 */
function secondsLeftOf(ctl: ChannelController, deadline: number): number | null {
  if (ctl.rec.life === 'closed' || ctl.deadlinePassed) return 0;
  const now = ctl.chainNow();
  return now === null ? null : Math.max(0, Math.round(deadline - now));
}

/** What a message to the partner carries, in words: logs say what waits for the partner, not a wire type. */
const MESSAGE_WORDS: Record<AppMessage['type'], string> = {
  'channel.propose': 'the channel proposal',
  'channel.accept': 'your acceptance of the channel',
  'channel.reject': 'your refusal of the channel',
  'channel.deployed': 'the news of the deployment',
  deposit: 'the news of your deposit',
  'state.propose': 'your new state',
  'state.countersign': 'your signature of their state',
  'turn.request': 'your request for the turn',
  'close.notice': 'the news of the close',
  'close.propose': 'your close proposal',
  'close.accept': 'your signature of their close proposal',
  'resync.request': 'your request for the states you lack',
  'resync.response': 'the states they lack',
  error: 'an error report',
};

export function messageWords(type: AppMessage['type']): string {
  return MESSAGE_WORDS[type];
}

/** The watcher's planned challenge while it is still above the close on chain (a landed one is on chain). */
function challengeWith(ctl: ChannelController): bigint | null {
  const w = ctl.challengeWith ?? null;
  const close = ctl.rec.close;
  if (w === null || ctl.rec.life !== 'closing' || !close) return null;
  return close.step === null || w > close.step ? w : null;
}

/**
 * The close's challenge while closing, from the record: the step it started with (kept once a challenge raised it)
 * and whether the step on chain is this node's challenge (its record's challenge sent); none before a challenge.
 */
function challengedOf(ctl: ChannelController): { challenged?: { firstStep: bigint | null; byMe: boolean } } {
  const close = ctl.rec.close;
  if (!close || ctl.rec.life !== 'closing') return {};
  const first = firstStepOf(ctl.rec, close.deadline);
  if (first === undefined || first === close.step) return {};
  return { challenged: { firstStep: first, byMe: close.step !== null && ctl.rec.challengeSent?.step === close.step } };
}
