// The node's read-only commands and the choice of the channel a command acts on (the original's queries:
// balanceChan, getAccount, showAll, …). Channel selection: an explicit id or contract, else the most relevant.
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { addressText } from '../core/format.js';
import { sign } from '../core/signer.js';
import { FAUCET_MAX, FAUCET_MIN, type Chain } from '../chain/types.js';
import { TESTNET_FAUCET_BOT } from '../core/networks.js';
import { openingFees } from './checks.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import { partnerAddressOf } from './record.js';
import { addressTextOf, rawOfText } from './addresses.js';
import type { BalanceView, ChannelView, NetworkKind, OtherNetworkView, Party, StateView, WalletLowView } from './types.js';
import { latestShown, liveStaged, stateView, stateViews } from './views.js';

/** How much a channel matters to "the current channel" (higher first): live money before proposals and ends. */
const RELEVANCE: Record<string, number> = { open: 7, closing: 6, locked: 5, funding: 4, deploying: 3, accepted: 3, proposed: 2, closed: 1, rejected: 0 };

/** The phases in which this node saw the contract hold both deposits, before any payout. */
const LIVE: ReadonlySet<string> = new Set(['locked', 'open', 'closing']);

/** The most states showAll returns at once (a page of a longer history; ~1.3 KB of memory each). */
export const SHOW_ALL_MAX = 100_000;

/** The steps showAll reads of a history of `count` states: the range asked for, checked and bounded. */
export function showWindow(id: string, count: bigint, range: { from?: bigint; to?: bigint }): { from: bigint; to: bigint } {
  const from = range.from ?? 0n;
  const to = range.to === undefined || range.to > count ? count : range.to;
  if (from < 0n || (range.to !== undefined && range.to < from)) {
    const latest = count > 0n ? `the latest is ${count - 1n}` : 'no state is signed yet';
    throw new NodeError('BAD_INPUT', `no steps from ${from} to ${range.to}: --from is a step, --to a later one (${latest})`);
  }
  // A history of millions of states does not fit in memory at once: it is read a window at a time.
  if (to - from > BigInt(SHOW_ALL_MAX)) {
    throw new NodeError('BAD_INPUT', `channel ${id} holds ${count} states: at most ${SHOW_ALL_MAX} are shown at once; pick a window with --from and --to (the latest ones: --from ${count - BigInt(SHOW_ALL_MAX)})`);
  }
  return { from, to };
}

/**
 * Of two channels in one phase, whether `c` is the later: by its payout on chain (closed), then by when it locked
 * (an unknown one is the earliest); on a tie, the one loaded later (a channel made while the node runs). Among
 * incoming proposals the first is kept: a flood of proposals never takes the default.
 */
function later(c: ChannelController, best: ChannelController): boolean {
  if (c.life === 'proposed' && best.life === 'proposed') return false;
  const [x, y] = [c.rec.payout?.lt ?? -1n, best.rec.payout?.lt ?? -1n];
  if (x !== y) return x > y;
  return (c.rec.lockedAt ?? -1) >= (best.rec.lockedAt ?? -1);
}

export abstract class Queries {
  constructor(protected readonly ctx: NodeContext) {}

  protected find(id: string): ChannelController | null {
    return byIdOrAddress(this.ctx.channels, id, (c) => c.rec.contract);
  }

  /** The channel a command acts on by default: the most relevant one (an incoming proposal only when nothing else). */
  protected current(): ChannelController | null {
    let best: ChannelController | null = null;
    for (const c of this.ctx.channels.values()) {
      const r = RELEVANCE[c.life] ?? 0;
      const b = best ? (RELEVANCE[best.life] ?? 0) : -1;
      if (r > b || (best && r === b && later(c, best))) best = c;
    }
    return best;
  }

  protected pick(id?: string): ChannelController {
    const c = id ? this.find(id) : this.current();
    if (!c) throw new NodeError(id ? 'UNKNOWN_CHANNEL' : 'NO_CHANNEL', id ? `no channel ${id} (see channels)` : "no channel yet: connect first, then open a channel (or accept your partner's with deposit)");
    if (c.rec.legacy) throw new NodeError('INVALID_TRANSITION', 'this channel runs contract v1 (SynChannel 0.1): close it with SynChannel 0.1');
    return c;
  }

