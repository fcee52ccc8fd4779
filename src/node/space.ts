// The free space of the disk holding the data folder, read once a second in the background (never on the payment
// path): under a floor, the node signs no new payment state (its own or its partner's) so that a partner streaming
// states, or anything else filling the disk, leaves room for what a close writes. Closes, passes the node asked
// for and a person's createEmpty still go through. The same read sees the data folder's channels folder: a data
// folder moved or deleted while the node runs would take what the node writes next with it, so no payment state
// is signed until it is back.
import { stat, statfs } from 'node:fs/promises';
import { NodeError } from './errors.js';

/** The default floor: below it no payment state is signed. A close writes a few kilobytes. */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;
const REFRESH_MS = 1000;

export class FreeSpace {
  private free: number | null = null;
  private reading: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private told = false;
  /** something was refused under the floor since space was last back: asked for again once it is (start) */
  private refused = false;
  /** the channels folder was missing at the last read: the data folder was moved or deleted */
  private gone = false;
  private goneTold = false;

  constructor(
    private readonly path: string,
    readonly floor: number = MIN_FREE_BYTES,
    /** the data folder's channels folder, by its absolute path (none: not checked) */
    private readonly channelsPath: string | null = null,
  ) {}

  /** Whether the last read (at most a second old while started) was under the floor; unknown space is not low. */
  low(): boolean {
    return this.free !== null && this.free < this.floor;
  }

  /**
   * Reads now, then every second; `recovered` runs when the space (or the data folder) is back after a refusal;
   * `gone` hears at once that the data folder was moved or deleted.
   */
  async start(recovered: () => void, gone: (message: string) => void = () => undefined): Promise<void> {
    await this.read();
    this.timer ??= setInterval(() => {
      void this.read().then(() => {
        if (this.gone && !this.goneTold) {
          this.goneTold = true;
          gone(this.goneText());
        }
        // Something was refused: it is asked for again once. Kept apart from `told`, which a check above the
        // floor clears (the next episode is told again): a check between this read and here lost the recovery.
        if ((this.refused && !this.low()) || (this.goneTold && !this.gone)) {
          this.refused = false;
          this.told = false;
          this.goneTold = false;
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
  check(tell: (message: string, code: 'DISK_LOW' | 'DATA_DIR_GONE') => void): void {
    if (this.gone) {
      if (!this.goneTold) tell(this.goneText(), 'DATA_DIR_GONE');
      this.goneTold = true;
      throw new NodeError('DATA_DIR_GONE', "this node's data folder is gone: it signs no new payment state until it is back");
    }
    if (!this.low()) {
      this.told = false;
      return;
    }
    if (!this.told) tell(`the disk holding ${this.path} has ${mib(this.free ?? 0)} MiB free, under the node's floor of ${mib(this.floor)} MiB: no new payment state is signed (closes still are) until space is freed`, 'DISK_LOW');
    this.told = true;
    this.refused = true;
    throw new NodeError('DISK_LOW', "this node's disk is nearly full: it signs no new payment state until space is freed");
  }

  private goneText(): string {
    return `the data folder ${this.path} was moved or deleted while the node runs: what the node writes now would be lost when it stops. It signs no new payment state until the folder is back (closes still go on: close your channels with withdraw and keep the node running until they are paid out)`;
  }

  /** Reads the free space and whether the channels folder is still there (a read under way is shared). */
  read(): Promise<void> {
    if (this.reading) return this.reading;
    const space = statfs(this.path).then(
      // A file system that reports no size (some FUSE mounts) says nothing about its space.
      (s) => void (this.free = Number(s.blocks) > 0 ? Number(s.bavail) * Number(s.bsize) : null),
      () => void (this.free = null),
    );
    // Only a missing channels folder says gone (a read that fails otherwise says nothing).
    const folder = this.channelsPath === null ? null : stat(this.channelsPath).then(() => void (this.gone = false), (e: { code?: string }) => void (this.gone = e.code === 'ENOENT' || e.code === 'ENOTDIR'));
    this.reading = Promise.all([space, folder]).then(() => undefined).finally(() => (this.reading = null));
    return this.reading;
  }
}

const mib = (n: number) => Math.floor(n / 1024 / 1024);
