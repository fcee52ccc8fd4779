// The partners: their live sessions (the p2p layer's registry, one per wallet), the multiaddr we last dialled each
// partner at, and what this node serves on. Both are remembered in the data folder, so after a restart the
// node listens again and redials every partner of a channel that is not over, without user action.
import { Address } from '@ton/core';
import { addressText } from '../core/format.js';
import type { P2PNode, PeerSession } from '../p2p/index.js';
import type { NodeMeta } from './persistence.js';
import type { PartnerView, ServeResult } from './types.js';
import { hex } from './views.js';
import { NodeError } from './errors.js';
import { sleep } from './policy.js';

/** Redials of a partner we dialled: first delay, cap (ms); how often it is checked; how long its session may be down. */
const REDIAL_MIN_MS = 500;
const REDIAL_MAX_MS = 30_000;
const CHECK_MS = 1_000;
const SESSION_GRACE_MS = 10_000;

type Log = (m: string, level?: 'info' | 'warn' | 'error') => void;


interface Remembered {
  /** partner wallet (raw) -> the multiaddr we dialled it at */
  dialled: Record<string, string>;
  /** the latest serve (what earlier versions read) */
  serve: Listener | null;
  /** every serve of this node, oldest first: each listens again after a restart */
  listeners?: Listener[];
}

interface Listener {
  port: number;
  host: string | null;
}

/** How many listeners are remembered (the oldest is forgotten first). */
const MAX_LISTENERS = 8;

const isListener = (l: unknown): l is Listener => {
  const x = l as Listener | null;
  return typeof x === 'object' && x !== null && Number.isInteger(x.port) && x.port >= 0 && x.port < 65536 && (x.host == null || typeof x.host === 'string');
};

const isRawWallet = (w: string): boolean => {
  try {
    return Address.parseRaw(w).toRawString() === w;
  } catch {
    return false;
  }
};

/**
 * The partners file as read: what is not in its shape (a file edited by hand, or another program's) is passed over,
 * as a missing file is (it only speeds up reconnecting); the entries that are sound are kept.
 */
function remembered(read: unknown): Remembered {
  const r = (typeof read === 'object' && read !== null && !Array.isArray(read) ? read : {}) as Partial<Record<keyof Remembered, unknown>>;
  const dialled: Record<string, string> = {};
  if (typeof r.dialled === 'object' && r.dialled !== null) {
    for (const [wallet, addr] of Object.entries(r.dialled)) {
      if (typeof addr === 'string' && isRawWallet(wallet)) dialled[wallet] = addr;
    }
  }
  const serve = isListener(r.serve) ? r.serve : null;
  return { dialled, serve, ...(Array.isArray(r.listeners) ? { listeners: r.listeners.filter(isListener) } : {}) };
}

const portsOf = (r: ServeResult | null): Set<number> =>
  new Set([...(r?.lan ?? []), ...(r?.wan ?? [])].map((a) => Number(/\/tcp\/(\d+)/.exec(a)?.[1] ?? NaN)));

export class Sessions {
  private memory: Remembered = { dialled: {}, serve: null };
  private served: ServeResult | null = null;
  private readonly kept = new Set<string>();
  private stopped = false;
  private wanted: (wallet: string) => boolean = () => false;
  private log: Log = () => undefined;

  constructor(
    private readonly p2p: P2PNode,
    private readonly data: NodeMeta,
  ) {}

  async load(): Promise<void> {
    this.memory = remembered(await this.data.readMeta<unknown>('partners'));
  }

  /** the writes of the partners file under way: a stop waits for them */
  private saving: Promise<void> = Promise.resolve();

  /** Writes what is remembered; nothing once the node stops (its data folder is being closed). */
  private save(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const write = this.saving.then(() => this.data.writeMeta('partners', this.memory));
    this.saving = write.catch(() => undefined);
    return write;
  }

  /** Settles once no write of the partners file is under way (the stop waits for it before the folder closes). */
  saved(): Promise<void> {
    return this.saving;
  }

  /** The partner's live session (the p2p layer keeps one per wallet; this is its registry, not a copy). */
  get(walletRaw: string): PeerSession | null {
    const s = this.p2p.session(walletRaw);
    return s && !s.isClosed ? s : null;
  }

  /** The partner a command means: the one named, else the one online (one who left stays known), else the only one. */
  pick(partner?: string): PeerSession {
    const all = this.all();
    if (partner) {
      const s = this.get(parseAddress(partner).toRawString());
      if (!s) throw new NodeError('NO_PARTNER', `not connected to ${partner}: connect first`);
      return s;
    }
    if (all.length === 0) throw new NodeError('NO_PARTNER', 'no partner yet: serve and let your partner connect, or connect to their multiaddr');
    const online = all.filter((x) => x.connected);
    const among = online.length ? online : all;
    if (among.length > 1) throw new NodeError('MANY_PARTNERS', `several partners are ${online.length ? 'connected' : 'known (none online)'}: name one with --partner (${among.map((x) => addressText(x.partner.walletAddress, 'wallet')).join(', ')})`);
    return among[0]!;
  }

