// ChannelNode: one object per host composing core (the state machine), chain, p2p and the store (DESIGN §1).
// The CLI, the tests and the VS Code extension all drive this same object and render its events.
//
// Lifecycle of a channel (DESIGN §2, issue 6):
//   A open() -> channel.propose -> B deposit() -> channel.accept -> A deploys with its deposit -> channel.deployed
//   -> B checks the address (it can compute it from the proposal) and deposits -> the contract locks
//   -> A proposes step 0 (balances = on-chain deposits) -> B countersigns ("Received initial state") -> payments.
// Write before send: my signature is persisted (staged.json) before it leaves the process; a state both signed is
// appended (states.jsonl, fdatasync) before success is reported.
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { Channel, type Party, type SignedState } from '../core/channel.js';
import { ChannelError } from '../core/errors.js';
import { formatTon } from '../core/amounts.js';
import { stateFromBase64, stateToBase64 } from '../core/state.js';
import type { KeyPair } from '../core/signer.js';
import type { AppMessage } from '../core/wire.js';
import type { Chain, ChannelEvent, Wallet } from '../chain/types.js';
import { ChannelContract, type ChannelConfig } from '../contract/index.js';
import type { P2PNode, PeerSession } from '../p2p/index.js';
import { ChannelStore, type StoredSignedState } from './store.js';
import { hex, stateView } from './views.js';
import type {
  ChannelNodeApi,
  ChannelPhaseView,
  ChannelView,
  NetworkKind,
  NodeEvent,
  OpenChannelOptions,
  PartnerView,
  ProgressOptions,
  ServeResult,
  StateView,
  WithdrawOptions,
  WithdrawResult,
} from './types.js';

/** A node-level error: a stable code and a message that says what to do. */
export class NodeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NodeError';
  }
}

/** What the store keeps of a channel (params.json). */
interface ChannelRecord {
  channelId: bigint;
  me: Party;
  network: NetworkKind;
  contract: string | null;
  addressA: string;
  addressB: string;
  publicKeyA: Buffer;
  publicKeyB: Buffer;
  challengePeriod: number;
  expectedDepositA: bigint;
  expectedDepositB: bigint;
  depositA: bigint;
  depositB: bigint;
  phase: ChannelPhaseView;
  /** the partner's multiaddr when I dialled it (to redial after a restart) */
  partnerMultiaddr: string | null;
  deadline: number | null;
  closeStep: bigint | null;
  payoutA: bigint | null;
  payoutB: bigint | null;
}

interface Live {
  rec: ChannelRecord;
  store: ChannelStore;
  channel: Channel | null;
  watcher: { stop(): void } | null;
  finishing: boolean;
  challenging: boolean;
  /** resolves when the contract address is known (B waits for A's deploy) */
  deployed: PromiseWithResolvers<string>;
  /** resolves each time a state becomes signed by both */
  waiters: Set<() => void>;
  /** cached views of the committed states */
  views: StateView[];
}

export interface ChannelNodeOptions {
  network: NetworkKind;
  dataDir: string;
  chain: Chain;
  wallet: Wallet;
  /** the channel key (the node uses the wallet key) */
  key: KeyPair;
  p2p: P2PNode;
  /** automatic mode: countersign valid states, pass the turn after a payment, answer turn requests (default true) */
  autoMode?: boolean;
  /** default challenge period for channels this node opens (seconds) */
  challengePeriod?: number;
  /** how often the watcher polls the chain (ms) */
  pollMs?: number;
}

const DEFAULT_PERIOD = 600;

