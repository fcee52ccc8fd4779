// The node's channels by id, with an index by partner kept in step on every set and delete: who is a partner is
// asked once per new session (and per live session when a guest comes: src/p2p/guests.ts), so it costs the number
// of that wallet's own channels, not a walk of all of them. An index by contract address, kept the same way, finds
// the channel a peer's message names by its contract (handlers.ts): a record's contract is fixed when it is made. Proposals kept in memory are listed apart: each new one
// is weighed against them (incoming.ts).
import type { ChannelController } from './controller.js';
import { partnerAddressOf } from './record.js';

/** The channels whose partner is `raw`: from the index of a ChannelMap, else by a walk of them all. */
export function channelsWith(channels: Map<string, ChannelController>, raw: string): ChannelController[] {
  if (channels instanceof ChannelMap) return [...channels.of(raw)];
  return [...channels.values()].filter((c) => partnerAddressOf(c.rec) === raw);
}

/** The channel whose contract is `raw` (a raw address): from the index of a ChannelMap, else by a walk of them all. */
export function channelWithContract(channels: Map<string, ChannelController>, raw: string): ChannelController | undefined {
  if (channels instanceof ChannelMap) return channels.withContract(raw);
  let found: ChannelController | undefined;
  for (const c of channels.values()) if (c.rec.contract === raw) found = c;
  return found;
}

/** The channels kept in memory only (no storage), oldest first. */
export function unstoredOf(channels: Map<string, ChannelController>): ChannelController[] {
  return channels instanceof ChannelMap ? channels.unstored() : [...channels.values()].filter((c) => c.storage === null);
}

/**
 * Whether a proposal from `raw` is held here (received, kept in memory, not withdrawn): its guest session is kept when
 * guests are too many (src/p2p/guests.ts). At most MAX_PROPOSALS_HELD strangers' wallets hold one (incoming.ts).
 */
export function holdsProposalFrom(channels: Map<string, ChannelController>, raw: string): boolean {
  return channelsWith(channels, raw).some((c) => c.storage === null && c.life === 'proposed');
}

/** Made empty (Map's constructor would call `set` before the index exists). */
export class ChannelMap extends Map<string, ChannelController> {
  private readonly byPartner = new Map<string, Set<ChannelController>>();
  /** contract address (raw) -> the channel set last with it */
  private readonly byContract = new Map<string, ChannelController>();
  /** proposals received and kept in memory only (no storage), oldest first */
  private readonly inMemory = new Set<ChannelController>();

  override set(id: string, ctl: ChannelController): this {
    const old = super.get(id);
    if (old) this.unindex(old);
    super.set(id, ctl);
    const key = partnerAddressOf(ctl.rec);
    let list = this.byPartner.get(key);
    if (!list) this.byPartner.set(key, (list = new Set()));
    list.add(ctl);
    this.byContract.set(ctl.rec.contract, ctl);
    if (ctl.storage === null) this.inMemory.add(ctl);
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (old) this.unindex(old);
    return super.delete(id);
  }

  override clear(): void {
    this.byPartner.clear();
    this.byContract.clear();
    this.inMemory.clear();
    super.clear();
  }

  /** The channels whose partner is `raw` (a raw wallet address). */
  of(raw: string): Iterable<ChannelController> {
    return this.byPartner.get(raw) ?? [];
  }

  /** The channel whose contract is `raw`, if any (checked against its record: never a stale entry). */
  withContract(raw: string): ChannelController | undefined {
    const c = this.byContract.get(raw);
    return c?.rec.contract === raw ? c : undefined;
  }

  /**
   * The channels with no storage (proposals received, kept in memory until accepted), oldest first. Accepting gives a
   * proposal its storage in place (negotiation.ts): such a one leaves the list here.
   */
  unstored(): ChannelController[] {
    for (const c of this.inMemory) if (c.storage !== null) this.inMemory.delete(c);
    return [...this.inMemory];
  }

  private unindex(ctl: ChannelController): void {
    this.inMemory.delete(ctl);
    if (this.byContract.get(ctl.rec.contract) === ctl) this.byContract.delete(ctl.rec.contract);
    const key = partnerAddressOf(ctl.rec);
    const list = this.byPartner.get(key);
    list?.delete(ctl);
    if (list?.size === 0) this.byPartner.delete(key);
  }
}
