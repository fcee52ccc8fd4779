// The soak's processes: a devnet on a fixed port (so it can be restarted under the nodes), and a node that is
// a `synchannel --json` process killed and started again on the same data folder, keeping every line it printed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { CLI, ROOT, type Json } from '../e2e/cli-harness.js';
import { exitGently, jsonOfLine } from '../helpers/json-lines.js';

export class Died extends Error {
  constructor(what: string) {
    super(`the node died during ${what}`);
  }
}

/** One `synchannel --json` process: command lines in, JSON lines out; waits end when it exits. */
export class Proc {
  readonly lines: Json[] = [];
  /** the end of what it wrote to stderr */
  stderr = '';
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  private waiters: { pred: (j: Json) => boolean; done: (j: Json | Error) => void }[] = [];

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI, '--json', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.child.stdin.on('error', () => undefined);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const j = jsonOfLine(line);
      this.lines.push(j);
      for (const w of [...this.waiters]) if (w.pred(j)) w.done(j);
    });
    this.exited = new Promise((r) =>
      this.child.once('exit', (code) => {
        for (const w of [...this.waiters]) w.done(new Died('a wait'));
        r(code);
      }),
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A line (printed after index `from`, or later) matching `pred`; rejects on exit or after `timeoutMs`. */
  wait(pred: (j: Json) => boolean, what: string, timeoutMs: number, from = 0): Promise<Json> {
    const seen = this.lines.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    if (!this.alive) return Promise.reject(new Died(what));
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        done: (j: Json | Error) => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((x) => x !== w);
          if (j instanceof Error) reject(j);
          else resolve(j);
        },
      };
      const timer = setTimeout(() => w.done(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Runs one command; rejects with the command's error (its `code` set), or Died. */
  async run(line: string, timeoutMs: number): Promise<Json> {
    const name = line.trim().split(/\s+/)[0]!.toLowerCase();
    const from = this.lines.length;
    this.child.stdin.write(`${line}\n`);
    const r = await this.wait((j) => typeof j.command === 'string' && j.command.toLowerCase() === name, `result of ${line}`, timeoutMs, from);
    if (!r.ok) throw Object.assign(new Error(`${line}: ${JSON.stringify(r.error)}`), { code: (r.error as Json | undefined)?.code });
    return r.result as Json;
  }

  async kill9(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  exit(): Promise<void> {
    return exitGently(this.child, this.exited);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class Devnet {
  private child: ChildProcessWithoutNullStreams | null = null;
  restarts = 0;
  constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const child = spawn(process.execPath, [CLI, 'devnet', '--port', String(this.port), '--data', this.dataDir], { cwd: ROOT });
      this.child = child;
      const ok = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 60_000);
        createInterface({ input: child.stdout }).on('line', (l) => {
          if (/devnet listening on/.test(l)) {
            clearTimeout(t);
            resolve(true);
          }
        });
        child.once('exit', () => resolve(false));
      });
      if (ok) return;
      if (attempt >= 5) throw new Error('the devnet did not start');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }

  async restart(): Promise<void> {
    await this.stop();
    this.restarts++;
    await this.start();
  }

  async advanceTime(seconds: number): Promise<void> {
    await fetch(`${this.url}/devnet/advanceTime`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
  }
}

/** A node process that is killed and started again; `lines` holds what every incarnation printed. */
export class SoakNode {
  proc: Proc | null = null;
  readonly incarnations: Proc[] = [];
  starts = 0;
  failedStarts = 0;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly args: () => string[],
  ) {}

  get alive(): boolean {
    return !!this.proc && this.proc.alive;
  }

  /** Starts the node (retrying while it cannot start, e.g. the chain's RPC is failing). */
  async start(env: Record<string, string> = {}): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const p = new Proc(this.args(), env);
      this.incarnations.push(p);
      const first = await p.wait((j) => j.event === 'ready' || j.event === 'fatal', `${this.name} ready`, 60_000).catch(() => ({ event: 'fatal', message: 'no start in 60 s' }) as Json);
      if (first.event === 'ready') {
        this.proc = p;
        this.starts++;
        return;
      }
      this.failedStarts++;
      await p.kill9();
      if (attempt >= 20) throw new Error(`${this.name} cannot start: ${String(first.message)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Runs a command; rejects with its error, or with Died when the process goes away first. */
  async cmd(line: string, timeoutMs = 60_000): Promise<Json> {
    if (!this.proc || !this.alive) throw new Died(line);
    return this.proc.run(line, timeoutMs);
  }

  /** Writes a command without waiting (the process may die on it). */
  write(line: string): void {
    if (this.alive) this.proc!.child.stdin.write(`${line}\n`);
  }

  async kill9(): Promise<void> {
    if (this.proc && this.alive) await this.proc.kill9();
    this.proc = null;
  }

  async exit(): Promise<void> {
    if (this.proc && this.alive) await this.proc.exit();
    this.proc = null;
  }

  /** Every line any incarnation printed. */
  lines(): Json[] {
    return this.incarnations.flatMap((p) => p.lines);
  }
}