export class ChannelNode implements ChannelNodeApi {
  readonly network: NetworkKind;
  private readonly listeners = new Set<(e: NodeEvent) => void>();
  private readonly live = new Map<string, Live>(); // by channelId (decimal)
  private readonly sessions = new Map<string, PeerSession>(); // by partner address (raw)
  private readonly autoMode: boolean;
  private readonly myAddress: Address;
  private stopped = false;
  private finishTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly o: ChannelNodeOptions) {
    this.network = o.network;
    this.autoMode = o.autoMode ?? true;
    this.myAddress = o.wallet.address;
  }

  /** Creates the node, recovers every stored channel and starts watching their contracts. */
  static async start(o: ChannelNodeOptions): Promise<ChannelNode> {
    const node = new ChannelNode(o);
    node.o.p2p.on('session', (s: PeerSession) => node.attachSession(s));
    await node.recover();
    node.finishTimer = setInterval(() => void node.tick(), Math.max(250, o.pollMs ?? 1000));
    node.finishTimer.unref?.();
    return node;
  }

  // ---------------------------------------------------------------- events

  on(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: NodeEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a UI listener must not break the node
      }
    }
  }

  private log(message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.emit({ type: 'log', level, message });
  }

  private fail(e: unknown, l?: Live): void {
    const err = e as Error & { code?: string };
    let channel: ChannelView | undefined;
    try {
      channel = l ? this.view(l) : undefined;
    } catch {
      channel = undefined;
    }
    this.emit({ type: 'error', code: err.code ?? 'ERROR', message: err.message ?? String(e), ...(channel ? { channel } : {}) });
  }

  // ---------------------------------------------------------------- recovery

  private async recover(): Promise<void> {
    for (const id of await ChannelStore.list(this.o.dataDir)) {
      try {
        const store = await ChannelStore.open(this.o.dataDir, id);
        const rec = await store.readParams<ChannelRecord>();
        if (!rec || rec.network !== this.network) continue;
        const l = this.newLive(rec, store);
        if (rec.contract) {
          l.deployed.resolve(rec.contract);
          l.channel = await this.restoreChannel(l);
          if (rec.phase !== 'closed') this.startWatcher(l);
        }
        this.live.set(rec.channelId.toString(), l);
        const ch = l.channel;
        if (this.autoMode && ch?.staged && ch.stagedBy !== ch.party && rec.phase !== 'closed') {
          await this.countersignIn(l).catch((e) => this.fail(e, l));
        }
        this.log(`recovered channel ${rec.contract ?? rec.channelId} (${rec.phase}, step ${l.channel?.latest?.state.step ?? '-'})`);
        if (rec.partnerMultiaddr && rec.phase !== 'closed') {
          const addr = rec.partnerMultiaddr;
          void this.o.p2p.connect(addr).catch((e: Error) => this.log(`could not reconnect to ${addr}: ${e.message} (it will be retried when your partner connects)`, 'warn'));
        }
      } catch (e) {
        this.log(`could not recover channel ${id}: ${(e as Error).message}`, 'error');
      }
    }
  }

  private newLive(rec: ChannelRecord, store: ChannelStore): Live {
    return {
      rec,
      store,
      channel: null,
      watcher: null,
      finishing: false,
      challenging: false,
      deployed: Promise.withResolvers<string>(),
      waiters: new Set(),
      views: [],
    };
  }

  private channelParams(rec: ChannelRecord) {
    return { channel: Address.parse(rec.contract!), publicKeyA: rec.publicKeyA, publicKeyB: rec.publicKeyB };
  }

  private async restoreChannel(l: Live): Promise<Channel> {
    const stored = await l.store.read();
    const history = stored.states.map(fromStored);
    const stagedRaw = stored.staged;
    let staged = stagedRaw ? fromStored(stagedRaw) : null;
    const next = history.length ? history[history.length - 1]!.state.step + 1n : 0n;
    // A staged state that was committed before the crash (append done, clear not yet) is stale: drop it.
    if (staged && staged.state.step !== next) staged = null;
    return Channel.restore(this.channelParams(l.rec), this.o.key.secretKey, {
      party: l.rec.me,
      history,
      staged,
      closing: l.rec.phase === 'closing' || l.rec.phase === 'closed',
      turnRequested: false,
      partnerWantsTurn: false,
    });
  }

  /** Adds states both signed that the partner had and we lacked; Channel.restore re-verifies everything. */
  private importCommitted(l: Live, states: SignedState[]): Channel {
    const ch = l.channel!;
    const snap = ch.toSnapshot();
    const history = [...snap.history, ...states];
    const last = history[history.length - 1]!.state.step;
    const staged = snap.staged && snap.staged.state.step === last + 1n ? snap.staged : null;
    return Channel.restore(this.channelParams(l.rec), this.o.key.secretKey, { ...snap, history, staged });
  }

  // ---------------------------------------------------------------- p2p

  private readonly attached = new WeakSet<PeerSession>();
  private inbox: Promise<void> = Promise.resolve();

  private attachSession(s: PeerSession): void {
    if (this.attached.has(s)) return;
    this.attached.add(s);
    const key = s.partner.walletAddress.toRawString();
    this.sessions.set(key, s);
    const partner = this.partnerView(s, true);
    this.emit({ type: 'partnerConnected', partner });
    // One message at a time, in order: the protocol handlers are not meant to interleave at their awaits.
    s.on('message', (m: AppMessage) => {
      this.inbox = this.inbox.then(() => this.onMessage(s, m));
    });
    s.on('connected', () => {
      this.emit({ type: 'partnerConnected', partner: this.partnerView(s, true) });
      void this.resyncWith(s);
    });
    s.on('disconnected', () => this.emit({ type: 'partnerDisconnected', partner: this.partnerView(s, false) }));
    void this.resyncWith(s);
  }

  private partnerView(s: PeerSession, online: boolean): PartnerView {
    return {
      address: s.partner.walletAddress.toString({ testOnly: this.network !== 'sandbox', bounceable: false }),
      signature: hex(s.partner.proof) ?? '',
      peerId: s.partner.peerId,
      online,
    };
  }

  private sessionFor(l: Live): PeerSession | null {
    const partner = l.rec.me === 'A' ? l.rec.addressB : l.rec.addressA;
    return this.sessions.get(Address.parse(partner).toRawString()) ?? null;
  }

  private async sendTo(l: Live, msg: AppMessage): Promise<void> {
    const s = this.sessionFor(l);
    if (!s) {
      this.log(`partner offline: ${msg.type} will be resent when they reconnect`, 'warn');
      return;
    }
    // Queued and resent by the session until acknowledged; do not block the caller on the ack.
    s.send(msg).catch((e: Error) => this.log(`could not deliver ${msg.type}: ${e.message}`, 'warn'));
  }

  private async resyncWith(s: PeerSession): Promise<void> {
    for (const l of this.live.values()) {
      if (this.sessionFor(l) !== s) continue;
      // Lifecycle messages the partner may have missed while one of us was down.
      if (l.rec.me === 'B' && l.rec.phase === 'deploying' && !l.rec.contract) {
        await s.send({ type: 'channel.accept', channelId: l.rec.channelId }).catch(() => undefined);
      }
      if (l.rec.me === 'A' && l.rec.contract && (l.rec.phase === 'funding' || l.rec.phase === 'locked')) {
        await s.send({ type: 'channel.deployed', channelId: l.rec.channelId, contract: l.rec.contract }).catch(() => undefined);
      }
      if (!l.rec.contract || !l.channel) continue;
      const latest = l.channel.latest?.state.step ?? -1n;
      await s
        .send({ type: 'resync.request', contract: l.rec.contract, latestStep: latest < 0n ? 0n : latest })
        .catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- commands

  async serve(port: number, host?: string): Promise<ServeResult> {
    const r = await this.o.p2p.serve(port, host);
    this.emit({ type: 'served', lan: r.lan, wan: r.wan });
    return r;
  }

  async connect(multiaddr: string, opts?: { timeoutMs?: number }): Promise<PartnerView> {
    const s = await this.o.p2p.connect(multiaddr, opts);
    this.attachSession(s);
    // Remember how to reach this partner after a restart.
    for (const l of this.live.values()) {
      if (this.sessionFor(l) === s && l.rec.partnerMultiaddr !== multiaddr) {
        l.rec.partnerMultiaddr = multiaddr;
        await l.store.writeParams(l.rec);
      }
    }
    this.lastDialled.set(s.partner.walletAddress.toRawString(), multiaddr);
    return this.partnerView(s, true);
  }

  private readonly lastDialled = new Map<string, string>();

  partners(): PartnerView[] {
    return [...this.sessions.values()].map((s) => this.partnerView(s, true));
  }

  async open(opts: OpenChannelOptions): Promise<ChannelView> {
    const s = this.pickSession(opts.partner);
    if (opts.myDeposit < 0n || opts.partnerDeposit < 0n) throw new NodeError('INVALID_AMOUNT', 'deposits cannot be negative');
    if (opts.myDeposit + opts.partnerDeposit === 0n) throw new NodeError('INVALID_AMOUNT', 'a channel needs money in it: give your deposit, your partner\'s, or both');
    const period = opts.challengePeriod ?? this.o.challengePeriod ?? DEFAULT_PERIOD;
    const channelId = randomBytes(8).readBigUInt64BE();
    const rec: ChannelRecord = {
      channelId,
      me: 'A',
      network: this.network,
      contract: null,
      addressA: this.myAddress.toRawString(),
      addressB: s.partner.walletAddress.toRawString(),
      publicKeyA: this.o.key.publicKey,
      publicKeyB: s.partner.channelPublicKey,
      challengePeriod: period,
      expectedDepositA: opts.myDeposit,
      expectedDepositB: opts.partnerDeposit,
      depositA: 0n,
      depositB: 0n,
      phase: 'proposed',
      partnerMultiaddr: this.lastDialled.get(s.partner.walletAddress.toRawString()) ?? null,
      deadline: null,
      closeStep: null,
      payoutA: null,
      payoutB: null,
    };
    const balance = await this.o.chain.getBalance(this.myAddress);
    if (balance < opts.myDeposit) {
      throw new NodeError('NO_FUNDS', `your wallet ${this.getAccount()} has ${formatTon(balance)} TON, less than the ${formatTon(opts.myDeposit)} TON deposit plus fees: top it up first`);
    }
    const store = await ChannelStore.open(this.o.dataDir, channelId.toString());
    await store.writeParams(rec);
    const l = this.newLive(rec, store);
    this.live.set(channelId.toString(), l);
    await s.send({
      type: 'channel.propose',
      channelId,
      challengePeriod: period,
      expectedDepositA: opts.myDeposit,
      expectedDepositB: opts.partnerDeposit,
      addressA: rec.addressA,
      addressB: rec.addressB,
      publicKeyA: rec.publicKeyA.toString('hex'),
      publicKeyB: rec.publicKeyB.toString('hex'),
    });
    this.changed(l);
    return this.view(l);
  }

  async deposit(amount?: bigint, opts: ProgressOptions & { channel?: string } = {}): Promise<ChannelView> {
    const l = this.pickLive(opts.channel);
    const me = l.rec.me;
    const expected = me === 'A' ? l.rec.expectedDepositA : l.rec.expectedDepositB;
    if (amount !== undefined && amount !== expected && l.rec.phase === 'proposed') {
      throw new NodeError(
        'DEPOSIT_MISMATCH',
        `the channel proposal says you deposit ${formatTon(expected)} TON: run \`deposit ${formatTon(expected)}\` (or \`deposit\` with no amount), or ask your partner for a new proposal`,
      );
    }
    if (l.rec.phase === 'proposed' && me === 'B') {
      await this.sendTo(l, { type: 'channel.accept', channelId: l.rec.channelId });
      l.rec.phase = 'deploying';
      await l.store.writeParams(l.rec);
      this.changed(l);
    } else if (l.rec.phase === 'proposed' && me === 'A') {
      throw new NodeError('WAIT_PARTNER', 'your partner has not accepted the channel yet: they run `deposit`, then you deploy automatically');
    }
    opts.onProgress?.('waiting for the channel contract to be deployed…');
    const contract = await abortable(l.deployed.promise, opts.signal);
    if (l.rec.phase !== 'funding') {
      if (l.rec.phase === 'closed' || l.rec.phase === 'closing') throw new NodeError('CHANNEL_CLOSING', 'the channel is closing: no deposits any more');
      return this.view(l);
    }
    const data = await this.o.chain.getChannelData(Address.parse(contract));
    const have = me === 'A' ? (data?.depositA ?? 0n) : (data?.depositB ?? 0n);
    const missing = expected - have;
    const toPay = amount !== undefined && l.rec.phase === 'funding' && me === 'A' ? amount : missing;
    if (toPay <= 0n) {
      opts.onProgress?.('your deposit is already in');
      return this.view(l);
    }
    if (toPay > missing) {
      throw new NodeError('DEPOSIT_TOO_LARGE', `the contract expects ${formatTon(missing)} TON more from you; deposit that amount`);
    }
    opts.onProgress?.(`depositing ${formatTon(toPay)} TON to ${contract}…`);
    await this.o.chain.deposit(this.o.wallet, Address.parse(contract), toPay, { signal: opts.signal, onProgress: opts.onProgress });
    await this.sendTo(l, { type: 'deposit', contract, party: me, amount: toPay });
    await this.refreshDeposits(l);
    return this.view(l);
  }

  /** Before the channel locks: takes my deposit back (the contract refuses once both deposits are in). */
  async refund(opts: ProgressOptions & { channel?: string } = {}): Promise<ChannelView> {
    const l = this.pickLive(opts.channel);
    if (!l.rec.contract) throw new NodeError('NO_CONTRACT', 'no contract yet: nothing was deposited, so there is nothing to refund');
    if (l.rec.phase !== 'funding') {
      throw new NodeError('NOT_FUNDING', `the channel is ${l.rec.phase}: refunds are only possible before both deposits are in; withdraw instead`);
    }
    const mine = l.rec.me === 'A' ? l.rec.depositA : l.rec.depositB;
    if (mine === 0n) throw new NodeError('NOTHING_DEPOSITED', 'you have no deposit in this contract');
    opts.onProgress?.(`taking back your deposit of ${formatTon(mine)} TON…`);
    await this.o.chain.refund(this.o.wallet, Address.parse(l.rec.contract), { signal: opts.signal, onProgress: opts.onProgress });
    await this.refreshDeposits(l);
    return this.view(l);
  }

  async send(amount: bigint, opts: { channel?: string } = {}): Promise<StateView> {
    const l = this.pickOpen(opts.channel);
    const signed = l.channel!.proposePayment(amount);
    return this.proposeOut(l, signed);
  }

  async createEmpty(opts: { channel?: string } = {}): Promise<StateView> {
    const l = this.pickOpen(opts.channel);
    const signed = l.channel!.proposeEmpty();
    return this.proposeOut(l, signed);
  }

  async requestEmpty(opts: { channel?: string } = {}): Promise<void> {
    const l = this.pickOpen(opts.channel);
    l.channel!.requestTurn();
    await this.sendTo(l, { type: 'turn.request', contract: l.rec.contract!, step: l.channel!.latest?.state.step ?? 0n });
  }

  async sign(opts: { channel?: string } = {}): Promise<StateView> {
    const l = this.pickLive(opts.channel);
    if (!l.channel) throw new NodeError('NOT_OPEN', 'no channel contract yet: nothing to sign');
    return this.countersignIn(l);
  }

  async withdraw(opts: WithdrawOptions & { channel?: string } = {}): Promise<WithdrawResult> {
    const l = this.pickLive(opts.channel);
    const ch = l.channel;
    if (!ch || !ch.latest) throw new NodeError('NOT_OPEN', 'no state signed by both yet: nothing to withdraw. Before the channel locks you can take your deposit back with a refund');
    if (l.rec.phase === 'closed') throw new NodeError('CLOSED', 'this channel is already closed and paid out');
    const latest = ch.latest;
    const step = opts.step ?? latest.state.step;
    const chosen = ch.stateAt(step);
    if (!chosen) throw new NodeError('NO_SUCH_STEP', `no state both signed at step ${step}: the latest is ${latest.state.step} (see showAll)`);
    if (step < latest.state.step && !opts.confirmStale) {
      throw new NodeError(
        'STALE_STEP',
        `step ${step} is older than the latest state ${latest.state.step}: your partner can challenge it with a newer state. Confirm to submit it anyway`,
      );
    }
    const contract = Address.parse(l.rec.contract!);
    const mode = opts.mode ?? 'auto';
    const partnerOnline = !!this.sessionFor(l)?.connected;
    const haveCloseState = latest.state.tag === 'close' && step === latest.state.step;
    const wantCoop =
      l.rec.phase === 'open' && step === latest.state.step && mode !== 'unilateral' && (haveCloseState || mode === 'cooperative' || partnerOnline);
    if (wantCoop) {
      try {
        // A close state both signed already (an earlier attempt whose on-chain part failed) is submitted as it is.
        const closeState = latest.state.tag === 'close' ? latest : await this.agreeClose(l, opts);
        opts.onProgress?.('sending the cooperative close to the contract…');
        await this.o.chain.cooperativeClose(this.o.wallet, contract, signedArg(closeState), { signal: opts.signal, onProgress: opts.onProgress });
        await this.sendTo(l, { type: 'close.notice', contract: l.rec.contract!, kind: 'cooperative', step: closeState.state.step });
        await this.markClosed(l, closeState.state.balanceA, closeState.state.balanceB);
        return { mode: 'cooperative', step: closeState.state.step, deadline: null, payoutA: closeState.state.balanceA, payoutB: closeState.state.balanceB };
      } catch (e) {
        if (mode === 'cooperative') throw e;
        opts.onProgress?.(`cooperative close not possible (${(e as Error).message}); starting a unilateral close instead`);
      }
    }
    if (l.rec.phase === 'closing') {
      throw new NodeError('ALREADY_CLOSING', `a close is already running (step ${l.rec.closeStep}); the node finishes it after the challenge window`);
    }
    opts.onProgress?.(`sending step ${step} to the contract (start of the challenge window)…`);
    await this.o.chain.startClose(this.o.wallet, contract, signedArg(chosen), {
      signal: opts.signal,
      onProgress: (m) => {
        opts.onProgress?.(m);
        if (/^waiting for the channel contract/.test(m)) crashPoint('during-close');
      },
    });
    await this.sendTo(l, { type: 'close.notice', contract: l.rec.contract!, kind: 'unilateral', step });
    await this.refreshClosing(l);
    return { mode: 'unilateral', step, deadline: l.rec.deadline, payoutA: null, payoutB: null };
  }

  /** Proposes a cooperative-close state and waits for the partner's countersignature. */
  private async agreeClose(l: Live, opts: ProgressOptions): Promise<SignedState> {
    const ch = l.channel!;
    if (!ch.isMyTurn) {
      opts.onProgress?.('asking your partner for the turn to propose the close…');
      await this.requestEmpty({ channel: l.rec.channelId.toString() });
      await this.waitFor(l, () => ch.isMyTurn && !ch.staged, 15_000, opts.signal, 'your partner did not pass the turn');
    }
    const proposal = ch.proposeClose();
    await this.proposeOut(l, proposal);
    opts.onProgress?.('waiting for your partner to sign the close…');
    await this.waitFor(l, () => ch.latest?.state.tag === 'close', 15_000, opts.signal, 'your partner did not sign the close');
    return ch.latest!;
  }

  private waitFor(l: Live, done: () => boolean, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) finish();
      };
      const finish = (err?: Error) => {
        clearTimeout(timer);
        l.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => finish(new NodeError('CANCELLED', 'cancelled'));
      const timer = setTimeout(() => finish(new NodeError('TIMEOUT', `${what} within ${timeoutMs / 1000} s`)), timeoutMs);
      l.waiters.add(check);
      signal?.addEventListener('abort', onAbort);
    });
  }

  // ---------------------------------------------------------------- queries

  channels(): ChannelView[] {
    return [...this.live.values()].map((l) => this.view(l));
  }

  currentChannel(): ChannelView | null {
    const l = this.current();
    return l ? this.view(l) : null;
  }

  balanceChan(channel?: string) {
    const l = this.pickLive(channel);
    const s = l.channel?.latest?.state;
    return s ? { balanceA: s.balanceA, balanceB: s.balanceB, step: s.step } : null;
  }

  async balanceContract(channel?: string): Promise<bigint> {
    const l = this.pickLive(channel);
    if (!l.rec.contract) throw new NodeError('NO_CONTRACT', 'no contract yet: the channel is deployed once your partner accepts it');
    return this.o.chain.getBalance(Address.parse(l.rec.contract));
  }

  balanceTon(): Promise<bigint> {
    return this.o.chain.getBalance(this.myAddress);
  }

  getAccount(): string {
    return this.fmtAddr(this.myAddress);
  }

  getPartnerAccount(channel?: string): string | null {
    const l = this.current(channel);
    if (l) return this.fmtAddr(Address.parse(l.rec.me === 'A' ? l.rec.addressB : l.rec.addressA));
    const s = [...this.sessions.values()][0];
    return s ? this.fmtAddr(s.partner.walletAddress) : null;
  }

  getSmartContractAccount(channel?: string): string | null {
    const l = this.current(channel);
    return l?.rec.contract ? this.fmtAddr(Address.parse(l.rec.contract)) : null;
  }

  /** Devnet and sandbox only: funds my wallet from the chain's faucet / treasury. */
  async faucet(amount: bigint): Promise<bigint> {
    const c = this.o.chain as Chain & { faucet?: (a: Address, n?: bigint) => Promise<unknown>; fund?: (a: Address, n: bigint) => Promise<unknown> };
    if (typeof c.faucet === 'function') await c.faucet(this.myAddress, amount);
    else if (typeof c.fund === 'function') await c.fund(this.myAddress, amount);
    else throw new NodeError('NO_FAUCET', `the ${this.network} has no faucet here: get testnet coins for ${this.getAccount()} from @testgiver_ton_bot on Telegram`);
    return this.balanceTon();
  }

  getSeqno(): Promise<number> {
    return this.o.chain.getSeqno(this.o.wallet);
  }

  showAll(channel?: string): StateView[] {
    const l = this.current(channel);
    if (!l?.channel) return [];
    const views = [...this.stateViews(l)];
    const staged = l.channel.staged;
    if (staged) views.push(stateView(staged, l.channel.latest));
    return views;
  }

  showLast(channel?: string): StateView | null {
    const all = this.showAll(channel);
    return all[all.length - 1] ?? null;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.finishTimer) clearInterval(this.finishTimer);
    for (const l of this.live.values()) l.watcher?.stop();
    await this.inbox.catch(() => undefined);
    for (const l of this.live.values()) await l.store.close();
    await this.o.p2p.stop().catch(() => undefined);
  }

  // ---------------------------------------------------------------- internals: protocol

  private async proposeOut(l: Live, signed: SignedState): Promise<StateView> {
    // Write before send: my signature reaches the disk before it leaves the process.
    await l.store.writeStaged({ ...toStored(signed), mine: true });
    crashPoint('proposal-persisted');
    const sig = l.rec.me === 'A' ? signed.sigA! : signed.sigB!;
    await this.sendTo(l, { type: 'state.propose', contract: l.rec.contract!, state: stateToBase64(signed.state), signature: sig.toString('hex') });
    this.changed(l);
    return stateView(signed, l.channel!.latest);
  }

  private async countersignIn(l: Live): Promise<StateView> {
    const ch = l.channel!;
    const pending = ch.staged;
    if (!pending || ch.stagedBy === ch.party) throw new ChannelError('NOTHING_TO_SIGN', 'no state from your partner awaits your signature (showLast shows the latest)');
    const before = ch.latest;
    const signed = ch.countersign();
    const view = stateView(signed, before);
    // Automatic mode: after countersigning a payment, pass the turn back at once, piggybacked on the
    // countersignature, so one direction of payments costs one round trip.
    let pass: SignedState | null = null;
    if (this.autoMode && signed.state.tag === 'state' && signed.state.step > 0n && !view.empty && ch.isMyTurn && !ch.staged) {
      pass = ch.proposeEmpty();
    }
    // Write before send: the state both signed (and my pass, with my signature) reach the disk in one
    // fdatasync before my signatures leave the process and before success is reported.
    await l.store.appendStates([toStored(signed), ...(pass ? [{ ...toStored(pass), staged: true, mine: true }] : [])]);
    crashPoint('after-countersign');
    const mySig = l.rec.me === 'A' ? signed.sigA! : signed.sigB!;
    await this.sendTo(l, { type: 'state.countersign', contract: l.rec.contract!, step: signed.state.step, signature: mySig.toString('hex') });
    if (pass) {
      const passSig = l.rec.me === 'A' ? pass.sigA! : pass.sigB!;
      await this.sendTo(l, { type: 'state.propose', contract: l.rec.contract!, state: stateToBase64(pass.state), signature: passSig.toString('hex') });
    }
    if (signed.state.step === 0n) await this.setPhase(l, 'open');
    this.emit({ type: 'stateSigned', channel: this.view(l), state: view });
    this.changed(l);
    return view;
  }

  /** The deposits the locked contract holds: B checks A's initial state against them. */
  private async lockedDeposits(l: Live): Promise<{ depositA: bigint; depositB: bigint }> {
    const data = await this.o.chain.getChannelData(Address.parse(l.rec.contract!));
    if (!data || data.phase === 'funding') throw new NodeError('NOT_LOCKED', 'the initial state arrived before the contract locked: wait until both deposits are in; your partner resends it');
    return { depositA: data.depositA, depositB: data.depositB };
  }

  private async onMessage(s: PeerSession, m: AppMessage): Promise<void> {
    let l: Live | undefined;
    try {
      switch (m.type) {
        case 'channel.propose':
          return await this.onPropose(s, m);
        case 'channel.accept': {
          l = this.live.get(m.channelId.toString());
          if (!l || l.rec.me !== 'A') throw new NodeError('UNKNOWN_CHANNEL', `no proposal ${m.channelId} from this node`);
          // Deploying takes seconds (minutes on testnet): do not hold up the other messages meanwhile.
          const live = l;
          void this.deploy(live).catch((e) => this.fail(e, live));
          return;
        }
        case 'channel.reject': {
          l = this.live.get(m.channelId.toString());
          if (l) this.log(`your partner rejected channel ${m.channelId}: ${m.reason}`, 'warn');
          return;
        }
        case 'channel.deployed': {
          l = this.live.get(m.channelId.toString());
          if (!l || l.rec.me !== 'B') throw new NodeError('UNKNOWN_CHANNEL', `no accepted proposal ${m.channelId}`);
          return await this.onDeployed(l, m.contract);
        }
        case 'deposit':
          l = this.byContract(m.contract);
          if (l) await this.refreshDeposits(l);
          return;
        case 'state.propose': {
          l = this.mustContract(m.contract);
          const ch = l.channel!;
          const state = stateFromBase64(m.state);
          const sig = Buffer.from(m.signature, 'hex');
          // Idempotent: a state we already hold (a resend after a reconnect) is not a new proposal.
          if (ch.latest && state.step <= ch.latest.state.step) return;
          const partner: Party = l.rec.me === 'A' ? 'B' : 'A';
          const signed: SignedState = { state, sigA: partner === 'A' ? sig : null, sigB: partner === 'B' ? sig : null };
          if (ch.staged && ch.stagedBy === partner && ch.staged.state.step === state.step) return;
          if (state.step === 0n) ch.receiveInitial(signed, await this.lockedDeposits(l));
          else ch.receiveProposal(signed);
          // Kept on disk only when a person signs it later: in automatic mode the countersignature follows at once,
          // and after a crash the partner resends its proposal (resync).
          if (!this.autoMode) await l.store.writeStaged({ ...toStored(signed), mine: false });
          crashPoint('before-countersign');
          const view = stateView(signed, ch.latest);
          this.emit({ type: 'stateReceived', channel: this.view(l), state: view });
          this.changed(l);
          if (this.autoMode) await this.countersignIn(l);
          return;
        }
        case 'state.countersign': {
          l = this.mustContract(m.contract);
          const ch = l.channel!;
          if (ch.latest && m.step <= ch.latest.state.step) return; // duplicate
          const before = ch.latest;
          const signed = ch.acceptCountersignature(Buffer.from(m.signature, 'hex'));
          await l.store.appendState(toStored(signed));
          if (signed.state.step === 0n) await this.setPhase(l, 'open');
          this.emit({ type: 'stateSigned', channel: this.view(l), state: stateView(signed, before) });
          this.changed(l);
          if (this.autoMode && ch.partnerWantsTurn && ch.isMyTurn && !ch.staged && signed.state.tag === 'state') {
            await this.createEmpty({ channel: l.rec.channelId.toString() });
          }
          return;
        }
        case 'turn.request': {
          l = this.mustContract(m.contract);
          l.channel!.receiveTurnRequest();
          this.emit({ type: 'turnRequested', channel: this.view(l) });
          this.changed(l);
          const ch = l.channel!;
          if (this.autoMode && ch.isMyTurn && !ch.staged && ch.latest && !ch.isClosing) await this.createEmpty({ channel: l.rec.channelId.toString() });
          return;
        }
        case 'close.notice':
          l = this.mustContract(m.contract);
          this.log(
            m.kind === 'unilateral'
              ? `Your partner sent the state to the smart contract (step ${m.step})`
              : `Your partner closed the channel cooperatively (step ${m.step})`,
          );
          if (m.kind === 'unilateral') await this.refreshClosing(l);
          else await this.refreshClosed(l);
          return;
        case 'resync.request': {
          l = this.byContract(m.contract);
          if (!l?.channel) return;
          // latestStep 0 may mean "nothing yet": step 0 is sent again then (the receiver skips what it has).
          const newer = l.channel.statesAfter(m.latestStep === 0n ? -1n : m.latestStep).slice(0, 64);
          if (newer.length) {
            await s.send({
              type: 'resync.response',
              contract: m.contract,
              states: newer.map((h) => ({ state: stateToBase64(h.state), sigA: h.sigA!.toString('hex'), sigB: h.sigB!.toString('hex') })),
            });
          }
          // Resend my own proposal if the partner does not have it yet.
          const staged = l.channel.staged;
          if (staged && l.channel.stagedBy === l.rec.me) await this.proposeOut(l, staged);
          return;
        }
        case 'resync.response': {
          l = this.mustContract(m.contract);
          const latest = l.channel!.latest?.state.step ?? -1n;
          const fresh = m.states
            .map((item) => ({ state: stateFromBase64(item.state), sigA: Buffer.from(item.sigA, 'hex'), sigB: Buffer.from(item.sigB, 'hex') }))
            .filter((x) => x.state.step > latest)
            .sort((a, b) => (a.state.step < b.state.step ? -1 : 1));
          if (!fresh.length) return;
          const restored = this.importCommitted(l, fresh);
          await l.store.appendStates(fresh.map(toStored));
          l.channel = restored;
          if (l.rec.phase === 'locked' || l.rec.phase === 'funding') await this.setPhase(l, 'open');
          for (const signed of fresh) this.emit({ type: 'stateSigned', channel: this.view(l), state: stateView(signed, null) });
          this.changed(l);
          return;
        }
        case 'error':
          this.emit({ type: 'error', code: m.code, message: `your partner reports: ${m.message}` });
          return;
        default:
          return;
      }
    } catch (e) {
      this.fail(e, l);
      const err = e as Error & { code?: string };
      await s.send({ type: 'error', code: safeCode(err.code), message: err.message.slice(0, 1000), ref: m.type }).catch(() => undefined);
    }
  }

  private async onPropose(s: PeerSession, m: Extract<AppMessage, { type: 'channel.propose' }>): Promise<void> {
    const me = this.myAddress.toRawString();
    const partner = s.partner.walletAddress.toRawString();
    if (Address.parse(m.addressB).toRawString() !== me || !Buffer.from(m.publicKeyB, 'hex').equals(this.o.key.publicKey)) {
      throw new NodeError('BAD_PROPOSAL', 'the proposal names another account or key for you: ask your partner to propose again');
    }
    if (Address.parse(m.addressA).toRawString() !== partner || !Buffer.from(m.publicKeyA, 'hex').equals(s.partner.channelPublicKey)) {
      throw new NodeError('BAD_PROPOSAL', "the proposal's account or key for your partner is not the one they proved on connect");
    }
    if (this.live.has(m.channelId.toString())) return; // duplicate
    const rec: ChannelRecord = {
      channelId: m.channelId,
      me: 'B',
      network: this.network,
      contract: null,
      addressA: partner,
      addressB: me,
      publicKeyA: s.partner.channelPublicKey,
      publicKeyB: this.o.key.publicKey,
      challengePeriod: m.challengePeriod,
      expectedDepositA: m.expectedDepositA,
      expectedDepositB: m.expectedDepositB,
      depositA: 0n,
      depositB: 0n,
      phase: 'proposed',
      partnerMultiaddr: this.lastDialled.get(partner) ?? null,
      deadline: null,
      closeStep: null,
      payoutA: null,
      payoutB: null,
    };
    const store = await ChannelStore.open(this.o.dataDir, m.channelId.toString());
    await store.writeParams(rec);
    const l = this.newLive(rec, store);
    this.live.set(m.channelId.toString(), l);
    this.emit({ type: 'channelProposed', channel: this.view(l) });
    this.changed(l);
  }

  private config(rec: ChannelRecord): ChannelConfig {
    return {
      publicKeyA: rec.publicKeyA,
      publicKeyB: rec.publicKeyB,
      addressA: Address.parse(rec.addressA),
      addressB: Address.parse(rec.addressB),
      channelId: rec.channelId,
      challengePeriod: rec.challengePeriod,
      expectedDepositA: rec.expectedDepositA,
      expectedDepositB: rec.expectedDepositB,
    };
  }

  private async deploy(l: Live): Promise<void> {
    if (l.rec.phase !== 'proposed') return; // duplicate accept
    await this.setPhase(l, 'deploying');
    this.log(`your partner accepted: deploying the channel contract with your deposit of ${formatTon(l.rec.expectedDepositA)} TON…`);
    const { address } = await this.o.chain.deployChannel(this.o.wallet, this.config(l.rec), l.rec.expectedDepositA, {
      onProgress: (m) => this.log(m),
    });
    l.rec.contract = address.toRawString();
    l.rec.phase = 'funding';
    await l.store.writeParams(l.rec);
    l.channel = await this.restoreChannel(l);
    l.deployed.resolve(l.rec.contract);
    this.startWatcher(l);
    await this.sendTo(l, { type: 'channel.deployed', channelId: l.rec.channelId, contract: l.rec.contract });
    await this.refreshDeposits(l);
    this.changed(l);
  }

  private async onDeployed(l: Live, contract: string): Promise<void> {
    if (l.rec.contract) return;
    const expected = ChannelContract.createFromConfig(this.config(l.rec)).address;
    if (!expected.equals(Address.parse(contract))) {
      throw new NodeError('BAD_CONTRACT', `your partner deployed ${contract}, not the contract of the agreed channel (${expected.toString()}): do not deposit`);
    }
    l.rec.contract = expected.toRawString();
    l.rec.phase = 'funding';
    await l.store.writeParams(l.rec);
    l.channel = await this.restoreChannel(l);
    this.startWatcher(l);
    l.deployed.resolve(l.rec.contract);
    this.changed(l);
  }

  // ---------------------------------------------------------------- internals: chain watcher

  private startWatcher(l: Live): void {
    if (l.watcher || !l.rec.contract) return;
    void this.syncFromChain(l).catch((e) => this.log(`reading ${l.rec.contract}: ${(e as Error).message}`, 'warn'));
    l.watcher = this.o.chain.watchChannel(Address.parse(l.rec.contract), {
      pollMs: this.o.pollMs ?? 1000,
      onEvent: (e) => void this.onChainEvent(l, e).catch((err) => this.fail(err, l)),
      onError: (err) => this.log(`watching ${l.rec.contract}: ${err.message}`, 'warn'),
    });
  }

  private async onChainEvent(l: Live, e: ChannelEvent): Promise<void> {
    switch (e.type) {
      case 'deposit':
        l.rec.depositA = e.depositA;
        l.rec.depositB = e.depositB;
        await l.store.writeParams(l.rec);
        this.emit({ type: 'depositSeen', channel: this.view(l), party: e.party, amount: e.amount });
        this.changed(l);
        return;
      case 'locked':
        l.rec.depositA = e.depositA;
        l.rec.depositB = e.depositB;
        if (l.rec.phase === 'funding' || l.rec.phase === 'deploying') await this.setPhase(l, 'locked');
        this.emit({ type: 'channelLocked', channel: this.view(l) });
        if (l.rec.me === 'A' && l.channel && !l.channel.latest && !l.channel.staged) {
          const initial = l.channel.proposeInitial(e.depositA, e.depositB);
          await this.proposeOut(l, initial);
        }
        return;
      case 'closeStarted': {
        l.rec.deadline = e.deadline;
        l.rec.closeStep = e.step;
        await this.setPhase(l, 'closing');
        l.channel?.markClosing();
        const byPartner = e.submitter !== l.rec.me;
        this.emit({ type: 'closeStarted', channel: this.view(l), step: e.step, byPartner, deadline: e.deadline });
        // Defend against the partner's old state (a stale close of my own was confirmed on purpose).
        if (byPartner) await this.challengeIfStale(l, e.step);
        return;
      }
      case 'challenged':
        l.rec.closeStep = e.step;
        await l.store.writeParams(l.rec);
        this.emit({ type: 'challenged', channel: this.view(l), step: e.step, byMe: false });
        this.changed(l);
        return;
      case 'closed':
        await this.markClosed(l, e.payoutA, e.payoutB);
        return;
    }
  }

  /** Catches up with what happened on-chain while this node was not watching (a restart). */
  private async syncFromChain(l: Live): Promise<void> {
    const d = await this.o.chain.getChannelData(Address.parse(l.rec.contract!));
    if (d === null) {
      if (l.rec.phase === 'closing' || l.rec.phase === 'open' || l.rec.phase === 'locked') await this.refreshClosed(l);
      return;
    }
    l.rec.depositA = d.depositA;
    l.rec.depositB = d.depositB;
    if (d.phase === 'funding') return void (await l.store.writeParams(l.rec));
    if (d.phase === 'open' && (l.rec.phase === 'funding' || l.rec.phase === 'deploying')) {
      await this.onChainEvent(l, { type: 'locked', depositA: d.depositA, depositB: d.depositB });
    } else if (d.phase === 'open' && l.rec.phase === 'locked' && l.rec.me === 'A' && l.channel && !l.channel.latest && !l.channel.staged) {
      await this.onChainEvent(l, { type: 'locked', depositA: d.depositA, depositB: d.depositB });
    } else if (d.phase === 'closing' && d.storedState && d.submitter && d.deadline !== null && l.rec.phase !== 'closing') {
      await this.onChainEvent(l, { type: 'closeStarted', step: d.storedState.step, submitter: d.submitter, deadline: d.deadline, state: d.storedState });
    } else if (d.phase === 'closing' && d.storedState && d.submitter && d.submitter !== l.rec.me) {
      await this.challengeIfStale(l, d.storedState.step);
    }
  }

  /** The watcher's duty: a close with a step below the latest state both signed is challenged at once. */
  private async challengeIfStale(l: Live, step: bigint): Promise<void> {
    const latest = l.channel?.latest;
    if (!latest || latest.state.step <= step || l.challenging) return;
    l.challenging = true;
    try {
      this.log(`a close was started with step ${step}, older than the latest state ${latest.state.step}: challenging`, 'warn');
      await this.o.chain.challenge(this.o.wallet, Address.parse(l.rec.contract!), signedArg(latest), { onProgress: (m) => this.log(m) });
      l.rec.closeStep = latest.state.step;
      await l.store.writeParams(l.rec);
      this.emit({ type: 'challenged', channel: this.view(l), step: latest.state.step, byMe: true });
      this.changed(l);
    } finally {
      l.challenging = false;
    }
  }

  /** Finishes closes whose challenge window has passed (either party may; the first one wins). */
  private async tick(): Promise<void> {
    for (const l of this.live.values()) {
      if (l.rec.phase !== 'closing' || l.finishing || l.rec.deadline === null) continue;
      try {
        const now = await this.o.chain.now();
        if (now <= l.rec.deadline) continue;
        l.finishing = true;
        this.log(`the challenge window of ${l.rec.contract} has passed: finishing the close`);
        await this.o.chain.finishClose(this.o.wallet, Address.parse(l.rec.contract!), { onProgress: (m) => this.log(m) });
        await this.refreshClosed(l);
      } catch (e) {
        // The partner may have finished it first: the watcher reports `closed` then.
        const data = await this.o.chain.getChannelData(Address.parse(l.rec.contract!)).catch(() => undefined);
        if (data === null) await this.refreshClosed(l);
        else this.log(`finishing the close failed: ${(e as Error).message}; retrying`, 'warn');
      } finally {
        l.finishing = false;
      }
    }
  }

  private async refreshDeposits(l: Live): Promise<void> {
    if (!l.rec.contract) return;
    const d = await this.o.chain.getChannelData(Address.parse(l.rec.contract));
    if (!d) return;
    l.rec.depositA = d.depositA;
    l.rec.depositB = d.depositB;
    await l.store.writeParams(l.rec);
    this.changed(l);
  }

  private async refreshClosing(l: Live): Promise<void> {
    const d = await this.o.chain.getChannelData(Address.parse(l.rec.contract!));
    if (d && d.phase === 'closing') {
      l.rec.deadline = d.deadline;
      l.rec.closeStep = d.storedState?.step ?? null;
      await this.setPhase(l, 'closing');
      l.channel?.markClosing();
    }
  }

  private async refreshClosed(l: Live): Promise<void> {
    const d = await this.o.chain.getChannelData(Address.parse(l.rec.contract!));
    if (d === null || d.phase === 'closed') {
      const s = l.channel?.latest?.state;
      // The watcher reports the exact payouts; until then show the state that was closed with.
      await this.markClosed(l, l.rec.payoutA ?? s?.balanceA ?? 0n, l.rec.payoutB ?? s?.balanceB ?? 0n);
    }
  }

  /**
   * Records the payout. The chain reports what reached each address (A also gets the contract's leftover gas
   * reserve); the view shows the channel's own amounts: B's payout, and A's as the total minus B's.
   */
  private async markClosed(l: Live, payoutA: bigint, payoutB: bigint): Promise<void> {
    if (l.rec.phase === 'closed') return;
    const total = l.channel?.latest ? l.channel.latest.state.balanceA + l.channel.latest.state.balanceB : payoutA + payoutB;
    l.rec.payoutB = payoutB;
    l.rec.payoutA = total - payoutB;
    const paid = l.channel?.history.filter((h) => h.state.balanceB === payoutB).pop();
    if (paid) l.rec.closeStep = paid.state.step;
    l.channel?.markClosing();
    await this.setPhase(l, 'closed');
    l.watcher?.stop();
    l.watcher = null;
    this.emit({ type: 'closed', channel: this.view(l), payoutA: l.rec.payoutA, payoutB: l.rec.payoutB });
  }

  private async setPhase(l: Live, phase: ChannelPhaseView): Promise<void> {
    l.rec.phase = phase;
    await l.store.writeParams(l.rec);
    this.changed(l);
  }

  private changed(l: Live): void {
    for (const w of [...l.waiters]) w();
    this.emit({ type: 'channelUpdated', channel: this.view(l) });
  }

  // ---------------------------------------------------------------- selection

  private current(id?: string): Live | null {
    if (id) return this.findLive(id);
    let best: Live | null = null;
    for (const l of this.live.values()) if (l.rec.phase !== 'closed' || !best) best = l;
    return best;
  }

  private findLive(id: string): Live | null {
    const l = this.live.get(id);
    if (l) return l;
    try {
      return this.byContract(id) ?? null;
    } catch {
      return null;
    }
  }

  private pickLive(id?: string): Live {
    const l = this.current(id);
    if (!l) throw new NodeError('NO_CHANNEL', id ? `no channel ${id} (see channels)` : 'no channel yet: connect first, then open a channel (or accept your partner\'s with deposit)');
    return l;
  }

  private pickOpen(id?: string): Live {
    const l = this.pickLive(id);
    if (!l.channel || !l.channel.latest) {
      throw new NodeError('NOT_OPEN', `the channel is ${l.rec.phase}: payments start once both deposits are in and the initial state is signed by both`);
    }
    if (l.rec.phase === 'closing' || l.rec.phase === 'closed') throw new ChannelError('CHANNEL_CLOSING', 'the channel is closing: no more payments');
    return l;
  }

  private pickSession(partner?: string): PeerSession {
    const all = [...this.sessions.values()];
    if (partner) {
      const raw = Address.parse(partner).toRawString();
      const s = this.sessions.get(raw);
      if (!s) throw new NodeError('NO_PARTNER', `not connected to ${partner}: connect first`);
      return s;
    }
    if (all.length === 0) throw new NodeError('NO_PARTNER', 'no partner yet: serve and let your partner connect, or connect to their multiaddr');
    if (all.length > 1) throw new NodeError('MANY_PARTNERS', `several partners are connected: name one (${all.map((x) => this.fmtAddr(x.partner.walletAddress)).join(', ')})`);
    return all[0]!;
  }

  private byContract(contract: string): Live | undefined {
    const raw = Address.parse(contract).toRawString();
    for (const l of this.live.values()) if (l.rec.contract === raw) return l;
    return undefined;
  }

  private mustContract(contract: string): Live {
    const l = this.byContract(contract);
    if (!l || !l.channel) throw new NodeError('UNKNOWN_CHANNEL', `no channel with contract ${contract} here`);
    return l;
  }

  private fmtAddr(a: Address): string {
    return a.toString({ testOnly: this.network !== 'sandbox', bounceable: false });
  }

  private fmtContract(raw: string): string {
    return Address.parse(raw).toString({ testOnly: this.network !== 'sandbox', bounceable: true });
  }

  /** Views of every state both signed, built once per state (a view is emitted on every change: keep it O(1)). */
  private stateViews(l: Live): StateView[] {
    const ch = l.channel;
    if (!ch) return [];
    const n = ch.historyLength;
    if (l.views.length > n) l.views = [];
    let prev = l.views.length ? ch.stateAt(BigInt(l.views.length - 1)) : null;
    while (l.views.length < n) {
      const s = ch.stateAt(BigInt(l.views.length))!;
      l.views.push(stateView(s, prev));
      prev = s;
    }
    return l.views;
  }

  private view(l: Live): ChannelView {
    const ch = l.channel;
    const latest = ch?.latest ?? null;
    const staged = ch?.staged ?? null;
    const partner = l.rec.me === 'A' ? l.rec.addressB : l.rec.addressA;
    return {
      id: l.rec.contract ? this.fmtContract(l.rec.contract) : l.rec.channelId.toString(),
      channelId: l.rec.channelId.toString(),
      contract: l.rec.contract ? this.fmtContract(l.rec.contract) : null,
      network: l.rec.network,
      me: l.rec.me,
      myAddress: this.getAccount(),
      partnerAddress: this.fmtAddr(Address.parse(partner)),
      partnerOnline: !!this.sessionFor(l)?.connected,
      phase: l.rec.phase,
      challengePeriod: l.rec.challengePeriod,
      expectedDepositA: l.rec.expectedDepositA,
      expectedDepositB: l.rec.expectedDepositB,
      depositA: l.rec.depositA,
      depositB: l.rec.depositB,
      latest: latest ? (this.stateViews(l).at(-1) ?? null) : null,
      pending: staged ? { ...stateView(staged, latest), awaiting: ch!.stagedBy === l.rec.me ? 'partner' : 'me' } : null,
      states: this.stateViews(l),
      myTurn: !!ch?.latest && ch.isMyTurn,
      turnRequestedByPartner: !!ch?.partnerWantsTurn,
      deadline: l.rec.deadline,
      closeStep: l.rec.closeStep,
      payoutA: l.rec.payoutA,
      payoutB: l.rec.payoutB,
    };
  }
}

/**
 * Fault injection for the crash-recovery tests: SYNCHANNEL_CRASH_AT=<point>[,<point>…] kills the process with
 * SIGKILL (a real kill -9, no cleanup) the first time it reaches that point of the protocol. Never set in use.
 */
function crashPoint(point: string): void {
  const want = process.env.SYNCHANNEL_CRASH_AT;
  if (want && want.split(',').includes(point)) process.kill(process.pid, 'SIGKILL');
}

function toStored(s: SignedState): StoredSignedState {
  return { state: stateToBase64(s.state), sigA: s.sigA ? s.sigA.toString('hex') : null, sigB: s.sigB ? s.sigB.toString('hex') : null };
}

function fromStored(s: StoredSignedState): SignedState {
  return {
    state: stateFromBase64(s.state),
    sigA: s.sigA ? Buffer.from(s.sigA, 'hex') : null,
    sigB: s.sigB ? Buffer.from(s.sigB, 'hex') : null,
  };
}

function signedArg(s: SignedState) {
  return { state: s.state, sigA: s.sigA!, sigB: s.sigB! };
}

function safeCode(code: string | undefined): string {
  return code && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'ERROR';
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NodeError('CANCELLED', 'cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

