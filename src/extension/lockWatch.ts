// A data folder another window or process holds ("watched by another window"): looked at again every few seconds,
// so that once that window closes (or an old extension host finishes stopping) this window takes over the watch
// instead of saying forever that another one keeps it. The lock is read, never taken, so a look never stands in
// the way of the holder starting again; the folder must be free twice in a row (a node restarting there frees it
// for a moment only).
import type { NetworkKind } from '../node/types.js';
import * as factory from './nodeFactory.js';

/** How often a held data folder is looked at again (ms). */
export const LOOK_AGAIN_MS = 5_000;

/** Calls `look` every `everyMs` (one at a time) until it resolves true or `stop` is called. */
export function lookAgainWhile(look: () => Promise<boolean>, everyMs = LOOK_AGAIN_MS): { stop(): void } {
  let busy = false;
  const t = setInterval(() => {
    if (busy) return;
    busy = true;
    void look()
      .then((done) => done && clearInterval(t), () => undefined)
      .finally(() => (busy = false));
  }, everyMs);
  t.unref?.();
  return { stop: () => clearInterval(t) };
}

/** What the looks need of the host. */
export interface LockedHost {
  /** the network now set */
  network(): NetworkKind;
  /** the status still says the folder is held */
  locked(): boolean;
  /** a node runs or starts: nothing to look at */
  busy(): boolean;
  dataDir(network: NetworkKind): string;
  /** the folder is free: `live` whether it holds channels that need a node */
  freed(network: NetworkKind, live: boolean): void;
}

export class FolderLookout {
  private look: { stop(): void } | null = null;
  /** looks in a row that found the folder free */
  private freeLooks = 0;

  constructor(private readonly host: LockedHost) {}

  /** The status changed: looking starts while it says held, and stops otherwise. */
  status(locked: boolean): void {
    this.freeLooks = 0; // a new start, or end, of the looks
    if (locked) this.look ??= lookAgainWhile(() => this.lookOnce());
    else this.stop();
  }

  stop(): void {
    this.look?.stop();
    this.look = null;
  }

  private async lookOnce(): Promise<boolean> {
    const h = this.host;
    if (!h.locked()) return true;
    if (h.busy()) {
      this.freeLooks = 0;
      return false;
    }
    const network = h.network();
    const held = await factory.dataDirHeld(h.dataDir(network)).catch(() => true);
    this.freeLooks = held ? 0 : this.freeLooks + 1;
    if (this.freeLooks < 2) return false;
    this.freeLooks = 0;
    const live = await factory.hasLiveChannels(h.dataDir(network)).catch(() => null);
    if (live === null || !h.locked() || h.network() !== network) return false;
    h.freed(network, live);
    return true;
  }
}
