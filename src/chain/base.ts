// What every Chain does the same way: wallets, the send-and-wait flow, channel operations, the watch.
// A subclass supplies a few primitives (account state, one-shot transaction lookup, external send, time).
import {
  Address,
  beginCell,
  Cell,
  external,
  internal,
  storeMessage,
  type ContractProvider,
  type Message,
  type Sender,
  type SenderArguments,
  type StateInit,
  type Transaction,
} from '@ton/core';
import type { KeyPair } from '../core/signer.js';
import { CHANNEL_FEES, ChannelContract, ChannelContractError, channelDataFromCell, exitCodeMessage, exitCodeName, type ChannelConfig, type ChannelData } from '../contract/index.js';
import { ChainError } from './errors.js';
import { abortedError, sleep, withOpSignal } from './http.js';
import { DEFAULT_WALLET_VERSION, isWalletVersion, seqnoFromData, walletContract, type WalletContractInfo, type WalletVersion } from './wallets.js';
import type { Chain, ChainKind, ChannelEvent, ChannelWatch, OpOptions, SignedStateArg, TxResult, Wallet, WatchOptions } from './types.js';

export interface AccountInfo {
  state: 'active' | 'uninit' | 'frozen' | 'nonexist';
  balance: bigint;
  /** The contract's data cell when active. */
  data: Cell | null;
}

/** What the wallet keeps back for its own fees when we check funds before sending. */
export const WALLET_FEE_RESERVE = 20_000_000n; // 0.02 TON
/** How long a signed wallet message stays valid (chain seconds). */
export const WALLET_MESSAGE_TTL = 120;

interface WalletSecret {
  secretKey: Buffer;
  info: WalletContractInfo;
}

type SignalOpts = { signal?: AbortSignal };

