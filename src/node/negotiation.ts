// Opening a channel: proposal, acceptance, deployment, deposits, refund, decline (both parties).
//   A open() -> channel.propose -> B deposit() accepts -> channel.accept -> A deploys with its deposit
//   -> the chain shows the contract (both watch its address, known from the proposal) -> B deposits
//   -> the contract locks -> A proposes step 0 (payments.ts).
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { Channel } from '../core/channel.js';
import { addressText } from '../core/format.js';
import { MAX_AMOUNT } from '../contract/layout.js';
import { CONTRACT_VERSION } from '../contract/ChannelContract.js';
import { PROPOSAL_VERSION_UNSAID, type WireOf } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import type { NodeContext } from './context.js';
import { ChannelController } from './controller.js';
import { IncomingProposals, checkPartnerKey, newRecord } from './incoming.js';
import { NodeError, stoppedAfter } from './errors.js';
import { checkAddressUnused, checkFunds, checkPeriod, checkSameChain } from './checks.js';
import { declineChannel, settleDeclined } from './decline.js';
import { bindClock, chainNowRead, clearDeployMark, deployMark, markDeploy, mayLandFor } from './mayland.js';
import { DEPLOY_MAY_LAND_MS, defaultChallengePeriod, newChannelId } from './policy.js';
import { neverSent, payDeposit } from './paydeposit.js';
import { oneRefund, refundHeld, sendRefund } from './refunding.js';
import { waitDeployed } from './deploywait.js';
import { sendOnce } from './unacked.js';
import { Redeploy } from './redeploy.js';
import { configOf, contractOf, versionOf, type ChannelRecord } from './record.js';
import { depositsProblem, refundTerms } from './uiRules.js';
import type { ChannelView, OpenChannelOptions, ProgressOptions } from './types.js';
import { shownContract } from './addresses.js';


/** A failed deployment's codes kept as they are (their hints: the funds, the rate, the key, the endpoint); else WALLET_REJECTED. */
const KEPT_CODES = ['INSUFFICIENT_FUNDS', 'TIMEOUT', 'RATE_LIMITED', 'ENDPOINT_UNREACHABLE', 'ENDPOINT_ERROR', 'API_KEY_REJECTED'] as const;
const deployFailedCode = (code: string | undefined) => KEPT_CODES.find((k) => k === code) ?? 'WALLET_REJECTED';

/** What a deployment that went to the chain did, for an error after it (stoppedAfter). */
const deployWent = (ctl: ChannelController) =>
  `your deployment of the channel contract with your deposit of ${formatTon(ctl.rec.expectedDepositA)} TON went to the chain: the channel shows it once the node reads it there`;

/** A deployment that failed and may still land, for an error after it (stoppedAfter). */
const deployMayLand = 'your deployment of the channel contract was sent and may still land: the node watches the contract and says whether it did';
/** A deployment found on chain (an earlier one landed), for an error after it (stoppedAfter). */
const deployedEarlier = (ctl: ChannelController) =>
  `your deployment of the channel contract with your deposit of ${formatTon(ctl.rec.expectedDepositA)} TON is on chain (an earlier one landed): the channel shows it once the node reads it there`;

/**
 * A channel with oneself, refused by the node for every UI: the partner picked (named, or the one online) runs this
 * node's own wallet, i.e. its key from another data folder (a channel of one wallet cannot be paid in).
 */
export function notOwnAddress(ctx: NodeContext, s: PeerSession): void {
  if (!s.partner.walletAddress.equals(ctx.myAddress)) return;
  const own = addressText(ctx.myAddress, 'wallet');
  throw new NodeError('OWN_ADDRESS', `${own} is your own address: a channel is opened with your partner's. The node connected as this partner runs your own wallet (the same key, another data folder): connect to your partner, then open with their address`);
}

/**
 * open's partner named (--partner) by this node's own address: refused before a session is picked, which would say
 * "not connected to" it (ChannelNode.open calls this first). A text that is no address is left to the pick.
 */
