// The embedded chain (the default, offline): @ton/sandbox in this process. Each party's wallet is a real
// standard wallet contract with the party's own key, funded from the sandbox treasury. Time control for tests
// and demos. Reach it only through `await import('#heavy')` (it pulls in the ~15 MB emulator).
import { existsSync } from 'node:fs';
import { Address, external, type ContractProvider, type Message, type StateInit, type Transaction } from '@ton/core';
import { Blockchain, type SandboxContract, type SmartContract, type TreasuryContract } from '@ton/sandbox';
import { computeStorageFees, configParse18, loadConfigParamById, type StoragePrices } from '@ton/ton';
import { ChainSaver, chainClock, readChainFile, serializeChain } from './persist.js';
import type { KeyPair } from '../core/signer.js';
import { formatTon } from '../core/amounts.js';
import { BaseChain, friendly, type AccountInfo } from './base.js';
import { ChainError } from './errors.js';
import type { TxCursor } from './payout.js';
import type { Wallet, WalletVersion } from './types.js';

export interface SandboxChainOptions {
  /** Share a Blockchain (default: a new one). Two chain objects over one Blockchain see the same accounts, log and time. */
  blockchain?: Blockchain;
  /** What openWallet tops a wallet up to from the treasury (default 1000 TON; 0n: never fund automatically). */
  walletFunding?: bigint;
  /**
   * Keeps the chain in this file (the devnet's format, src/chain/persist.ts): loaded when it exists, saved after
   * every change and on close(), so channels survive a restart (e.g. a window reload). Not with `blockchain`.
   */
  persistFile?: string;
  /** Tests: how many of a closed contract's newest transactions getPayout looks through (default 200, deep 2,000). */
  payoutDepth?: { watch: number; deep: number };
}

/** Per Blockchain: the transactions sent through any SandboxChain over it, a time offset and the treasury. */
interface Shared {
  log: Map<string, Transaction[]>;
  offset: number;
  treasury?: Promise<SandboxContract<TreasuryContract>>;
  queue: Promise<unknown>;
  /** Set when the chain is kept in a file. */
  saver?: ChainSaver;
  version: number;
}
const sharedState = new WeakMap<Blockchain, Shared>();
function sharedOf(bc: Blockchain): Shared {
  let s = sharedState.get(bc);
  if (!s) {
    s = { log: new Map(), offset: 0, queue: Promise.resolve(), version: 0 };
    sharedState.set(bc, s);
  }
  return s;
}

/** Transactions kept per address (newest): a payout looked for deeply (getPayout deep) is among them. */
const LOG_LIMIT = 2_000;
let processBlockchain: Promise<Blockchain> | undefined;

export class SandboxChain extends BaseChain {
  readonly kind = 'sandbox' as const;
  protected readonly defaultTimeoutMs = 30_000;
  protected readonly defaultPollMs = 250;
  protected readonly txPollMs = 20;
  private readonly walletFunding: bigint;
  private readonly shared: Shared;
  /** the chain's storage prices (config param 18), read once */
  private storagePrices: StoragePrices[] | undefined;

  private constructor(
    readonly blockchain: Blockchain,
    opts: SandboxChainOptions,
  ) {
    super();
    this.walletFunding = opts.walletFunding ?? 1000_000_000_000n;
    this.shared = sharedOf(blockchain);
    if (opts.payoutDepth) this.payoutDepth = opts.payoutDepth;
  }

  static async create(opts: SandboxChainOptions = {}): Promise<SandboxChain> {
    if (opts.persistFile !== undefined) {
      if (opts.blockchain) throw new ChainError('BAD_INPUT', 'persistFile makes its own Blockchain: pass one or the other');
      return SandboxChain.load(opts.persistFile, opts);
    }
    const bc = opts.blockchain ?? (await Blockchain.create());
    return new SandboxChain(bc, opts);
  }

