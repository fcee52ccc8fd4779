// What the commands share: their arguments, the channel a command acts on (checked against the node's
// ChannelView.actions before any prompt), and a person's confirmation of an irreversible step.
import { formatTon } from '../core/amounts.js';
import { addressText, balancesLine } from '../core/format.js';
import type { CommandSpec } from '../node/catalogue.js';
import type { Action, ChannelNodeApi, ChannelView } from '../node/types.js';
import { ended } from '../node/uiRules.js';
import type { Io, Parsed } from './repl.js';

/** Commands that read one channel without needing a capability (the rest name theirs in the catalogue). */
export const CHANNEL_READERS: ReadonlySet<string> = new Set(['balanceContract', 'balanceChan', 'getPartnerAccount', 'getSmartContractAccount', 'showAll', 'showLast']);

/**
 * The commands whose wait (for the chain, or the partner) Ctrl+C stops at a terminal, as VS Code's Cancel does:
 * what already happened stands, and the command says so.
 */
export const STOPPABLE: ReadonlySet<string> = new Set(['deposit', 'refund', 'send', 'withdraw', 'leave']);

export class UsageError extends Error {
  readonly code = 'USAGE';
}

export interface RunArgs extends Parsed {
  node: ChannelNodeApi;
  io: Io;
  spec: CommandSpec;
  /** fired by Ctrl+C at a terminal while a command of STOPPABLE waits */
  signal?: AbortSignal;
}

/** A command's progress lines, and the signal that stops its wait. */
export const waitOptions = (a: RunArgs): { onProgress: (m: string) => void; signal?: AbortSignal } => ({ onProgress: (m) => a.io.say(m), ...(a.signal ? { signal: a.signal } : {}) });

export type Runner = (a: RunArgs) => Promise<unknown>;

/**
 * Argument `i`, or at a terminal the person's answer to `prompt` (a script's next line is never taken as one).
 * Enter alone is `empty` when the prompt offers a default, else a usage error that says what to type.
 */
export async function argOrAsk(a: RunArgs, i: number, prompt: string, what: string, example: string, empty?: string): Promise<string> {
  const v = a.args[i];
  if (v !== undefined && v !== '') return v; // an empty "" names nothing
  requireInline(a, i, what, example);
  const answer = await a.io.ask(prompt);
  if (answer === null || answer.trim().toLowerCase() === 'exit') throw Object.assign(new Error('cancelled'), { code: 'CANCELLED' });
  const typed = answer.trim();
  if (typed !== '') return typed;
  if (empty !== undefined) return empty;
  throw new UsageError(`nothing entered: ${a.spec.name} needs the ${what} (e.g. \`${example}\`)`);
}

/**
 * From a pipe or with --json, argument `i` must be on the line: a usage error that says what to type, else nothing.
 * Called before the channel is looked at, so a missing argument is told before what the channel allows.
 */
export function requireInline(a: Pick<RunArgs, 'args' | 'io' | 'spec'>, i: number, what: string, example: string): void {
  const v = a.args[i];
  if ((v === undefined || v === '') && (a.io.json || !a.io.interactive)) throw new UsageError(`the ${what} is missing: type it on the same line (\`${a.spec.usage}\`, e.g. \`${example}\`)`);
}

