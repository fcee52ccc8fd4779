// The status bar's words, without VS Code (statusBar.ts shows them): network, node state, how many channels the
// watcher guards, your balance in the channel shown (named by its partner) and whose turn it is, the states
// awaiting your signature; while only the teaching demo runs, the demo.
import type { ChannelView } from '../node/types.js';
import { ended, watchedHere } from '../node/uiRules.js';
import type { NodeHost } from './host.js';
import type { Model, NodeEntry } from './model.js';
import type { Unwatched } from './unwatched.js';
import { formatTon } from './util.js';
import { partnerName, phaseWord, turnWords } from './words.js';

/** What the status reads of the host. */
export type StatusHost = Pick<NodeHost, 'runningNetwork' | 'network' | 'mainNode' | 'demos' | 'status' | 'elsewhere' | 'lastError' | 'unwatchedMoney' | 'unwatchedWords' | 'nodes'>;
type Hosted = { label: string; account: string }[];

export interface StatusText {
  text: string;
  tooltip: string;
  /** states awaiting the user's signature, in every hosted node */
  awaiting: number;
}

/** The status in words, from the host and one model picture; `selected`: the channel selected in the SynChannel view. */
export function statusText(host: StatusHost, model: Model, selected?: string): StatusText {
  const awaiting = model.nodes.reduce((k, n) => k + n.channels.filter((c) => c.view.actions.sign.ok).length, 0);
  const bell = awaiting ? ` · $(bell-dot) ${awaiting}` : '';
  const network = host.runningNetwork ?? host.network;
  const main = host.mainNode;
  const demo = host.demos.session;
  const demoText = demo ? `step ${demo.steps.filter((s) => demo.done(s.id)).length}/${demo.steps.length}` : '';
  if (main && host.status === 'running') {
    // the model may not have read a node that just started: its channels come with the next picture
    const me = model.nodes.find((n) => n.node === main) ?? { node: main, account: main.api.getAccount(), network: main.api.network, served: main.served, partners: [], channels: [], broken: main.api.brokenChannels() };
    const names = host.nodes().map((n) => ({ label: n.label, account: n.api.getAccount() }));
    const { text, tooltip } = running(me, network, host.elsewhere, shownChannel(me, selected), names);
    return { text: `${text}${demo ? ` · demo ${demoText}` : ''}${bell}`, tooltip, awaiting };
  }
  if (demo && host.status !== 'error' && host.status !== 'locked') {
    return { text: `$(mortar-board) SynChannel: teaching demo · ${demoText}${bell}`, tooltip: 'Alice and Bob run in this window on an embedded sandbox chain. Your own node is not running.', awaiting };
  }
  const err = host.lastError;
  switch (host.status) {
    case 'starting':
      return { text: `$(sync~spin) SynChannel: ${network} · starting`, tooltip: 'The node is starting.', awaiting };
    case 'locked':
      return { text: `$(lock) SynChannel: ${network} · watched by another window`, tooltip: err?.message ?? 'Another window or process holds this data folder.', awaiting };
    case 'error': {
      // a failed start of a node that must watch money: the status bar keeps saying it
      const u = host.unwatchedMoney;
      const notWatched = u ? ` · ${u.count} channel${u.count === 1 ? '' : 's'} NOT watched` : '';
      const tooltip = [`The node did not start: ${err?.message ?? 'see the log'}`, ...(u ? [host.unwatchedWords() ?? ''] : [])].join('\n\n');
      return { text: `$(error) SynChannel: ${network} · ${err?.code === 'NO_KEY' ? 'no key' : 'error'}${notWatched}`, tooltip, awaiting };
    }
    default:
      return { text: `$(debug-disconnect) SynChannel: ${network} · stopped`, tooltip: 'The node is not running: Serve, Connect or Start the Node start it.', awaiting };
  }
}

const BALANCED: readonly string[] = ['locked', 'open', 'closing'];

/**
 * The channel the status bar names and shows: the one selected in the SynChannel view (of the user's node), else the
 * node's current one (its only channel, or the most pressing of several); none once it is closed or declined.
 */
export function shownChannel(me: NodeEntry, selected?: string): ChannelView | null {
  const picked = selected ? me.channels.find((c) => c.view.id === selected)?.view : undefined;
  if (picked && !ended(picked.phase)) return picked;
  const current = me.node.api.currentChannel();
  return current && !ended(current.phase) ? current : null;
}

function running(me: NodeEntry, network: string, elsewhere: readonly Unwatched[], shown: ChannelView | null, names: Hosted): { text: string; tooltip: string } {
  const watched = me.channels.filter((c) => watchedHere(c.view));
  const parts = [`$(plug) SynChannel: ${network}`];
  parts.push(watched.length ? `watching ${watched.length}` : 'running');
  if (me.broken.length) parts.push(`$(error) ${me.broken.length} not loaded`);
  for (const e of elsewhere) parts.push(`$(warning) ${e.network}: ${e.count} NOT watched`);
  if (shown) {
    // whose channel it is: the partner's name (the demo's) or short address; before the lock it holds no balance yet
    const partner = partnerName(shown, names);
    parts.push(BALANCED.includes(shown.phase) ? `${formatTon(shown.myBalance)} TON with ${partner}` : `${phaseWord(shown.phase)} channel with ${partner}`);
    const turn = turnWords(shown);
    if (turn) parts.push(turn);
  }
  const lines = [
    `SynChannel on ${network}: node running as ${me.account}`,
    `${watched.length} channel(s) watched: the node challenges a stale close and finishes closes by itself.`,
  ];
  if (me.broken.length) lines.push(`${me.broken.length} channel(s) the node could not load (${me.broken.map((b) => b.code).join(', ')}): NOT watched; see their rows in the SynChannel view.`);
  for (const e of elsewhere) {
    const one = e.count === 1;
    lines.push(`${e.count} channel${one ? '' : 's'} with money on ${e.network} ${one ? 'is' : 'are'} NOT watched while this window's node runs on ${network}: a stale close by a partner there is not challenged. Switch to ${e.network} (or run the CLI on it) at least once per challenge window.`);
  }
  if (shown) {
    const others = me.channels.filter((c) => !ended(c.view.phase)).length - 1;
    const more = others > 0 ? ` ${others} more: select one in the SynChannel view to show it here.` : '';
    lines.push(`Shown: your channel with ${shown.partnerAddress} (contract ${shown.contract}), ${phaseWord(shown.phase)}.${more}`);
  }
  if (me.served) lines.push(`Serving: ${[...me.served.lan, ...me.served.wan][0] ?? '—'}`);
  return { text: parts.join(' · '), tooltip: lines.join('\n\n') };
}
