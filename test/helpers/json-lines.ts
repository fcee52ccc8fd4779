// A `synchannel --json` process driven through stdin: each stdout line as JSON (a line that is not JSON is kept
// as { event: 'text' }), waits for lines, commands run one at a time. The e2e CLI tests and the in-host
// partner of the VS Code tests use it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Json = Record<string, unknown>;

/** A stdout line as JSON; a line that is not JSON as { event: 'text' }. */
export function jsonOfLine(line: string): Json {
  try {
    return JSON.parse(line) as Json;
  } catch {
    return { event: 'text', text: line };
  }
}

/** Asks a CLI process to exit (its `exit` command), killing it after 10 s. */
export async function exitGently(child: ChildProcessWithoutNullStreams, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin.write('exit\n');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export class JsonLinesProc {
  readonly lines: Json[] = [];
  readonly stderr: string[] = [];
  private waiters: { pred: (j: Json) => boolean; resolve: (j: Json) => void }[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  /** `argv`: the program and its arguments (the CLI's script, --json, …), run by this process's executable. */
  constructor(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, argv, { ...(opts.cwd ? { cwd: opts.cwd } : {}), env: opts.env ?? process.env });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const j = jsonOfLine(line);
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

  /** Waits for a line (already seen after index `from`, or future) matching pred. */
  wait(pred: (j: Json) => boolean, what: string, timeoutMs = 60_000, from = 0): Promise<Json> {
    const seen = this.lines.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; last lines: ${JSON.stringify(this.lines.slice(-5))} stderr: ${this.stderr.join('').slice(-500)}`));
      }, timeoutMs);
      const done = (j: Json) => {
        clearTimeout(timer);
        resolve(j);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  event(name: string, extra: (j: Json) => boolean = () => true, timeoutMs = 60_000, from = 0): Promise<Json> {
    return this.wait((j) => j.event === name && extra(j), `event ${name}`, timeoutMs, from);
  }

  /** Runs one command and returns its result; throws with the command's error (and `result`) when it fails. */
  async run(line: string, timeoutMs = 90_000): Promise<Json> {
    const name = line.trim().split(/\s+/)[0]!.toLowerCase();
    const from = this.lines.length;
    this.child.stdin.write(`${line}\n`);
    const r = await this.wait((j) => typeof j.command === 'string' && j.command.toLowerCase() === name, `result of ${line}`, timeoutMs, from);
    if (!r.ok) throw Object.assign(new Error(`${line}: ${JSON.stringify(r.error)}`), { result: r });
    return r.result as Json;
  }

  kill9(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }

  exit(): Promise<void> {
    return exitGently(this.child, this.exited);
  }
}
