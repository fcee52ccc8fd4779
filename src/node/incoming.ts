// Channel proposals from partners (B's side): checked, held in memory until accepted, at most a few per partner
// and MAX_PROPOSALS_HELD from strangers in all (a partner with a channel here has its own room); terms this node
// does not take are declined with the reason.
import { Address } from '@ton/core';
import { bindClock } from './mayland.js';
import type { Channel } from '../core/channel.js';
import { codeOf } from '../core/errors.js';
import { formatTon } from '../core/amounts.js';
import { addressText } from '../core/format.js';
import { MAX_AMOUNT } from '../contract/layout.js';
import { CONTRACT_VERSION } from '../contract/ChannelContract.js';
import { PROPOSAL_VERSION_UNSAID, type WireOf } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import type { NodeContext } from './context.js';
import { ChannelController, hasStoredChannelWith, unstoredOf } from './controller.js';
import { NodeError, answered, saidHere } from './errors.js';
import { checkPeriod } from './checks.js';
import { CHANNEL_ID_TAGS, MAX_PERIOD, channelIdNetwork, minChallengePeriod } from './policy.js';
import { proposalSpent, unannounced } from './reports.js';
import { evictee, type Refusal } from './evict.js';
import { RECORD_VERSION, configOf, contractOf, partnerAddressOf, type ChannelRecord } from './record.js';
import { shownContract } from './addresses.js';

/** Proposals from one partner kept in memory (unaccepted proposals are never written to disk). */
export const MAX_PROPOSALS_PER_PARTNER = 3;
/** The most unaccepted proposals kept in memory from wallets with no channel here, all together. */
export const MAX_PROPOSALS_HELD = 32;
/** Dropped proposals remembered (id -> proposer), so that a resend of one is refused again. */
const MAX_DROPPED_KEPT = 1024;
const DROPPED_REASON = 'too many channel proposals were waiting there: this one was dropped, propose again';

/** The record of a new channel, either side, before anything is deployed. */
export function newRecord(ctx: NodeContext, me: 'A' | 'B', base: Omit<ChannelRecord, 'v' | 'me' | 'network' | 'contract' | 'life' | 'depositA' | 'depositB' | 'close' | 'payout' | 'restorePending' | 'legacy' | 'lockedAt'>): ChannelRecord {
  return {
    v: RECORD_VERSION,
    me,
    network: ctx.o.network,
    contract: contractOf(configOf(base), CONTRACT_VERSION),
    contractVersion: CONTRACT_VERSION,
    ...base,
    life: 'proposed',
    depositA: 0n,
    depositB: 0n,
    close: null,
    payout: null,
    restorePending: false,
    legacy: false,
    lockedAt: null,
  };
}

const OWN_KEY = "your partner's channel key is your own key: a state you sign alone would count as signed by both; no channel is made with it";

/**
 * A partner claiming our own channel key would hold every state we sign as signed by both: no channel with it.
 * `theirs`: refusing the partner's proposal, whose answer says it from the partner's side.
 */
export function checkPartnerKey(ctx: NodeContext, s: PeerSession, theirs = false): void {
  if (!s.partner.channelPublicKey.equals(ctx.o.key.publicKey)) return;
  if (!theirs) throw new NodeError('BAD_PROPOSAL', OWN_KEY);
  const e = new NodeError('BAD_PROPOSAL', 'your channel key is their own key: a state one of you signs alone would count as signed by both; no channel is made with it (each side needs its own key)');
  throw saidHere(e, OWN_KEY);
}

export class IncomingProposals {
  /** proposals dropped for room (id -> proposer): a resend of one is refused again */
  private readonly dropped = new Map<string, string>();
  /** when each proposal held came (performance.now) */
  private readonly came = new WeakMap<ChannelController, number>();

  constructor(
    private readonly ctx: NodeContext,
    /** proposals whose acceptance is under way (negotiation.ts): never dropped for newer ones */
    private readonly accepting: WeakSet<ChannelController>,
    private readonly machine: (rec: ChannelRecord) => Channel,
  ) {}

