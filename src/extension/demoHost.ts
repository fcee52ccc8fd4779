// One run of the teaching demo in this window: Alice and Bob (the node's createTeachingDemo), which steps ran
// (the demo's own record), and the journal of the run for Replay; and the runner that starts and stops runs for
// the node host (one start at a time, a stop during a start leaves nothing running).
import { rm } from 'node:fs/promises';
import type { HostedNode } from './hosted.js';
import { inVsCode } from './cliWords.js';
import { createTeachingDemo, type TeachingDemo, type TeachingDemoStep } from './nodeFactory.js';
import { DemoJournal } from './demoJournal.js';
import { claimDemoFolder, sweepDemoFolders } from './demoFolders.js';
import { ExtensionError, errorMessage } from './util.js';

export class DemoSession {
  readonly alice: HostedNode;
  readonly bob: HostedNode;
  readonly journal = new DemoJournal({ A: 'Alice', B: 'Bob' });
  /** the step running now, if any */
  running: TeachingDemoStep | null = null;

  constructor(
    readonly demo: TeachingDemo,
    private readonly log: (line: string) => void,
    /** the run's own folder (removed when it stops) */
    readonly dataDir: string,
  ) {
    this.alice = { id: 'alice', label: 'Alice', api: demo.alice, served: null };
    this.bob = { id: 'bob', label: 'Bob', api: demo.bob, served: null };
  }

  get steps(): readonly TeachingDemoStep[] {
    return this.demo.steps;
  }

  step(id: string): TeachingDemoStep | undefined {
    return this.demo.steps.find((s) => s.id === id);
  }

  done(id: string): boolean {
    return this.demo.done.has(id);
  }

  /** The first step not run yet, or null when the story is over. */
  next(): TeachingDemoStep | null {
    return this.demo.steps.find((s) => !this.done(s.id)) ?? null;
  }

  /** The earliest step before `id` that has not run (it must run first), if any. */
  missingBefore(id: string): TeachingDemoStep | null {
    const i = this.demo.steps.findIndex((s) => s.id === id);
    return this.demo.steps.slice(0, Math.max(0, i)).find((s) => !this.done(s.id)) ?? null;
  }

  async run(id: string): Promise<string> {
    const step = this.step(id);
    if (!step) throw new ExtensionError('BAD_INPUT', `no demo step "${id}"; steps: ${this.demo.steps.map((s) => s.id).join(', ')}`);
    if (this.running) throw new ExtensionError('WAIT_PARTNER', `"${this.running.title}" is still running: wait for it`);
    this.running = step;
    this.journal.begin(step.id, step.title);
    try {
      // the story names the CLI's commands (`deposit`): here, the palette's titles that do the same
      const result = inVsCode(await this.demo.runStep(step.id));
      this.journal.end(result);
      this.log(`[demo] ${step.title}: ${result}`);
      return result;
    } catch (e) {
      this.journal.end(null);
      throw e;
    } finally {
      this.running = null;
    }
  }

  stop(): Promise<void> {
    return this.demo.stop();
  }
}

/** What the runner needs of the node host. */
export interface DemoHooks {
  attach(node: HostedNode): void;
  detach(node: HostedNode): void;
  changed(): void;
  log(line: string, level?: 'info' | 'warn'): void;
  /** a new data folder for a run, in root() */
  dataDir(): string;
  /** the folder of the runs' folders (shared by the windows) */
  root(): string;
}

/**
 * The run folders of this process, from before they are created until they are removed: one set for every runner
 * of this extension host (a window's host made again while the old one stops must not sweep the old one's run).
 */
const runFolders = new Set<string>();
/** How long after activation the leftover run folders are swept (a demo start sweeps too). */
const SWEEP_AFTER_MS = 10_000;

/** Starts and stops the teaching demo's runs. */
export class DemoRunner {
  private running: DemoSession | null = null;
  private startingNow = false;
  private start: Promise<DemoSession> | null = null;
  /** counts the demo's stops: a start that sees it change stops what it started */
  private stops = 0;

  constructor(private readonly h: DemoHooks) {
    // a while after activation, off its path: the folders of windows killed mid-run (a normal stop removes its own)
    setTimeout(() => void this.sweep(), SWEEP_AFTER_MS).unref?.();
  }

  /** Removes the run folders no live window uses (demoFolders.ts). */
  sweep(): Promise<string[]> {
    return sweepDemoFolders(this.h.root(), { inUse: (d) => runFolders.has(d), log: (l) => this.h.log(l) });
  }

  /** the demo running, if any */
  get session(): DemoSession | null {
    return this.running;
  }

  /** Alice and Bob are starting */
  get starting(): boolean {
    return this.startingNow;
  }

  /** The start under way, if any (a second caller waits for it instead of starting another pair of nodes). */
  get startingDemo(): Promise<DemoSession> | null {
    return this.start;
  }

  /** Starts Alice and Bob (after stopping a running demo); a call while a start is under way gets that start. */
  startDemo(): Promise<DemoSession> {
    this.start ??= this.newDemo().finally(() => {
      this.start = null;
      this.startingNow = false;
      this.h.changed();
    });
    return this.start;
  }

  private async newDemo(): Promise<DemoSession> {
    const stops = this.stops;
    await this.stopRunning();
    await this.sweep();
    const dataDir = this.h.dataDir();
    runFolders.add(dataDir);
    this.startingNow = true;
    this.h.changed();
    const demo = await claimDemoFolder(dataDir)
      .then(() => createTeachingDemo({ dataDir }))
      .catch(async (e: unknown) => {
        await this.forget(dataDir);
        throw e;
      });
    if (stops !== this.stops) {
      // stopped (or the window closed) while it started: nothing is left running, nor on disk
      await demo.stop().catch((e: unknown) => this.h.log(`stopping the demo: ${errorMessage(e)}`, 'warn'));
      await this.forget(dataDir);
      throw new ExtensionError('CANCELLED', 'the teaching demo was stopped while it started');
    }
    const session = new DemoSession(demo, (l) => this.h.log(l), dataDir);
    this.h.attach(session.alice);
    this.h.attach(session.bob);
    this.running = session;
    this.h.log(`teaching demo started (data: ${dataDir})`);
    this.h.changed();
    return session;
  }

  async runStep(id: string): Promise<string> {
    const d = this.session;
    if (!d) throw new ExtensionError('NO_DEMO', 'the teaching demo is not running: open it first');
    const result = await d.run(id);
    this.h.changed();
    return result;
  }

  /** Stops the demo; a start under way is stopped once it has started. */
  async stop(): Promise<void> {
    this.stops++;
    const starting = this.start;
    if (starting) await starting.catch(() => undefined);
    await this.stopRunning();
  }

  private async stopRunning(): Promise<void> {
    const d = this.session;
    if (!d) return;
    this.running = null;
    this.h.detach(d.alice);
    this.h.detach(d.bob);
    try {
      await d.stop();
      await this.forget(d.dataDir);
    } catch (e) {
      this.h.log(`stopping the demo: ${errorMessage(e)}`, 'warn');
    }
    this.h.changed();
  }

  /** A run's folder holds only its sandbox keys and chain: it goes with the run (each run had left one behind). */
  private async forget(dataDir: string): Promise<void> {
    await rm(dataDir, { recursive: true, force: true }).catch((e: unknown) => this.h.log(`removing the demo's folder ${dataDir}: ${errorMessage(e)}`, 'warn'));
    runFolders.delete(dataDir);
  }
}
