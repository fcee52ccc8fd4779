// ChannelNode: the facade the CLI, the tests and the VS Code extension drive. It composes the parts (see
// docs/architecture.md): negotiation, payments, closing, the arbiter (chain), sync (partner), the message
// handlers, the partners' sessions, one controller per channel, and the persistence.
import { Address } from '@ton/core';
import { codeOf, levelOf, messageOf } from '../core/errors.js';
import type { PeerSession } from '../p2p/index.js';
import { Arbiter } from './arbiter.js';
import { DepositReads } from './deposits.js';
import { Listeners } from './listeners.js';
import { StandIns } from './standin.js';
import { Closing } from './closing.js';
import type { ChannelNodeOptions, NodeContext } from './context.js';
import { ChannelController, ChannelMap, channelsWith, hasStoredChannelWith } from './controller.js';
import { FreeSpace } from './space.js';
import { isRefusal, NodeError } from './errors.js';
import { wireOf } from './reports.js';
import { Effects } from './effects.js';
import { handlers, type HandlerTable } from './handlers.js';
import { FileMeta } from './meta.js';
import { Negotiation, refuseOwnPartner } from './negotiation.js';
import { Payments, type SendWait } from './payments.js';
import type { DataDir } from './persistence.js';
import { Queries } from './queries.js';
import { dialForReject, settleDeclined } from './decline.js';
import { ChannelLoads, recoverChannels, recoverLater } from './recovery.js';
import { partnerAddressOf } from './record.js';
import { Outbound } from './outbound.js';
import { Sessions } from './sessions.js';
import { Sync } from './sync.js';
import { stoppable, type StoppableChain } from './stoppable.js';
import type { BrokenChannelView, ChannelNodeApi, ChannelView, ExportResult, ImportView, NodeEvent, OpenChannelOptions, PartnerView, PaymentResult, ProgressOptions, ServeResult, StateView, WithdrawOptions, WithdrawResult } from './types.js';
import { addressTextOf } from './addresses.js';
import { channelView } from './views.js';
import { exportBackup, importBackup } from './backups.js';
import { SessionWiring } from './attach.js';
import { connectTo, serveOn, type PartnerParts } from './partnercommands.js';
import { HeldJournals } from './journalretry.js';
import { readDeadline } from './window.js';
import { byUser } from './asked.js';
import { WalletReserve, walletReadMs } from './reserve.js';
export { NodeError } from './errors.js';
export type { ChannelNodeOptions } from './context.js';

export class ChannelNode extends Queries implements ChannelNodeApi {
  readonly network: ChannelNodeOptions['network'];
  private readonly listeners = new Listeners();
  private readonly sessions: Sessions;
  private readonly outbound: Outbound;
  private readonly negotiation: Negotiation;
  private readonly payments: Payments;
  private readonly closing: Closing;
  private readonly arbiter: Arbiter;
  /** stand-ins defending channels an import failed at (standin.ts) */
  private readonly standIns: StandIns;
  private readonly sync: Sync;
  /** judges the reads of this wallet against what leaving its channels costs, and reads it while one is live */
  private readonly reserve: WalletReserve;
  private readonly effects: Effects;
  private readonly table: HandlerTable;
  private readonly wiring: SessionWiring;
  private readonly partnerParts: PartnerParts;
  /** the channels whose journal holds entries after a failed write: written again once the disk takes them */
  private readonly held: HeldJournals;
  private broken: BrokenChannelView[] = [];
  /** the loads of channels after the start (an import's reload, the retries): one at a time per channel */
  private readonly loads = new ChannelLoads();
  /** the imports under way: a stop waits for them */
  private readonly imports = new Set<Promise<unknown>>();
  private recovering: { stop: () => void; wake: () => void } = { stop: () => undefined, wake: () => undefined };
  /** settles once the watches of the recovered channels have started */
  private watching: Promise<void> = Promise.resolve();
  private stopped = false;
  /** aborted as the node stops (ctx.stopping) */
  private readonly halt = new AbortController();
  /** the node's chain: its sends end when the node stops */
  private readonly sends: StoppableChain;

