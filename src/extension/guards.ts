// What the extension checks before it acts, as plain data (no VS Code): which channels a stopped node leaves
// unwatched, whether a network's key may be replaced, which channel a palette command acts on, what the balances
// panel offered. Phases and actions come from the node's views (ChannelView): no protocol rule is made here.
import { durationText } from '../core/duration.js';
import type { Action, BrokenChannelView, ChannelView } from '../node/types.js';
import { ended, unwatched } from '../node/uiRules.js';
import type { BalancesSnapshot, WebviewAction } from '../../webview/protocol.js';
import { shortAddress } from './util.js';
import { WINDOW_READ } from './words.js';
import type { ChannelKey, KeyFacts } from '../node/index.js';

/** "9 min" from the view's close.secondsLeft (chain time), counted down since the view was read; null: not known. */
export function closeLeft(ch: Pick<ChannelView, 'close'>, readAt: number, now = Date.now()): number | null {
  if (!ch.close || ch.close.secondsLeft === null) return null;
  return Math.max(0, Math.round(ch.close.secondsLeft - (now - readAt) / 1000));
}

export interface StopWarning {
  message: string;
  detail: string;
}

/**
 * What stopping the node leaves unwatched (the node's rule: unwatched), to ask before it stops; the CLI says the
 * same as it stops. Channels the node could not load (brokenChannels) may hold money: they count too. null when
 * no channel needs a running node.
 * @param what "Stop the node", "Switch to devnet"…
 */
export function stopWarning(views: readonly ChannelView[], what: string, readAt = Date.now(), now = Date.now(), broken: readonly BrokenChannelView[] = []): StopWarning | null {
  const u = unwatched(views);
  const need = [...u.closing, ...u.guarded];
  const waits = onChainWaits(views);
  if (!need.length && !broken.length && !waits.length) return null;
  const lines = need.map((c) => {
    const left = closeLeft(c, readAt, now);
    // before the node's first read of the chain's time its view has no figure: said so, never a time of the local clock
    const unread = c.phase === 'closing' && c.close?.secondsLeft === null ? `, ${WINDOW_READ}` : '';
    const closing = c.phase === 'closing' && left !== null ? `, ${left > 0 ? `${durationText(left)} left in the challenge window` : 'challenge window over'}` : unread;
    return `• ${c.contract} with ${shortAddress(c.partnerAddress)}: ${c.phase}${closing}`;
  });
  for (const b of broken) lines.push(`• ${b.id}: not loaded (${b.code}), it may hold money`);
  lines.push(...waits.map((w) => w.line));
  const notes: string[] = [];
  if (broken.length) notes.push('A channel the node could not load is not watched even while it runs: fix it (its row in the SynChannel view says how).');
  if (u.closing.length) notes.push('Start the node again before the challenge window ends: only a running node challenges a stale state on chain. After the window, either node finishes the close, which pays both wallets.');
  if (u.shortestPeriod !== null) notes.push(`Nothing watches the chain for a close by your partner while the node is off: start it at least once every ${durationText(u.shortestPeriod)} (the challenge window).`);
  // what the node does at its next start with each wait a stop interrupts (redeploy.ts, paydeposit.ts)
  if (waits.some((w) => w.kind === 'deposit')) notes.push('A stop ends the wait, not what was sent. A deposit the wallet signed may still land: the node shows it once it reads the contract at its next start. The node does not send a deposit again by itself: if it has not landed by then, Deposit again (refused while the first may still land).');
  if (waits.some((w) => w.kind === 'deployment')) notes.push('A deployment the wallet signed may still land. At its next start the node reads the chain: a deployment that landed is taken as done; one not seen is sent again by the node once it can no longer land (one stopped before the wallet signed it is started again at once).');
  const one = need.length === 1;
  const notLoaded = broken.length ? `${need.length ? ' It also holds' : ' Your node holds'} ${broken.length} channel${broken.length === 1 ? '' : 's'} it could not load, which may hold money.` : '';
  const kinds = [...new Set(waits.map((w) => w.kind))];
  const waitWords = waits.length === 1 ? `your ${waits[0]!.kind}` : kinds.length === 1 ? `${waits.length} ${kinds[0]}s of yours` : `${waits.length} deposits and deployments of yours`;
  const waiting = waits.length ? ` ${need.length || broken.length ? 'It is' : 'Your node is'} waiting for the chain to show ${waitWords}.` : '';
  return {
    message: `${what}?${need.length ? ` Your node guards ${need.length} channel${one ? '' : 's'} with money in ${one ? 'it' : 'them'}.` : ''}${notLoaded}${waiting}`,
    detail: [...lines, '', ...notes].join('\n'),
  };
}

