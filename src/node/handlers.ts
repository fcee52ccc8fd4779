// Every application message the partner can send, in one table keyed by its type: the compiler checks that each
// wire message type has a handler (and a test checks it at run time). A handler never waits for the partner:
// channel messages run in their channel's queue, and a message is only accepted from that channel's partner.
// What a peer can make the node do is bounded per peer: rejections answered and reported, new proposals, and
// chain reads on its hints (deposit, deployed, close notices).
import { Address } from '@ton/core';
import { ChannelError, codeOf, messageOf } from '../core/errors.js';
import { addressText } from '../core/format.js';
import type { AppMessage } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import { TokenBucket } from '../p2p/quota.js';
import type { Arbiter } from './arbiter.js';
import { channelWithContract, holdsProposalFrom } from './channelmap.js';
import type { Closing } from './closing.js';
import type { NodeContext } from './context.js';
import { hasStoredChannelWith, type ChannelController } from './controller.js';
import { declinedFunding, keepDeclinedDeployment, markDeclined, tellDeclined } from './decline.js';
import { hereWordsOf, isQuiet, NodeError, saidHere, wasAnswered } from './errors.js';
import type { Negotiation } from './negotiation.js';
import type { Payments } from './payments.js';
import { configOf, contractOf, partnerAddressOf, versionAt, versionOf } from './record.js';
import { equivocationClaimed, partnerClosing, refusedHere, reportedOn, strangerMay, toldQuietly } from './reports.js';
import type { Sync } from './sync.js';
import { Waiting } from './waiting.js';
export { MAX_WAITING } from './waiting.js';
import { addressTextOf, rawOfText, rawTextOf, shownContract as shown } from './addresses.js';

type Msg<K extends AppMessage['type']> = Extract<AppMessage, { type: K }>;
type Handler<K extends AppMessage['type']> = (s: PeerSession, m: Msg<K>) => Promise<void>;
export type HandlerTable = { readonly [K in AppMessage['type']]: Handler<K> };

export interface Parts {
  ctx: NodeContext;
  negotiation: Negotiation;
  payments: Payments;
  closing: Closing;
  arbiter: Arbiter;
  sync: Sync;
}

/** Rejections answered and reported per peer: a burst, then a steady rate; the others are counted and summed up. */
export const REPORT_BURST = 20;
export const REPORT_PER_SECOND = 2;
/** New channel proposals per peer (a resent proposal we hold is free). */
export const PROPOSE_BURST = 5;
export const PROPOSE_PER_SECOND = 0.2;
/** A channel's hints read the chain at most once per interval; hints in between are folded into one later read. */
export const HINT_INTERVAL_MS = 1000;

interface PeerLimits {
  reports: TokenBucket;
  proposals: TokenBucket;
  /** rejections neither answered nor reported since the last one that was */
  suppressed: number;
}
const peers = new WeakMap<PeerSession, PeerLimits>();

function limitsOf(s: PeerSession): PeerLimits {
  let l = peers.get(s);
  if (!l) {
    l = {
      reports: new TokenBucket({ burst: REPORT_BURST, perSecond: REPORT_PER_SECOND }),
      proposals: new TokenBucket({ burst: PROPOSE_BURST, perSecond: PROPOSE_PER_SECOND }),
      suppressed: 0,
    };
    peers.set(s, l);
  }
  return l;
}

/** Whether a rejection (or a report of the peer's) may be shown now; returns the note on the ones that were not. */
function mayReport(s: PeerSession): { ok: boolean; note: string } {
  const l = limitsOf(s);
  if (!l.reports.take()) {
    l.suppressed++;
    return { ok: false, note: '' };
  }
  const n = l.suppressed;
  l.suppressed = 0;
  return { ok: true, note: n ? ` (and ${n} more rejected messages from this peer, not shown)` : '' };
}

const hints = new WeakMap<ChannelController, { at: number; timer: ReturnType<typeof setTimeout> | null }>();
/** the last close notice shown per channel */
const notices = new WeakMap<ChannelController, string>();