  private constructor(o: ChannelNodeOptions, data: DataDir) {
    const ctx = {} as NodeContext;
    super(ctx);
    this.sends = stoppable(o.chain);
    this.network = o.network;
    this.sessions = new Sessions(o.p2p, new FileMeta(o.dataDir));
    // said to the user's own commands; what the node sends by itself is one quiet line (Outbound)
    const offline = (ctl: ChannelController, message: string) => this.emit({ type: 'log', level: 'warn', code: 'PARTNER_OFFLINE', message, channel: this.viewOf(ctl) });
    this.outbound = new Outbound((wallet) => this.sessions.get(wallet), (m, l) => this.ctx.log(m, l), () => this.stopped, offline);
    Object.assign(ctx, this.makeContext(o, data));
    // a command's read of the contract is the watch's (one judge of the deposits and the lock read)
    this.negotiation = new Negotiation(ctx, (ctl) => this.arbiter.readNow(ctl));
    this.payments = new Payments(ctx);
    this.closing = new Closing(ctx, this.payments);
    this.arbiter = new Arbiter(ctx, this.payments, new DepositReads(ctx));
    this.standIns = new StandIns(ctx, this.arbiter);
    this.effects = new Effects(ctx, this.negotiation, this.payments, this.arbiter);
    this.sync = new Sync(ctx, this.negotiation, this.payments);
    this.reserve = new WalletReserve(ctx);
    this.table = handlers({ ctx, negotiation: this.negotiation, payments: this.payments, closing: this.closing, arbiter: this.arbiter, sync: this.sync });
    this.wiring = new SessionWiring({ ctx, table: this.table, sessions: this.sessions, sync: this.sync, payments: this.payments, stopped: () => this.stopped });
    this.partnerParts = { ctx, sessions: this.sessions, wiring: this.wiring, halt: this.halt.signal, emit: (e) => this.emit(e) };
    this.held = new HeldJournals(ctx, this.payments, this.sync);
    data.onHeld((id) => this.held.held(id));
  }

  /** Creates the node, recovers every stored channel, starts watching them and reconnects to their partners. */
  static async start(o: ChannelNodeOptions, data: DataDir): Promise<ChannelNode> {
    const node = new ChannelNode(o, data);
    o.p2p.on('session', (s: PeerSession) => node.wiring.attach(s));
    const gone = (message: string) => node.emit({ type: 'error', code: 'DATA_DIR_GONE', level: 'error', message });
    await Promise.all([node.sessions.load(), node.ctx.space.start(() => node.spaceBack(), gone)]);
    // The chain watches start once the node is up (a node of 1,000 channels answers ~30% sooner; the first
    // reads of every channel follow at once, each catching up with whatever the chain shows by then).
    const watchLater: ChannelController[] = [];
    node.broken = await recoverChannels(node.ctx, node.negotiation, (ctl) => node.resumeChannel(ctl, watchLater));
    node.recovering = recoverLater(node.ctx, node.negotiation, (ctl) => node.resumeChannel(ctl), node.broken, node.loads, o.recoverAgainMs);
    // a partner owed our decline (lost with the process) too, for a day: it reaches them once connected
    const wanted = (wallet: string) => channelsWith(node.ctx.channels, wallet).some((c) => !c.ended || dialForReject(node.ctx, c));
    await node.sessions.resume(wanted, (m, l) => node.ctx.log(m, l), (port, host) => node.serve(port, host));
    node.watching = new Promise<void>((r) =>
      setImmediate(() => {
        for (const ctl of watchLater) if (!ctl.ended) node.arbiter.watch(ctl);
        node.arbiter.checkChainAtStart();
        node.reserve.start(o.walletReadMs ?? walletReadMs(o.network));
        r();
      }),
    );
    return node;
  }

