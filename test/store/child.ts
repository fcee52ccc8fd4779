// Runs test/store/fixtures/child.ts in another process (optionally as another user) and reads its JSON lines.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

export const ROOT = new URL('../..', import.meta.url).pathname;
/** The uid the permission tests run their child as: nobody when we are root (root ignores permissions). */
export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

/** Whether a child can run in a pid namespace of its own (unshare(1) as root: another container's processes). */
export const canUnshare = isRoot && spawnSync('unshare', ['-p', '-f', '--mount-proc', '--kill-child', 'true']).status === 0;

export function startChild(cmd: string, dir: string, opts: { asNobody?: boolean; ownPidNamespace?: boolean } = {}): Child {
  const node = [process.execPath, '--import', 'tsx', '--import', './test/setup.ts', 'test/store/fixtures/child.ts', cmd, dir];
  const [exe, ...args] = opts.ownPidNamespace ? ['unshare', '-p', '-f', '--mount-proc', '--kill-child', ...node] : node;
  const proc = spawn(exe!, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(opts.asNobody && isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not ours
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, exited };
}

export async function firstLine(c: Child, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  while (!c.lines.length) {
    if (Date.now() - t0 > timeoutMs) throw new Error('the child said nothing');
    if (c.proc.exitCode !== null && !c.lines.length) await new Promise((r) => setTimeout(r, 50));
    if (c.proc.exitCode !== null && !c.lines.length) throw new Error(`the child exited with ${c.proc.exitCode} saying nothing`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return c.lines[0]!;
}

/** Runs a child to its end and returns its first line. */
export async function runChild(cmd: string, dir: string, opts: { asNobody?: boolean } = {}): Promise<Record<string, unknown>> {
  const c = startChild(cmd, dir, opts);
  await c.exited;
  return firstLine(c, 1000);
}

/**
 * Runs an import of `backup` into `dir` (or its export to `backup`, a write of the record of channel `backup`, or of the node's file `backup`) in a child killed before its `n`th change to the
 * disk (0: never): fixtures/import-crash.ts.
 */
export function killedAt(dir: string, backup: string, n: number, mode: 'import' | 'export' | 'record' | 'meta' = 'import'): Promise<{ crash?: number; op?: string; done?: boolean; ops?: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/setup.ts', 'test/store/fixtures/import-crash.ts', dir, backup, String(n), mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) reject(new Error(`the child said nothing (exit ${code}, ${signal})`));
      else resolve(JSON.parse(line) as { crash?: number; op?: string; done?: boolean; ops?: number });
    }),
  );
}
