// "Either party must always be able to leave": a wallet that falls, while a channel of it is live, below what
// leaving costs (a challenge of a stale close or a close, then the finish) is told as it falls, with the amount
// short and how to top it up, not first by a challenge that fails. Every read of this node's wallet is judged
// (balanceTon, the funds checks, the balances panel) and, while a channel needs it, a background read every
// walletReadMs. Told once per crossing: again only after a read found the wallet back above the reserve.
import { formatTon } from '../core/amounts.js';
import { addressText } from '../core/format.js';
import { topUpHow } from '../core/networks.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT_RESERVE } from './checks.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { BalanceView, NetworkKind } from './types.js';
import { dueCounted } from './uiRules.js';

/**
 * What each channel's exit beyond the first spends at most: its two sends (a close or a challenge, then the finish),
 * about 0.01 TON each (the value they carry comes back). The first channel's is in EXIT_RESERVE.
 */
export const EXIT_SPEND = 2n * 10_000_000n;

/** How often the wallet is read while a channel needs the reserve (ms), by default: toncenter's limit is shared. */
export function walletReadMs(network: NetworkKind): number {
  return network === 'testnet' ? 300_000 : 60_000;
}

/**
 * Whether leaving `ctl` may cost this wallet: a live contract (locked, open, closing) in which this party has money
 * to keep (its balance in the latest state both signed, or its deposit before one). A stale close only pays a party
 * that has nothing in it more; a channel of contract v1 is not operated here.
 */
export function mayPayExit(ctl: ChannelController): boolean {
  if (ctl.rec.legacy || ctl.isDropped || ctl.standIn) return false;
  if (ctl.life !== 'locked' && ctl.life !== 'open' && ctl.life !== 'closing') return false;
  const stake = ctl.channel.latest ? ctl.channel.myBalance : ctl.rec.me === 'A' ? ctl.rec.depositA : ctl.rec.depositB;
  return stake > 0n;
}

/**
 * The rule: what this wallet (`read`) keeps to leave `channels` alone, and how much it is short of it beyond the
 * storage fee its next transaction pays first (as the funds checks count it); null when it holds enough or no
 * channel needs it. EXIT_RESERVE for the first channel, EXIT_SPEND more for each other.
 */
export function exitShort(read: BalanceView, channels: Iterable<ChannelController>): { need: bigint; short: bigint; channels: ChannelController[] } | null {
  const live = [...channels].filter(mayPayExit);
  if (live.length === 0) return null;
  const need = EXIT_RESERVE + BigInt(live.length - 1) * EXIT_SPEND;
  const have = read.balance - dueCounted(read.storageDue);
  return have < need ? { need, short: need - have, channels: live } : null;
}

/** The words of a wallet short of its exits: what it holds, what it needs and why, what to do. */
export function walletLowText(wallet: string, read: BalanceView, need: bigint, short: bigint, count: number, network: NetworkKind): string {
  const due = dueCounted(read.storageDue);
  const holds = `${formatTon(read.balance)} TON${due > 0n ? ` (${formatTon(due)} TON of it is the storage fee due)` : ''}`;
  const which = count === 1 ? 'your channel' : `your ${count} channels`;
  return (
    `your wallet ${wallet} holds ${holds}, ${formatTon(short)} TON short of the ${formatTon(need)} TON it keeps to leave ${which} alone ` +
    `(a challenge of a stale close or a close, then the finish): until then a stale close of your partner may stand. ` +
    `Top it up with at least ${formatTon(short)} TON (${topUpHow(network)})`
  );
}

/** This wallet short of what leaving its live channels alone costs, as last read. */
export interface WalletLowView {
  /** the wallet's address as shown */
  wallet: string;
  balance: bigint;
  /** what the wallet keeps to leave its live channels alone (a challenge of a stale close or a close, then the finish) */
  need: bigint;
  /** need less what the wallet holds beyond the storage fee due (0n: not short) */
  short: bigint;
  /** what happened and what to do (top up the address: the faucet, or testnet's giver), in the CLI's words */
  message: string;
}

/** Judges each read of this wallet, and reads it in the background while a channel needs the reserve. */
export class WalletReserve {
  private low: WalletLowView | null = null;
  private started = false;

  constructor(private readonly ctx: NodeContext) {}

  /** The shortfall as last read (null: enough, or no channel needs it). */
  current(): WalletLowView | null {
    return this.low;
  }

  /** A read of this wallet: told when it falls under the reserve, and when it is back above it after that. */
  judge(read: BalanceView): void {
    const s = exitShort(read, this.ctx.channels.values());
    const wallet = addressText(this.ctx.myAddress, 'wallet');
    const channels = () => (s?.channels ?? []).map((c) => this.ctx.view(c));
    if (s) {
      const message = walletLowText(wallet, read, s.need, s.short, s.channels.length, this.ctx.o.network);
      const was = this.low;
      this.low = { wallet, balance: read.balance, need: s.need, short: s.short, message };
      if (!was) this.ctx.emit({ type: 'walletReserve', low: true, ...this.low, channels: channels() });
      return;
    }
    if (!this.low) return;
    this.low = null;
    // no live channel left: nothing to say (the channel's end is told)
    if (![...this.ctx.channels.values()].some(mayPayExit)) return;
    const message = `your wallet ${wallet} holds ${formatTon(read.balance)} TON again: enough to leave your channels alone`;
    this.ctx.emit({ type: 'walletReserve', low: false, wallet, balance: read.balance, need: 0n, short: 0n, message, channels: channels() });
  }

  /** Reads the wallet now and every `everyMs` while the node runs, when a channel needs the reserve (a background read). */
  start(everyMs: number): void {
    if (this.started) return;
    this.started = true;
    const signal = this.ctx.stopping;
    void (async () => {
      while (!signal.aborted) {
        if ([...this.ctx.channels.values()].some(mayPayExit)) {
          // a failed read says nothing here: the watch tells an endpoint that fails (WATCH_FAILING)
          const read = await this.ctx.o.chain.getBalanceDue(this.ctx.myAddress, { signal, background: true }).catch(() => null);
          if (read && !signal.aborted) this.judge(read);
        }
        await sleep(everyMs, undefined, { signal, ref: false }).catch(() => undefined);
      }
    })();
  }
}
