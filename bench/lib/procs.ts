// Processes for the two-process figures: a devnet (the shared chain), bench workers (a node each, driven over
// IPC), and `synchannel` CLI processes (driven through stdin with --json, as a script would).
import { fork, spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

/** Builds dist/ (the CLI the devnet and the CLI figures run). */
export function build(): void {
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node esbuild.mjs failed: ${r.stdout}${r.stderr}`);
}

function lines(child: ChildProcessWithoutNullStreams, on: (line: string) => void): void {
  createInterface({ input: child.stdout }).on('line', on);
}

/** Ends a child: a gentle signal, then SIGKILL after `ms`. */
async function end(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', ms = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(t);
}

export class Devnet {
  readonly ready: Promise<string>;
  private readonly child: ChildProcessWithoutNullStreams;
  constructor(dataDir: string) {
    this.child = spawn(process.execPath, [CLI, 'devnet', '--port', '0', '--data', dataDir], { cwd: ROOT });
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the devnet did not start within 60 s')), 60_000);
      lines(this.child, (l) => {
        const m = /devnet listening on (http:\/\/\S+)/.exec(l);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
  }
  stop(): Promise<void> {
    return end(this.child);
  }
}

/** A bench worker (bench/lib/worker.ts): a node in its own process. */
export class Worker {
  private readonly child: ChildProcess;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor() {
    // BENCH_CPU_PROF=<dir>: each worker writes a V8 CPU profile there when it exits.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    this.child = fork(join(ROOT, 'bench', 'lib', 'worker.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
      this.child.on('message', (m: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id!);
        this.pending.delete(m.id!);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result);
      });
    });
  }

  call<T>(op: string, args: Record<string, unknown> = {}, timeoutMs = 300_000): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`worker ${op} timed out`)), timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.child.send({ id, op, args });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.call('stop', {}, 15_000).catch(() => undefined);
    // It exits by itself once stopped (writing its CPU profile, if asked): a signal only if it does not.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    await end(this.child, 'SIGTERM', 5_000);
  }
}

type Json = Record<string, unknown>;

/** `synchannel --json` in a process of its own. */
export class Cli {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters: { pred: (j: Json) => boolean; resolve: (j: Json) => void }[] = [];
  private seen: Json[] = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, '--json', ...args], { cwd: ROOT });
    this.child.stderr.resume();
    lines(this.child, (line) => {
      let j: Json;
      try {
        j = JSON.parse(line) as Json;
      } catch {
        return;
      }
      const w = this.waiters.findIndex((x) => x.pred(j));
      if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(j);
      else if (this.seen.length < 1000) this.seen.push(j);
    });
  }

  /** The next line matching `pred` (one already seen and not taken, or a later one). */
  wait(pred: (j: Json) => boolean, what: string, timeoutMs = 120_000): Promise<Json> {
    const i = this.seen.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`CLI: no ${what} within ${timeoutMs / 1000} s; its last lines: ${JSON.stringify(this.seen.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (j) => (clearTimeout(t), resolve(j)) });
    });
  }

  /** Forgets the lines seen so far (between payments: only what follows counts). */
  forget(): void {
    this.seen = [];
  }

  /** Runs a command line; resolves with its result (throws with its error). */
  async run(line: string, timeoutMs = 120_000): Promise<Json> {
    const name = line.split(/\s+/)[0]!.toLowerCase();
    const r = this.wait((j) => typeof j.command === 'string' && j.command.toLowerCase() === name, `result of ${line}`, timeoutMs);
    this.child.stdin.write(`${line}\n`);
    const got = await r;
    if (!got.ok) throw new Error(`${line}: ${JSON.stringify(got.error)}`);
    return got.result as Json;
  }

  async stop(): Promise<void> {
    this.child.stdin.end('exit\n');
    await end(this.child, 'SIGTERM', 10_000);
  }
}
