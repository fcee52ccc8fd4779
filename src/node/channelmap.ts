// The node's channels by id, with an index by partner kept in step on every set and delete: who is a partner is
// asked once per new session (and per live session when a guest comes: src/p2p/guests.ts), so it costs the number
// of that wallet's own channels, not a walk of all of them.
import type { ChannelController } from './controller.js';
import { partnerAddressOf } from './record.js';

/** The channels whose partner is `raw`: from the index of a ChannelMap, else by a walk of them all. */
export function channelsWith(channels: Map<string, ChannelController>, raw: string): ChannelController[] {
  if (channels instanceof ChannelMap) return [...channels.of(raw)];
  return [...channels.values()].filter((c) => partnerAddressOf(c.rec) === raw);
}

/** Made empty (Map's constructor would call `set` before the index exists). */
export class ChannelMap extends Map<string, ChannelController> {
  private readonly byPartner = new Map<string, Set<ChannelController>>();

  override set(id: string, ctl: ChannelController): this {
    const old = super.get(id);
    if (old) this.unindex(old);
    super.set(id, ctl);
    const key = partnerAddressOf(ctl.rec);
    let list = this.byPartner.get(key);
    if (!list) this.byPartner.set(key, (list = new Set()));
    list.add(ctl);
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (old) this.unindex(old);
    return super.delete(id);
  }

  override clear(): void {
    this.byPartner.clear();
    super.clear();
  }

  /** The channels whose partner is `raw` (a raw wallet address). */
  of(raw: string): Iterable<ChannelController> {
    return this.byPartner.get(raw) ?? [];
  }

  private unindex(ctl: ChannelController): void {
    const key = partnerAddressOf(ctl.rec);
    const list = this.byPartner.get(key);
    list?.delete(ctl);
    if (list?.size === 0) this.byPartner.delete(key);
  }
}
