// What every Chain does the same way on top of WalletChain (wallets and the send-and-wait flow): the channel's
// reads (status, data, payout), its operations through the contract wrapper, and the watch.
import type { Address, Transaction } from '@ton/core';
import {
  CHANNEL_FEES,
  ChannelContract,
  channelCode,
  channelStatusFromAccount,
  type ChannelConfig,
  type ContractVersion,
  type ChannelData,
  type ChannelStatus,
} from '../contract/index.js';
import { ChainError } from './errors.js';
import { findPayout } from './payout.js';
import { runWatch } from './watch.js';
import { unnamed } from '../core/unnamed.js';
import { WalletChain, friendly, toChainError } from './wallet-chain.js';
import type { Chain, ChannelWatch, OpOptions, Payout, PayoutBuried, PayoutNoHistory, ReadOptions, SignedStateArg, TxResult, Wallet, WatchOptions } from './types.js';

export { friendly, messageHash, WALLET_FEE_RESERVE, WALLET_MESSAGE_TTL, type AccountInfo } from './wallet-chain.js';

/** How long reads older than one already read are refused before the older state is taken (ms). */
const LAG_GIVE_UP_MS = 120_000;

export abstract class BaseChain extends WalletChain implements Chain {
  protected abstract readonly defaultPollMs: number;
  /** Requests a second the idle polls of all watches may use together (0: no limit). */
  protected watchBudget(): number {
    return 0;
  }
  private readonly watches = new Set<ChannelWatch>();
  /** Aborted by close(): a wait of this object's ends with it. */
  private readonly closing = new AbortController();
  /** testnet, per channel address: the newest last-transaction time read (reads older than it are refused), and since when */
  private readonly lastLts = new Map<string, { lt: bigint; refusedSince: number | null }>();

  // ------------------------------------------------------------ reads

  async getChannelStatus(channel: Address, o: ReadOptions = {}): Promise<ChannelStatus> {
    return this.guard(
      o.signal,
      async () => {
        const acct = await this.account(channel, o.signal);
        this.checkNotOlder(channel, acct.lastLt);
        const st = channelStatusFromAccount(acct.state, acct.balance, acct.data);
        return acct.lastLt > 0n ? { ...st, lt: acct.lastLt } : st;
      },
      o.background,
    );
  }

  /**
   * On testnet a channel's account never goes back: an answer whose last transaction is older than one already read
   * is a lagging replica of a load-balanced endpoint, refused (read again) rather than taken as news. The sandbox
   * and the devnet are one chain with no replicas: an older answer there is the chain itself gone back (restored
   * from an older file), taken as it is. Refusals that last LAG_GIVE_UP_MS take the older answer too (whatever
   * made the newer one, it is not coming back).
   */
  private checkNotOlder(channel: Address, lt: bigint): void {
    if (this.kind !== 'testnet' || lt === 0n) return; // not replicated; or no transaction yet, or not said
    const key = channel.toRawString();
    const seen = this.lastLts.get(key);
    if (seen !== undefined && lt < seen.lt) {
      const since = seen.refusedSince ?? Date.now();
      if (Date.now() - since < LAG_GIVE_UP_MS) {
        this.lastLts.set(key, { lt: seen.lt, refusedSince: since });
        throw new ChainError('PENDING', `the endpoint answered with a state of ${friendly(channel)} older than one already read (a lagging replica): reading again`);
      }
    }
    this.lastLts.set(key, { lt, refusedSince: null });
  }

  async getChannelData(channel: Address, o: ReadOptions = {}): Promise<ChannelData | null> {
    const s = await this.getChannelStatus(channel, o);
    return s.status === 'funding' || s.status === 'open' || s.status === 'closing' ? s.data : null;
  }

  /** How many of a closed contract's newest transactions getPayout looks through (deep: ReadOptions.deep). */
  protected payoutDepth = { watch: 200, deep: 2_000 };

  async getPayout(channel: Address, o: ReadOptions = {}): Promise<Payout | PayoutBuried | PayoutNoHistory | null> {
    const s = await this.getChannelStatus(channel, o);
    if (s.status !== 'closed') return null;
    const depth = o.deep ? this.payoutDepth.deep : this.payoutDepth.watch;
    return this.guard(o.signal, () => findPayout((address, limit, before) => this.transactionsPage(address, limit, before, o.signal), channel, s.paid, depth), o.background);
  }

