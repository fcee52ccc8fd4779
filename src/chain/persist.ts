// Keeping a @ton/sandbox Blockchain in one JSON file: the devnet's data file and the embedded sandbox's
// persistFile are the same format. Writes are atomic (write-file-atomic), debounced after each change and
// serialized with one another; a save always writes the latest state.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { snapshotFromSerializable, snapshotToSerializable, type Blockchain, type BlockchainSnapshot } from '@ton/sandbox';

export const CHAIN_FILE_FORMAT = 'synchannel-devnet';
export const CHAIN_FILE_VERSION = 1;

type SerializableSnapshot = ReturnType<typeof snapshotToSerializable>;

/** What is kept besides the emulator's snapshot. */
export interface ChainFileMeta {
  /** Number of "blocks" (the devnet bumps it on every change; the sandbox keeps 0). */
  seqno: number;
  /** Seconds added to the wall clock by advanceTime. */
  timeOffset: number;
  /** The last chain time used; time never goes back, even if the wall clock does. */
  lastNow: number;
}

interface ChainFile extends ChainFileMeta {
  format: typeof CHAIN_FILE_FORMAT;
  version: typeof CHAIN_FILE_VERSION;
  snapshot: SerializableSnapshot;
}

/** A step of the machine's clock back worth saying (s): a smaller one is a clock's usual correction. */
export const CLOCK_STEP_SAID = 60;

/**
 * The chain's time on a machine clock that may step back (a clock set right after running ahead, or a chain kept
 * while it was): never back, and on from the latest time used at the clock's pace, the step added to the offset
 * (standing still until the clock catches up would hold every challenge window open that long).
 */
export function chainClock(wall: number, offset: number, last: number): { now: number; offset: number; stepBack: number } {
  const stepBack = Math.max(0, last - (wall + offset));
  return { now: wall + offset + stepBack, offset: offset + stepBack, stepBack };
}

/** What a chain says of a step back of the machine's clock (chainClock's stepBack). */
export function clockStepText(stepBack: number, now: number): string {
  const h = stepBack >= 3600 ? `${Math.round(stepBack / 3600)} h` : `${Math.round(stepBack / 60)} min`;
  return `this machine's clock is ${h} behind the chain's time (it was ahead when the chain last ran, or was set back): the chain's time goes on from ${new Date(now * 1000).toISOString()} at the clock's pace, that much ahead of it`;
}

/** The file's text for the blockchain as it is now (accounts that never existed and VM logs are left out). */
export function serializeChain(blockchain: Blockchain, meta: ChainFileMeta): string {
  const snap = blockchain.snapshot();
  snap.contracts = snap.contracts.filter((c) => c.account.account != null);
  const serial = snapshotToSerializable(snap);
  for (const t of serial.transactions) {
    t.blockchainLogs = '';
    t.vmLogs = '';
    t.debugLogs = '';
  }
  const file: ChainFile = { format: CHAIN_FILE_FORMAT, version: CHAIN_FILE_VERSION, ...meta, snapshot: serial };
  return JSON.stringify(file);
}

/** Reads a chain file; `fail(why)` makes the error to throw when it cannot be used. */
export function readChainFile(file: string, fail: (why: string) => Error): { meta: ChainFileMeta; snapshot: BlockchainSnapshot; accounts: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw fail(e instanceof Error ? e.message : String(e));
  }
  const f = parsed as Partial<ChainFile> | null;
  if (!f || typeof f !== 'object' || f.format !== CHAIN_FILE_FORMAT) throw fail('it is not a SynChannel chain file');
  if (f.version !== CHAIN_FILE_VERSION) throw fail(`it has version ${String(f.version)}, this program reads version ${CHAIN_FILE_VERSION}`);
  if (
    typeof f.seqno !== 'number' ||
    typeof f.timeOffset !== 'number' ||
    typeof f.lastNow !== 'number' ||
    !f.snapshot ||
    !Array.isArray(f.snapshot.contracts) ||
    !Array.isArray(f.snapshot.transactions)
  ) {
    throw fail('fields are missing');
  }
  return { meta: { seqno: f.seqno, timeOffset: f.timeOffset, lastNow: f.lastNow }, snapshot: snapshotFromSerializable(f.snapshot), accounts: f.snapshot.contracts.length };
}

/** Debounced atomic saves of one chain file. `snapshot` runs when a save starts and returns the text and a version. */
export class ChainSaver {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  /** `savedVersion`: the version the file holds already (when it was just loaded). */
  constructor(
    readonly file: string,
    private readonly snapshot: () => Promise<{ text: string; version: number }>,
    private readonly log: (line: string) => void,
    private savedVersion = -1,
    private readonly debounceMs = 200,
  ) {}

  /** The version of the state last written. */
  get saved(): number {
    return this.savedVersion;
  }

  /** Saves soon (once, however many changes come before). */
  schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveNow().catch((e: unknown) => this.log(`could not save the chain to ${this.file}: ${e instanceof Error ? e.message : String(e)}`));
    }, this.debounceMs);
  }

  /** Writes the chain now (after any save already under way). */
  saveNow(): Promise<void> {
    const next = this.saving.then(async () => {
      const { text, version } = await this.snapshot();
      await writeFileAtomic(this.file, text);
      this.savedVersion = version;
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  /** Stops scheduling and writes a last time. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.saveNow();
  }
}