/** A partner's hint that the chain changed: read it now (in the background), or once at the end of the interval if one ran lately. */
/** Proposals whose partner said it deployed their contract before they were agreed (said once each). */
const toldEarly = new WeakSet<ChannelController>();

function hinted(arbiter: Arbiter, ctl: ChannelController): Promise<void> {
  // A proposal nobody accepted has no contract of ours to follow, nor one a partner withdrew or we declined before
  // accepting it (kept in memory only): a stranger's cost nothing to make, and its hints would put reads ahead of
  // the watches' on a paced endpoint.
  if (ctl.life === 'proposed' || !ctl.storage) return Promise.resolve();
  let h = hints.get(ctl);
  if (!h) {
    h = { at: 0, timer: null };
    hints.set(ctl, h);
  }
  const now = Date.now();
  if (now - h.at >= HINT_INTERVAL_MS) {
    h.at = now;
    return arbiter.poke(ctl, { background: true });
  }
  if (!h.timer) {
    const entry = h;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.at = Date.now();
      void arbiter.poke(ctl, { background: true });
    }, entry.at + HINT_INTERVAL_MS - now);
    entry.timer.unref?.();
  }
  return Promise.resolve();
}

/** A contract address as views show it; a text that is not one, as it came (cut). */
function contractText(text: string): string {
  try {
    return addressTextOf(rawOfText(text), 'contract');
  } catch {
    return text.slice(0, 80);
  }
}

/** The channel `key` (a contract address or a channel id) of this partner; anyone else's is unknown to them. */
function channelOf(ctx: NodeContext, s: PeerSession, key: { contract?: string; channelId?: bigint }): ChannelController {
  let found: ChannelController | undefined;
  if (key.channelId !== undefined) found = ctx.channels.get(key.channelId.toString());
  else if (key.contract) found = channelWithContract(ctx.channels, rawOfText(key.contract));
  // Checked against the sender: a third peer learns nothing and changes nothing of my channels with others.
  const partner = rawTextOf(s.partner.walletAddress);
  if (!found || partnerAddressOf(found.rec) !== partner) {
    const named = key.contract !== undefined ? contractText(key.contract) : `${key.channelId}`;
    // this folder's channel with them on another network (a forgotten --chain here): said to them, who may know why
    for (const [id, o] of ctx.otherNetwork) {
      if (o.partner === partner && (key.contract !== undefined ? o.contract === rawOfText(key.contract) : id === named)) {
        const e = new NodeError('PARTNER_OTHER_CHAIN', `their node runs on ${ctx.o.network}, and their channel ${named} with you is on ${o.network}: they can restart it with --chain ${o.network}`);
        throw saidHere(e, `this node runs on ${ctx.o.network}, and your channel ${named} with them is on ${o.network}: to use it, start this node again with --chain ${o.network}`);
      }
    }
    // Their words ("with you"), said here from this side: nothing of the channels here changed.
    throw saidHere(new NodeError('UNKNOWN_CHANNEL', `no channel ${named} with you here`), `it names channel ${named}, which is no channel of yours with them: nothing changed (nothing to do here; if it repeats, check with them which channel they mean)`);
  }
  return found;
}

const keeping = new WeakSet<NodeContext>();
/** Once per node, at its first proposal: a proposer whose proposal is held keeps its guest session through a flood from its own address (a NAT). */
function keepProposers(ctx: NodeContext): void {
  if (keeping.has(ctx)) return;
  keeping.add(ctx);
  ctx.o.p2p.setKeepGuest((wallet) => holdsProposalFrom(ctx.channels, wallet.toRawString()));
}

/** A resend of this partner's own proposal (free); an id of anyone else's channel costs what a new one does. */
function isResend(ctx: NodeContext, s: PeerSession, channelId: bigint): boolean {
  const known = ctx.channels.get(channelId.toString());
  return known !== undefined && known.rec.me === 'B' && known.rec.addressA === rawTextOf(s.partner.walletAddress);
}