  private static async load(file: string, opts: SandboxChainOptions): Promise<SandboxChain> {
    const bc = await Blockchain.create();
    const shared = sharedOf(bc);
    if (existsSync(file)) {
      const saved = readChainFile(file, (why) => new ChainError('BAD_INPUT', `the sandbox chain file ${file} cannot be used: ${why}; move it away to start a fresh chain`));
      await bc.loadFrom(saved.snapshot);
      // kept while this machine's clock was ahead: the chain's time goes on from where it was (chainClock)
      const clock = chainClock(Math.floor(Date.now() / 1000), saved.meta.timeOffset, saved.meta.lastNow);
      shared.offset = clock.offset;
      bc.now = clock.now;
    }
    bc.verbosity = { print: false, blockchainLogs: false, vmLogs: 'none', debugLogs: false };
    const chain = new SandboxChain(bc, opts);
    chain.record(bc.snapshot().transactions);
    shared.saver = new ChainSaver(file, async () => ({ text: serializeChain(bc, { seqno: 0, timeOffset: shared.offset, lastNow: bc.now ?? 0 }), version: shared.version }), () => {});
    if (!existsSync(file)) await shared.saver.saveNow();
    return chain;
  }

  /** After a change: the chain file (if any) is saved soon. */
  private changed(): void {
    this.shared.version++;
    this.shared.saver?.schedule();
  }

  /**
   * A chain object over the process-wide sandbox Blockchain: two nodes in one process each get their own
   * object (own wallet handles, own close()) over the same accounts, transactions and time.
   */
  static async shared(opts: Omit<SandboxChainOptions, 'blockchain'> = {}): Promise<SandboxChain> {
    processBlockchain ??= Blockchain.create();
    try {
      return new SandboxChain(await processBlockchain, opts);
    } catch (e) {
      processBlockchain = undefined;
      throw e;
    }
  }

  // ------------------------------------------------------------ time

  private syncTime(): number {
    const t = Math.floor(Date.now() / 1000) + this.shared.offset;
    // Never move backwards (the local clock may step back; the chain must not).
    const now = Math.max(t, this.blockchain.now ?? 0);
    this.blockchain.now = now;
    return now;
  }