/** The channel a command acts on, checked against what it allows now (before any prompt). */
export function allowed(a: RunArgs, action: Action, waitable: readonly string[] = []): ChannelView {
  const id = a.values.get('channel');
  let ch = id ? a.node.channel(id) : a.node.currentChannel();
  if (!ch) throw id ? unknownChannel(a.node, id) : noChannel(a);
  if (!id) ch = onlyChannelFor(a, action, waitable) ?? ch;
  const can = ch.actions[action];
  // deposit with every channel finished: the answer is the proposal that has not come, not the old channel's end
  if (!id && !can.ok && action === 'deposit' && a.node.channels().every((c) => ended(c.phase))) {
    const all = a.node.channels();
    const how = all.every((c) => c.phase === 'closed') ? 'closed' : 'closed or declined';
    const yours = all.length === 1 ? `your channel is ${how}` : `your ${all.length} channels are ${how}`;
    // one sentence: what is there, and what to do (deposit accepts a proposal: said as the step after asking for one)
    const connect = a.node.partners().some((p) => p.online) ? '' : 'connect to them (serve, or connect to their multiaddr) and ';
    throw Object.assign(new Error(`${yours} and your partner has proposed no new one: ${connect}ask them to open one (then deposit accepts it), or open one yourself (open)`), { code: 'NO_CHANNEL' });
  }
  if (!can.ok && !waitable.includes(can.code)) {
    // No channel allows it: the answer is the default's, which must be named when there are others.
    const all = a.node.channels().length;
    const live = openCount(a);
    // counted as nameDefault counts: "you have 2 channels" beside "none of your 7 channels" read as a contradiction
    // named as the person typed it (the action `exit` is the command `leave`: `exit` stops the node)
    // the only channel not closed, refused: no other channel matters (and "see channels" would hide the code's next step)
    const alone = live === 1 && ch.phase !== 'closed' && ch.phase !== 'rejected';
    const which = !id && all > 1 && !alone ? ` (channel ${ch.contract}, ${ch.phase}; none of your ${all} channels${live > 0 && live !== all ? `, ${live} not closed,` : ''} allows ${a.spec.name} now: see channels)` : '';
    throw Object.assign(new Error(`${can.why}${which}`), { code: can.code });
  }
  if (!id) nameDefault(a, ch);
  return ch;
}

/** The fewest characters of a contract that name a channel by themselves (all start kQA…kQD or EQA…EQD). */
const PART_MIN = 4;

/** What --channel takes, as help and usage errors say it (resolveChannel). */
export const CHANNEL_VALUE = `<contract, or ${PART_MIN}+ characters of its start or end>`;
/** One line on --channel for help. */
export const CHANNEL_HELP = `--channel ${CHANNEL_VALUE} when you have several channels (the short form channels shows, kQAb…wxyz, works too)`;

/**
 * The channel a --channel value names, as the node's lookup takes it: its id or contract exactly, or a part of its
 * contract as `channels` and the short forms show it: its start, its end, or both around … (`kQAb12…wxyz`).
 * A part that fits several channels names them; one shorter than PART_MIN is refused (a typo would pick a channel).
 */
export function resolveChannel(node: ChannelNodeApi, typed: string): string {
  const exact = node.channel(typed);
  if (exact) return exact.id;
  const part = partOf(typed);
  if (!part) throw unknownChannel(node, typed);
  const hits = node.channels().filter((c) => part.fits(c.contract));
  if (hits.length > 1) {
    const list = hits.map((c) => `${c.contract} (${c.phase}, you are ${c.me})`).join('; ');
    return fail(`${typed} matches ${hits.length} channels: ${list}: give more of its contract with --channel (see channels)`, 'MANY_CHANNELS');
  }
  const one = hits[0];
  if (!one) throw unknownChannel(node, typed);
  if (part.size < PART_MIN) return fail(`${typed} is too short to name a channel: give at least ${PART_MIN} characters of its contract, e.g. --channel ${one.contract.slice(0, 8)} (see channels)`, 'UNKNOWN_CHANNEL');
  return one.id;
}

/**
 * A part of a contract as typed: its start, its end, or both around … (... too), and how many characters it has;
 * null for one that is no part of any contract (a second … dropped what followed it) or empty.
 */
function partOf(typed: string): { fits: (contract: string) => boolean; size: number } | null {
  const part = typed.replaceAll('...', '…');
  const pieces = part.split('…');
  const size = part.replace('…', '').length;
  if (pieces.length > 2 || !size) return null;
  const [head, tail] = pieces as [string, string | undefined];
  const fits = tail !== undefined ? (c: string) => c.startsWith(head) && c.endsWith(tail) : (c: string) => c.startsWith(part) || c.endsWith(part);
  return { fits, size };
}