export function handlers(p: Parts): HandlerTable {
  const { ctx } = p;
  const waiting = new Waiting(ctx, p);
  // In the queue of this partner's channel (waiting.ts bounds it and catches up with what it refused).
  const inQueue = <M extends Parameters<Waiting['run']>[1]>(s: PeerSession, m: M, fn: (ctl: ChannelController) => Promise<void>) => {
    const ctl = channelOf(ctx, s, m);
    return waiting.run(ctl, m, () => fn(ctl));
  };
  return {
    'channel.propose': async (s, m) => {
      if (!isResend(ctx, s, m.channelId) && !limitsOf(s).proposals.take()) {
        const e = new NodeError('QUOTA_EXCEEDED', 'too many channel proposals from you: wait a few seconds and propose again');
        throw saidHere(e, 'too many channel proposals from them in a short time: this one was declined, and their node tells them to propose again in a few seconds (nothing to do here)');
      }
      keepProposers(ctx);
      await p.negotiation.onPropose(s, m);
    },
    'channel.accept': async (s, m) => {
      const ctl = channelOf(ctx, s, m);
      if (ctl.rec.me !== 'A') throw saidHere(new NodeError('UNKNOWN_CHANNEL', `channel ${m.channelId} is not a proposal of mine`), `they accepted channel ${m.channelId}, which is not a proposal of yours: nothing changed (nothing to do here)`);
      if (p.negotiation.earlierContract(ctl)) return p.negotiation.withdrawEarlier(ctl);
      // Saved with the transition: a stop before the deployment's own mark leaves it owed, not forgotten.
      if (ctl.life === 'proposed') ctl.rec.deployDue = true;
      await ctx.transition(ctl, 'acceptReceived');
    },
    'channel.reject': (s, m) => onReject(p, channelOf(ctx, s, m), m.reason),
    'channel.deployed': (s, m) => onDeployed(p, s, m),
    deposit: async (s, m) => {
      // A hint only: the chain is read (at most once per interval), never trusted from the message.
      await hinted(p.arbiter, channelOf(ctx, s, m));
    },
    'state.propose': (s, m) => inQueue(s, m, (ctl) => p.payments.onProposal(ctl, m)),
    'close.propose': (s, m) => inQueue(s, m, (ctl) => p.payments.onProposal(ctl, m)),
    'state.countersign': (s, m) => inQueue(s, m, (ctl) => p.payments.onCountersign(ctl, m)),
    'close.accept': (s, m) => inQueue(s, m, (ctl) => p.payments.onCountersign(ctl, m)),
    'turn.request': (s, m) => inQueue(s, m, (ctl) => p.payments.turns.onTurnRequest(ctl, m.step)),
    'close.notice': async (s, m) => {
      const ctl = channelOf(ctx, s, m);
      // A claim, shown once and within the peer's report budget: the chain (read now) is what counts.
      const key = `${m.kind}:${m.step}`;
      if (notices.get(ctl) !== key && mayReport(s).ok) {
        notices.set(ctl, key);
        ctx.log(m.kind === 'unilateral' ? `Your partner says they sent step ${m.step} to the smart contract` : `Your partner says they closed the channel cooperatively (step ${m.step})`);
      }
      await hinted(p.arbiter, ctl);
    },
    'resync.request': (s, m) => inQueue(s, m, (ctl) => p.sync.onRequest(ctl, m)),
    'resync.response': (s, m) => inQueue(s, m, (ctl) => p.sync.onResponse(ctl, m)),
    error: async (s, m) => {
      // The peer's report budget first: each step below walks this node's channels (CPU bounded per message).
      const r = mayReport(s);
      // Heard only from a partner of a channel kept here: a stranger (or a mere proposer) has seen no state of ours.
      if (!r.ok || !storedPartner(ctx, s)) return;
      // The partner says it saw two states of ours for one step: weighed against this node's records (reports.ts).
      if (m.code === 'EQUIVOCATION') return equivocationClaimed(ctx, s);
      // Their channel is closing or paid out: a state or turn request of ours came too late to matter (said once, in our words).
      if (m.code === 'CHANNEL_CLOSING' || m.code === 'ALREADY_CLOSED') return partnerClosing(ctx, s, m.ref, m.code);
      // named by the channel it is about when that is known (a partner may hold several channels here)
      const ctl = reportedOn(ctx, s, m.ref, true);
      const on = ctl ? { channel: ctx.view(ctl) } : {};
      ctx.emit({ type: 'error', code: m.code, level: 'warning', message: `your partner reports: ${m.message}${r.note}${ctl ? ` (channel ${shown(ctl)})` : ''}`, partner: true, ...on });
    },
  };
}