  private makeContext(o: ChannelNodeOptions, data: DataDir): NodeContext {
    return {
      o: { ...o, chain: this.sends.chain },
      autoMode: o.autoMode ?? true,
      chainSkew: 0,
      chainTimeRead: false,
      myAddress: o.wallet.address,
      data,
      space: new FreeSpace(o.dataDir, o.minFreeBytes, data.channelsPath),
      checkSpace: () => this.ctx.space.check((message, code) => this.emit({ type: 'error', code, level: 'error', message })),
      stopping: this.halt.signal,
      channels: new ChannelMap(),
      otherNetwork: new Map(),
      emit: (e) => this.emit(e),
      walletRead: (read) => this.reserve.judge(read),
      walletLow: () => this.reserve.current(),
      log: (message, level = 'info') => this.emit({ type: 'log', level, message }),
      fail: (e, ctl) => this.fail(e, ctl),
      view: (ctl) => this.viewOf(ctl),
      changed: (ctl) => {
        ctl.changed();
        if (ctl.isDropped || ctl.standIn) return; // the channel's view is its new controller's (none for a stand-in)
        this.payments.coalescer.observe(ctl);
        if (ctl.life === 'closing') this.arbiter.payOutAgreed(ctl);
        else if (ctl.life === 'open') this.closing.payOutLate(ctl);
        this.emit({ type: 'channelUpdated', channel: this.viewOf(ctl) });
      },
      transition: (ctl, event) => this.effects.transition(ctl, event),
      sessionOf: (ctl) => this.sessions.get(partnerAddressOf(ctl.rec)),
      send: (ctl, msg, user) => void this.outbound.sendAcked(ctl, msg, user),
      sendAcked: (ctl, msg, user) => this.outbound.sendAcked(ctl, msg, user),
      sendOn: (s, msg) => void this.outbound.sendOn(s, msg),
    };
  }

  // ---------------------------------------------------------------- events

  on(listener: (event: NodeEvent) => void): () => void {
    return this.listeners.on(listener);
  }

  private emit(e: NodeEvent): void {
    this.listeners.emit(e);
  }

  private fail(e: unknown, ctl?: ChannelController): void {
    const code = codeOf(e);
    // What ran or was queued on a controller whose channel is loaded again did not go on: the reload says so.
    if (code === 'CHANNEL_RELOADED' && ctl?.reloading) return this.ctx.log(messageOf(e));
    // Background work the stop ended (refused after the seal, its wait ended): the stop, not an error to tell.
    if (code === 'NODE_STOPPED' && this.stopped) return this.ctx.log(`not done: ${messageOf(e)}`);
    let channel: ChannelView | undefined;
    try {
      channel = ctl && !ctl.isDropped ? this.viewOf(ctl) : undefined;
    } catch {
      channel = undefined;
    }
    this.emit({ type: 'error', code, level: levelOf(code), message: messageOf(e), ...(channel ? { channel } : {}), ...(isRefusal(e) ? { refused: true as const } : {}), ...(wireOf(e) ? { wire: wireOf(e) } : {}) });
  }

  private viewOf(ctl: ChannelController): ChannelView {
    return channelView(ctl, addressTextOf(this.ctx.myAddress, 'wallet'), !!this.sessions.get(partnerAddressOf(ctl.rec))?.connected, this.ctx.autoMode);
  }

  // ---------------------------------------------------------------- the lifecycle

  /** The disk is above the floor again: what was refused under it is asked for again (the partner resends its state). */
  private spaceBack(): void {
    for (const ctl of this.ctx.channels.values()) {
      if (ctl.life !== 'open' || !this.ctx.sessionOf(ctl)?.connected) continue;
      this.sync.resync(ctl);
      void ctl.run(() => this.payments.turns.passIfAsked(ctl)).catch((e) => this.fail(e, ctl));
    }
  }

  /** A recovered channel: watched on chain (at once, or by the caller from `watchLater`), its pending state signed. */
  private async resumeChannel(ctl: ChannelController, watchLater?: ChannelController[]): Promise<void> {
    this.standIns.end(ctl.id, ctl); // loaded again: it defends itself (what the stand-in told is handed over)
    if (ctl.ended || ctl.rec.legacy) return;
    // loaded while its partner is connected (an import): its host is kept at once, as for a channel made now
    if (!watchLater) this.ctx.o.p2p.partnerNow(partnerAddressOf(ctl.rec));
    if (ctl.life !== 'proposed') {
      if (watchLater) watchLater.push(ctl);
      else this.arbiter.watch(ctl);
    }
    if (ctl.life === 'deploying') void this.negotiation.recoverDeploy(ctl).catch((e) => this.fail(e, ctl));
    void settleDeclined(this.ctx, this.negotiation, ctl).catch((e) => this.fail(e, ctl));
    const ch = ctl.channel;
    if (this.ctx.autoMode && ch.pending) await ctl.run(() => this.payments.countersignIn(ctl)).catch((e) => this.fail(e, ctl));
    // Loaded while its partner is connected (a retry, an import): what they sent meanwhile was refused (no channel).
    if (this.ctx.sessionOf(ctl)?.connected) this.sync.resync(ctl);
  }

