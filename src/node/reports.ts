// What peers with no channel here (strangers: a new wallet costs nothing) may put in front of the person: each
// stranger within its own small share, and all of them within a global cap (one for proposals, one for the rest),
// so that no number of wallets makes the node's events (a toast each in the extension) unbounded, and a few peers
// flooding it cannot use up what a genuine partner's first proposal is announced with.
// And how a refusal of a peer's message is told to this node's user: from this side (refusedHere).
import { codeOf, messageOf } from '../core/errors.js';
import { shortAddress } from '../core/format.js';
import type { AppMessage } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import { TokenBucket } from '../p2p/quota.js';
import type { NodeContext } from './context.js';
import { channelsWith, hasStoredChannelWith } from './controller.js';
import { addressTextOf, rawTextOf, shownContract } from './addresses.js';
import type { ChannelController } from './controller.js';
import { hereWordsOf, NodeError, refusal, wasAnswered } from './errors.js';

/** The global caps: of strangers' reports (refusals, connections), and apart, of their proposals announced. */
export const STRANGER_REPORT_BURST = 10;
export const STRANGER_REPORTS_PER_SECOND = 0.5;
/** Each stranger's own share: a few reports and one proposal announced, given back slowly. */
export const PEER_REPORT_BURST = 3;
const PEER_REPORTS_PER_SECOND = 1 / 20;
const PEER_PROPOSALS_PER_SECOND = 1 / 60;
/** The most strangers whose share is kept (the least recently heard is forgotten first: memory stays bounded). */
export const MAX_PEER_SHARES = 1024;

type Pair = { reports: TokenBucket; proposals: TokenBucket };
/** Strangers' proposals listed but not announced since the last summary: how many, the newest, the timer that tells them. */
type Unannounced = { count: number; newest: ChannelController | null; timer: ReturnType<typeof setTimeout> | null; crowded: boolean };
/** Why a stranger's proposal waits: its own wallet's share spent (it proposed again soon), or the strangers' cap. */
export type Spent = 'own' | 'all';
type Budgets = Pair & { peers: Map<string, Pair>; unannounced: Unannounced };
const budgets = new WeakMap<NodeContext, Budgets>();

function budgetsOf(ctx: NodeContext): Budgets {
  let b = budgets.get(ctx);
  const cap = { burst: STRANGER_REPORT_BURST, perSecond: STRANGER_REPORTS_PER_SECOND };
  if (!b) budgets.set(ctx, (b = { reports: new TokenBucket(cap), proposals: new TokenBucket(cap), peers: new Map(), unannounced: { count: 0, newest: null, timer: null, crowded: false } }));
  return b;
}

/**
 * A stranger's proposal listed but not announced (the caps spent): never silent. Once the proposals' cap gives a
 * token back, one warning line says how many came and where they are, and the newest still waiting is announced.
 * Bounded: a count, one channel and one timer per node, whatever the number of wallets.
 */
export function unannounced(ctx: NodeContext, ctl: ChannelController, why: Spent): void {
  const u = budgetsOf(ctx).unannounced;
  u.count++;
  if (why === 'all') u.crowded = true;
  u.newest = ctl;
  if (!u.timer) tellUnannounced(ctx, u, 1000 / STRANGER_REPORTS_PER_SECOND);
}

function tellUnannounced(ctx: NodeContext, u: Unannounced, ms: number): void {
  u.timer = setTimeout(() => {
    u.timer = null;
    if (ctx.stopping.aborted || u.count === 0) return;
    const wait = budgetsOf(ctx).proposals.takeOrWait();
    if (wait) return tellUnannounced(ctx, u, wait);
    const { count, newest, crowded } = u;
    u.count = 0;
    u.newest = null;
    u.crowded = false;
    const many = count === 1 ? 'a channel proposal' : `${count} channel proposals`;
    const why = crowded ? 'came while many did, not announced one by one' : 'came soon after an earlier one from the same wallet, so not announced at once';
    ctx.log(`${many} from wallets with no channel here ${why}: those still waiting are listed (channels). Accept only a proposal you expect; decline the others (nothing is deposited until you accept)`, 'warn');
    if (newest && ctx.channels.get(newest.id) === newest && newest.life === 'proposed') ctx.emit({ type: 'channelProposed', channel: ctx.view(newest) });
  }, ms);
  u.timer.unref?.();
}