  /** B: a proposal from the partner. Kept in memory until accepted; at most a few per partner. */
  async onPropose(s: PeerSession, m: WireOf<'channel.propose'>): Promise<void> {
    const { ctx } = this;
    const me = ctx.myAddress.toRawString();
    const partner = s.partner.walletAddress.toRawString();
    if (Address.parse(m.addressB).toRawString() !== me || !Buffer.from(m.publicKeyB, 'hex').equals(ctx.o.key.publicKey)) {
      const e = new NodeError('BAD_PROPOSAL', 'your proposal names another account or key for them than the ones their node proved on connect: propose again to the account you are connected to');
      throw saidHere(e, 'the proposal names another account or key for you: ask your partner to propose again');
    }
    if (Address.parse(m.addressA).toRawString() !== partner || !Buffer.from(m.publicKeyA, 'hex').equals(s.partner.channelPublicKey)) {
      const e = new NodeError('BAD_PROPOSAL', 'your proposal names another account or key for you than the ones your node proved on connect: propose again from the node that is connected to them');
      throw saidHere(e, "the proposal's account or key for your partner is not the one they proved on connect: it was refused (nothing to do here)");
    }
    checkPartnerKey(ctx, s, true);
    // A proposal dropped here and sent again (a resend on reconnect crossed our reject): told again, not held again.
    if (this.dropped.get(m.channelId.toString()) === partner) {
      ctx.sendOn(s, { type: 'channel.reject', channelId: m.channelId, reason: DROPPED_REASON });
      return;
    }
    // A contract's address is made from the terms, the id among them: a channel here at the same address has this id.
    const existing = ctx.channels.get(m.channelId.toString());
    if (existing) {
      if (existing.rec.me === 'B' && existing.rec.addressA === partner) return; // a resend
      if (partnerAddressOf(existing.rec) === partner) {
        const e = new NodeError('BAD_PROPOSAL', `channel id ${m.channelId} is already used here: propose again (a new id is picked)`);
        throw saidHere(e, `it proposes a channel with id ${m.channelId}, the id of a channel of yours with them: nothing changed (nothing to do here; their node picks a new id when they propose again)`);
      }
      // another partner's id: not answered, as a new proposal held here is not, so a stranger learns nothing of it
      return;
    }
    // The id of a channel of this folder on another network (or one that did not load): accepting would write over
    // its files, and the node of its network would no longer watch it. Answered only to that channel's partner.
    const id = m.channelId.toString();
    const other = ctx.otherNetwork.get(id);
    if (other || (await ctx.data.used(id))) {
      if (other?.partner !== partner) return;
      const e = new NodeError('BAD_PROPOSAL', `channel id ${id} is already used on their node, by a channel of yours with them on ${other.network}: propose again (a new id is picked)`);
      throw saidHere(e, `it proposes a channel with id ${id}, the id of your channel with them on ${other.network} in this data folder: accepting it would write over that channel's files; it was refused (nothing to do here; their node picks a new id when they propose again)`);
    }
    this.refuseTerms(s, m);
    if (m.expectedDepositA + m.expectedDepositB === 0n) {
      const e = new NodeError('BAD_PROPOSAL', 'your proposal puts no money in the channel: propose again with a deposit for you, for them or for both');
      throw saidHere(e, 'the proposal puts no money in the channel: it was refused (nothing to do here)');
    }
    const rec = newRecord(ctx, 'B', {
      channelId: m.channelId,
      addressA: partner,
      addressB: me,
      publicKeyA: s.partner.channelPublicKey,
      publicKeyB: ctx.o.key.publicKey,
      challengePeriod: m.challengePeriod,
      expectedDepositA: m.expectedDepositA,
      expectedDepositB: m.expectedDepositB,
    });
    // Kept in memory only: incoming proposals not accepted (also the ones withdrawn or declined since).
    const held = unstoredOf(ctx.channels).filter((c) => !this.accepting.has(c));
    const mine = held.filter((c) => c.rec.addressA === partner);
    // At most a few per partner, and MAX_PROPOSALS_HELD of strangers in all (wallets cost nothing). A partner with a
    // channel here has its own share: strangers' proposals never take its room, nor drop its proposals.
    const known = (raw: string) => hasStoredChannelWith(ctx.channels, raw, false);
    const strangers = held.filter((c) => !known(c.rec.addressA));
    const now = performance.now();
    const drop = mine.length >= MAX_PROPOSALS_PER_PARTNER ? mine[0] : !known(partner) && strangers.length >= MAX_PROPOSALS_HELD ? evictee(strangers, { host: s.remoteHost ?? '', wallet: partner, now }, (c) => this.came.get(c) ?? 0) : undefined;
    if (drop && 'waitMs' in drop) return this.crowded(s, m.channelId, drop);
    if (drop) {
      // The proposer is told (its proposal would otherwise wait for an answer that never comes), unless it withdrew it.
      if (!drop.ended) ctx.send(drop, { type: 'channel.reject', channelId: drop.rec.channelId, reason: DROPPED_REASON });
      ctx.channels.delete(drop.id);
      this.dropped.set(drop.id, drop.rec.addressA);
      if (this.dropped.size > MAX_DROPPED_KEPT) this.dropped.delete(this.dropped.keys().next().value!);
      const partnerDropped = hasStoredChannelWith(ctx.channels, drop.rec.addressA, false);
      ctx.log(`dropped unaccepted proposal ${drop.id} of ${addressText(drop.rec.addressA, 'wallet')} (at most ${MAX_PROPOSALS_PER_PARTNER} per partner and ${MAX_PROPOSALS_HELD} from wallets with no channel here are kept)`, partnerDropped ? 'warn' : 'info');
    }
    const ctl = new ChannelController(rec, null, this.machine(rec));
    ctl.proposedFrom = s.remoteHost ?? '';
    this.came.set(ctl, now);
    bindClock(ctl, ctx);
    ctx.channels.set(ctl.id, ctl);
    // Listed always (channelUpdated); announced for a partner (a channel here, or a session we dialled) and for
    // strangers (wallets cost nothing) within their own share and a global cap: each announcement is a toast in the extension.
    const spent = proposalSpent(ctx, s);
    if (!spent) ctx.emit({ type: 'channelProposed', channel: ctx.view(ctl) });
    else {
      const why = spent === 'all' ? 'many proposals from such wallets' : 'it proposed another within the last minute';
      ctx.log(`channel ${shownContract(ctl)} proposed by ${addressText(partner, 'wallet')}, who has no channel here, is listed but not announced yet (${why})`, 'info');
      unannounced(ctx, ctl, spent);
    }
    ctx.changed(ctl);
  }