export function refuseOwnPartner(ctx: Pick<NodeContext, 'myAddress'>, partner: string | undefined): void {
  let named: Address;
  try {
    if (!partner) return;
    named = Address.parse(partner.trim());
  } catch {
    return;
  }
  if (!named.equals(ctx.myAddress)) return;
  throw new NodeError('OWN_ADDRESS', `${partner} is your own address: a channel is opened with your partner's. Name theirs (getPartnerAccount shows it), or leave the partner out to open with the one connected`);
}

export class Negotiation {
  /** proposals whose acceptance is under way (reading the chain first): never dropped for newer ones */
  private readonly accepting = new WeakSet<ChannelController>();
  /** proposals from partners (incoming.ts) */
  private readonly incoming: IncomingProposals;
  /** deployments sent again by the node once one marked as sent can no longer land (redeploy.ts) */
  readonly redeploy: Redeploy;

  constructor(
    private readonly ctx: NodeContext,
    /** a read of the contract now, judged as the watch's reads are (arbiter.ts readNow) */
    private readonly readContract: (ctl: ChannelController) => Promise<void>,
  ) {
    this.redeploy = new Redeploy(ctx, this);
    this.incoming = new IncomingProposals(ctx, this.accepting, (rec) => this.machine(rec));
  }

  async open(s: PeerSession, opts: OpenChannelOptions): Promise<ChannelController> {
    const { ctx } = this;
    if (opts.myDeposit < 0n || opts.partnerDeposit < 0n) throw new NodeError('INVALID_AMOUNT', 'deposits cannot be negative');
    const over = [
      ['your deposit', opts.myDeposit, 'Open with a smaller deposit, within what your wallet holds'],
      ["your partner's deposit", opts.partnerDeposit, 'Propose a smaller deposit for your partner'],
    ] as const;
    for (const [whose, d, todo] of over) {
      if (d > MAX_AMOUNT) throw new NodeError('INVALID_AMOUNT', `${whose} of ${formatTon(d)} TON is more than a channel holds: a deposit is at most ${formatTon(MAX_AMOUNT)} TON. ${todo}`);
    }
    const problem = depositsProblem(opts.myDeposit, opts.partnerDeposit);
    if (problem) throw new NodeError('INVALID_AMOUNT', problem);
    refuseOwnPartner(ctx, opts.partner);
    notOwnAddress(ctx, s);
    checkPartnerKey(ctx, s);
    const period = opts.challengePeriod ?? ctx.o.challengePeriod ?? defaultChallengePeriod(ctx.o.network);
    checkPeriod(this.ctx, period, 'you');
    await checkFunds(this.ctx, 'A', opts.myDeposit, 'this channel');
    const base = {
      channelId: newChannelId(ctx.o.network),
      addressA: ctx.myAddress.toRawString(),
      addressB: s.partner.walletAddress.toRawString(),
      publicKeyA: ctx.o.key.publicKey,
      publicKeyB: s.partner.channelPublicKey,
      challengePeriod: period,
      expectedDepositA: opts.myDeposit,
      expectedDepositB: opts.partnerDeposit,
    };
    const rec = newRecord(ctx, 'A', base);
    const storage = await ctx.data.channel(rec.channelId.toString());
    await storage.writeRecord(rec);
    const ctl = new ChannelController(rec, storage, this.machine(rec));
    bindClock(ctl, ctx);
    ctx.channels.set(ctl.id, ctl);
    ctx.o.p2p.partnerNow(s.partner.walletAddress);
    this.sendProposal(ctl);
    ctx.changed(ctl);
    return ctl;
  }

  /** B: a proposal from the partner (incoming.ts). */
  onPropose(s: PeerSession, m: WireOf<'channel.propose'>): Promise<void> {
    return this.incoming.onPropose(s, m);
  }

  machine(rec: ChannelRecord): Channel {
    return new Channel(ChannelController.params(rec), rec.me, this.ctx.o.key.secretKey);
  }