  // ---------------------------------------------------------------- p2p

  serve(port: number, host?: string): Promise<ServeResult> {
    return serveOn(this.partnerParts, port, host);
  }

  /**
   * A wallet we have a channel (or our own proposal in flight) with: the p2p layer never drops it for being idle.
   * An incoming proposal, kept only in memory until accepted, does not make a partner: a stranger who proposes
   * stays a guest (guests are capped).
   */
  isPartner(wallet: Address): boolean {
    return hasStoredChannelWith(this.ctx.channels, wallet.toRawString(), true);
  }

  served(): ServeResult | null {
    return this.sessions.servedNow();
  }

  connect(typed: string, opts?: { timeoutMs?: number }): Promise<PartnerView> {
    return connectTo(this.partnerParts, typed, opts);
  }

  partners(): PartnerView[] {
    return this.sessions.all().map((s) => this.sessions.view(s, s.connected));
  }

  // ---------------------------------------------------------------- commands

  async open(opts: OpenChannelOptions): Promise<ChannelView> {
    // own address first: with no session for it, the pick would say "not connected to" it
    const ctl = await byUser(() => {
      refuseOwnPartner(this.ctx, opts.partner);
      return this.negotiation.open(this.sessions.pick(opts.partner), opts);
    });
    return this.viewOf(ctl);
  }

  async deposit(amount?: bigint, opts: ProgressOptions & { channel?: string } = {}): Promise<ChannelView> {
    const ctl = this.pick(opts.channel);
    await byUser(() => this.negotiation.deposit(ctl, amount, opts));
    // Both deposits in lock the contract: read it now, so the answer says locked (not funding with a refund).
    const r = ctl.rec;
    if (ctl.life === 'funding' && r.depositA >= r.expectedDepositA && r.depositB >= r.expectedDepositB) await this.arbiter.poke(ctl);
    return this.viewOf(ctl);
  }

  async refund(opts: ProgressOptions & { channel?: string } = {}): Promise<ChannelView> {
    return this.negotiation.refund(this.pick(opts.channel), opts);
  }

  async decline(opts: { channel?: string } = {}): Promise<ChannelView> {
    return byUser(() => this.negotiation.decline(this.pick(opts.channel)));
  }

  async send(amount: bigint, opts: SendWait & { channel?: string } = {}): Promise<StateView> {
    return byUser(async () => this.payments.send(await this.held.ready(this.pick(opts.channel)), amount, opts));
  }

  pay(amount: bigint, opts: { channel?: string; waitMs?: number; signal?: AbortSignal } = {}): Promise<PaymentResult> {
    // Not in byUser (its async context costs every promise while it runs): its messages say they are the user's.
    const ctl = this.pick(opts.channel);
    const pay = () => this.payments.coalescer.pay(ctl, amount, opts);
    return ctl.journal.error ? this.held.retry(ctl).then(pay) : pay();
  }

  async createEmpty(opts: { channel?: string } = {}): Promise<StateView> {
    return byUser(async () => this.payments.createEmpty(await this.held.ready(this.pick(opts.channel))));
  }

  async requestEmpty(opts: { channel?: string } = {}): Promise<void> {
    return byUser(async () => this.payments.requestEmpty(await this.held.ready(this.pick(opts.channel))));
  }

  async sign(opts: { channel?: string } = {}): Promise<StateView> {
    return byUser(async () => this.payments.sign(await this.held.ready(this.pick(opts.channel))));
  }

  async withdraw(opts: WithdrawOptions & { channel?: string } = {}): Promise<WithdrawResult> {
    const ctl = this.pick(opts.channel);
    if (ctl.rec.restorePending && !opts.confirmStale) {
      throw new NodeError('RESTORE_PENDING', 'restored from a backup: your partner may hold newer states than this one; connect to them first, or confirm to close with what the backup holds');
    }
    await this.held.retry(ctl); // a cooperative close signs a state
    const r = await byUser(() => this.closing.withdraw(ctl, { ...opts, onProgress: (m) => opts.onProgress?.(m) }));
    void this.arbiter.poke(ctl);
    return r;
  }