  channels(): ChannelView[] {
    return [...this.ctx.channels.values()].map((c) => this.ctx.view(c));
  }

  otherNetworks(): OtherNetworkView[] {
    const n = new Map<NetworkKind, string[]>();
    for (const c of this.ctx.otherNetwork.values()) n.set(c.network, [...(n.get(c.network) ?? []), addressTextOf(c.contract, 'contract')]);
    return [...n].map(([network, contracts]) => ({ network, channels: contracts.length, contracts }));
  }

  otherNetworkOf(id: string): NetworkKind | null {
    return byIdOrAddress(this.ctx.otherNetwork, id, (c) => c.contract)?.network ?? null;
  }

  currentChannel(): ChannelView | null {
    const c = this.current();
    return c ? this.ctx.view(c) : null;
  }

  channel(id: string): ChannelView | null {
    const c = this.find(id);
    return c ? this.ctx.view(c) : null;
  }

  balanceChan(channel?: string): { balanceA: bigint; balanceB: bigint; step: bigint; unsaved?: true } | null {
    const c = this.pick(channel);
    const s = c.channel.latest?.state;
    return s ? { balanceA: s.balanceA, balanceB: s.balanceB, step: s.step, ...(c.journal.unsaved(s.step) ? { unsaved: true as const } : {}) } : null;
  }

  async balanceContract(channel?: string): Promise<bigint> {
    return (await this.balanceContractDue(channel)).balance;
  }

  async balanceTon(address?: string): Promise<bigint> {
    const at = address ? Address.parse(address) : this.ctx.myAddress;
    // this wallet's read with its storage fee due, as every read of it is judged (a read without would flap the warning)
    if (at.equals(this.ctx.myAddress)) return (await this.balanceTonDue()).balance;
    return this.ctx.o.chain.getBalance(at);
  }

  walletLow(): WalletLowView | null {
    return this.ctx.walletLow();
  }

  async balanceContractDue(channel?: string): Promise<BalanceView> {
    const c = this.pick(channel);
    const contract = Address.parse(c.rec.contract);
    const read = await this.ctx.o.chain.getBalanceDue(contract);
    // A contract this node saw hold both deposits never reads as not deployed again on the chain of record: a
    // lagging endpoint, or a devnet started again with a new chain. Its 0 TON would misreport the deposits.
    if (read.balance === 0n && LIVE.has(c.life) && (await this.ctx.o.chain.getChannelStatus(contract)).status === 'not_deployed') {
      throw new NodeError(
        'PENDING',
        `the channel's contract ${addressTextOf(c.rec.contract, 'contract')} reads as not deployed, though it held both deposits: the endpoint lags, or a devnet was started again with a new chain. Nothing in the channel changed; run balanceContract again once the endpoint shows the chain`,
      );
    }
    return read;
  }

  async balanceTonDue(address?: string): Promise<BalanceView> {
    const at = address ? Address.parse(address) : this.ctx.myAddress;
    const read = await this.ctx.o.chain.getBalanceDue(at);
    if (at.equals(this.ctx.myAddress)) this.ctx.walletRead(read);
    return read;
  }

  depositFees(side?: Party, deposit?: bigint): bigint {
    return openingFees(side, deposit);
  }

  async payoutLanded(channel?: string, timeoutMs = 30_000): Promise<boolean | null> {
    const c = this.pick(channel);
    const p = c.rec.payout;
    if (!p || p.lt === undefined || p.paidA === null || p.paidB === null) return null;
    const contract = Address.parse(c.rec.contract);
    const mine = c.rec.me === 'A' ? p.paidA : p.paidB;
    const theirs = c.rec.me === 'A' ? p.paidB : p.paidA;
    const waits = [...(mine > 0n ? [this.ctx.myAddress] : []), ...(theirs > 0n ? [Address.parse(partnerAddressOf(c.rec))] : [])];
    const got = await Promise.all(waits.map((w) => this.ctx.o.chain.received(w, contract, p.lt!, { timeoutMs })));
    return got.every(Boolean);
  }