  /** A: our proposal (channel.propose), unless one sent before is still unacknowledged (unacked.ts). */
  sendProposal(ctl: ChannelController): void {
    const r = ctl.rec;
    sendOnce(ctl, 'propose', () => this.ctx.sendAcked(ctl, {
      type: 'channel.propose',
      channelId: r.channelId,
      challengePeriod: r.challengePeriod,
      expectedDepositA: r.expectedDepositA,
      expectedDepositB: r.expectedDepositB,
      addressA: r.addressA,
      addressB: r.addressB,
      publicKeyA: r.publicKeyA.toString('hex'),
      publicKeyB: r.publicKeyB.toString('hex'),
      // Said only by a version after v4 (a pending v2 or v3 proposal stays as the nodes before the field know it).
      ...(versionOf(r) > PROPOSAL_VERSION_UNSAID ? { contractVersion: versionOf(r) } : {}),
    }));
  }

  /** B: accepting a proposal makes the channel durable and tells A to deploy. */
  /** In the channel's queue: a stop waits for it before it closes the storage. */
  private async accept(ctl: ChannelController): Promise<void> {
    const stopped = (cause?: unknown) => ctl.stoppedError('the node stopped before your acceptance was saved: nothing was accepted or sent; start the node again and deposit', cause);
    try {
      await ctl.run(async () => {
        if (ctl.isStopped) throw stopped();
        ctl.storage ??= await this.ctx.data.channel(ctl.id);
        await this.ctx.transition(ctl, 'accept');
      });
      this.ctx.o.p2p.partnerNow(Address.parse(ctl.rec.addressA));
    } catch (e) {
      if (!ctl.isStopped) throw e;
      if (ctl.rec.life === 'accepted') ctl.rec.life = 'proposed'; // not saved: as the disk has it
      const code = (e as { code?: string }).code;
      throw code === 'NODE_STOPPED' || code === 'CHANNEL_RELOADED' ? e : stopped(e);
    }
  }

  /**
   * A: a deployment not seen on chain may land until its wallet message expires (by the chain's clock): nothing is
   * sent meanwhile. Its mark is in the record, so a restart keeps the rule.
   */
  async refuseWhileMayLand(ctl: ChannelController, then: string): Promise<void> {
    const mark = deployMark(ctl.rec);
    const left = mark ? mayLandFor(mark, await chainNowRead(this.ctx)) : 0;
    if (left > 0) throw new NodeError('TIMEOUT', `your deployment may still land (it is not seen on chain yet): wait ${left} s, then ${then}`);
  }

  /** A's proposal recorded by an earlier SynChannel: it names that version's contract, which this one never deploys. */
  earlierContract(ctl: ChannelController): boolean {
    return ctl.rec.me === 'A' && ctl.life === 'proposed' && contractOf(configOf(ctl.rec), CONTRACT_VERSION) !== ctl.rec.contract;
  }

  /**
   * Withdraws such a proposal (never deployed: nothing of anyone is in it) instead of sending it again or waiting
   * for an acceptance that leads nowhere: the partner hears why at once, not after its deposit's wait.
   */
  async withdrawEarlier(ctl: ChannelController): Promise<void> {
    ctl.rejectReason = `it was proposed with an earlier SynChannel, on an earlier version of the channel contract, which this one does not deploy: nothing was deployed; ask for a new proposal`;
    this.ctx.log(`your proposal of channel ${shownContract(ctl)} was made with an earlier SynChannel, on an earlier version of the channel contract: it is withdrawn, nothing was deployed and your coins stay in your wallet. Open the channel again`, 'warn');
    await this.decline(ctl);
  }