/**
 * Whether a stranger's report (a refusal shown, its connection) or proposal may be put in front of the person now:
 * its own share first (a peer that spent it takes nothing more from the others'), then the global cap.
 */
export function strangerMay(ctx: NodeContext, s: PeerSession, kind: 'report' | 'proposal'): boolean {
  return spentBy(ctx, s, kind) === null;
}

/** What a stranger's report or proposal finds spent (its own share first, then the global cap), or null: it may go. */
function spentBy(ctx: NodeContext, s: PeerSession, kind: 'report' | 'proposal'): Spent | null {
  const b = budgetsOf(ctx);
  const key = rawTextOf(s.partner.walletAddress);
  let own = b.peers.get(key);
  if (own) b.peers.delete(key); // heard now: the most recent again
  else own = { reports: new TokenBucket({ burst: PEER_REPORT_BURST, perSecond: PEER_REPORTS_PER_SECOND }), proposals: new TokenBucket({ burst: 1, perSecond: PEER_PROPOSALS_PER_SECOND }) };
  b.peers.set(key, own);
  if (b.peers.size > MAX_PEER_SHARES) b.peers.delete(b.peers.keys().next().value!);
  const k = kind === 'proposal' ? 'proposals' : 'reports';
  return !own[k].take() ? 'own' : !b[k].take() ? 'all' : null;
}

/** Sessions whose connection events reach the UIs. */
const heard = new WeakSet<PeerSession>();

/**
 * Whether a session's connection events reach the UIs: a partner's (a session this node dialled, or a wallet with a
 * channel here); a stranger's connection within the strangers' budgets once (then its disconnection too; a
 * disconnection takes no token).
 */
export function announced(ctx: NodeContext, s: PeerSession, event: 'connected' | 'disconnected'): boolean {
  if (isPartner(ctx, s) || heard.has(s)) return true;
  const ok = event === 'connected' && strangerMay(ctx, s, 'report');
  if (ok) heard.add(s);
  return ok;
}

/** Whether a proposal is announced now: always a partner's; a stranger's within the budgets, else what is spent. */
export function proposalSpent(ctx: NodeContext, s: PeerSession): Spent | null {
  return isPartner(ctx, s) ? null : spentBy(ctx, s, 'proposal');
}

/** A session this node dialled, or a wallet with a channel here. */
function isPartner(ctx: NodeContext, s: PeerSession): boolean {
  return !!s.dialAddr || hasStoredChannelWith(ctx.channels, s.partner.walletAddress.toRawString(), false);
}

/** Failures of this side (its disk, its chain endpoint, the node's stop): told in its own words, as they were. */
const HERE: readonly string[] = ['STORE', 'DISK_WRITE_FAILED', 'DATA_DIR_GONE', 'DATA_DIR_NOT_WRITABLE', 'DATA_DIR_UNREADABLE', 'RECORD_CORRUPT', 'JOURNAL_CORRUPT', 'NEWER_VERSION', 'INTERNAL', 'NODE_STOPPED', 'CHANNEL_RELOADED', 'CANCELLED', 'WATCH_FAILING', 'ENDPOINT_UNREACHABLE', 'ENDPOINT_ERROR', 'RATE_LIMITED', 'API_KEY_REJECTED', 'TIMEOUT', 'INSUFFICIENT_FUNDS', 'WALLET_REJECTED', 'CONTRACT_REJECTED', 'UNKNOWN_WALLET', 'PENDING'];

/**
 * A partner's message refused here, as this node's user reads it: what was refused (WIRE_NAMES) and from whom, then why, in
 * this side's words (the error's message, or saidHere's words when the message is written for the partner: then
 * its code's next step is the partner's too, and the event is marked `refused`). The code stays; the partner is
 * answered with the error as it is. A decline answered in the protocol's own words, a partner's report and a
 * failure of this side are told as they are.
 */