/** The on-chain waits the node's views report under way: a deposit of ours, A's deployment. */
type OnChainWait = { kind: 'deposit' | 'deployment'; line: string };
function onChainWaits(views: readonly ChannelView[]): OnChainWait[] {
  return views.flatMap((c): OnChainWait[] =>
    c.depositing
      ? [{ kind: 'deposit', line: `• your deposit to ${c.contract} with ${shortAddress(c.partnerAddress)}` }]
      : c.phase === 'deploying'
        ? [{ kind: 'deployment', line: `• the deployment of ${c.contract} with ${shortAddress(c.partnerAddress)}` }]
        : [],
  );
}

/**
 * Before a node restarts to take a new setting (the testnet API key): what asking says, naming the on-chain waits
 * the node's views report under way (a deposit, a deployment), which the restart interrupts.
 */
export function restartQuestion(views: readonly ChannelView[], network: string, why: string): StopWarning {
  const waits = onChainWaits(views).map((w) => w.line);
  const under = waits.length
    ? [`Your node is waiting for the chain to show ${waits.length === 1 ? 'this' : 'these'}; a restart interrupts the wait (what was sent may still land: the node reads the chain again when it starts):`, ...waits, '']
    : [];
  return {
    message: `Restart the ${network} node now ${why}?`,
    detail: [...under, `Restart Now stops the node and starts it again. Later keeps the node running as it is: the change is saved and used at its next start.`].join('\n'),
  };
}

export type KeyChange = { ok: true; confirm: boolean } | { ok: false; code: 'KEY_IN_USE' | 'DATA_DIR_LOCKED'; why: string };

/**
 * Whether the key of a network may be replaced: never while its data folder holds channels that are not closed
 * (they would become unusable); with a key already there, only after a confirmation.
 * @param running the channels of this network's running node (null: it does not run here)
 * @param stored the phases of the data folder's channels when the node does not run (channelKeys; null: another
 *   window holds it)
 */
export function keyChange(o: {
  network: string;
  running: readonly ChannelView[] | null;
  stored: readonly string[] | null;
  hasKey: boolean;
  broken?: readonly BrokenChannelView[];
  /** the new key is the key the folder's channels were made with (a moved key folder): nothing to refuse or ask */
  sameKey?: boolean;
  /** the key the stored channels were made with, in words ("the key of wallet …"; '' or absent: unknown) */
  channelsKey?: string;
}): KeyChange {
  if (o.sameKey) return { ok: true, confirm: false };
  // a channel the running node could not load (broken) is not known to be closed: it counts as not closed
  const open = [
    ...(o.running ?? []).filter((c) => !ended(c.phase)).map((c) => `${shortAddress(c.contract)}: ${c.phase}`),
    ...(o.running ? (o.broken ?? []) : []).map((b) => `${shortAddress(b.id)}: not loaded, ${b.code}`),
  ];
  if (open.length) {
    return {
      ok: false,
      code: 'KEY_IN_USE',
      why: `the ${o.network} key is the key of ${open.length} channel${open.length === 1 ? '' : 's'} that ${open.length === 1 ? 'is' : 'are'} not closed (${open.join(', ')}): a new key would make them unusable. Close them first, or use another network or data folder (synchannel.dataDir)`,
    };
  }
  if (!o.running && o.stored === null) {
    return { ok: false, code: 'DATA_DIR_LOCKED', why: `another window or process holds the ${o.network} data folder and may hold channels of this key: change the key there, or close that window first` };
  }
  const stored = o.running ? [] : (o.stored ?? []).filter((p) => !ended(p));
  if (stored.length) {
    return {
      ok: false,
      code: 'KEY_IN_USE',
      why: o.channelsKey
        ? `the ${o.network} data folder holds ${stored.length} channel${stored.length === 1 ? '' : 's'} that ${stored.length === 1 ? 'is' : 'are'} not closed (${stored.join(', ')}), made with ${o.channelsKey}: another key would not open ${stored.length === 1 ? 'it' : 'them'}. Import that key (Import Mnemonic with its 24 words, or Import Key Folder), or use another network or data folder (synchannel.dataDir)`
        : `the ${o.network} data folder holds ${stored.length} channel${stored.length === 1 ? '' : 's'} that ${stored.length === 1 ? 'is' : 'are'} not closed (${stored.join(', ')}) under the current key: a new key would make them unusable. Close them first, or use another network or data folder (synchannel.dataDir)`,
    };
  }
  return { ok: true, confirm: o.hasKey };
}

export type ChannelChoice = { kind: 'one'; ch: ChannelView } | { kind: 'many'; list: ChannelView[] } | { kind: 'none' };

