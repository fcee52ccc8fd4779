// What every part of the VS Code harness shares: paths, the typed error, the default user settings, and small
// process helpers (run to completion, free port, the processes tagged with a session id).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_HOST_DIR = join(REPO_ROOT, '.vscode-test', 'host');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'docs', 'screenshots');

/** User settings every session starts with: no welcome page, tips, trust prompts or telemetry. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'window.commandCenter': false,
};

export type VsCodeHostErrorCode =
  | 'HOST_SETUP_FAILED'
  | 'BUILD_FAILED'
  | 'SERVER_START_FAILED'
  | 'WORKBENCH_FAILED'
  | 'SUITE_TIMEOUT'
  | 'RESULTS_MISSING'
  | 'UI_STEP_FAILED'
  | 'HOST_CHOICE_FAILED'
  | 'ELECTRON_UNAVAILABLE';

export class VsCodeHostError extends Error {
  override readonly name = 'VsCodeHostError';
  constructor(
    readonly code: VsCodeHostErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type Log = (line: string) => void;
export const quiet: Log = () => {};

/** Runs a process to completion; resolves with its exit code and combined output. */
export function runProcess(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log?: Log; timeoutMs: number }) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) opts.log?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of live processes whose environment carries SYNCHANNEL_VSCODE_SESSION=<id>. */
export function taggedPids(id: string): number[] {
  const tag = Buffer.from(`SYNCHANNEL_VSCODE_SESSION=${id}\0`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`).includes(tag)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