function fail(message: string, code: string): never {
  throw Object.assign(new Error(message), { code });
}

/**
 * No channel `id` here: it may be this data folder's on another network (a forgotten --chain: its contract, or a
 * part of it as for a channel here), or a wallet's address.
 */
export function unknownChannel(node: ChannelNodeApi, id: string): Error {
  const elsewhere = otherNetworkChannels(node, id);
  if (elsewhere.length === 1) {
    const [{ contract, network }] = elsewhere as [{ contract: string; network: string }];
    return Object.assign(new Error(`channel ${contract} is on ${network}, and this node runs on ${node.network}: start the node with --chain ${network} to act on it`), { code: 'OTHER_NETWORK' });
  }
  if (elsewhere.length > 1) {
    const list = elsewhere.map((c) => `${c.contract} (${c.network})`).join(', ');
    const chains = [...new Set(elsewhere.map((c) => `--chain ${c.network}`))].join(' or ');
    return Object.assign(new Error(`${id} matches ${elsewhere.length} channels of other networks, none on ${node.network} where this node runs: ${list}: start the node with ${chains} to act on one (give more of its contract with --channel)`), { code: 'OTHER_NETWORK' });
  }
  const wallet = walletOf(node, id);
  if (wallet) {
    const theirs = node.channels().filter((c) => wallet.own || addressOf(c.partnerAddress) === wallet.text);
    const list = theirs.length ? `: ${theirs.slice(0, 3).map((c) => c.contract).join(', ')}${theirs.length > 3 ? ', …' : ''}` : ' (see channels)';
    return Object.assign(new Error(`${id} is your ${wallet.own ? 'own' : "partner's"} wallet address, not a channel: --channel takes a channel's contract (kQ…), as channels lists it${list}`), { code: 'UNKNOWN_CHANNEL' });
  }
  return Object.assign(new Error(`no channel ${id} (see channels)`), { code: 'UNKNOWN_CHANNEL' });
}

/** The channels of this data folder on other networks that `typed` names: by id or contract, or by a part of it. */
function otherNetworkChannels(node: ChannelNodeApi, typed: string): { contract: string; network: string }[] {
  const net = node.otherNetworkOf(typed);
  if (net) return [{ contract: typed, network: net }];
  const part = partOf(typed);
  if (!part || part.size < PART_MIN) return [];
  return node.otherNetworks().flatMap((o) => o.contracts.filter(part.fits).map((contract) => ({ contract, network: o.network })));
}

/** An address in this node's one form for wallets, or null for text that is no address. */
export function addressOf(text: string): string | null {
  try {
    return addressText(text, 'wallet');
  } catch {
    return null;
  }
}

/** Whether `text` is this node's wallet or a partner's (in any of an address's forms). */
function walletOf(node: ChannelNodeApi, text: string): { own: boolean; text: string } | null {
  const a = addressOf(text);
  if (!a) return null;
  if (a === addressOf(node.getAccount())) return { own: true, text: a };
  return node.partners().some((p) => addressOf(p.address) === a) ? { own: false, text: a } : null;
}

/** No channel here: its channels may be on another network (a forgotten --chain), else the user opens one. */
export function noChannel(a: RunArgs): Error {
  const other = a.node.otherNetworks();
  if (other.length) {
    const list = other.map((o) => `${o.channels} channel(s) on ${o.network}`).join(', ');
    const chains = other.map((o) => `--chain ${o.network}`).join(' or ');
    return Object.assign(new Error(`no channel on ${a.node.network} here: this data folder's ${list} are not run by this node: restart it with ${chains} to use them`), { code: 'OTHER_NETWORK' });
  }
  return Object.assign(new Error(`no channel yet: ${withoutChannel(a)}`), { code: 'NO_CHANNEL' });
}