  all(): PeerSession[] {
    return this.p2p.sessions().filter((s) => !s.isClosed);
  }

  view(s: PeerSession, online: boolean): PartnerView {
    return { address: addressText(s.partner.walletAddress, 'wallet'), signature: hex(s.partner.proof) ?? '', peerId: s.partner.peerId, online };
  }

  /** The multiaddr the node redials `s` at after a restart (the last one dialled that answered), if any. */
  dialledAt(s: PeerSession): string | undefined {
    return this.memory.dialled[s.partner.walletAddress.toRawString()];
  }

  async dialled(s: PeerSession, multiaddr: string): Promise<void> {
    const key = s.partner.walletAddress.toRawString();
    this.keep(key);
    if (this.memory.dialled[key] === multiaddr) return;
    this.memory.dialled[key] = multiaddr;
    await this.save();
  }

  async serve(port: number, host: string | undefined, result: ServeResult): Promise<void> {
    // Port 0 picked a free port: remember the one we got (the one not served before), so the partner's saved
    // address stays valid.
    const before = portsOf(this.served);
    const bound = port !== 0 ? port : ([...portsOf(result)].find((p) => !before.has(p)) ?? port);
    this.served = result;
    // Every address served listens again after a restart: a partner may have dialled any of them. A serve of an
    // address served already adds nothing (ChannelNode.serve), so the list grows only by what the user asks for.
    const l: Listener = { port: bound, host: host ?? null };
    const others = this.listeners().filter((x) => x.port !== l.port || x.host !== l.host);
    this.memory.listeners = [...others, l].slice(-MAX_LISTENERS);
    this.memory.serve = l;
    await this.save();
  }

  private listeners(): Listener[] {
    return this.memory.listeners ?? (this.memory.serve ? [this.memory.serve] : []);
  }

  servedNow(): ServeResult | null {
    return this.served;
  }

  /**
   * After a restart: listen again where we served, and keep the partners we dialled reachable while they have
   * a channel that is not over (`wanted`).
   */
  async resume(wanted: (wallet: string) => boolean, log: Log, serveAgain: (port: number, host?: string) => Promise<unknown>): Promise<void> {
    this.wanted = wanted;
    this.log = log;
    for (const s of this.listeners()) {
      await serveAgain(s.port, s.host ?? undefined).catch((e: Error) => log(`could not listen again on port ${s.port}: ${e.message}; run serve with another port`, 'warn'));
    }
    for (const wallet of Object.keys(this.memory.dialled)) this.keep(wallet);
  }

  /**
   * Keeps a partner we dialled connected: dials when there is no session, or when its session has been down
   * longer than SESSION_GRACE_MS (its own redial gets that long first), backing off up to REDIAL_MAX_MS. A
   * partner that serves never dials us, so giving up would cut the channel off. One loop per partner.
   */
  private keep(wallet: string): void {
    if (this.kept.has(wallet) || this.stopped) return;
    this.kept.add(wallet);
    void (async () => {
      let down = 0;
      let delay = REDIAL_MIN_MS;
      let failures = 0;
      while (!this.stopped) {
        const s = this.get(wallet);
        const addr = this.memory.dialled[wallet];
        if (!addr || s?.connected || !this.wanted(wallet) || (s && down < SESSION_GRACE_MS)) {
          down = s?.connected ? 0 : down + CHECK_MS;
          await sleep(CHECK_MS);
          continue;
        }
        try {
          await this.p2p.connect(addr);
          if (failures) this.log(`reconnected to ${addr}`);
          [down, delay, failures] = [0, REDIAL_MIN_MS, 0];
        } catch (e) {
          if ((e as { code?: string }).code === 'NODE_STOPPED') break;
          if (failures++ === 0) this.log(`could not reconnect to ${addr}: ${(e as Error).message}; retrying in the background`, 'warn');
          await sleep(delay);
          delay = Math.min(delay * 2, REDIAL_MAX_MS);
        }
      }
      this.kept.delete(wallet);
    })();
  }

  /** Ends the loops that keep partners connected. */
  stop(): void {
    this.stopped = true;
  }

  /** The address the partner with this wallet is remembered at, if any. */
  addressOf(wallet: Address): string | null {
    return this.memory.dialled[wallet.toRawString()] ?? null;
  }
}

/** A partner's address typed by a person: BAD_INPUT (not a bug) when it is not a TON address. */
function parseAddress(text: string): Address {
  try {
    return Address.parse(text);
  } catch {
    throw new NodeError('BAD_INPUT', `"${text}" is not a TON address: use the partner's address as getPartnerAccount shows it (EQ…, UQ…, kQ…, 0Q… or 0:<64 hex>)`);
  }
}
