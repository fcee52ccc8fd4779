// The one typed protocol between the extension host (src/extension/balancesPanel.ts) and the balances webview
// (webview/main.ts). Both sides import this module. Messages cross as JSON, so amounts travel as decimal strings
// of nanotons (plus formatted TON strings for display).
//
// Handshake: the webview posts `ready` once its script runs; only then does the host post `state`
// (and again on every change). Anything the webview posts is checked with `parseWebviewMessage` on the host.

export const PROTOCOL_VERSION = 3;

export interface Amount {
  /** nanotons, decimal string */
  nano: string;
  /** exact TON, e.g. "1.5" or "996.968701999" */
  ton: string;
  /** for reading at a glance: at most 3 decimals, "≈" when rounded ("≈ 996.969") */
  short: string;
}

/** A wallet's (or the contract's) balance, and the storage fee it owes when worth saying. */
export interface WalletAmount extends Amount {
  /** "0.002 TON storage fee due" (the CLI's words), null when none is worth saying or the endpoint does not say it (devnet, testnet) */
  due: string | null;
}

/** A chain figure the panel has no answer for: its read is still under way, or it failed. */
export type NotRead =
  | { notRead: 'reading' }
  /** reason: a few words for the cell; detail: the whole message, for the hover */
  | { notRead: 'failed'; reason: string; detail: string };

/** A balance read from the chain through the node, as the panel has it. */
export type ChainFigure = WalletAmount | NotRead;

export interface ChannelChoice {
  /** `<party>:<channelId>` */
  key: string;
  label: string;
}

export interface BalancePoint {
  step: string;
  /** nanotons, decimal strings: the user's balance and the partner's */
  you: string;
  partner: string;
}

/** An address shown short, with the full one for the copy button and the hover. */
export interface AddressText {
  full: string;
  short: string;
}

export type WebviewAction =
  | 'sign'
  | 'send'
  | 'createEmpty'
  | 'requestEmpty'
  | 'withdraw'
  | 'deposit'
  | 'refund'
  | 'decline'
  | 'leave'
  | 'challenge'
  | 'finish'
  | 'refresh';

/** A button of the panel: shown when the node allows the action now (ChannelView.actions). */
export interface ActionButton {
  action: WebviewAction;
  label: string;
  primary: boolean;
}

export interface CloseInfo {
  /** the step on chain (null: an exit with the deposits) */
  step: string | null;
  /**
   * unix seconds in the panel's clock when the challenge window ends (the node's secondsLeft, in chain time, from the
   * snapshot's read); null: not known yet (the node has not read the chain's time)
   */
  deadline: number | null;
  /** the contract holds an older state than the latest both signed */
  stale: boolean;
  /** the words after "on chain: ": the step and who started the close, or the close and its challenge (closeWords.ts) */
  onChain: string;
}

export interface PayoutInfo {
  step: string | null;
  /** what each wallet received (null: the payout transaction was not read; `unknown` says it) */
  you: Amount | null;
  partner: Amount | null;
  /** the shares are unknown: the line that says what each gets by the state, and why the amounts are unknown */
  unknown: string | null;
  /** null: the node cannot tell (it does not hold the latest state both signed) */
  matchesLatest: boolean | null;
  latestStep: string | null;
}

export interface ChannelBalances {
  key: string;
  /** "Alice" (demo) or "You" */
  partyLabel: string;
  /** the partner's name (demo) or short address */
  partnerLabel: string;
  me: 'A' | 'B';
  channelId: string;
  network: string;
  contract: AddressText;
  partnerAddress: AddressText;
  partnerOnline: boolean;
  phase: string;
  /** "your turn", "partner's turn", "sign Step 3"… (open only) */
  turn: string | null;
  step: string | null;
  you: Amount | null;
  partner: Amount | null;
  contractBalance: ChainFigure;
  yourWallet: ChainFigure;
  /** the node's last read of your wallet found it short of what leaving your channels alone costs: what it lacks (null: not short) */
  walletLow: string | null;
  partnerWallet: ChainFigure;
  /** closing only */
  close: CloseInfo | null;
  /** closed only */
  payout: PayoutInfo | null;
  /** closed, its payout not found yet: what the panel says instead (null otherwise) */
  payoutPending: string | null;
  pendingAwaitingMe: boolean;
  /** the step awaiting the user's signature (the Sign button signs this one only) */
  pendingStep: string | null;
  actions: ActionButton[];
  history: BalancePoint[];
}

export interface ReplayLine {
  /** "Alice", "Bob" or "chain" */
  source: string;
  text: string;
}

export interface ReplayEntry {
  step: string;
  title: string;
  result: string;
  lines: ReplayLine[];
}

export interface BalancesSnapshot {
  network: string;
  nodeStatus: string;
  channels: ChannelChoice[];
  selected: ChannelBalances | null;
  /** a sentence for the empty state ("no channel yet: connect first") */
  hint: string | null;
  /** the teaching demo's journal, step by step (null when no demo ran) */
  replay: ReplayEntry[] | null;
  /** counts the Replay commands: when it grows, the panel shows the replay from its first step */
  replayRequest: number;
  generatedAt: number;
}

/** The amount of a figure that was read, else null (also for a snapshot saved before figures said why: null there). */
export function figureAmount(f: ChainFigure | null | undefined): WalletAmount | null {
  return f && 'nano' in f ? f : null;
}

export type WebviewToHost =
  /** restored: the webview was rebuilt after hide/show and rendered its saved state before this message */
  | { type: 'ready'; version: number; restored: boolean }
  | { type: 'select'; key: string }
  /** step: sign only, the step the button showed (the host refuses when another one is pending now) */
  | { type: 'action'; action: WebviewAction; key: string | null; step?: string | null }
  /** copy one of the addresses the snapshot shows */
  | { type: 'copy'; text: string };

export type HostToWebview = { type: 'state'; snapshot: BalancesSnapshot } | { type: 'error'; message: string };

export const ACTIONS: readonly WebviewAction[] = ['sign', 'send', 'createEmpty', 'requestEmpty', 'withdraw', 'deposit', 'refund', 'decline', 'leave', 'challenge', 'finish', 'refresh'];

/** Host side: validates a message from the webview; null when it is not one of ours. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return typeof m.version === 'number' ? { type: 'ready', version: m.version, restored: m.restored === true } : null;
    case 'select':
      return typeof m.key === 'string' && m.key.length < 300 ? { type: 'select', key: m.key } : null;
    case 'action':
      if (!ACTIONS.includes(m.action as WebviewAction)) return null;
      if (m.key !== null && (typeof m.key !== 'string' || m.key.length >= 300)) return null;
      if (m.step !== undefined && m.step !== null && (typeof m.step !== 'string' || !/^\d{1,40}$/.test(m.step))) return null;
      return { type: 'action', action: m.action as WebviewAction, key: m.key as string | null, ...(typeof m.step === 'string' ? { step: m.step } : {}) };
    case 'copy':
      return typeof m.text === 'string' && m.text.length < 200 ? { type: 'copy', text: m.text } : null;
    default:
      return null;
  }
}

/** Webview side: validates a message from the host. */
export function parseHostMessage(raw: unknown): HostToWebview | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (m.type === 'state' && m.snapshot && typeof m.snapshot === 'object') return { type: 'state', snapshot: m.snapshot as BalancesSnapshot };
  if (m.type === 'error' && typeof m.message === 'string') return { type: 'error', message: m.message };
  return null;
}