/**
 * The channels that allow `action` now (ChannelView.actions), or whose refusal is one of `waitable` (the codes the
 * command leaves to the node, which waits for them to pass: the CLI counts them so too): the one a palette command
 * acts on, or a choice.
 */
export function channelsFor(views: readonly ChannelView[], action: Action, waitable: readonly string[] = []): ChannelChoice {
  const list = views.filter((c) => {
    const can = c.actions[action];
    return can.ok || waitable.includes(can.code);
  });
  if (list.length === 1) return { kind: 'one', ch: list[0]! };
  return list.length ? { kind: 'many', list } : { kind: 'none' };
}

/**
 * What to say before a deposit is asked for when the node's view already refuses it with a refusal the command
 * leaves to the node (a partner's refund, a deposit that may still land: the node judges them by the chain): the
 * view's reason, and the choice to let the node read the chain anyway. null when the view allows the deposit.
 */
export function depositHeadsUp(ch: Pick<ChannelView, 'actions'>): { code: string; message: string; detail: string; button: string } | null {
  const can = ch.actions.deposit;
  if (can.ok) return null;
  return {
    code: can.code,
    message: `${can.why.charAt(0).toUpperCase()}${can.why.slice(1)}.`,
    detail: 'That is what your node last saw of the contract. Deposit Anyway lets it read the chain again: nothing is sent while it still is so.',
    button: 'Deposit Anyway',
  };
}

/**
 * Whether the last snapshot the panel was sent offered this action on this channel (and, for sign, the step it
 * showed is still the one pending); refresh is always offered. Else the host refuses and sends a fresh state.
 */
export function offered(snapshot: BalancesSnapshot | null, msg: { action: WebviewAction; key: string | null; step?: string | null }): boolean {
  if (msg.action === 'refresh') return true;
  const sel = snapshot?.selected;
  if (!sel || sel.key !== msg.key || !sel.actions.some((a) => a.action === msg.action)) return false;
  if (msg.action === 'sign') return msg.step != null && msg.step === sel.pendingStep;
  return true;
}

/**
 * How a failed command is shown: by its code's level, except a cancellation after something was already sent (the
 * node's CANCELLED with `sent: true`: its message says what and what to do), which is a warning, never silent.
 */
export function failureLevel(level: 'cancelled' | 'warning' | 'error', err: unknown): 'cancelled' | 'warning' | 'error' {
  const sent = !!err && typeof err === 'object' && (err as { sent?: unknown }).sent === true;
  return level === 'cancelled' && sent ? 'warning' : level;
}

/** What the key bindings of Send and Sign pass (package.json): only a key press acts on the tree's selected row. */
export const FROM_TREE_KEY = 'synchannel:treeSelection';

/**
 * The arguments a command runs with: a key binding's marker becomes the selected channel or state row (none: the
 * command asks, as from the palette). A palette call passes nothing and never takes an old selection.
 */
export function keyTarget<T extends { kind: string }>(name: string, args: unknown[], selected: T | undefined): unknown[] {
  if (args[0] !== FROM_TREE_KEY) return args;
  return (name === 'send' || name === 'sign') && selected && selected.kind !== 'node' ? [selected] : [];
}

/**
 * Whether a key is the one the network's channels were made with: the running node's wallet, or the key and wallet
 * of every channel of the folder whose record says it (the node's last account when none does). The same key
 * with another wallet is not: its node could not pay, deposit or close those channels.
 */
export function isChannelsKey(key: KeyFacts, runningAccount: string | null, list: readonly ChannelKey[], last: string | undefined): boolean {
  if (runningAccount) return key.account === runningAccount;
  const known = list.filter((k) => !ended(k.phase) && k.key);
  if (known.length) return known.every((k) => k.key!.publicKey === key.publicKey && k.key!.account === key.account);
  return key.account === last;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether a node whose chain endpoint is `endpoint` runs on the devnet this window serves at `served`: the same
 * port on a loopback name, the same path. Stop Devnet stops (and asks about) only such a node.
 */
export function onServedDevnet(served: string | null, runningNetwork: string | null, endpoint: string | null): boolean {
  if (!served || runningNetwork !== 'devnet' || !endpoint) return false;
  try {
    const [a, b] = [new URL(served), new URL(endpoint)];
    const host = (u: URL) => (LOOPBACK.has(u.hostname) ? 'loopback' : u.hostname);
    const path = (u: URL) => u.pathname.replace(/\/+$/, '');
    return a.protocol === b.protocol && host(a) === host(b) && a.port === b.port && path(a) === path(b);
  } catch {
    return false;
  }
}