export function refusedHere(ctx: NodeContext, s: PeerSession, m: AppMessage, e: unknown, note: string, partner: boolean): unknown {
  if (m.type === 'error' || wasAnswered(e) || HERE.includes(codeOf(e))) return note ? new NodeError(codeOf(e), `${messageOf(e)}${note}`) : e;
  const raw = s.partner.walletAddress.toRawString();
  const wallet = shortAddress(addressTextOf(raw, 'wallet'));
  // a partner of a channel in this folder on another network is one too (its channel is named on the other chain)
  const known = partner || [...ctx.otherNetwork.values()].some((o) => o.partner === raw);
  const who = known ? `your partner ${wallet}` : `${wallet}, who has no channel here`;
  const words = hereWordsOf(e);
  const told = wired(new NodeError(codeOf(e), `refused ${WIRE_NAMES[m.type]} from ${who}: ${words ?? messageOf(e)}${note}`, { cause: e }), m.type);
  return words === undefined ? told : refusal(told);
}

/** Each wire message as this node's user reads it in a refusal (the wire type stays in the event's `wire`). */
export const WIRE_NAMES: { readonly [K in AppMessage['type']]: string } = {
  'channel.propose': 'a channel proposal',
  'channel.accept': 'an acceptance of a channel proposal',
  'channel.reject': 'a decline of a channel',
  'channel.deployed': 'a notice that the channel contract is deployed',
  deposit: 'a notice of a deposit',
  'state.propose': 'a new state',
  'state.countersign': 'their signature of your state',
  'turn.request': 'a request for the turn',
  'close.notice': 'a notice of a close',
  'close.propose': 'a proposal to close cooperatively',
  'close.accept': 'their signature of your close',
  'resync.request': 'a request for states they lack',
  'resync.response': 'an answer with states you lacked',
  error: 'an error report',
};

/** The wire type of the partner's message a refusal told here is about. */
const wireTypes = new WeakMap<object, string>();

function wired<E extends object>(e: E, type: string): E {
  wireTypes.set(e, type);
  return e;
}

export function wireOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? wireTypes.get(e) : undefined;
}

/** the channels whose quiet refusal was told here once */
const quietTold = new WeakSet<ChannelController>();
/** the channels (or, when the channel is not known, the sessions) whose closing the partner's node told, said once */
const closingTold = new WeakSet<object>();
/** the same for a channel paid out (ALREADY_CLOSED) */
const paidOutTold = new WeakSet<object>();

/** A quiet refusal (errors.ts quiet) of a partner's message: once per channel, an info line in its words here. */
export function toldQuietly(ctx: NodeContext, ctl: ChannelController, e: unknown): void {
  if (quietTold.has(ctl)) return;
  quietTold.add(ctl);
  ctx.emit({ type: 'log', level: 'info', message: `channel ${shownContract(ctl)}: ${hereWordsOf(e) ?? messageOf(e)}`, channel: ctx.view(ctl) });
}

/**
 * The channel a partner's report (an error answer to a message of ours of type `ref`) is about: the one waiting for
 * that answer (our state, or our turn request), else this partner's only channel (`ended`: ended ones count too).
 */
export function reportedOn(ctx: NodeContext, s: PeerSession, ref: string | undefined, ended: boolean): ChannelController | undefined {
  const raw = rawTextOf(s.partner.walletAddress);
  const theirs = channelsWith(ctx.channels, raw).filter((c) => ended || !c.ended);
  const waits = theirs.filter((c) => (ref === 'turn.request' ? c.channel.turnRequested : c.channel.staged !== null && c.channel.stagedBy === c.channel.party));
  return waits.length === 1 ? waits[0] : theirs.length === 1 ? theirs[0] : undefined;
}

