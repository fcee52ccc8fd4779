// The wallet half of every Chain: opening wallets, reading accounts, and the send-and-wait flow (build the
// contract message with the wrapper, send it from the wallet, wait for the wallet's and the contract's
// transactions, check the exit code). A subclass supplies a few primitives (account state, one-shot
// transaction lookup, external send, time). src/chain/base.ts adds the channel operations and the watch.
import {
  Address,
  external,
  internal,
  type ContractProvider,
  type Message,
  type Sender,
  type SenderArguments,
  type StateInit,
  type Transaction,
} from '@ton/core';
import { formatTon } from '../core/amounts.js';
import type { KeyPair } from '../core/signer.js';
import { ChainError } from './errors.js';
import { abortedError, sleep, withOpSignal } from './http.js';
import { checkContractTx, friendly, NewestTime, toChainError, WALLET_FEE_RESERVE, WALLET_MESSAGE_TTL, type AccountInfo } from './walletBasics.js';
import { WalletLocks } from './walletLocks.js';
import { sentNothing, type SendHooks, type SignedTransfer, type WalletSecret } from './walletSend.js';
import { sent, stoppedWhileSending, WAIT_PAGE, waitForTransaction } from './sent.js';
import type { TxCursor } from './payout.js';
import { DEFAULT_WALLET_VERSION, isWalletVersion, seqnoFromData, walletContract, type WalletVersion } from './wallets.js';
import type { ChainKind, OpOptions, TxResult, Wallet } from './types.js';

export { friendly, messageHash, toChainError, WALLET_FEE_RESERVE, WALLET_MESSAGE_TTL, type AccountInfo } from './walletBasics.js';

type SignalOpts = { signal?: AbortSignal };

export abstract class WalletChain {
  abstract readonly kind: ChainKind;
  protected abstract readonly defaultTimeoutMs: number;
  /** Poll interval while waiting for a transaction. */
  protected abstract readonly txPollMs: number;

  /** A provider for get-methods and for the wrapper's send* (only `internal` → `via.send` is used for sends). */
  protected abstract provider(address: Address, init?: StateInit | null): ContractProvider;
  protected abstract account(address: Address, signal?: AbortSignal): Promise<AccountInfo>;
  /** The chain's time as the backend says it, never another clock (none said: a retryable error). */
  protected abstract chainNow(signal?: AbortSignal): Promise<number>;
  protected abstract sendExternal(message: Message, signal: AbortSignal): Promise<void>;
  /** One lookup (no waiting) of `address`'s transactions, newest first: the newest, or those strictly older than `before`. */
  protected abstract transactionsPage(address: Address, limit: number, before: TxCursor | null, signal?: AbortSignal): Promise<Transaction[]>;

  /** The newest transactions of `address` (one lookup, no waiting). */
  protected recentTransactions(address: Address, limit: number, signal?: AbortSignal): Promise<Transaction[]> {
    return this.transactionsPage(address, limit, null, signal);
  }
  /** Where to get coins for `address` on this chain (for INSUFFICIENT_FUNDS). */
  protected abstract fundingHint(address: Address): string;

  private readonly secrets = new WeakMap<Wallet, WalletSecret>();
  private readonly walletLocks = new WalletLocks();
  /** each wallet's highest seqno read or used here: a replica behind answers lower (a seqno never goes back) */
  private readonly seqnoSeen = new Map<string, number>();
  protected closed = false;
  /** the newest chain time an endpoint answered */
  private readonly seenNow = new NewestTime();

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

  async getBalanceDue(address: Address, o: SignalOpts & { background?: boolean } = {}): Promise<{ balance: bigint; storageDue: bigint | null }> {
    return this.guard(
      o.signal,
      async () => {
        const a = await this.account(address, o.signal);
        return { balance: a.balance, storageDue: a.storageDue ?? null };
      },
      o.background,
    );
  }

  async now(o: SignalOpts & { background?: boolean } = {}): Promise<number> {
    return this.guard(o.signal, () => this.readNow(o.signal), o.background);
  }

  /** The chain's time as the endpoint says it; the newest seen is kept for wallet messages (newestNow). */
  private async readNow(signal?: AbortSignal): Promise<number> {
    const t = await this.chainNow(signal);
    this.seenNow.read(t);
    return t;
  }

