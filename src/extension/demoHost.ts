// One run of the teaching demo in this window: Alice and Bob (the node's createTeachingDemo), which steps ran
// (the demo's own record), and the journal of the run for Replay.
import type { HostedNode } from './host.js';
import type { TeachingDemo, TeachingDemoStep } from './nodeFactory.js';
import { DemoJournal } from './demoJournal.js';
import { ExtensionError } from './util.js';

export class DemoSession {
  readonly alice: HostedNode;
  readonly bob: HostedNode;
  readonly journal = new DemoJournal({ A: 'Alice', B: 'Bob' });
  /** the step running now, if any */
  running: TeachingDemoStep | null = null;

  constructor(
    readonly demo: TeachingDemo,
    private readonly log: (line: string) => void,
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
      const result = await this.demo.runStep(step.id);
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
