// What one test session needs in any host (code-server or desktop VS Code): the extension built, the in-host suite
// bundled, a temp dir with the workspace, quiet user settings and the results file, and, at the end, every process
// tagged with the session's id ended and the files removed.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSuite, buildExtension } from './bundle.js';
import { DEFAULT_SETTINGS, REPO_ROOT, VsCodeHostError, sleep, taggedPids, type Log } from './common.js';
import type { InHostReport, InHostTestResult } from './results.js';

export interface SuiteRun {
  /** VS Code's exit code for the run (0 = all passed). */
  readonly exitCode: number;
  readonly report: InHostReport;
  readonly results: readonly InHostTestResult[];
  /** What the extension host printed (mocha's spec reporter, console.*), when the host hands it over. */
  readonly log: readonly string[];
  readonly durationMs: number;
}

/** What both hosts offer the test: run the in-host suite, end everything, list what is left. */
export interface SuiteHost {
  readonly kind: 'code-server' | 'electron';
  readonly timings: { setupMs: number; buildMs: number; serverStartMs: number };
  runSuite(opts?: { timeoutMs?: number }): Promise<SuiteRun>;
  dispose(): Promise<void>;
  liveProcesses(): number[];
}

export interface SessionOptions {
  /** Skip `node esbuild.mjs` (default false: build so the host loads current sources). */
  readonly skipBuild?: boolean;
  /** Extra environment for the extension host (e.g. SYNCHANNEL_VSCODE_GREP). */
  readonly env?: Record<string, string>;
  /** VS Code user settings, over DEFAULT_SETTINGS (e.g. { 'synchannel.network': 'sandbox' }). */
  readonly settings?: Record<string, unknown>;
  /** Files to put in the workspace folder the window opens. */
  readonly workspaceFiles?: Record<string, string>;
  readonly log?: Log;
}

export interface Session {
  readonly id: string;
  readonly tmp: string;
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly suitePath: string;
  readonly resultsFile: string;
  readonly buildMs: number;
  /** The environment the extension host gets: the caller's, the results file, the session tag. */
  readonly env: Record<string, string>;
}

export async function prepareSession(opts: SessionOptions, log: Log): Promise<Session> {
  const id = randomUUID();
  const t = Date.now();
  if (!opts.skipBuild) await buildExtension(log);
  // One bundle per session, so sessions running at the same time never share a file.
  const suitePath = await bundleSuite(join(REPO_ROOT, '.vscode-test', 'suite', `index-${id}.js`));
  const buildMs = Date.now() - t;
  let tmp: string;
  try {
    tmp = mkdtempSync(join(tmpdir(), 'synchannel-vscode-'));
  } catch (err) {
    rmSync(suitePath, { force: true });
    throw err;
  }
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace);
  for (const [name, text] of Object.entries(opts.workspaceFiles ?? {})) writeFileSync(join(workspace, name), text);
  // User settings: a quiet window (no welcome page, tips or trust prompts), plus the caller's.
  const userDataDir = join(tmp, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2));
  const resultsFile = join(tmp, 'results.json');
  const env = { ...opts.env, TEST_RESULTS: resultsFile, SYNCHANNEL_VSCODE_SESSION: id, SYNCHANNEL_TEST: '1' };
  return { id, tmp, workspace, userDataDir, extensionsDir: join(tmp, 'extensions'), suitePath, resultsFile, buildMs, env };
}

/** The report the in-host runner wrote; RESULTS_MISSING (with the host's last output) when it wrote none. */
export function readResults(session: Session, exitCode: number, hostOutput: readonly string[]): InHostReport {
  if (!existsSync(session.resultsFile)) {
    throw new VsCodeHostError(
      'RESULTS_MISSING',
      `VS Code exited with code ${exitCode} but the suite wrote no results (did run() load?). Host output:\n${hostOutput.slice(-20).join('\n') || '(none)'}`,
    );
  }
  return JSON.parse(readFileSync(session.resultsFile, 'utf8')) as InHostReport;
}

/** Ends every process still tagged with the session (SIGTERM, then SIGKILL), then removes its files. */
export async function endSession(session: Session): Promise<void> {
  await killTagged(session.id);
  rmSync(session.tmp, { recursive: true, force: true });
  rmSync(session.suitePath, { force: true });
}

export async function killTagged(id: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const left = taggedPids(id);
    if (left.length === 0) break;
    for (const p of left) {
      try {
        process.kill(p, attempt === 0 ? 'SIGTERM' : 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(1_000);
  }
}
