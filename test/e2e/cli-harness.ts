// Drives `synchannel` processes (the built dist/cli.js) through stdin with --json, and a devnet process.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { exitGently, JsonLinesProc } from '../helpers/json-lines.js';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function buildOnce(): void {
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}

export type { Json } from '../helpers/json-lines.js';

/** One `synchannel --json` process (the built dist/cli.js): send command lines, wait for JSON lines. */
export class CliProc extends JsonLinesProc {
  constructor(args: string[], env: Record<string, string> = {}) {
    super([CLI, '--json', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  }
}

/**
 * Two processes ready, 20 TON each from the faucet, B connected to A's first address on 127.0.0.1, and A's proposal
 * (`open`) received by B.
 */
export async function proposedBetween(a: CliProc, b: CliProc, open = 'open 3 4'): Promise<void> {
  await a.event('ready');
  await b.event('ready');
  await a.run('faucet 20');
  await b.run('faucet 20');
  const served = await a.run('serve 0 127.0.0.1');
  await b.run(`connect ${(served.lan as string[])[0]!}`);
  await a.run(open);
  await b.event('channelProposed');
}

export class DevnetProc {
  url = '';
  private child: ChildProcessWithoutNullStreams;
  ready: Promise<string>;
  constructor(dataDir: string) {
    this.child = spawn(process.execPath, [CLI, 'devnet', '--port', '0', '--data', dataDir], { cwd: ROOT });
    const rl = createInterface({ input: this.child.stdout });
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('devnet did not start in 60 s')), 60_000);
      rl.on('line', (l) => {
        const m = /devnet listening on (http:\/\/\S+)/.exec(l);
        if (m) {
          clearTimeout(t);
          this.url = m[1]!;
          resolve(this.url);
        }
      });
    });
  }
  /** Moves the devnet's clock on by `seconds`. */
  async advanceTime(seconds: number): Promise<void> {
    const r = await fetch(`${this.url}/devnet/advanceTime`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
    if (!r.ok) throw new Error(`advanceTime: HTTP ${r.status}`);
  }
  /** How many of the last 100 transactions of `account` came with a message from `from`. */
  async txsFrom(account: string, from: string): Promise<number> {
    const r = (await (await fetch(`${this.url}/getTransactions?address=${encodeURIComponent(account)}&limit=100`)).json()) as { result: { in_msg?: { source?: string } }[] };
    const sender = Address.parse(from);
    return r.result.filter((t) => t.in_msg?.source && Address.parse(t.in_msg.source).equals(sender)).length;
  }
  /** Pauses (SIGSTOP) or resumes (SIGCONT) the devnet process: an endpoint that takes requests and never answers. */
  pause(paused = true): void {
    this.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.on('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}

/**
 * One `synchannel` process in text mode, as a person sees it: piped stdin, or a terminal (`tty`: run under
 * script(1), which gives it a pseudo-terminal, so it prompts and asks "Are you sure"). Lines are matched on the
 * whole output text.
 */
export class CliText {
  private text = '';
  private readonly stderr: string[] = [];
  private waiters: { re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: string[], opts: { tty?: boolean } = {}) {
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    this.child = opts.tty
      ? spawn('script', ['-q', '-f', '-e', '-c', [process.execPath, CLI, ...args].map(quote).join(' '), '/dev/null'], { cwd: ROOT })
      : spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    this.child.stdout.on('data', (d: Buffer) => {
      this.text += this.rendered(d.toString());
      for (const w of [...this.waiters]) {
        const m = new RegExp(w.re.source, w.re.flags.replace('g', '')).exec(this.text.slice(w.from));
        if (m) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  /**
   * Output as the transcript of a terminal: carriage returns dropped; at a terminal the CLI's line editor moves the
   * cursor back to the line's start to draw it again (a prompt, or a line printed above it): a line drawn before
   * stays as it was, the new text starts a line; other escape sequences are dropped. The text only grows (marks hold).
   */
  private rendered(chunk: string): string {
    let out = '';
    // eslint-disable-next-line no-control-regex -- the escape sequences are what this reads
    for (const part of chunk.replace(/\r/g, '').split(/(\x1b\[[0-9;?]*[ -/]*[@-~])/)) {
      if (!part.startsWith('\x1b[')) out += part;
      // eslint-disable-next-line no-control-regex -- as above
      else if (/^\x1b\[[01]?G$/.test(part) && !(this.text + out).endsWith('\n') && (this.text + out).length > 0) out += '\n';
    }
    return out;
  }

  /** Everything printed so far (from `from`, a mark()). */
  output(from = 0): string {
    return this.text.slice(from);
  }

  /** Where the output ends now: wait() and output() from here see only what comes after. */
  mark(): number {
    return this.text.length;
  }

  wait(re: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const m = re.exec(this.text.slice(from));
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${re}; output:\n${this.text.slice(from).slice(-1500)}\nstderr: ${this.stderr.join('').slice(-500)}`));
      }, timeoutMs);
      const done = (x: RegExpExecArray) => {
        clearTimeout(timer);
        resolve(x);
      };
      this.waiters.push({ re, from, resolve: done });
    });
  }

  /** Types one line; returns the output mark before it. */
  type(line: string): number {
    const from = this.mark();
    this.child.stdin.write(`${line}\n`);
    return from;
  }

  /** Types a command and waits for `until` in what follows; returns that output. */
  async run(line: string, until: RegExp, timeoutMs = 90_000): Promise<string> {
    const from = this.type(line);
    await this.wait(until, from, timeoutMs);
    return this.output(from);
  }

  kill9(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  exit(): Promise<void> {
    return exitGently(this.child, this.exited);
  }
}