export function fmtTon(n: bigint): string {
  const neg = n < 0n;
  const v = neg ? -n : n;
  const frac = (v % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${v / 1_000_000_000n}${frac ? '.' + frac : ''} TON`;
}

export function friendly(address: Address): string {
  return address.toString({ testOnly: true, bounceable: false });
}

function toChainError(e: unknown): Error {
  if (e instanceof ChainError) return e;
  if (e instanceof ChannelContractError) {
    return new ChainError(e.code === 'NOT_DEPLOYED' ? 'NOT_DEPLOYED' : 'BAD_INPUT', e.message, { cause: e });
  }
  return e as Error;
}

export abstract class BaseChain implements Chain {
  abstract readonly kind: ChainKind;
  protected abstract readonly defaultTimeoutMs: number;
  protected abstract readonly defaultPollMs: number;
  /** Poll interval while waiting for a transaction. */
  protected abstract readonly txPollMs: number;

  /** A provider for get-methods and for the wrapper's send* (only `internal` → `via.send` is used for sends). */
  protected abstract provider(address: Address, init?: StateInit | null): ContractProvider;
  protected abstract account(address: Address, signal?: AbortSignal): Promise<AccountInfo>;
  protected abstract chainNow(signal?: AbortSignal): Promise<number>;
  protected abstract sendExternal(message: Message, signal: AbortSignal): Promise<void>;
  /** One lookup (no waiting) among the recent transactions of `address`, newest first. */
  protected abstract recentTransactions(address: Address, limit: number, signal?: AbortSignal): Promise<Transaction[]>;
  /** Where to get coins for `address` on this chain (for INSUFFICIENT_FUNDS). */
  protected abstract fundingHint(address: Address): string;

  private readonly secrets = new WeakMap<Wallet, WalletSecret>();
  private readonly walletLocks = new Map<string, Promise<unknown>>();
  private readonly watches = new Set<ChannelWatch>();
  protected closed = false;

  // ------------------------------------------------------------ wallets

  async openWallet(key: KeyPair, opts: { version?: WalletVersion; workchain?: number } = {}): Promise<Wallet> {
    this.assertOpen();
    const version = opts.version ?? DEFAULT_WALLET_VERSION;
    if (!isWalletVersion(version)) throw new ChainError('BAD_INPUT', `unknown wallet version ${String(version)}: use v5r1, v4r2, v3r2 or v5r1-mainnet`);
    if (key.publicKey.length !== 32 || key.secretKey.length !== 64) throw new ChainError('BAD_INPUT', 'a key pair has a 32-byte public key and a 64-byte secret key');
    const info = walletContract(version, key.publicKey, opts.workchain ?? 0);
    const wallet: Wallet = Object.freeze({ address: info.address, publicKey: Buffer.from(key.publicKey), version });
    this.secrets.set(wallet, { secretKey: Buffer.from(key.secretKey), info });
    return wallet;
  }

  protected secretOf(wallet: Wallet): WalletSecret {
    const s = this.secrets.get(wallet);
    if (!s) throw new ChainError('UNKNOWN_WALLET', 'this wallet was not opened by this chain object: open it with chain.openWallet(key) first');
    return s;
  }

  async getSeqno(wallet: Wallet | Address, o: SignalOpts = {}): Promise<number> {
    const address = wallet instanceof Address ? wallet : wallet.address;
    return this.guard(o.signal, async () => {
      const acct = await this.account(address, o.signal);
      if (acct.state !== 'active') return 0;
      if (!(wallet instanceof Address) && acct.data) return seqnoFromData(wallet.version, acct.data);
      const { stack } = await this.provider(address).get('seqno', []);
      return stack.readNumber();
    });
  }

  async getBalance(address: Address, o: SignalOpts = {}): Promise<bigint> {
    return this.guard(o.signal, async () => (await this.account(address, o.signal)).balance);
  }

  async now(o: SignalOpts = {}): Promise<number> {
    return this.guard(o.signal, () => this.chainNow(o.signal));
  }

  async getChannelData(channel: Address, o: SignalOpts = {}): Promise<ChannelData | null> {
    return this.guard(o.signal, async () => {
      const acct = await this.account(channel, o.signal);
      if (acct.state !== 'active' || !acct.data) return null;
      return channelDataFromCell(acct.data);
    });
  }

  channelAddress(config: ChannelConfig): Address {
    try {
      return ChannelContract.createFromConfig(config).address;
    } catch (e) {
      throw toChainError(e);
    }
  }

  // ------------------------------------------------------------ channel operations

  async deployChannel(wallet: Wallet, config: ChannelConfig, deposit: bigint, o: OpOptions = {}): Promise<{ address: Address } & TxResult> {
    let contract: ChannelContract;
    try {
      contract = ChannelContract.createFromConfig(config);
    } catch (e) {
      throw toChainError(e);
    }
    if (typeof deposit !== 'bigint' || deposit < 0n) throw new ChainError('BAD_INPUT', `a deposit is a non-negative bigint of nanotons, got ${String(deposit)}`);
    const fees = CHANNEL_FEES;
    const value = o.value ?? (deposit > 0n ? deposit + fees.deposit : fees.deploy);
    const r = await this.send(wallet, 'the deployment', contract.address, contract.init ?? null, (p, via) =>
      contract.sendDeploy(p, via, deposit > 0n ? { value, deposit } : { value }), o);
    return { address: contract.address, ...r };
  }

  deposit(wallet: Wallet, channel: Address, amount: bigint, o: OpOptions = {}): Promise<TxResult> {
    if (typeof amount !== 'bigint' || amount <= 0n) return Promise.reject(new ChainError('BAD_INPUT', `a deposit is a positive bigint of nanotons, got ${String(amount)}`));
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the deposit', channel, null, (p, via) => c.sendDeposit(p, via, { amount, value: o.value }), o);
  }

  refund(wallet: Wallet, channel: Address, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the refund', channel, null, (p, via) => c.sendRefund(p, via, { value: o.value }), o);
  }

  cooperativeClose(wallet: Wallet, channel: Address, s: SignedStateArg, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the cooperative close', channel, null, (p, via) => c.sendCooperativeClose(p, via, { ...pickSigned(s), value: o.value }), o);
  }

  startClose(wallet: Wallet, channel: Address, s: SignedStateArg, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the start of the close', channel, null, (p, via) => c.sendStartClose(p, via, { ...pickSigned(s), value: o.value }), o);
  }

  challenge(wallet: Wallet, channel: Address, s: SignedStateArg, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the challenge', channel, null, (p, via) => c.sendChallenge(p, via, { ...pickSigned(s), value: o.value }), o);
  }

  finishClose(wallet: Wallet, channel: Address, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the finish of the close', channel, null, (p, via) => c.sendFinishClose(p, via, { value: o.value }), o);
  }

  // ------------------------------------------------------------ the send-and-wait flow

  /** Runs `fn` with the caller's signal visible to the HTTP layer, mapping foreign errors to ChainError. */
  protected async guard<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    if (signal?.aborted) throw abortedError(signal);
    try {
      return await withOpSignal(signal, fn);
    } catch (e) {
      if (signal?.aborted) throw abortedError(signal);
      throw this.mapError(e);
    }
  }

  /** Subclasses map their library's errors (e.g. TonClient's "Received error") here. */
  protected mapError(e: unknown): Error {
    return toChainError(e);
  }

  private async withWalletLock<T>(address: Address, fn: () => Promise<T>): Promise<T> {
    const key = address.toRawString();
    const prev = this.walletLocks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.walletLocks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.walletLocks.get(key) === tail) this.walletLocks.delete(key);
    }
  }

  /**
   * Builds the contract message with the wrapper (through a capturing Sender), sends it from the wallet,
   * waits for the wallet's and then the contract's transaction, and checks the contract's exit code.
   */
  protected async send(
    wallet: Wallet,
    what: string,
    target: Address,
    init: StateInit | null,
    build: (p: ContractProvider, via: Sender) => Promise<void>,
    o: OpOptions,
  ): Promise<TxResult> {
    this.assertOpen();
    const secret = this.secretOf(wallet);
    const timeoutMs = o.timeoutMs ?? this.defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const progress = (m: string) => {
      try {
        o.onProgress?.(m);
      } catch {
        // a UI callback must not break the operation
      }
    };
    try {
      return await this.withWalletLock(wallet.address, () =>
        this.guard(signal, () => this.sendLocked(wallet, secret, what, target, init, build, signal, progress)),
      );
    } catch (e) {
      if (timeout.aborted && !o.signal?.aborted) {
        throw new ChainError(
          'TIMEOUT',
          `${what} did not complete within ${Math.round(timeoutMs / 1000)} s; it may still land: check the channel and the wallet balance before retrying`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  private async sendLocked(
    wallet: Wallet,
    secret: WalletSecret,
    what: string,
    target: Address,
    init: StateInit | null,
    build: (p: ContractProvider, via: Sender) => Promise<void>,
    signal: AbortSignal,
    progress: (m: string) => void,
  ): Promise<TxResult> {
    // 1. The message the wrapper would send.
    let captured: SenderArguments | undefined;
    const via: Sender = {
      address: wallet.address,
      send: async (args) => {
        captured = args;
      },
    };
    await build(this.provider(target, init), via);
    if (!captured) throw new ChainError('BAD_INPUT', `${what}: the contract wrapper produced no message`);
    const msg = captured;

    // 2. Funds and seqno.
    const acct = await this.account(wallet.address, signal);
    const needed = msg.value + WALLET_FEE_RESERVE;
    if (acct.balance < needed) {
      throw new ChainError(
        'INSUFFICIENT_FUNDS',
        `wallet ${friendly(wallet.address)} has ${fmtTon(acct.balance)} but ${what} needs about ${fmtTon(needed)} ` +
          `(${fmtTon(msg.value)} to the contract + fees): ${this.fundingHint(wallet.address)}`,
        { address: friendly(wallet.address) },
      );
    }
    const deployed = acct.state === 'active';
    if (acct.state === 'frozen') {
      throw new ChainError('WALLET_REJECTED', `wallet ${friendly(wallet.address)} is frozen (storage fees unpaid): send coins to it to unfreeze, then retry`);
    }
    const seqno = deployed && acct.data ? seqnoFromData(wallet.version, acct.data) : 0;
    const now = await this.chainNow(signal);
    const validUntil = now + WALLET_MESSAGE_TTL;
    const body = await secret.info.createTransfer({
      seqno,
      secretKey: secret.secretKey,
      validUntil,
      messages: [
        internal({
          to: msg.to,
          value: msg.value,
          bounce: msg.bounce ?? true,
          init: msg.init ?? undefined,
          body: msg.body ?? undefined,
        }),
      ],
    });
    const ext = external({ to: wallet.address, init: deployed ? undefined : secret.info.init, body });

    // 3. Send, then wait for the wallet's transaction.
    const bodyHash = body.hash();
    const isOurs = (tx: Transaction) => tx.inMessage?.info.type === 'external-in' && tx.inMessage.body.hash().equals(bodyHash);
    progress(`sending ${what} from wallet ${friendly(wallet.address)}…`);
    try {
      await this.sendExternal(ext, signal);
    } catch (e) {
      // A retried send after a lost answer is refused because the first one landed: that is success.
      if (!(e instanceof ChainError && e.code === 'WALLET_REJECTED')) throw e;
      const txs = await this.recentTransactions(wallet.address, 20, signal).catch(() => [] as Transaction[]);
      if (!txs.some(isOurs)) throw e;
    }
    progress(`waiting for the wallet to send ${what}…`);
    const walletTx = await this.waitForTransaction(
      wallet.address,
      isOurs,
      signal,
      async () => {
        // Expired and not processed: nothing was sent.
        if ((await this.chainNow(signal)) <= validUntil + 5) return null;
        const later = await this.account(wallet.address, signal);
        if (later.state === 'active' && later.data && seqnoFromData(wallet.version, later.data) !== seqno) return null;
        return new ChainError('TIMEOUT', `the wallet message for ${what} expired without being processed; nothing was sent: retry`);
      },
    );

    let out: Message | undefined;
    for (const m of walletTx.outMessages.values()) {
      if (m.info.type === 'internal' && m.info.dest.equals(target)) out = m;
    }
    if (!out || out.info.type !== 'internal') {
      const d = walletTx.description;
      const code = d.type === 'generic' ? d.actionPhase?.resultCode : undefined;
      if (code === 37 || code === 38) {
        throw new ChainError('INSUFFICIENT_FUNDS', `wallet ${friendly(wallet.address)} could not pay for ${what} (action phase ${code}): ${this.fundingHint(wallet.address)}`, {
          address: friendly(wallet.address),
          exitCode: code,
        });
      }
      throw new ChainError('WALLET_REJECTED', `the wallet processed the message but sent nothing for ${what}${code !== undefined ? ` (action phase result ${code})` : ''}: check its balance and retry`, {
        exitCode: code,
      });
    }
    const createdLt = out.info.createdLt;

    // 4. Wait for the contract's transaction of that message.
    progress(`waiting for the channel contract to process ${what}…`);
    const tx = await this.waitForTransaction(
      target,
      (t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.src.equals(wallet.address) && t.inMessage.info.createdLt === createdLt,
      signal,
    );
    const d = tx.description;
    if (d.type !== 'generic') throw new ChainError('CONTRACT_REJECTED', `unexpected ${d.type} transaction on the channel contract for ${what}`);
    if (d.computePhase.type === 'skipped') {
      throw new ChainError(
        'NOT_DEPLOYED',
        `there is no channel contract at ${friendly(target)} (${d.computePhase.reason}): it is not deployed yet, or it has already paid out and closed; the coins came back to the wallet`,
        { address: friendly(target) },
      );
    }
    if (!d.computePhase.success) {
      const code = d.computePhase.exitCode;
      const name = exitCodeName(code);
      throw new ChainError('CONTRACT_REJECTED', `the channel contract rejected ${what}${name ? ` (${name}, exit code ${code})` : ` (exit code ${code})`}: ${exitCodeMessage(code)}`, {
        exitCode: code,
      });
    }
    if (d.actionPhase && !d.actionPhase.success) {
      const code = d.actionPhase.resultCode;
      throw new ChainError('CONTRACT_REJECTED', `the channel contract could not send its messages for ${what} (action phase result ${code}): ${exitCodeMessage(code)}`, {
        exitCode: code,
      });
    }
    progress(`${what} is done`);
    return {
      hash: tx.hash().toString('hex'),
      lt: tx.lt,
      walletTxHash: walletTx.hash().toString('hex'),
      fees: walletTx.totalFees.coins + tx.totalFees.coins,
      exitCode: d.computePhase.exitCode,
      gasUsed: d.computePhase.gasUsed,
    };
  }

  /** Polls `recentTransactions` until one matches; `giveUp` may end the wait with an error. */
  protected async waitForTransaction(
    address: Address,
    match: (tx: Transaction) => boolean,
    signal: AbortSignal,
    giveUp?: () => Promise<ChainError | null>,
  ): Promise<Transaction> {
    for (let i = 0; ; i++) {
      const txs = await this.recentTransactions(address, 20, signal);
      const found = txs.find(match);
      if (found) return found;
      if (giveUp && i > 0 && i % 5 === 0) {
        const err = await giveUp();
        if (err) throw err;
      }
      await sleep(this.txPollMs, signal);
    }
  }

  // ------------------------------------------------------------ the watch

  watchChannel(channel: Address, o: WatchOptions): ChannelWatch {
    this.assertOpen();
    const pollMs = o.pollMs ?? this.defaultPollMs;
    const ctrl = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, ctrl.signal]) : ctrl.signal;
    const emit = (e: ChannelEvent) => {
      try {
        o.onEvent(e);
      } catch (err) {
        o.onError?.(err as Error);
      }
    };
    let prev: ChannelData | null | undefined; // undefined: no baseline yet
    let deadlineSeen: number | null = null;
    const loop = async () => {
      while (!signal.aborted) {
        try {
          const cur = await this.getChannelData(channel, { signal });
          if (prev !== undefined) await this.diff(channel, prev, cur, emit, signal);
          if (cur?.phase === 'closing' && cur.deadline !== null && deadlineSeen !== cur.deadline) {
            const now = await this.now({ signal });
            if (now >= cur.deadline) {
              deadlineSeen = cur.deadline;
              emit({ type: 'deadlinePassed', deadline: cur.deadline, now });
            }
          }
          prev = cur;
        } catch (e) {
          if (signal.aborted) break;
          o.onError?.(e as Error);
        }
        try {
          await sleep(pollMs, signal);
        } catch {
          break;
        }
      }
    };
    const watch: ChannelWatch = {
      stop: () => {
        ctrl.abort();
        this.watches.delete(watch);
      },
    };
    this.watches.add(watch);
    void loop().finally(() => this.watches.delete(watch));
    return watch;
  }

  private async diff(channel: Address, prev: ChannelData | null, cur: ChannelData | null, emit: (e: ChannelEvent) => void, signal: AbortSignal): Promise<void> {
    if (cur === null) {
      if (prev !== null) emit({ type: 'closed', ...(await this.payouts(channel, prev, signal)) });
      return;
    }
    const before = prev ?? { ...cur, phase: 'funding' as const, depositA: 0n, depositB: 0n, storedState: null, submitter: null, deadline: null };
    for (const party of ['A', 'B'] as const) {
      const was = party === 'A' ? before.depositA : before.depositB;
      const is = party === 'A' ? cur.depositA : cur.depositB;
      if (is > was) emit({ type: 'deposit', party, amount: is - was, depositA: cur.depositA, depositB: cur.depositB });
      else if (is < was) emit({ type: 'refund', party, amount: was - is, depositA: cur.depositA, depositB: cur.depositB });
    }
    if (before.phase === 'funding' && cur.phase !== 'funding') emit({ type: 'locked', depositA: cur.depositA, depositB: cur.depositB });
    if (cur.phase === 'closing' && cur.storedState && cur.deadline !== null) {
      if (before.phase !== 'closing') {
        emit({ type: 'closeStarted', step: cur.storedState.step, submitter: cur.submitter ?? 'A', deadline: cur.deadline, state: cur.storedState });
      } else if (before.storedState && cur.storedState.step > before.storedState.step) {
        emit({ type: 'challenged', step: cur.storedState.step, state: cur.storedState, deadline: cur.deadline });
      }
    }
  }

  /** What the closing transaction sent to A's and B's addresses (falls back to the last known state). */
  private async payouts(channel: Address, last: ChannelData, signal: AbortSignal): Promise<{ payoutA: bigint; payoutB: bigint }> {
    try {
      const txs = await this.recentTransactions(channel, 10, signal);
      for (const tx of txs) {
        let a = 0n;
        let b = 0n;
        let any = false;
        // The payout is sent by the live contract as it destroys itself; a message bounced later by the
        // empty address (a second finish_close, a late deposit) is not a payout.
        if (tx.oldStatus !== 'active') continue;
        for (const m of tx.outMessages.values()) {
          if (m.info.type !== 'internal' || m.info.bounced) continue;
          if (m.info.dest.equals(last.addressA)) {
            a += m.info.value.coins;
            any = true;
          } else if (m.info.dest.equals(last.addressB)) {
            b += m.info.value.coins;
            any = true;
          }
        }
        // The payout transaction destroys the account; a refund also sends to A or B but keeps it.
        if (any && tx.endStatus !== 'active') return { payoutA: a, payoutB: b };
      }
    } catch {
      // fall through to the stored state
    }
    return { payoutA: last.storedState?.balanceA ?? last.depositA, payoutB: last.storedState?.balanceB ?? last.depositB };
  }

  // ------------------------------------------------------------ lifecycle

  protected assertOpen(): void {
    if (this.closed) throw new ChainError('CLOSED', 'this chain object was closed: create a new one');
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) w.stop();
    this.closed = true;
  }
}

function pickSigned(s: SignedStateArg): SignedStateArg {
  return { state: s.state, sigA: s.sigA, sigB: s.sigB };
}

/** Serialised message hash, e.g. for logs. */
export function messageHash(m: Message): Buffer {
  return beginCell().store(storeMessage(m)).endCell().hash();
}
