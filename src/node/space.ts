// The free space of the disk holding the data folder, read once a second in the background (never on the payment
// path): under a floor, the node signs no new payment state (its own or its partner's) so that a partner streaming
// states, or anything else filling the disk, leaves room for what a close writes. Closes, passes the node asked
// for and a person's createEmpty still go through.
import { statfs } from 'node:fs/promises';
import { NodeError } from './errors.js';

/** The default floor: below it no payment state is signed. A close writes a few kilobytes. */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;
const REFRESH_MS = 1000;

export class FreeSpace {
  private free: number | null = null;
  private reading: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private told = false;

  constructor(
    private readonly path: string,
    readonly floor: number = MIN_FREE_BYTES,
  ) {}

  /** Whether the last read (at most a second old while started) was under the floor; unknown space is not low. */
  low(): boolean {
    return this.free !== null && this.free < this.floor;
  }

  /** Reads now, then every second; `recovered` runs when the space is back above the floor after a refusal. */
  async start(recovered: () => void): Promise<void> {
    await this.read();
    this.timer ??= setInterval(() => {
      void this.read().then(() => {
        // Something was refused under the floor (it told): it is asked for again once.
        if (this.told && !this.low()) {
          this.told = false;
          recovered();
        }
      });
    }, REFRESH_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Throws DISK_LOW while the disk is under the floor; `tell` hears where and how much, once each time the space
   * falls under it. The error itself names neither (it may be answered to the partner).
   */
  check(tell: (message: string) => void): void {
    if (!this.low()) {
      this.told = false;
      return;
    }
    if (!this.told) tell(`the disk holding ${this.path} has ${mib(this.free ?? 0)} MiB free, under the node's floor of ${mib(this.floor)} MiB: no new payment state is signed (closes still are) until space is freed`);
    this.told = true;
    throw new NodeError('DISK_LOW', "this node's disk is nearly full: it signs no new payment state until space is freed");
  }

  /** Reads the free space (a read under way is shared). */
  read(): Promise<void> {
    this.reading ??= statfs(this.path)
      .then(
        // A file system that reports no size (some FUSE mounts) says nothing about its space.
        (s) => void (this.free = Number(s.blocks) > 0 ? Number(s.bavail) * Number(s.bsize) : null),
        () => void (this.free = null),
      )
      .finally(() => (this.reading = null));
    return this.reading;
  }
}

const mib = (n: number) => Math.floor(n / 1024 / 1024);