/**
 * The partner's node refused a state, a close proposal or a turn request of ours as its channel is closing
 * (CHANNEL_CLOSING) or paid out (ALREADY_CLOSED): it came too late to matter. Said once per channel (the one waiting
 * for that answer, else this partner's only channel; else once per session), in this side's words.
 */
export function partnerClosing(ctx: NodeContext, s: PeerSession, ref: string | undefined, code: 'CHANNEL_CLOSING' | 'ALREADY_CLOSED'): void {
  const ctl = reportedOn(ctx, s, ref, code === 'ALREADY_CLOSED');
  const key = ctl ?? s;
  const told = code === 'ALREADY_CLOSED' ? paidOutTold : closingTold;
  if (told.has(key)) return;
  told.add(key);
  const what = ref === 'turn.request' ? 'your request for the turn' : ref === 'close.propose' ? 'your close proposal' : ref === 'state.countersign' || ref === 'close.accept' ? 'your signature' : 'your state';
  const now = code === 'ALREADY_CLOSED' ? 'is closed and paid out' : 'is closing';
  const which = ctl ? `channel ${shownContract(ctl)}: your partner's node says the channel ${now}` : `your partner's node says your channel with them ${now}`;
  // Their word: when this node has not seen it on chain, it says so (the chain, read here, is what counts).
  const seen = ctl ? (code === 'ALREADY_CLOSED' ? ctl.life === 'closed' : ctl.channel.phase === 'CLOSING' || ctl.ended) : true;
  const why = code === 'ALREADY_CLOSED' ? 'the contract has paid out' : 'a close is under way on chain';
  const message = seen
    ? `${which} (${why}), so it did not take ${what}: nothing was paid and nothing is lost; your node follows the close on chain (nothing to do)`
    : `${which}, so it did not take ${what}: nothing was paid. This node has not seen the ${code === 'ALREADY_CLOSED' ? 'payout' : 'close'} on chain yet: it reads the contract, and shows the ${code === 'ALREADY_CLOSED' ? 'payout' : 'close'} once it sees it; if it does not come, check the channel (channels) and close it if your partner no longer signs`;
  ctx.emit({ type: 'log', level: 'info', message, ...(ctl ? { channel: ctx.view(ctl) } : {}) });
}

/** the partners (raw wallet addresses, each of a channel kept here) whose equivocation claim was told in this run */
const claimsTold = new WeakMap<NodeContext, Set<string>>();

/**
 * The partner says this node signed two different states for one step. Any partner can say it; this node signs one
 * state a step in its folder (a state leaves only once journalled), so the claim can be true only of another copy of
 * its key: a folder a channel here was restored from, or a copy of the data folder. Told once a run per partner as a
 * warning line (the CLI shows it; not the code's error, whose next step is the catching node's), naming the channel
 * restored from a backup when there is one, else saying it was not signed here and what to check.
 */
export function equivocationClaimed(ctx: NodeContext, s: PeerSession): void {
  const raw = rawTextOf(s.partner.walletAddress);
  const told = claimsTold.get(ctx) ?? new Set<string>();
  claimsTold.set(ctx, told);
  if (told.has(raw)) return;
  told.add(raw);
  const theirs = channelsWith(ctx.channels, raw);
  const restored = theirs.find((c) => c.rec.restored || c.rec.restorePending);
  const claim = `your partner's node says a state signed with your key differs from one it holds for the same step (two different states for one step)`;
  const stands = 'the states both of you signed stand, and this node keeps them with their signatures';
  const message = restored
    ? `${claim}. Channel ${shownContract(restored)} was restored here from a backup: the data folder it came from may still run with your key and have signed the other state. Stop every other copy of this key (keep one data folder); ${stands}`
    : `${claim}. This node signed one state for each step (its records hold no second one), so it was not signed here: check that your key runs from no other data folder (a copy); if none does, the claim is your partner's alone and nothing changes: ${stands}`;
  ctx.emit({ type: 'log', level: 'warn', message, ...(theirs.length === 1 ? { channel: ctx.view(theirs[0]!) } : {}) });
}