/** The next step with no channel: connect first when no partner is online; `deposit` needs the partner's proposal. */
export function withoutChannel(a: RunArgs): string {
  // serving already: the step left is theirs (to connect), not another serve
  const serving = 'you serve, and your partner has not connected yet: give them an address serve printed (or connect to theirs), then ';
  const connect = a.node.partners().some((p) => p.online) ? '' : a.node.served() ? serving : 'connect to your partner first (serve, or connect to their multiaddr), then ';
  if (a.spec.name === 'deposit') return `deposit accepts your partner's channel proposal, and none came: ${connect}ask them to open one, or open one yourself (open)`;
  return `${connect}open a channel (open), or accept your partner's proposal with deposit`;
}

/**
 * Without --channel, an action goes to the one channel where it is possible (or waits to be): money never moves
 * in a channel the user did not mean. Several such channels: the user names one. None: null (the default's reason
 * is the answer).
 */
function onlyChannelFor(a: RunArgs, action: Action, waitable: readonly string[]): ChannelView | null {
  const able = a.node.channels().filter((c) => c.actions[action].ok || waitable.includes((c.actions[action] as { code: string }).code));
  if (able.length <= 1) return able[0] ?? null;
  // the id is the contract's address: said once; a channel is told apart by its balances, one with no state yet
  // by its deposits
  const what = (c: ChannelView) => (c.latest ? `step ${c.latest.step}: ${balancesLine(c.latest)}` : `${c.phase}, deposits A ${formatTon(c.expectedDepositA)} / B ${formatTon(c.expectedDepositB)} TON`);
  const list = able.map((c) => `${c.id} (you are ${c.me}, ${what(c)})`).join('; ');
  throw Object.assign(new Error(`${able.length} channels allow ${a.spec.name} now: name one with --channel <contract>: ${list}`), { code: 'MANY_CHANNELS' });
}

/** With several live channels and no --channel, says which one a command takes (the other side may take another). */
export function nameDefault(a: RunArgs, ch: ChannelView | null = a.node.currentChannel()): void {
  if (a.values.has('channel') || !ch) return;
  const live = openCount(a);
  if (live > 1) a.io.say(`(channel ${ch.contract}: you have ${live} channels not closed, name another with --channel)`);
}

/** Channels not closed or declined (what "not closed" counts in the CLI's words). */
function openCount(a: RunArgs): number {
  return a.node.channels().filter((c) => !ended(c.phase)).length;
}

/** Irreversible steps need a person's yes: asked on a terminal, `--yes` when commands come from a pipe. */
export async function confirm(a: RunArgs, what: string): Promise<void> {
  if (a.flags.has('yes')) return;
  if (!a.io.interactive || a.io.json) throw new UsageError(`${what}: add --yes to confirm (commands from a pipe or --json are never confirmed silently)`);
  // What is confirmed is said first (refund's terms were only in the error from a pipe).
  a.io.say(`${what.charAt(0).toUpperCase()}${what.slice(1)}.`);
  // y/yes or n/no in any case; anything else is asked again, a few times (Ctrl+D or the end of input: no)
  for (let i = 0; i < CONFIRM_TRIES; i++) {
    const answer = await a.io.ask('Are you sure[y/n]:');
    const said = answer?.trim().toLowerCase() ?? 'n';
    if (said === 'y' || said === 'yes') return;
    if (said === 'n' || said === 'no') break;
    const what = said ? `"${answer!.trim()}" is neither yes nor no` : 'nothing typed';
    a.io.say(i + 1 < CONFIRM_TRIES ? `${what}: type y (yes) to go on, or n (no) to cancel` : `${what}: nothing was done`);
  }
  throw Object.assign(new Error(`${a.spec.name} cancelled`), { code: 'CANCELLED' });
}

/** How many times "Are you sure" is asked when the answer is neither yes nor no. */
export const CONFIRM_TRIES = 3;