  /**
   * The chain's time for a wallet message's expiry, never earlier than the newest the endpoint showed: a replica
   * behind (its sync_utime minutes old) would otherwise make messages that are already expired.
   */
  private async newestNow(signal?: AbortSignal): Promise<number> {
    return this.seenNow.atLeast(await this.readNow(signal));
  }

  // ------------------------------------------------------------ the send-and-wait flow

  /**
   * Runs `fn` with the caller's signal visible to the HTTP layer (and whether it is a background read), mapping
   * foreign errors to ChainError.
   */
  protected async guard<T>(signal: AbortSignal | undefined, fn: () => Promise<T>, background?: boolean): Promise<T> {
    this.assertOpen();
    if (signal?.aborted) throw abortedError(signal);
    try {
      return await withOpSignal(signal, fn, background);
    } catch (e) {
      // A stop after the message went out says so (sent): kept as it is.
      if (signal?.aborted && !(e instanceof ChainError && e.sent)) throw abortedError(signal);
      throw this.mapError(e);
    }
  }

  /** Subclasses map their library's errors (e.g. TonClient's "Received error") here. */
  protected mapError(e: unknown): Error {
    return toChainError(e);
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
    const progress = (m: string) => {
      try {
        o.onProgress?.(m);
      } catch {
        // a UI callback must not break the operation
      }
    };
    // The operation's time starts once the wallet is this send's: a challenge queued behind a deposit's wait is
    // not timed out before it is even signed (the caller's signal still ends the wait for the wallet).
    const locked = async (): Promise<TxResult> => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
      const hooks: SendHooks = { progress, beforeSend: o.beforeSend, leaving: false };
      try {
        return await this.guard(signal, () => this.sendLocked(wallet, secret, what, target, init, build, signal, hooks));
      } catch (e) {
        // Failed on its own before the message left (not ended by a signal, whose wait may outlive the send).
        if (!hooks.leaving && !signal.aborted && e instanceof ChainError && !e.sent) e.unsent = true;
        if (!timeout.aborted || o.signal?.aborted) throw e;
        // (a verdict that came as the time ran out is turned into the timeout: whether the message left says it)
        const sent = hooks.leaving || (e instanceof ChainError && e.sent);
        const then = sent ? 'it may still land: check the channel and the wallet balance before retrying' : 'its message was not sent yet: nothing was sent; retry';
        throw new ChainError('TIMEOUT', `${what} did not complete within ${Math.round(timeoutMs / 1000)} s; ${then}`, { cause: e, sent });
      }
    };
    const onWait = (ahead: number) => progress(`${what} waits for wallet ${friendly(wallet.address)}: ${ahead} earlier send${ahead === 1 ? '' : 's'} of it go${ahead === 1 ? 'es' : ''} first…`);
    return this.walletLocks.run(wallet.address, locked, { ...(o.signal ? { signal: o.signal } : {}), urgent: !!o.urgent, onWait });
  }

  private async sendLocked(
    wallet: Wallet,
    secret: WalletSecret,
    what: string,
    target: Address,
    init: StateInit | null,
    build: (p: ContractProvider, via: Sender) => Promise<void>,
    signal: AbortSignal,
    hooks: SendHooks,
  ): Promise<TxResult> {
    const { progress, beforeSend } = hooks;
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
    // 2. Funds, seqno and the signed transfer; 3. send it and wait for the wallet; 4. wait for the contract.
    const transfer = await this.signTransfer(wallet, secret, what, captured, signal);
    await beforeSend?.({ validUntil: transfer.validUntil });
    hooks.leaving = true;
    const { walletTx, createdLt } = await this.sendTransfer(wallet, what, target, transfer, signal, progress);
    progress(`waiting for the channel contract to process ${what}…`);
    const tx = await sent(
      what,
      this.waitForTransaction(
        target,
        (t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.src.equals(wallet.address) && t.inMessage.info.createdLt === createdLt,
        signal,
        undefined,
        createdLt,
      ),
      signal,
    );
    const r = await sent(what, checkContractTx(tx, what, target, () => this.rejectionReason(target, signal)), signal);
    let sentBack = 0n;
    for (const m of tx.outMessages.values()) if (m.info.type === 'internal' && m.info.dest.equals(wallet.address)) sentBack += m.info.value.coins;
    const fees = walletTx.totalFees.coins + tx.totalFees.coins;
    progress(`${what} is done (fees about ${formatTon(fees)} TON)`);
    return { ...r, walletTxHash: walletTx.hash().toString('hex'), fees, sentBack };
  }

  /** Checks the wallet's funds and state, and signs the transfer of `msg` with the wallet's current seqno. */
  private async signTransfer(wallet: Wallet, secret: WalletSecret, what: string, msg: SenderArguments, signal: AbortSignal): Promise<SignedTransfer> {
    const acct = await this.walletRead(wallet, signal);
    const needed = msg.value + WALLET_FEE_RESERVE;
    if (acct.balance < needed) {
      throw new ChainError(
        'INSUFFICIENT_FUNDS',
        `wallet ${friendly(wallet.address)} has ${formatTon(acct.balance)} TON but ${what} needs about ${formatTon(needed)} TON ` +
          `(${formatTon(msg.value)} TON to the contract + fees): ${this.fundingHint(wallet.address)}`,
        { address: friendly(wallet.address) },
      );
    }
    const deployed = acct.state === 'active';
    if (acct.state === 'frozen') {
      throw new ChainError('WALLET_REJECTED', `wallet ${friendly(wallet.address)} is frozen (storage fees unpaid): send coins to it to unfreeze, then retry`);
    }
    const seqno = deployed && acct.data ? seqnoFromData(wallet.version, acct.data) : 0;
    const validUntil = (await this.newestNow(signal)) + WALLET_MESSAGE_TTL;
    const body = await secret.info.createTransfer({
      seqno,
      secretKey: secret.secretKey,
      validUntil,
      messages: [internal({ to: msg.to, value: msg.value, bounce: msg.bounce ?? true, init: msg.init ?? undefined, body: msg.body ?? undefined })],
    });
    return { ext: external({ to: wallet.address, init: deployed ? undefined : secret.info.init, body }), body, seqno, validUntil, afterLt: acct.lastLt, value: msg.value, balance: acct.balance };
  }

  /**
   * The wallet's account to sign with: one read with a seqno below one already seen here came from a replica behind
   * (the message would be refused, its seqno taken): read again, a few times, then the chain's answer is taken (a
   * devnet started again has gone back).
   */
  private async walletRead(wallet: Wallet, signal: AbortSignal): Promise<AccountInfo> {
    const key = wallet.address.toRawString();
    for (let attempt = 0; ; attempt++) {
      const acct = await this.account(wallet.address, signal);
      const seqno = acct.state === 'active' && acct.data ? seqnoFromData(wallet.version, acct.data) : 0;
      if (seqno >= (this.seqnoSeen.get(key) ?? 0) || attempt >= 3) {
        this.seqnoSeen.set(key, seqno);
        return acct;
      }
      await sleep(this.txPollMs, signal);
    }
  }

  /** Sends the transfer, waits for the wallet's transaction and finds its message to `target`. */
  private async sendTransfer(
    wallet: Wallet,
    what: string,
    target: Address,
    t: SignedTransfer,
    signal: AbortSignal,
    progress: (m: string) => void,
  ): Promise<{ walletTx: Transaction; createdLt: bigint }> {
    const bodyHash = t.body.hash();
    const isOurs = (tx: Transaction) => tx.inMessage?.info.type === 'external-in' && tx.inMessage.body.hash().equals(bodyHash);
    progress(`sending ${what} from wallet ${friendly(wallet.address)}…`);
    try {
      await this.sendExternal(t.ext, signal);
    } catch (e) {
      // Stopped while the endpoint may have had the message: it may have gone out.
      // (The operation's timeout too: its abort is a TIMEOUT, not a CANCELLED.)
      if (e instanceof ChainError && (e.code === 'CANCELLED' || signal.aborted)) throw stoppedWhileSending(what, e, signal);
      // A retried send after a lost answer is refused because the first one landed: that is success. The wallet's
      // seqno says it (one look at its transactions may come from a replica behind): moved on, or unreadable,
      // the wait below decides (it ends when the message expires unprocessed); unchanged and not ours: refused.
      // A send whose every attempt got no clear answer (e.sent: a 5xx, a request cut short) may have been taken:
      // the wait decides too.
      if (!(e instanceof ChainError && (e.code === 'WALLET_REJECTED' || e.sent))) throw e;
      // A refused resend (e.sent): the reads below may come from a replica behind; only the wait can tell.
      const now = e.sent ? null : await this.account(wallet.address, signal).catch(() => null);
      const unchanged = now !== null && (now.state !== 'active' || !now.data || seqnoFromData(wallet.version, now.data) === t.seqno);
      if (unchanged) {
        const txs = await this.recentTransactions(wallet.address, 20, signal).catch(() => [] as Transaction[]);
        if (!txs.some(isOurs)) throw e;
      }
    }
    progress(`waiting for the wallet to send ${what}…`);
    const walletTx = await sent(what, this.waitForTransaction(wallet.address, isOurs, signal, (covered) => this.expired(wallet, what, t, covered, signal), t.afterLt), signal);
    const key = wallet.address.toRawString();
    this.seqnoSeen.set(key, Math.max(this.seqnoSeen.get(key) ?? 0, t.seqno + 1)); // the wallet took it, whatever it sent
    let out: Message | undefined;
    for (const m of walletTx.outMessages.values()) {
      if (m.info.type === 'internal' && m.info.dest.equals(target)) out = m;
    }
    if (out?.info.type === 'internal') return { walletTx, createdLt: out.info.createdLt };
    throw sentNothing(walletTx, what, wallet.address, t, () => this.fundingHint(wallet.address));
  }

  /** Why the contract at `target` refused a message, when its state says more than the exit code (null: it does not). */
  protected async rejectionReason(_target: Address, _signal: AbortSignal): Promise<string | null> {
    return null;
  }

  /**
   * Whether a wallet message not seen yet never can be (the wait's giveUp), from one read of the wallet: its time
   * past the message's expiry with the seqno unchanged (it expired), or the seqno past it while every transaction
   * up to that read's last (`covered`) was looked at (another message took the seqno). Either way nothing was sent.
   */
  private async expired(wallet: Wallet, what: string, t: SignedTransfer, covered: bigint | null, signal: AbortSignal): Promise<ChainError | null> {
    const later = await this.account(wallet.address, signal);
    const seqno = later.state === 'active' && later.data ? seqnoFromData(wallet.version, later.data) : null;
    if (seqno !== null && seqno > t.seqno) {
      // (the seqno moved, so the wallet has a transaction after the read the message was signed from: a read showing
      // none, its last transaction no later than that read's, contradicts it and proves nothing)
      if (covered === null || later.lastLt <= 0n || later.lastLt <= t.afterLt || covered < later.lastLt) return null;
      return new ChainError('WALLET_REJECTED', `another message of wallet ${friendly(wallet.address)} used the seqno of ${what} (${t.seqno}) first: nothing was sent for it; retry`);
    }
    if (seqno !== null && seqno !== t.seqno) return null; // a read behind the one that signed it
    // The time of the same read: one from a replica ahead, beside a wallet read behind, would call a landed message expired.
    // Only the chain's own time says a message expired: this computer's clock may run ahead of it.
    const at = later.at ?? (await this.chainNow(signal));
    if (at <= t.validUntil + 5) return null;
    return new ChainError('TIMEOUT', `the wallet message for ${what} expired without being processed; nothing was sent: retry`);
  }

  /** Polls the account's transactions until one matches (see waitForTransaction in sent.ts). */
  protected waitForTransaction(address: Address, match: (tx: Transaction) => boolean, signal: AbortSignal, giveUp?: (covered: bigint | null) => Promise<ChainError | null>, after?: bigint): Promise<Transaction> {
    return waitForTransaction({ page: (before) => this.transactionsPage(address, WAIT_PAGE, before, signal), match, signal, pollMs: this.txPollMs, ...(giveUp ? { giveUp } : {}), ...(after !== undefined ? { after } : {}) });
  }

  // ------------------------------------------------------------ lifecycle

  protected assertOpen(): void {
    if (this.closed) throw new ChainError('CLOSED', 'this chain object was closed: create a new one');
  }
}