/** The partner's notice that it deployed the agreed contract (B's side: A deploys): read on the chain, never trusted. */
async function onDeployed(p: Parts, s: PeerSession, m: Msg<'channel.deployed'>): Promise<void> {
  const { ctx } = p;
  const ctl = channelOf(ctx, s, m);
  // Only the proposer (A) deploys: B's claim names no contract of ours to read or to deposit in.
  if (ctl.rec.me === 'A') throw saidHere(new NodeError('UNKNOWN_CHANNEL', `channel ${shown(ctl)} is their proposal: their node deploys its contract, not yours`), `they say they deployed the contract of channel ${shown(ctl)}, which you proposed: your node deploys it; nothing changed (nothing to do here)`);
  const expected = contractOf(configOf(ctl.rec), versionOf(ctl.rec));
  const got = Address.parse(m.contract).toRawString();
  if (got !== expected) {
    // A partner on another version of SynChannel deployed its version's contract for the same terms.
    const other = versionAt(configOf(ctl.rec), got);
    const [theirs, agreed] = [addressText(m.contract, 'contract'), addressText(expected, 'contract')];
    const v = versionOf(ctl.rec);
    const why = other === null ? '' : `: it is channel contract v${other}, and this channel was agreed here on v${v} (the two nodes, or the one that recorded the proposal, run different SynChannel versions). Your partner takes its deposit back with refund; decline the channel, and open it again once both run the same version`;
    // Said to the partner (who deployed it) from its side; this node's user reads it from this one.
    const toThem = other === null ? '; decline the channel, and open it again with both nodes on the same SynChannel version' : `: it is channel contract v${other}, and they agreed this channel on v${v} (your two nodes run different SynChannel versions). Take your deposit back with refund, and open the channel again once both run the same version`;
    const e = new NodeError('BAD_CONTRACT', `you deployed ${theirs}, not the contract of the agreed channel (${agreed}): they do not deposit in it${toThem}`);
    throw saidHere(e, `your partner deployed ${theirs}, not the contract of the agreed channel (${agreed}): do not deposit${why}`);
  }
  if (ctl.life === 'proposed') {
    // Their claim, said once and not read (hinted): the contract counts only once the proposal is accepted. A
    // proposer with no channel here (a new wallet costs nothing) is told within the strangers' budgets, as such.
    const partner = storedPartner(ctx, s);
    const who = partner ? 'your partner' : `${addressText(rawTextOf(s.partner.walletAddress), 'wallet')}, who has no channel here,`;
    if (!toldEarly.has(ctl) && (partner || strangerMay(ctx, s, 'report'))) ctx.log(`${who} says the contract of channel ${shown(ctl)} was deployed before the proposal was agreed: the node follows it only once the proposal is accepted`, partner ? 'warn' : 'info');
    toldEarly.add(ctl);
    return;
  }
  await hinted(p.arbiter, ctl);
}

/** The partner declined our proposal, withdrew its own, or dismissed a channel: what it ends, and what is left to do. */
async function onReject(p: Parts, ctl: ChannelController, reason: string): Promise<void> {
  const { ctx } = p;
  const before = ctl.life;
  if (await keepDeclinedDeployment(ctx, p.negotiation, ctl, () => p.arbiter.watch(ctl))) return;
  await ctx.transition(ctl, 'rejectReceived');
  // Shown only when it ended a proposal (a reject of a channel that has a contract changes nothing).
  // Their own proposal (we are B) was withdrawn; ours (A) was declined. The reason is said when it says more.
  const what = ctl.rec.me === 'B' ? `your partner withdrew its proposal of channel ${shown(ctl)}` : `your partner declined channel ${shown(ctl)}`;
  const why = reason && reason !== 'declined' ? reason : null;
  if (ctl.life !== before) {
    ctx.log(`${what}${why ? `: ${why}` : ''}`, 'warn');
    ctx.emit({ type: 'proposalDeclined', channel: ctx.view(ctl), reason: why });
  }
  // A's deployment was under way: its deposit lands in a contract the partner will not fund.
  else if (before === 'deploying' && !ctl.rec.partnerDeclined) {
    // Nothing more is deployed for it; a deployment that fails ends it (decline.ts settleDeclined).
    await markDeclined(ctx, ctl);
    tellDeclined(ctx, ctl, `${what} while your deployment was under way: if it lands, take your deposit back with refund; if it does not, the node ends the channel`, null);
  } else if (before === 'funding' && !ctl.rec.partnerDeclined) await declinedFunding(ctx, () => p.arbiter.sync(ctl), ctl);
}

