// The one typed protocol between the extension host (src/extension/balancesPanel.ts) and the balances webview
// (webview/main.ts). Both sides import this module. Messages cross as JSON, so amounts travel as decimal strings
// of nanotons (plus a formatted TON string for display).
//
// Handshake: the webview posts `ready` once its script runs; only then does the host post `state`
// (and again on every change). Anything the webview posts is checked with `parseWebviewMessage` on the host.

export const PROTOCOL_VERSION = 1;

export interface Amount {
  /** nanotons, decimal string */
  nano: string;
  /** formatted TON, e.g. "1.5" */
  ton: string;
}

export interface ChannelChoice {
  /** `<party>:<channelId>` */
  key: string;
  label: string;
}

export interface BalancePoint {
  step: string;
  /** nanotons, decimal strings */
  a: string;
  b: string;
}

export interface ChannelBalances {
  key: string;
  partyLabel: string;
  me: 'A' | 'B';
  channelId: string;
  contract: string | null;
  partnerAddress: string;
  phase: string;
  step: string | null;
  offchainA: Amount | null;
  offchainB: Amount | null;
  contractBalance: Amount | null;
  walletA: Amount | null;
  walletB: Amount | null;
  /** unix seconds when the challenge window ends (closing only) */
  deadline: number | null;
  pendingAwaitingMe: boolean;
  history: BalancePoint[];
}

export interface BalancesSnapshot {
  network: string;
  nodeStatus: string;
  channels: ChannelChoice[];
  selected: ChannelBalances | null;
  /** a sentence for the empty state ("no channel yet: connect first") */
  hint: string | null;
  generatedAt: number;
}

export type WebviewAction = 'sign' | 'send' | 'createEmpty' | 'requestEmpty' | 'withdraw' | 'refresh';

export type WebviewToHost =
  /** restored: the webview was rebuilt after hide/show and rendered its saved state before this message */
  | { type: 'ready'; version: number; restored: boolean }
  | { type: 'select'; key: string }
  | { type: 'action'; action: WebviewAction; key: string | null };

export type HostToWebview = { type: 'state'; snapshot: BalancesSnapshot } | { type: 'error'; message: string };

const ACTIONS: readonly WebviewAction[] = ['sign', 'send', 'createEmpty', 'requestEmpty', 'withdraw', 'refresh'];

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
      return { type: 'action', action: m.action as WebviewAction, key: m.key as string | null };
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