  async exit(opts: ProgressOptions & { channel?: string; confirmStale?: boolean } = {}): Promise<{ deadline: number }> {
    const ctl = this.pick(opts.channel);
    // A lock this node's watch has not seen yet (the partner's initial state was checked against it): read first.
    if (ctl.life === 'funding') await this.arbiter.poke(ctl);
    return byUser(() => this.closing.exit(ctl, opts));
  }

  async challenge(opts: ProgressOptions & { channel?: string } = {}): Promise<ChannelView> {
    const ctl = this.pick(opts.channel);
    await readDeadline(this.ctx, ctl);
    const can = ctl.actions().challenge;
    // A clock read that says the window is over may run ahead: only the contract's refusal is sure.
    if (!can.ok && !(can.code === 'TOO_LATE' && !this.arbiter.windowOver(ctl))) throw new NodeError(can.code, can.why);
    await this.arbiter.challengeNow(ctl);
    return this.viewOf(ctl);
  }

  async finish(opts: ProgressOptions & { channel?: string } = {}): Promise<ChannelView> {
    const ctl = this.pick(opts.channel);
    await readDeadline(this.ctx, ctl, { forFinish: true });
    const can = ctl.actions().finish;
    if (!can.ok) throw new NodeError(can.code, can.why);
    await this.arbiter.finishNow(ctl, opts);
    return this.viewOf(ctl);
  }

  async caughtUp(timeoutMs = 10_000): Promise<string[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    // the read at start too: a chain out of reach is said before a one-shot run stops, with or without channels
    const read = this.watching.then(() => Promise.all([this.arbiter.firstReadsTried(), this.arbiter.startReadSaid()]));
    await Promise.race([read, late]);
    clearTimeout(timer);
    return this.arbiter.notReadYet().map((c) => this.viewOf(c).contract);
  }

  brokenChannels(): BrokenChannelView[] {
    return [...this.broken];
  }

  exportBackup(file: string): Promise<ExportResult> {
    return exportBackup(this.ctx, file);
  }

  importBackup(file: string, o: { otherNetworks?: 'import' | 'leave' } = {}): Promise<ImportView> {
    if (this.stopped) return Promise.reject(new NodeError('NODE_STOPPED', 'the node stopped: start it again and import the file'));
    const parts = { ctx: this.ctx, negotiation: this.negotiation, broken: this.broken, loads: this.loads, stopped: () => this.stopped };
    const p = importBackup({ ...parts, drop: (ctl) => this.drop(ctl), standIn: (ctl) => this.standIns.start(ctl), resume: (ctl) => this.resumeChannel(ctl), retry: () => this.recovering.wake() }, file, o);
    const running = p.catch(() => undefined).finally(() => this.imports.delete(running));
    this.imports.add(running);
    return p;
  }

  /** Drops a channel's controller (an import loads the channel again): unwatched, its payments and waits ended. */
  private drop(ctl: ChannelController): void {
    if (this.ctx.channels.get(ctl.id) === ctl) this.ctx.channels.delete(ctl.id);
    this.arbiter.unwatch(ctl);
    this.payments.coalescer.dropped(ctl);
    ctl.drop();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.halt.abort(new NodeError('NODE_STOPPED', 'the node stopped: start it again'));
    this.recovering.stop();
    this.ctx.space.stop();
    this.sessions.stop();
    this.payments.coalescer.stop();
    this.arbiter.stop();
    this.standIns.stop();
    for (const c of this.ctx.channels.values()) c.stopWaiting();
    // No send leaves after a stop; what the ended ones save (a mark taken back) is written before the journals close.
    await this.sends.stop();
    // An import or a retry under way ends first: what it loaded is stopped with the rest.
    await Promise.all([...this.imports]);
    await this.loads.idle();
    await this.held.atStop(this.ctx.channels.values());
    for (const c of this.ctx.channels.values()) c.stopWaiting();
    await new Promise((r) => setImmediate(r));
    // what was queued runs; what comes after (a deployment's failure path, a partner's message) writes nothing
    await Promise.all([...this.ctx.channels.values()].map((c) => c.seal()));
    for (const c of this.ctx.channels.values()) await c.storage?.close();
    await this.ctx.o.p2p.stop().catch(() => undefined);
    await this.sessions.saved();
    await this.ctx.data.close();
  }
}