  /** The new proposal is its host's newest while every wallet there holds one, or every host holds one: refused for a while, the ones held before it stay. */
  private crowded(s: PeerSession, channelId: bigint, why: Refusal): void {
    const where = why.ownHost ? 'from your network address are waiting there' : 'from other network addresses are waiting there';
    const reason = `too many channel proposals ${where}: this one was not kept; propose again in ${Math.ceil(why.waitMs / 60_000)} min, or once the person there has answered them`;
    this.ctx.sendOn(s, { type: 'channel.reject', channelId, reason });
    const most = why.ownHost ? 'the most from its network address' : `one from each of ${MAX_PROPOSALS_HELD} network addresses`;
    this.ctx.log(`did not keep proposal ${channelId} of ${addressText(s.partner.walletAddress.toRawString(), 'wallet')}: ${MAX_PROPOSALS_HELD} from wallets with no channel here are waiting, ${most}`, 'info');
  }

  /**
   * Terms this node does not take (a challenge window outside its range, another contract version): the proposer is
   * answered with a decline that says why in its own words, so its proposal ends there; the refusal is reported here.
   * An honest partner's node can propose them (its own minimum, its own version).
   */
  private refuseTerms(s: PeerSession, m: WireOf<'channel.propose'>): void {
    const refusal = this.termsRefusal(m);
    if (!refusal) return;
    this.ctx.sendOn(s, { type: 'channel.reject', channelId: m.channelId, reason: refusal.toProposer.slice(0, 512) });
    throw answered(refusal.error);
  }

  private termsRefusal(m: WireOf<'channel.propose'>): { error: unknown; toProposer: string } | null {
    const { ctx } = this;
    const net = ctx.o.network;
    const madeFor = channelIdNetwork(m.channelId);
    if (madeFor !== (CHANNEL_ID_TAGS[net] === null ? null : net)) {
      const made = madeFor ?? 'the sandbox or a devnet';
      return {
        error: new NodeError('BAD_PROPOSAL', `your partner proposed a channel id made for ${made}, not for ${net}: states you signed for the same terms on another network would count here, so the proposal was declined; ask them to propose again from an up-to-date SynChannel`),
        toProposer: `this proposal's channel id is made for ${made}, not for ${net}, where their node is: states signed for the same terms on another network would count here. Propose again (an up-to-date SynChannel picks an id for the network)`,
      };
    }
    // The wire takes any Coins amount; a channel contract holds less than 2^63 nanotons per deposit.
    const over = m.expectedDepositA > MAX_AMOUNT ? 'proposer' : m.expectedDepositB > MAX_AMOUNT ? 'me' : null;
    if (over) {
      const most = `a deposit is at most ${formatTon(MAX_AMOUNT)} TON`;
      return {
        error: new NodeError('BAD_PROPOSAL', `your partner proposed a deposit for ${over === 'proposer' ? 'themselves' : 'you'} of more than a channel holds (${most}): the proposal was declined; ask them to propose again with a smaller one`),
        toProposer: `this proposal's deposit for ${over === 'proposer' ? 'you' : 'them'} is more than a channel holds (${most}): propose again with a smaller one`,
      };
    }
    try {
      checkPeriod(ctx, m.challengePeriod, 'partner');
    } catch (error) {
      const toProposer =
        codeOf(error) === 'PERIOD_TOO_LONG'
          ? `this proposal's challenge window of ${m.challengePeriod} s is over the contract's limit of ${MAX_PERIOD} s: propose again with a shorter one (--period)`
          : `their node takes challenge windows of ${minChallengePeriod(ctx.o)}..${MAX_PERIOD} s on ${ctx.o.network}, and this proposal has ${m.challengePeriod} s: propose again with a longer window (--period)`;
      return { error, toProposer };
    }
    const version = m.contractVersion ?? PROPOSAL_VERSION_UNSAID;
    if (version === CONTRACT_VERSION) return null;
    // Refused before anything is deployed: a contract of another version would not be the one this node checks.
    return {
      error: new NodeError('BAD_CONTRACT', `a proposal for channel contract v${version} was refused before anything was deployed: this SynChannel opens new channels on v${CONTRACT_VERSION} only. Update the side that runs the older SynChannel, then ask for a new proposal`),
      toProposer: `their SynChannel opens new channels on contract v${CONTRACT_VERSION} only, and this proposal is for v${version}: update the side that runs the older SynChannel, then propose again`,
    };
  }
}