  async received(address: Address, from: Address, afterLt: bigint, o: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const signal = AbortSignal.any([this.closing.signal, timeout, ...(o.signal ? [o.signal] : [])]);
    const fromMe = (tx: Transaction) => {
      const info = tx.inMessage?.info;
      return tx.lt > afterLt && info?.type === 'internal' && info.src.equals(from);
    };
    try {
      await this.guard(signal, () => this.waitForTransaction(address, fromMe, signal, undefined, afterLt));
      return true;
    } catch (e) {
      if (timeout.aborted && !o.signal?.aborted && !this.closing.signal.aborted) return false;
      throw toChainError(e);
    }
  }

  channelAddress(config: ChannelConfig, version?: ContractVersion): Address {
    try {
      return ChannelContract.createFromConfig(config, channelCode(version)).address;
    } catch (e) {
      throw toChainError(e);
    }
  }

  // ------------------------------------------------------------ channel operations

  async deployChannel(wallet: Wallet, config: ChannelConfig, deposit: bigint, o: OpOptions & { version?: ContractVersion } = {}): Promise<{ address: Address } & TxResult> {
    let contract: ChannelContract;
    try {
      contract = ChannelContract.createFromConfig(config, channelCode(o.version));
    } catch (e) {
      throw toChainError(e);
    }
    if (typeof deposit !== 'bigint' || deposit < 0n) throw new ChainError('BAD_INPUT', `a deposit is a non-negative bigint of nanotons, got ${String(deposit)}`);
    // Always a deposit (0 allowed): the contract checks the config (its challenge period) before it holds anything.
    const value = o.value ?? deposit + CHANNEL_FEES.deposit;
    const r = await this.send(wallet, 'the deployment', contract.address, contract.init ?? null, (p, via) => contract.sendDeploy(p, via, { value, deposit }), o);
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

  startExit(wallet: Wallet, channel: Address, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the exit', channel, null, (p, via) => c.sendExit(p, via, { value: o.value }), o);
  }

  /** Urgent (its window is on chain): it goes before the wallet's waiting sends that are not. */
  challenge(wallet: Wallet, channel: Address, s: SignedStateArg, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the challenge', channel, null, (p, via) => c.sendChallenge(p, via, { ...pickSigned(s), value: o.value }), { urgent: true, ...o });
  }

  finishClose(wallet: Wallet, channel: Address, o: OpOptions = {}): Promise<TxResult> {
    const c = ChannelContract.createFromAddress(channel);
    return this.send(wallet, 'the finish of the close', channel, null, (p, via) => c.sendFinishClose(p, via, { value: o.value }), o);
  }

  // ------------------------------------------------------------ the watch

  watchChannel(channel: Address, o: WatchOptions): ChannelWatch {
    this.assertOpen();
    const pollMs = o.pollMs ?? this.defaultPollMs;
    const ctrl = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, ctrl.signal]) : ctrl.signal;
    // The watch's reads run in the background: on a rate-limited endpoint they wait while operations go first.
    // An idle channel is polled no more often than the watches' shared budget allows (more channels, longer
    // waits); a closing one at the watch's own pace.
    // The functions are kept for the watch's life: unnamed (core/unnamed.ts).
    const interval = unnamed((urgent: boolean) => (urgent ? pollMs : Math.max(pollMs, idleWait(this.watches.size, this.watchBudget()))));
    const source = {
      status: unnamed((sig: AbortSignal) => this.getChannelStatus(channel, { signal: sig, background: true })),
      payout: unnamed((sig: AbortSignal) => this.getPayout(channel, { signal: sig, background: true })),
      now: unnamed((sig: AbortSignal) => this.now({ signal: sig, background: true })),
    };
    const watch: ChannelWatch = {
      stop: unnamed(() => {
        ctrl.abort();
        this.watches.delete(watch);
      }),
    };
    this.watches.add(watch);
    void runWatch(source, o, interval, signal).finally(() => this.watches.delete(watch));
    return watch;
  }

  protected override async rejectionReason(target: Address, signal: AbortSignal): Promise<string | null> {
    const s = await this.getChannelStatus(target, { signal });
    if (s.status === 'closed') return 'the channel has already paid out and is closed: it refuses every message (the coins came back)';
    return null;
  }

  /** Stops every watch. The chain object must not be used afterwards. */
  async close(): Promise<void> {
    for (const w of [...this.watches]) w.stop();
    this.closed = true;
    this.closing.abort(new ChainError('CLOSED', 'this chain object was closed'));
  }
}

/** The wait between one idle watch's polls so that `watches` of them make at most `perSecond` requests (ms). */
export function idleWait(watches: number, perSecond: number): number {
  return perSecond > 0 ? Math.ceil((watches * 1000) / perSecond) : 0;
}

function pickSigned(s: SignedStateArg): SignedStateArg {
  return { state: s.state, sigA: s.sigA, sigB: s.sigB, ...(s.by ? { by: s.by } : {}) };
}
