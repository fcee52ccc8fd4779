// A partner for the in-host tests: a `synchannel --json` CLI process (the extension's own dist/cli.js) on the
// devnet this window serves, driven through stdin. Ended with kill9() or exit().
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export type Json = Record<string, unknown>;

export class Partner {
  readonly lines: Json[] = [];
  private readonly stderr: string[] = [];
  private waiters: { pred: (j: Json) => boolean; resolve: (j: Json) => void }[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(extensionPath: string, args: string[]) {
    // The extension host's executable is node (code-server) or Electron (desktop), which runs as node with this.
    this.child = spawn(process.execPath, [join(extensionPath, 'dist', 'cli.js'), '--json', ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let j: Json;
      try {
        j = JSON.parse(line) as Json;
      } catch {
        j = { event: 'text', text: line };
      }
      this.lines.push(j);
      for (const w of [...this.waiters]) {
        if (w.pred(j)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(j);
        }
      }
    });
    this.child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  wait(pred: (j: Json) => boolean, what: string, timeoutMs = 60_000, from = 0): Promise<Json> {
    const seen = this.lines.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (j: Json) => {
        clearTimeout(timer);
        resolve(j);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`partner: timed out waiting for ${what}; last lines ${JSON.stringify(this.lines.slice(-4))}; stderr ${this.stderr.join('').slice(-400)}`));
      }, timeoutMs);
      this.waiters.push({ pred, resolve: done });
    });
  }

  event(name: string, timeoutMs = 60_000): Promise<Json> {
    return this.wait((j) => j.event === name, `event ${name}`, timeoutMs);
  }

  /** Runs one command line and returns its result; throws with its error when it fails. */
  async run(line: string, timeoutMs = 90_000): Promise<Json> {
    const name = line.trim().split(/\s+/)[0]!.toLowerCase();
    const from = this.lines.length;
    this.child.stdin.write(`${line}\n`);
    const r = await this.wait((j) => typeof j.command === 'string' && j.command.toLowerCase() === name, `result of ${line}`, timeoutMs, from);
    if (!r.ok) throw new Error(`partner: ${line}: ${JSON.stringify(r.error)}`);
    return r.result as Json;
  }

  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