/**
 * Dispatches one message without ever blocking the session: the work is queued (per channel, or per partner
 * for messages without a channel), a rejection is reported here and answered to the partner with its code.
 */
export function dispatch(table: HandlerTable, ctx: NodeContext, s: PeerSession, m: AppMessage, peerQueue: { run<T>(fn: () => Promise<T>): Promise<T> }): void {
  const handler = table[m.type] as Handler<typeof m.type>;
  let work: Promise<void>;
  try {
    work = m.type === 'channel.propose' ? peerQueue.run(() => handler(s, m as never)) : handler(s, m as never);
  } catch (e) {
    // A handler that rejects before its first await (an unknown channel) is answered like any other.
    work = Promise.reject(e);
  }
  work.catch((e: unknown) => {
    // Answered and reported within the peer's budget: a flood of bad messages cannot flood the UI or the wire.
    const r = mayReport(s);
    if (!r.ok) return;
    const ctl = channelFor(ctx, s, m);
    // the channel machine's refusal of the partner's message, in words the partner reads from its side
    const theirs = `${e instanceof ChannelError && e.toPartner ? e.toPartner : messageOf(e)}${r.note}`;
    // A disk under the floor is told once per episode (checkSpace), not once per refused state. Peers with no
    // channel here (each new wallet has a new budget above) are shown each within its own share and a global cap
    // (reports.ts), a partner whose channel this node lost among them; the rest is logged.
    const partner = storedPartner(ctx, s);
    const heard = partner || strangerMay(ctx, s, 'report');
    // Told here from this side (refusedHere); the partner is answered below with the error's own text.
    if (isQuiet(e) && ctl) toldQuietly(ctx, ctl, e);
    else if (codeOf(e) !== 'DISK_LOW' && heard) ctx.fail(refusedHere(ctx, s, m, e, r.note, partner), ctl);
    else if (!heard) ctx.log(`refused a message of ${addressText(rawTextOf(s.partner.walletAddress), 'wallet')}, who has no channel here (${m.type}): ${hereWordsOf(e) ?? messageOf(e)}${r.note}`, 'info');
    if (m.type === 'error' || wasAnswered(e)) return;
    // A proposal over the rate is not held here: the proposer hears it for that channel (it waited for an answer).
    if (m.type === 'channel.propose' && codeOf(e) === 'QUOTA_EXCEEDED') ctx.sendOn(s, { type: 'channel.reject', channelId: m.channelId, reason: theirs.slice(0, 512) });
    else ctx.sendOn(s, { type: 'error', code: codeOf(e), message: theirs.slice(0, 1000), ref: m.type });
  });
}

/** Whether the peer is the partner of a channel kept here, ended or not (a stranger or a mere proposer is not). */
function storedPartner(ctx: NodeContext, s: PeerSession): boolean {
  return hasStoredChannelWith(ctx.channels, rawTextOf(s.partner.walletAddress), false);
}

function channelFor(ctx: NodeContext, s: PeerSession, m: AppMessage): ChannelController | undefined {
  try {
    if ('contract' in m) return channelOf(ctx, s, { contract: m.contract });
    if ('channelId' in m) return channelOf(ctx, s, { channelId: m.channelId });
  } catch {
    return undefined;
  }
  return undefined;
}