  /** Moves chain time forward (e.g. past a challenge deadline). Watches see it on their next poll. */
  advanceTime(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) throw new ChainError('BAD_INPUT', `advanceTime takes a non-negative number of seconds, got ${seconds}`);
    this.shared.offset += Math.floor(seconds);
    const now = this.syncTime();
    this.changed();
    return now;
  }

  protected async chainNow(): Promise<number> {
    return this.syncTime();
  }

  // ------------------------------------------------------------ accounts and transactions

  protected provider(address: Address, init?: StateInit | null): ContractProvider {
    this.syncTime();
    return this.blockchain.provider(address, init);
  }

  protected async account(address: Address): Promise<AccountInfo> {
    const c = await this.blockchain.getContract(address);
    const st = c.accountState;
    const lastLt = c.lastTransactionLt;
    if (!st) return { state: 'nonexist', balance: c.balance, data: null, lastLt };
    const storageDue = this.storageDue(c);
    if (st.type === 'active') return { state: 'active', balance: c.balance, data: st.state.data ?? null, lastLt, storageDue };
    return { state: st.type, balance: c.balance, data: null, lastLt, storageDue };
  }

  /** The storage fee the account's next transaction takes first: since its last payment at the chain's prices, and its debt. */
  private storageDue(c: SmartContract): bigint {
    const a = c.account.account;
    if (!a) return 0n;
    const s = a.storageStats;
    this.storagePrices ??= configParse18(loadConfigParamById(this.blockchain.configBase64, 18).beginParse());
    const used = { cells: Number(s.used.cells), bits: Number(s.used.bits), publicCells: 0 };
    const fee = computeStorageFees({ now: this.syncTime(), lastPaid: s.lastPaid, storagePrices: this.storagePrices, storageStat: used, special: false, masterchain: a.addr.workChain === -1 });
    return fee + (s.duePayment ?? 0n);
  }

  /** Runs sandbox sends one at a time (per Blockchain) and logs their transactions. */
  private serial<T extends { transactions: Transaction[] }>(fn: () => Promise<T>): Promise<T> {
    const run = this.shared.queue.then(fn, fn);
    this.shared.queue = run.catch(() => undefined);
    return run.then((r) => {
      this.record(r.transactions);
      this.changed();
      return r;
    });
  }

  private record(txs: Transaction[]): void {
    for (const tx of txs) {
      const info = tx.inMessage?.info;
      // The account of a transaction: the destination of its inbound message.
      const addr = info && (info.type === 'internal' || info.type === 'external-in') ? info.dest : null;
      if (!addr) continue;
      const key = addr.toRawString();
      const list = this.shared.log.get(key) ?? [];
      list.push(tx);
      if (list.length > LOG_LIMIT) list.splice(0, list.length - LOG_LIMIT);
      this.shared.log.set(key, list);
    }
  }

  protected async sendExternal(message: Message): Promise<void> {
    this.syncTime();
    try {
      await this.serial(() => this.blockchain.sendMessage(message));
    } catch (e) {
      throw new ChainError('WALLET_REJECTED', `the wallet did not accept the message (${(e as Error).message.split('\n')[0]}): check its balance and seqno, then retry`, { cause: e });
    }
  }

  protected async transactionsPage(address: Address, limit: number, before: TxCursor | null): Promise<Transaction[]> {
    const list = this.shared.log.get(address.toRawString()) ?? [];
    let end = list.length;
    if (before) {
      end = list.findIndex((tx) => tx.lt === before.lt && tx.hash().equals(before.hash));
      if (end < 0) return [];
    }
    return list.slice(Math.max(0, end - limit), end).reverse();
  }

  protected fundingHint(address: Address): string {
    return `on the sandbox, get test coins for ${friendly(address)} with the faucet command ("Get Test Coins" in VS Code), then retry`;
  }

  // ------------------------------------------------------------ wallets and the treasury

  /** Sends `amount` from the sandbox treasury to `address` (non-bounceable, so undeployed wallets can receive). */
  async fund(address: Address, amount: bigint): Promise<void> {
    this.assertOpen();
    if (typeof amount !== 'bigint' || amount <= 0n) throw new ChainError('BAD_INPUT', `fund takes a positive bigint of nanotons, got ${String(amount)}`);
    this.shared.treasury ??= this.blockchain.treasury('synchannel-treasury', { balance: 10n ** 18n, resetBalanceIfZero: true });
    const treasury = await this.shared.treasury;
    this.syncTime();
    await this.serial(() => treasury.send({ to: address, value: amount, bounce: false }));
  }

  /** Opens the key's wallet, tops it up to `walletFunding` from the treasury and deploys it. */
  override async openWallet(key: KeyPair, opts: { version?: WalletVersion; workchain?: number } = {}): Promise<Wallet> {
    const wallet = await super.openWallet(key, opts);
    const acct = await this.account(wallet.address);
    if (this.walletFunding > 0n && acct.balance < this.walletFunding / 2n) {
      await this.fund(wallet.address, this.walletFunding - acct.balance);
    }
    if (acct.state !== 'active') {
      const after = await this.account(wallet.address);
      if (after.balance > 0n) await this.deployWallet(wallet);
    }
    return wallet;
  }

  /** Deploys the wallet contract with a transfer of no messages (seqno 0 → 1). */
  private async deployWallet(wallet: Wallet): Promise<void> {
    const { secretKey, info } = this.secretOf(wallet);
    const body = await info.createTransfer({ seqno: 0, secretKey, messages: [], validUntil: this.syncTime() + 60 });
    await this.sendExternal(external({ to: wallet.address, init: info.init, body }));
    const after = await this.account(wallet.address);
    if (after.state !== 'active') {
      throw new ChainError('WALLET_REJECTED', `could not deploy wallet ${friendly(wallet.address)} (balance ${formatTon(after.balance)} TON): fund it and retry`);
    }
  }

  /** Closing a sandbox chain stops its watches and writes its chain file; the Blockchain stays usable by other chain objects over it. */
  override async close(): Promise<void> {
    await super.close();
    await this.shared.saver?.close();
  }
}