  getAccount(): string {
    return addressText(this.ctx.myAddress, 'wallet');
  }

  accountSignature(): string {
    const msg = Buffer.from(`SynChannel address proof: ${this.ctx.myAddress.toRawString()}`);
    return sign(msg, this.ctx.o.key.secretKey).toString('hex').toUpperCase();
  }

  getPartnerAccount(channel?: string): string | null {
    const c = channel ? this.find(channel) : this.current();
    if (c) return addressText(partnerAddressOf(c.rec), 'wallet');
    return null;
  }

  getSmartContractAccount(channel?: string): string | null {
    const c = channel ? this.find(channel) : this.current();
    return c ? addressText(c.rec.contract, 'contract') : null;
  }

  getSeqno(): Promise<number> {
    return this.ctx.o.chain.getSeqno(this.ctx.o.wallet);
  }

  /** Devnet and sandbox only: funds my wallet from the chain's faucet / treasury. */
  async faucet(amount: bigint): Promise<bigint> {
    if (amount > FAUCET_MAX) throw new NodeError('INVALID_AMOUNT', `the faucet gives at most ${formatTon(FAUCET_MAX)} TON at a time: ask for less (and again for more)`);
    if (amount < FAUCET_MIN) throw new NodeError('INVALID_AMOUNT', `the faucet gives from ${formatTon(FAUCET_MIN)} to ${formatTon(FAUCET_MAX)} TON at a time`);
    const c = this.ctx.o.chain as Chain & { faucet?: (a: Address, n?: bigint) => Promise<unknown>; fund?: (a: Address, n: bigint) => Promise<unknown> };
    // Asked on testnet, a chain object's faucet would fail with a devnet-only message.
    const noFaucet = () => new NodeError('NO_FAUCET', `the ${this.ctx.o.network} has no faucet here: get testnet coins for ${this.getAccount()} from ${TESTNET_FAUCET_BOT} on Telegram (send it the address), then see \`balanceTon\``);
    if (this.ctx.o.network === 'testnet') throw noFaucet();
    if (typeof c.faucet === 'function') await c.faucet(this.ctx.myAddress, amount);
    else if (typeof c.fund === 'function') await c.fund(this.ctx.myAddress, amount);
    else throw noFaucet();
    return this.balanceTon();
  }

  async history(channel: string | undefined, from: bigint, to: bigint): Promise<StateView[]> {
    const c = this.pick(channel);
    if (!c.storage || to <= from) return [];
    const start = from > 0n ? from - 1n : 0n;
    const states = await c.readStates(start, to);
    const before = from > 0n && states[0]?.state.step === from - 1n ? states.shift()! : null;
    return stateViews(states, before);
  }

  async showAll(channel?: string, range: { from?: bigint; to?: bigint } = {}): Promise<StateView[]> {
    const c = channel ? this.find(channel) : this.current();
    if (!c) return [];
    const count = c.channel.count;
    const { from, to } = showWindow(c.id, count, range);
    const views = c.storage && to > from ? await this.history(channel ?? c.id, from, to) : [];
    // the latest state both signed, when its write failed: held in memory only (journalfail.ts)
    const held = latestShown(c);
    if (held?.unsaved && held.step >= from && held.step < to && !views.some((v) => v.step === held.step)) views.push(held);
    const staged = liveStaged(c);
    if (staged && (range.to === undefined || range.to > count)) views.push(stateView(staged, held));
    return views;
  }

  showLast(channel?: string): StateView | null {
    const c = channel ? this.find(channel) : this.current();
    if (!c) return null;
    const staged = liveStaged(c);
    return staged ? stateView(staged, latestShown(c)) : latestShown(c);
  }
}

/** The entry of `map` under channel id `id`, or whose contract (raw form) is the address `id` in any form. */
function byIdOrAddress<T>(map: ReadonlyMap<string, T>, id: string, contractOf: (v: T) => string): T | null {
  const byId = map.get(id);
  if (byId) return byId;
  let raw: string;
  try {
    raw = rawOfText(id);
  } catch {
    return null;
  }
  for (const v of map.values()) if (contractOf(v) === raw) return v;
  return null;
}
