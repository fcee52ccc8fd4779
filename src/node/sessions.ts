// The partners: their live sessions (the p2p layer's registry, one per wallet), the multiaddr we last dialled each
// partner at, and what this node serves on. Both are remembered in the data folder, so after a restart the
// node listens again and redials every partner of a channel that is not over, without user action.
import { Address } from '@ton/core';
import { addressText } from '../core/format.js';
import type { P2PNode, PeerSession } from '../p2p/index.js';
import type { NodeMeta } from './persistence.js';
import type { PartnerView, ServeResult } from './types.js';
import { hex } from './views.js';

interface Remembered {
  /** partner wallet (raw) -> the multiaddr we dialled it at */
  dialled: Record<string, string>;
  /** what we served on, to listen there again after a restart */
  serve: { port: number; host: string | null } | null;
}

export class Sessions {
  private memory: Remembered = { dialled: {}, serve: null };
  private served: ServeResult | null = null;

  constructor(
    private readonly p2p: P2PNode,
    private readonly data: NodeMeta,
  ) {}

  async load(): Promise<void> {
    this.memory = (await this.data.readMeta<Remembered>('partners')) ?? { dialled: {}, serve: null };
    this.memory.dialled ??= {};
  }

  private async save(): Promise<void> {
    await this.data.writeMeta('partners', this.memory);
  }

  /** The partner's session (the p2p layer keeps one per wallet; this is its registry, not a copy). */
  get(walletRaw: string): PeerSession | null {
    return this.p2p.session(Address.parse(walletRaw)) ?? null;
  }

  all(): PeerSession[] {
    return this.p2p.sessions().filter((s) => !s.isClosed);
  }

  view(s: PeerSession, online: boolean): PartnerView {
    return { address: addressText(s.partner.walletAddress, 'wallet'), signature: hex(s.partner.proof) ?? '', peerId: s.partner.peerId, online };
  }

  async dialled(s: PeerSession, multiaddr: string): Promise<void> {
    const key = s.partner.walletAddress.toRawString();
    if (this.memory.dialled[key] === multiaddr) return;
    this.memory.dialled[key] = multiaddr;
    await this.save();
  }

  async serve(port: number, host: string | undefined, result: ServeResult): Promise<void> {
    this.served = result;
    // Port 0 picked a free port: remember the one we got, so the partner's saved address stays valid.
    const bound = Number(/\/tcp\/(\d+)/.exec(result.lan[0] ?? result.wan[0] ?? '')?.[1] ?? port);
    this.memory.serve = { port: bound, host: host ?? null };
    await this.save();
  }

  servedNow(): ServeResult | null {
    return this.served;
  }

  /** After a restart: listen again where we served, and redial the partners of channels that are not over. */
  async resume(partnersWithChannels: ReadonlySet<string>, log: (m: string, level?: 'info' | 'warn' | 'error') => void, serveAgain: (port: number, host?: string) => Promise<unknown>): Promise<void> {
    const s = this.memory.serve;
    if (s) {
      await serveAgain(s.port, s.host ?? undefined).catch((e: Error) => log(`could not listen again on port ${s.port}: ${e.message}; run serve with another port`, 'warn'));
    }
    for (const [wallet, addr] of Object.entries(this.memory.dialled)) {
      if (!partnersWithChannels.has(wallet)) continue;
      void this.p2p.connect(addr).catch((e: Error) => log(`could not reconnect to ${addr}: ${e.message} (it is retried when your partner connects)`, 'warn'));
    }
  }

  /** The address the partner with this wallet is remembered at, if any. */
  addressOf(wallet: Address): string | null {
    return this.memory.dialled[wallet.toRawString()] ?? null;
  }
}