  /** A: the partner accepted. Deploys (off the message path: it takes seconds to minutes). */
  async deploy(ctl: ChannelController): Promise<void> {
    const { ctx } = this;
    // A proposal kept from an earlier version names that version's contract: deploying this version's would put
    // the deposit in a contract that neither node watches, and the earlier one is not deployed any more (a partner
    // on this version expects this version's).
    if (contractOf(configOf(ctl.rec), CONTRACT_VERSION) !== ctl.rec.contract) {
      throw new NodeError('BAD_CONTRACT', `channel ${shownContract(ctl)} was proposed with an earlier version of the channel contract: nothing was deployed and your coins stay in your wallet. Decline it (decline) and open the channel again`);
    }
    // One at a time (the node's own retry and deposit may meet): the mark of the one under way stays.
    if (ctl.life === 'deploying') throw new NodeError('INVALID_TRANSITION', 'your deployment of this channel is under way: the node says when the contract is deployed');
    markDeploy(ctl.rec); // saved with the transition, before anything is sent
    delete ctl.rec.deployDue;
    await ctx.transition(ctl, 'deployStarted');
    ctx.log(`your partner accepted: deploying the channel contract with your deposit of ${formatTon(ctl.rec.expectedDepositA)} TON…`);
    // Stopped or loaded again (an import) once it went: the deployment lands all the same, and is said so (sent).
    const went = (e: unknown) => {
      throw stoppedAfter(e, deployWent(ctl));
    };
    let unsaved = false;
    try {
      // the mark's time is the message's, once signed (the send may wait its turn for the wallet first)
      const beforeSend = async ({ validUntil }: { validUntil: number }) => {
        markDeploy(ctl.rec, validUntil);
        await ctl.saveRecord().catch((x: unknown) => {
          unsaved = true; // refused before it left
          throw x;
        });
      };
      await ctx.o.chain.deployChannel(ctx.o.wallet, configOf(ctl.rec), ctl.rec.expectedDepositA, { onProgress: (m) => ctx.log(m), beforeSend });
    } catch (e) {
      // The deployment may have landed although waiting for it failed: the chain tells. Otherwise A retries with
      // deposit, which reads the chain again first (a deployment sent twice would pay the deposit twice).
      if (await this.adoptDeployed(ctl).catch(went)) return;
      const code = (e as { code?: string }).code;
      // Refused before it went out (the wallet's funds or state), or expired unprocessed: nothing can land, deposit
      // may deploy at once; so does one whose mark could not be saved (it was not sent). An endpoint that did not
      // answer the send may have taken it: the mark stays.
      const mayLand = !neverSent(e) && !unsaved;
      if (!mayLand) clearDeployMark(ctl.rec);
      // Stopped or loaded again here: a deployment that may land is said so (sent), never "run it again".
      await ctx.transition(ctl, 'deployFailed').catch((x: unknown) => {
        throw mayLand && !unsaved ? stoppedAfter(x, deployMayLand) : x;
      });
      const again = this.redeploy.schedule(ctl) ? `If it has not in ${DEPLOY_MAY_LAND_MS / 60_000} minutes, the node deploys again by itself (it reads the chain first)` : '';
      if (ctl.rec.partnerDeclined) {
        void settleDeclined(ctx, this, ctl).catch((x: unknown) => ctx.fail(x, ctl));
        throw new NodeError('PARTNER_DECLINED', `deploying the channel failed (${(e as Error).message}), and your partner declined it meanwhile: nothing more is deployed. ${code === 'TIMEOUT' && mayLand ? 'If the deployment lands, take your deposit back with refund; otherwise the node ends the channel' : 'The node ends the channel'}`, { cause: e });
      }
      if (code === 'TIMEOUT' && mayLand) {
        throw new NodeError('TIMEOUT', `the deployment was sent but is not on chain yet (${(e as Error).message}): it may still land. ${again || `Run deposit in ${DEPLOY_MAY_LAND_MS / 60_000} minutes: it reads the chain first and deploys again only if nothing landed`}`, { cause: e });
      }
      const next = again ? `It may have gone out. ${again}` : `${mayLand ? '' : 'Nothing was sent. '}Run deposit to try again`;
      throw new NodeError(deployFailedCode(code), `deploying the channel failed: ${(e as Error).message}. ${next}`, { cause: e });
    }
    clearDeployMark(ctl.rec); // landed: saved with the transition
    await ctx.transition(ctl, 'deployed').catch(went);
  }

