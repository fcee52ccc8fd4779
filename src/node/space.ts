// The free space of the disk holding the data folder, read at most once a second and never on the payment path:
// under a floor, the node signs no new payment state (its own or its partner's) so that a partner streaming
// states, or anything else filling the disk, leaves room for what a close writes.
import { statfs } from 'node:fs/promises';
import { NodeError } from './errors.js';

/** The default floor: below it no payment state is signed (closes still are). */
export const MIN_FREE_BYTES = 128 * 1024 * 1024;
const REFRESH_MS = 1000;

export class FreeSpace {
  private free: number | null = null;
  private at = 0;
  private reading: Promise<void> | null = null;
  private told = false;

  constructor(
    private readonly path: string,
    readonly floor: number = MIN_FREE_BYTES,
  ) {}

  /** The bytes free as last read (null before the first read, or when the system cannot say). */
  get bytes(): number | null {
    return this.free;
  }

  /** Whether the last read was under the floor; starts a new read when the last one is a second old. */
  low(): boolean {
    if (!this.reading && Date.now() - this.at >= REFRESH_MS) void this.read();
    return this.free !== null && this.free < this.floor;
  }

  /**
   * Throws DISK_LOW while the disk is under the floor; `tell` hears it once each time the space falls under it
   * (for the user: a partner's refused states would otherwise go unseen).
   */
  check(tell: (message: string) => void): void {
    if (!this.low()) {
      this.told = false;
      return;
    }
    const message = `the disk holding ${this.path} has ${mib(this.free ?? 0)} MiB free, under the node's floor of ${mib(this.floor)} MiB: no new payment state is signed (closes still are) until space is freed`;
    if (!this.told) tell(message);
    this.told = true;
    throw new NodeError('DISK_LOW', message);
  }

  /** Reads the free space now. */
  read(): Promise<void> {
    this.reading ??= statfs(this.path)
      .then(
        (s) => void (this.free = Number(s.bavail) * Number(s.bsize)),
        () => void (this.free = null),
      )
      .finally(() => {
        this.at = Date.now();
        this.reading = null;
      });
    return this.reading;
  }
}

const mib = (n: number) => Math.floor(n / 1024 / 1024);
