// The hosts partners (wallets with a channel here: the node's `isPartner`) logged in from, kept in the data folder.
// While failed handshakes from all hosts are over their budget (guard.ts), a host kept here still gets in: after a
// restart, a partner that only dials in (behind NAT) does not compete with a flood's addresses for the trickle of
// new hosts. Guests are not kept (wallets cost nothing): hosts that only log in cannot push partners out. A partner
// whose address changed competes as any new host until it logs in once. Written when a partner logs in from a host
// not kept yet or becomes a partner while connected (a channel stored with it; at most once in 5 s, later ones wait:
// a partner logging in from new host after new host costs a bounded number of writes), and at stop, never per connection;
// bounded (the least recently seen host is forgotten first), and per partner wallet (IPv6 /64s cost a partner little:
// one logging in from many keeps its latest few, never pushing other partners' hosts out).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { removeAtomicTemps } from '../chain/fsync.js';

export const PARTNER_HOSTS_FILE = 'partner-hosts.json';
export const MAX_PARTNER_HOSTS = 1_024;
/** Writes for new hosts are at least this far apart (what comes between waits for the next, or for the stop). */
const SAVE_EVERY_MS = 5_000;
/** Hosts kept per partner wallet (a laptop on a few networks). */
export const MAX_HOSTS_PER_PARTNER = 8;

/** A host key as guard.ts hostKey writes it: an IPv4 address or an IPv6 /64. */
const isHost = (h: unknown): h is string => typeof h === 'string' && h.length > 0 && h.length <= 64;

export class PartnerHosts {
  /** host -> the partner wallet (raw) that logged in from it ('' if not known: a file of an older version); least recently seen first */
  private readonly hosts = new Map<string, string>();
  private saving: Promise<void> = Promise.resolve();
  private changed = false;
  /** Writes of the file begun (diagnostics). */
  writes = 0;
  private lastWrite = -Infinity;
  private timer?: ReturnType<typeof setTimeout>;

  private constructor(
    private readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The hosts kept in `dataDir`; a missing or unreadable file is an empty list (it only speeds up admission). */
  static async load(dataDir: string, log: (line: string) => void): Promise<PartnerHosts> {
    const p = new PartnerHosts(join(dataDir, PARTNER_HOSTS_FILE), log);
    // what writes killed before their rename left (none of this object's is under way yet)
    await removeAtomicTemps(p.file);
    let text: string;
    try {
      text = await readFile(p.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log(`could not read ${p.file} (${(e as Error).message}): partners' hosts are learnt again as they log in`);
      return p;
    }
    try {
      const parsed = JSON.parse(text) as { hosts?: unknown; wallets?: unknown } | null;
      const read = Array.isArray(parsed?.hosts) ? parsed.hosts : [];
      const wallets = Array.isArray(parsed?.wallets) ? parsed.wallets : [];
      read.forEach((h, i) => {
        const w = wallets[i];
        if (isHost(h)) p.hosts.set(h, typeof w === 'string' && w.length <= 128 ? w : '');
      });
      while (p.hosts.size > MAX_PARTNER_HOSTS) p.hosts.delete(p.hosts.keys().next().value!);
    } catch (e) {
      log(`${p.file} is not readable JSON (${(e as Error).message}): partners' hosts are learnt again as they log in`);
    }
    return p;
  }

  has(host: string): boolean {
    return this.hosts.has(host);
  }

  /**
   * Partner `wallet` (raw) is connected from `host`; a host new here is written at once (`save`: false leaves it to
   * `flush`). Over MAX_HOSTS_PER_PARTNER, the wallet's own least recently seen host is forgotten.
   */
  note(host: string, wallet: string, save = true): void {
    const known = this.hosts.get(host) === wallet;
    this.hosts.delete(host);
    this.hosts.set(host, wallet);
    let own = 0;
    for (const w of this.hosts.values()) if (w === wallet) own++;
    for (const [h, w] of this.hosts) {
      if (own <= MAX_HOSTS_PER_PARTNER) break;
      if (w === wallet) {
        this.hosts.delete(h);
        own--;
      }
    }
    if (this.hosts.size > MAX_PARTNER_HOSTS) this.hosts.delete(this.hosts.keys().next().value!);
    this.changed = true;
    if (!known && save) this.saveSoon();
  }

  /** Writes the list if it changed since the last write (at stop). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.changed ? this.save() : this.saving;
  }

  /** Writes now, or once SAVE_EVERY_MS have passed since the last write. */
  private saveSoon(): void {
    if (this.timer) return;
    const wait = this.lastWrite + SAVE_EVERY_MS - performance.now();
    if (wait <= 0) {
      void this.save();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.changed) void this.save();
    }, wait);
    this.timer.unref?.();
  }

  private save(): Promise<void> {
    this.changed = false;
    this.writes++;
    this.lastWrite = performance.now();
    const text = JSON.stringify({ hosts: [...this.hosts.keys()], wallets: [...this.hosts.values()] });
    this.saving = this.saving
      .then(() => writeFileAtomic(this.file, text, { mode: 0o600 }))
      .catch((e: unknown) => this.log(`could not save ${this.file} (${(e as Error).message}): after a restart, a partner that only dials in may wait while failed handshakes flood this node; check the disk and the folder`));
    return this.saving;
  }
}