  /**
   * A: when the chain shows our contract deployed (a deployment whose wait failed), takes it as deployed. `status`:
   * what a read just said (otherwise one is made; a failed read is "not known": false). `tell`: whether the
   * partner hears of it (not when A is leaving: the partner would fund it).
   */
  async adoptDeployed(ctl: ChannelController, o: { status?: string; tell?: boolean } = {}): Promise<boolean> {
    const status = o.status ?? (await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null))?.status;
    if (status !== 'funding' && status !== 'open') return false;
    if (ctl.life === 'deploying' || ctl.life === 'accepted') await this.ctx.transition(ctl, o.tell === false ? 'funded' : 'deployed');
    await this.refreshDeposits(ctl);
    // Anyone can deploy it (the partner too): "with your deposit" only when the contract holds ours.
    const mine = ctl.rec.me === 'A' ? ctl.rec.depositA : ctl.rec.depositB;
    const contract = `the channel contract ${addressText(ctl.rec.contract, 'contract')}`;
    if (mine > 0n) this.ctx.log(`${contract} is deployed with your deposit of ${formatTon(mine)} TON, although waiting for it failed`);
    else this.ctx.log(`${contract} is deployed, although waiting for your deployment failed, but it holds none of your deposit: someone else deployed it (your partner?). Run deposit to put yours in`, 'warn');
    return true;
  }

  /** A, after a restart in the middle of a deployment or after one whose send failed (redeploy.ts). */
  recoverDeploy(ctl: ChannelController): Promise<void> {
    return this.redeploy.recover(ctl);
  }

  /** B accepts and deposits; A retries a failed deployment or tops up while funding. */
  async deposit(ctl: ChannelController, amount: bigint | undefined, opts: ProgressOptions): Promise<ChannelView> {
    // One at a time: the capability says DEPOSIT_UNDER_WAY while one runs.
    const can = ctl.actions({ chainJudges: true }).deposit;
    if (!can.ok) throw new NodeError(can.code, `${can.why}`);
    ctl.depositing = true;
    this.ctx.changed(ctl);
    try {
      return await this.depositChecked(ctl, amount, opts);
    } finally {
      ctl.depositing = false;
      this.ctx.changed(ctl);
    }
  }

  private async depositChecked(ctl: ChannelController, amount: bigint | undefined, opts: ProgressOptions): Promise<ChannelView> {
    const rec = ctl.rec;
    const expected = rec.me === 'A' ? rec.expectedDepositA : rec.expectedDepositB;
    if (amount !== undefined && amount !== expected && (rec.life === 'proposed' || rec.life === 'accepted')) {
      throw new NodeError(
        'DEPOSIT_MISMATCH',
        `the channel proposal says you deposit ${formatTon(expected)} TON: run \`deposit ${formatTon(expected)}\` (or \`deposit\` with no amount), or ask your partner for a new proposal`,
      );
    }
    if (rec.life === 'proposed') this.accepting.add(ctl);
    try {
      // A failed read stops here: a deployment sent twice would pay A's deposit twice.
      const status = rec.life === 'proposed' || (rec.me === 'A' && rec.life === 'accepted') ? await checkAddressUnused(this.ctx, ctl) : null;
      // Accepting makes the partner deploy and lock its deposit: accept only a deposit this wallet can pay, and (even
      // with nothing deposited) the fees of leaving, or what it receives is at risk.
      if (rec.life === 'proposed') await checkFunds(this.ctx, rec.me, expected, 'accepting this channel');
      if (rec.life === 'proposed') await checkSameChain(this.ctx, ctl);
      if (rec.life === 'proposed') await this.accept(ctl);
      return await this.depositAccepted(ctl, amount, status, opts);
    } finally {
      this.accepting.delete(ctl);
    }
  }

  /** deposit() once a proposal is accepted: A deploys (or adopts its deployment), then the deposit is paid. */
  private async depositAccepted(ctl: ChannelController, amount: bigint | undefined, status: string | null, opts: ProgressOptions): Promise<ChannelView> {
    const { ctx } = this;
    const rec = ctl.rec;
    // The contract may be on chain already (an earlier deployment landed): stopped or loaded again as it is taken,
    // that is said (sent), never "run it again".
    const adopted = rec.me === 'A' && rec.life === 'accepted' && (await this.adoptDeployed(ctl, { status: status ?? 'not_deployed' }).catch((e: unknown) => {
      throw stoppedAfter(e, deployedEarlier(ctl));
    }));
    if (rec.me === 'A' && rec.life === 'accepted' && !adopted) {
      // A lagging endpoint may not show the first deployment yet: a second one would pay the deposit twice.
      await this.refuseWhileMayLand(ctl, 'run deposit again: it reads the chain first');
      opts.onProgress?.('deploying the channel contract with your deposit…');
      await this.deploy(ctl);
      // the answer says what the contract holds now (stopped or loaded again meanwhile: the deployment went all the same)
      await this.refreshDeposits(ctl).catch((e: unknown) => {
        throw stoppedAfter(e, deployWent(ctl));
      });
      return ctx.view(ctl);
    }
    await waitDeployed(ctx, ctl, opts);
    // Ended while the deposit waited (the proposal withdrawn by A, or declined): nothing was sent.
    if (rec.life === 'rejected') {
      const channel = `channel ${addressText(rec.contract, 'contract')}`;
      if (ctl.declinedHere) throw new NodeError('INVALID_TRANSITION', `you declined ${channel} while the deposit waited for its contract: nothing was deposited; open or accept another channel when you want one`);
      throw new NodeError('PARTNER_DECLINED', `${channel} was ${rec.me === 'B' ? 'withdrawn by your partner' : 'declined by your partner'} before its contract was deployed: nothing was deposited; ask your partner to propose again if you still want a channel`);
    }
    if (rec.life !== 'funding') return ctx.view(ctl);
    return payDeposit(ctx, ctl, amount, opts, () => this.refreshDeposits(ctl));
  }

  /** Before the channel locks: takes my deposit back, one refund at a time. */
  refund(ctl: ChannelController, opts: ProgressOptions): Promise<ChannelView> {
    return oneRefund(ctl, () => this.refundOnce(ctl, opts));
  }

  private async refundOnce(ctl: ChannelController, opts: ProgressOptions): Promise<ChannelView> {
    const { ctx } = this;
    // The record may not have seen a deposit that just landed, or the partner's refund (the watch tells later): the
    // chain says, for the check and for the words of what comes back (half the reserve, or all of it).
    if (ctl.life === 'funding') await this.refreshDeposits(ctl).catch((e: unknown) => { if (!ctl.actions().refund.ok) throw e; });
    await refundHeld(ctx, ctl);
    const can = ctl.actions().refund;
    if (!can.ok) throw new NodeError(can.code, can.why);
    const mine = ctl.rec.me === 'A' ? ctl.rec.depositA : ctl.rec.depositB;
    opts.onProgress?.(`taking back your deposit of ${formatTon(mine)} TON…`);
    const terms = refundTerms(ctx.view(ctl));
    const tx = await sendRefund(ctx, ctl, opts);
    // What came back, as the chain shows it (the reserve with it on contract v4; storage fees shared by the deposits).
    if (tx.sentBack !== undefined) opts.onProgress?.(`the contract sent ${formatTon(tx.sentBack)} TON back to your wallet: ${terms}, and what was left of the TON sent with the refund`);
    // Stopped or loaded again meanwhile (an import): the refund went all the same, and is said so (sent).
    await this.refreshDeposits(ctl).catch((e: unknown) => {
      throw stoppedAfter(e, `your refund went to the contract (${terms}): the channel shows it once the node reads it there`);
    });
    return ctx.view(ctl);
  }

  /** Gives up a proposal, or a funding channel holding nothing of this node (decline.ts). */
  decline(ctl: ChannelController): Promise<ChannelView> {
    ctl.declinedHere = true; // a deposit waiting on this channel says who ended it
    return declineChannel(this.ctx, this, ctl);
  }

  /**
   * Reads the contract now, as the watch's catch-up does (arbiter.ts readNow, one set of rules): the deposits into
   * the record, each change told as the watch tells it; a lock seen moves the channel on; a read behind what the
   * channel saw is ignored; a first read of the run lower than the record is read once more before it is believed.
   */
  async refreshDeposits(ctl: ChannelController): Promise<void> {
    await this.readContract(ctl);
    this.ctx.changed(ctl);
  }
}
