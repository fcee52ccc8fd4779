// Runs the extension in a real VS Code: code-server (VS Code 1.100.3 server build, from npm) opened
// in Debian's headless Chromium through playwright-core. Works offline; the host is installed by
// scripts/setup-vscode-host.sh into .vscode-test/host (see ensureHost).
//
//   await using host = await VsCodeHost.start();          // build, bundle, start code-server
//   const run = await host.runSuite();                   // in-host mocha suite -> per-test results
//   const wb = await host.openWorkbench();               // a Playwright page on the workbench
//   await wb.runCommand('SynChannel: Open Teaching Demo');
//   await wb.screenshot('tree', wb.view('SynChannel'));  // -> docs/screenshots/tree.png
//
// The suite runs through VS Code's own test hook: the workbench URL's `payload` carries
// extensionDevelopmentPath (the repo root) and extensionTestsPath (the bundled suite); VS Code
// loads the extension, awaits the suite's run() in the Node extension host and calls
// window.codeAutomationExit(code). Everything started here runs in its own process group and is
// tagged with a session id in its environment; dispose() ends exactly those processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import type { InHostReport, InHostTestResult } from './results.js';

export type { InHostReport, InHostTestResult } from './results.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_HOST_DIR = join(REPO_ROOT, '.vscode-test', 'host');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'docs', 'screenshots');
const SETUP_SCRIPT = join(REPO_ROOT, 'scripts', 'setup-vscode-host.sh');
const SUITE_DIR = join(REPO_ROOT, 'test', 'vscode', 'suite');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SETUP_HELP =
  'Set the host up once with `scripts/setup-vscode-host.sh` as root (it needs apt for chromium, ripgrep, ' +
  'libkrb5-dev, pkg-config and the npm registry for code-server@4.100.3); see the script header.';

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
  | 'UI_STEP_FAILED';

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

export interface HostInstall {
  readonly dir: string;
  /** code-server's entry script (run with `node`). */
  readonly entry: string;
  /** The node binary code-server wants (ours, or one the setup script fetched from npm). */
  readonly node: string;
  /** Whether this call ran the setup script, and how long it took. */
  readonly installedNow: boolean;
  readonly setupMs: number;
}

type Log = (line: string) => void;
const quiet: Log = () => {};

/** Runs a process to completion; resolves with its exit code and combined output. */
function runProcess(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log?: Log; timeoutMs: number }) {
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

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function installedHost(dir: string): Omit<HostInstall, 'installedNow' | 'setupMs'> | undefined {
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(join(dir, '.setup-complete')) || !existsSync(entry) || !existsSync(CHROMIUM)) return undefined;
  const nodeFile = join(dir, 'node-bin-path');
  const node = existsSync(nodeFile) ? readFileSync(nodeFile, 'utf8').trim() : process.execPath;
  return { dir, entry, node };
}

/**
 * Returns the installed host, running scripts/setup-vscode-host.sh first when it is missing
 * (unless `install: false`). Throws VsCodeHostError HOST_SETUP_FAILED with the script's last
 * lines and what to do when it cannot be set up (e.g. not root, no apt, no registry).
 */
export async function ensureHost(opts: { dir?: string; install?: boolean; log?: Log } = {}): Promise<HostInstall> {
  const dir = opts.dir ?? DEFAULT_HOST_DIR;
  const ready = installedHost(dir);
  if (ready) return { ...ready, installedNow: false, setupMs: 0 };
  if (opts.install === false) throw new VsCodeHostError('HOST_SETUP_FAILED', `no VS Code host in ${dir}. ${SETUP_HELP}`);
  const t0 = Date.now();
  const { code, output } = await runProcess('bash', [SETUP_SCRIPT, dir], { log: opts.log, timeoutMs: 15 * 60_000 });
  const done = installedHost(dir);
  if (code !== 0 || !done) {
    throw new VsCodeHostError(
      'HOST_SETUP_FAILED',
      `could not set up the VS Code host in ${dir} (setup script exit ${code}):\n${tail(output)}\n${SETUP_HELP}`,
    );
  }
  return { ...done, installedNow: true, setupMs: Date.now() - t0 };
}

/** `node esbuild.mjs`: dist/extension.js (and the other bundles) as VS Code will load them. */
export async function buildExtension(log: Log = quiet): Promise<void> {
  const { code, output } = await runProcess(process.execPath, ['esbuild.mjs'], { log, timeoutMs: 180_000 });
  if (code !== 0) throw new VsCodeHostError('BUILD_FAILED', `node esbuild.mjs failed (exit ${code}):\n${tail(output)}`);
}

/** The suite's test files, in name order: test/vscode/suite/*.test.ts. */
export function suiteTestFiles(): string[] {
  return readdirSync(SUITE_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

/**
 * Bundles test/vscode/suite (index.ts's run() plus every *.test.ts, loaded lazily) into one CJS
 * file for the extension host; `vscode` and `mocha` stay external (mocha resolves from the repo's
 * node_modules, so the bundle is written inside the repo, under .vscode-test/).
 */
export async function bundleSuite(outFile = join(REPO_ROOT, '.vscode-test', 'suite', 'index.js')): Promise<string> {
  const files = suiteTestFiles();
  const testFilesModule = join(SUITE_DIR, 'test-files.ts');
  const listFiles: esbuild.Plugin = {
    name: 'suite-test-files',
    setup(build) {
      build.onLoad({ filter: /[\\/]test[\\/]vscode[\\/]suite[\\/]test-files\.ts$/ }, (args) => {
        if (args.path !== testFilesModule) return undefined;
        const entries = files.map((f) => `  { name: ${JSON.stringify(f)}, load: () => require(${JSON.stringify(join(SUITE_DIR, f))}) },`);
        return {
          contents: `export const testFiles = [\n${entries.join('\n')}\n];\n`,
          loader: 'ts',
          resolveDir: SUITE_DIR,
        };
      });
    },
  };
  try {
    await esbuild.build({
      entryPoints: [join(SUITE_DIR, 'index.ts')],
      outfile: outFile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'inline',
      external: ['vscode', 'mocha'],
      plugins: [listFiles],
      logLevel: 'silent',
    });
  } catch (err) {
    throw new VsCodeHostError('BUILD_FAILED', `bundling the in-host suite failed: ${(err as Error).message}`, { cause: err });
  }
  return outFile;
}

function freePort(): Promise<number> {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of live processes whose environment carries SYNCHANNEL_VSCODE_SESSION=<id>. */
function taggedPids(id: string): number[] {
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

export interface SuiteRun {
  /** The code VS Code passed to codeAutomationExit (0 = all passed). */
  readonly exitCode: number;
  readonly report: InHostReport;
  readonly results: readonly InHostTestResult[];
  /** What the extension host printed (mocha's spec reporter, console.*). */
  readonly log: readonly string[];
  readonly durationMs: number;
}

export interface StartOptions {
  readonly hostDir?: string;
  /** Run the setup script when the host is missing (default true). */
  readonly install?: boolean;
  /** Skip `node esbuild.mjs` (default false: build so the host loads current sources). */
  readonly skipBuild?: boolean;
  /** Extra environment for code-server and so for the extension host (e.g. SYNCHANNEL_VSCODE_GREP). */
  readonly env?: Record<string, string>;
  /** VS Code user settings, over DEFAULT_SETTINGS (e.g. { 'synchannel.network': 'sandbox' }). */
  readonly settings?: Record<string, unknown>;
  /** Files to put in the workspace folder the window opens. */
  readonly workspaceFiles?: Record<string, string>;
  readonly log?: Log;
}

/**
 * One code-server on 127.0.0.1 (free port, its own user-data and extensions dirs and workspace in
 * a temp dir) plus one headless Chromium. Use runSuite() and/or openWorkbench(); always dispose().
 */
export class VsCodeHost implements AsyncDisposable {
  readonly timings: { setupMs: number; buildMs: number; serverStartMs: number } = { setupMs: 0, buildMs: 0, serverStartMs: 0 };
  private browser: Browser | undefined;
  private readonly contexts = new Set<BrowserContext>();
  private disposed = false;

  private constructor(
    readonly install: HostInstall,
    readonly url: string,
    readonly workspace: string,
    readonly suitePath: string,
    private readonly tmp: string,
    private readonly sessionId: string,
    private readonly server: ChildProcess,
    private readonly serverOutput: string[],
    private readonly resultsFile: string,
    private readonly log: Log,
  ) {}

  static async start(opts: StartOptions = {}): Promise<VsCodeHost> {
    const log = opts.log ?? quiet;
    const install = await ensureHost({ ...(opts.hostDir ? { dir: opts.hostDir } : {}), install: opts.install ?? true, log });
    const sessionId = randomUUID();
    let t = Date.now();
    if (!opts.skipBuild) await buildExtension(log);
    // One bundle per session, so sessions running at the same time never share a file.
    const suitePath = await bundleSuite(join(REPO_ROOT, '.vscode-test', 'suite', `index-${sessionId}.js`));
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
    const userDir = join(tmp, 'user-data', 'User');
    mkdirSync(userDir, { recursive: true });
    const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    writeFileSync(join(userDir, 'settings.json'), JSON.stringify(settings, null, 2));
    const resultsFile = join(tmp, 'results.json');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    t = Date.now();
    const server = spawn(
      install.node,
      [
        install.entry,
        '--config', '/dev/null',
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--extensions-dir', join(tmp, 'extensions'),
        '--user-data-dir', join(tmp, 'user-data'),
        workspace,
      ],
      {
        cwd: tmp,
        detached: true, // its own process group, ended as a whole in dispose()
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...opts.env,
          TEST_RESULTS: resultsFile,
          SYNCHANNEL_VSCODE_SESSION: sessionId,
          SYNCHANNEL_TEST: '1',
        },
      },
    );
    const serverOutput: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        serverOutput.push(line);
        if (serverOutput.length > 200) serverOutput.shift();
        log(`[code-server] ${line}`);
      }
    };
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    const host = new VsCodeHost(install, url, workspace, suitePath, tmp, sessionId, server, serverOutput, resultsFile, log);
    host.timings.setupMs = install.setupMs;
    host.timings.buildMs = buildMs;
    try {
      await host.waitHealthy(60_000);
      host.timings.serverStartMs = Date.now() - t;
      host.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    } catch (err) {
      await host.dispose();
      throw err;
    }
    return host;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.server.exitCode !== null || this.server.signalCode !== null) {
        throw new VsCodeHostError(
          'SERVER_START_FAILED',
          `code-server exited (${this.server.exitCode ?? this.server.signalCode}) before it was ready:\n${this.serverOutput.slice(-15).join('\n')}`,
        );
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new VsCodeHostError(
      'SERVER_START_FAILED',
      `code-server did not answer ${this.url}/healthz within ${timeoutMs / 1000}s:\n${this.serverOutput.slice(-15).join('\n')}`,
    );
  }

  /** The workbench URL for this workspace, with VS Code's test payload. */
  workbenchUrl(payload: { extensionTestsPath?: string } = {}): string {
    const authority = new URL(this.url).host;
    const remote = (path: string) => `vscode-remote://${authority}${path}`;
    const entries: [string, string][] = [['extensionDevelopmentPath', remote(REPO_ROOT.replace(/\/$/, ''))]];
    if (payload.extensionTestsPath) entries.push(['extensionTestsPath', remote(payload.extensionTestsPath)]);
    return `${this.url}/?folder=${encodeURIComponent(this.workspace)}&payload=${encodeURIComponent(JSON.stringify(entries))}`;
  }

  private async newPage(viewport = { width: 1400, height: 900 }): Promise<Page> {
    if (!this.browser || this.disposed) throw new VsCodeHostError('WORKBENCH_FAILED', 'this VsCodeHost is disposed');
    const context = await this.browser.newContext({ viewport });
    this.contexts.add(context);
    return context.newPage();
  }

  /**
   * Runs the bundled in-host suite in a fresh window and returns each test's result. Rejects
   * (SUITE_TIMEOUT, RESULTS_MISSING) only when the run itself breaks; failing tests are results.
   */
  async runSuite(opts: { timeoutMs?: number } = {}): Promise<SuiteRun> {
    const timeoutMs = opts.timeoutMs ?? 180_000;
    rmSync(this.resultsFile, { force: true });
    const page = await this.newPage();
    const log: string[] = [];
    const t0 = Date.now();
    const exited = Promise.withResolvers<number>();
    try {
      await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
        const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
        log.push(line);
        this.log(`[exthost] ${line}`);
      });
      await page.exposeFunction('codeAutomationExit', (code: number) => exited.resolve(Number(code)));
      await page.goto(this.workbenchUrl({ extensionTestsPath: this.suitePath }));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
      const exitCode = await Promise.race([exited.promise, timedOut]);
      clearTimeout(timer);
      if (exitCode === 'timeout') {
        const shot = join(this.tmp, 'suite-timeout.png');
        await page.screenshot({ path: shot }).catch(() => {});
        throw new VsCodeHostError(
          'SUITE_TIMEOUT',
          `the in-host suite did not finish within ${timeoutMs / 1000}s (no codeAutomationExit). ` +
            `Last host output:\n${log.slice(-15).join('\n') || '(none)'}\nServer:\n${this.serverOutput.slice(-10).join('\n')}`,
        );
      }
      if (!existsSync(this.resultsFile)) {
        throw new VsCodeHostError(
          'RESULTS_MISSING',
          `VS Code exited with code ${exitCode} but the suite wrote no results (did run() load?). Host output:\n${log.slice(-20).join('\n') || '(none)'}`,
        );
      }
      const report = JSON.parse(readFileSync(this.resultsFile, 'utf8')) as InHostReport;
      return { exitCode, report, results: report.results, log, durationMs: Date.now() - t0 };
    } finally {
      await page.context().close().catch(() => {});
      this.contexts.delete(page.context());
    }
  }

  /** Opens the workbench with the extension under development loaded; drive it through the result. */
  async openWorkbench(opts: { viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<Workbench> {
    const page = await this.newPage(opts.viewport);
    await page.goto(this.workbenchUrl());
    try {
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: opts.timeoutMs ?? 60_000 });
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: opts.timeoutMs ?? 60_000 });
    } catch (err) {
      throw new VsCodeHostError('WORKBENCH_FAILED', `the workbench did not render: ${(err as Error).message}`, { cause: err });
    }
    return new Workbench(page);
  }

  /** Closes the browser, ends code-server's process group and every process tagged with this session, removes the temp dir. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const context of this.contexts) await context.close().catch(() => {});
    await this.browser?.close().catch(() => {});
    const pid = this.server.pid;
    if (pid !== undefined && this.server.exitCode === null && this.server.signalCode === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const exited = new Promise<void>((r) => this.server.once('exit', () => r()));
      await Promise.race([exited, sleep(5_000)]);
    }
    // Anything of this session still alive (another process group, or ignoring SIGTERM): kill it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const left = taggedPids(this.sessionId);
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
    rmSync(this.tmp, { recursive: true, force: true });
    rmSync(this.suitePath, { force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** For tests of the harness itself: processes still tagged with this session. */
  liveProcesses(): number[] {
    return taggedPids(this.sessionId);
  }
}

/** A workbench window in Chromium, with the steps a UI test needs. `page` is the raw Playwright page. */
export class Workbench {
  constructor(readonly page: Page) {}

  private fail(step: string, err: unknown): never {
    throw new VsCodeHostError('UI_STEP_FAILED', `${step}: ${(err as Error).message}`, { cause: err });
  }

  /** Opens the command palette (F1) and runs the command whose label is exactly `title` (e.g. 'View: Show Explorer'). */
  async runCommand(title: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeout = opts.timeoutMs ?? 15_000;
    try {
      const input = this.page.locator('.quick-input-widget input.input');
      // F1 reaches the workbench from anywhere, webviews included (they forward key bindings).
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout });
      await input.fill(`>${title}`, { timeout: 10_000 });
      const row = this.page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
        .first();
      await row.waitFor({ state: 'attached', timeout });
      // Move the list's focus onto that row (usually the first) and accept it; a mouse click on
      // quick-input rows is unreliable in headless Chromium.
      for (let i = 0; i < 50 && !(await row.getAttribute('class'))?.split(/\s+/).includes('focused'); i++) {
        await this.page.keyboard.press('ArrowDown');
      }
      await this.page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout });
    } catch (err) {
      this.fail(`run command "${title}"`, err);
    }
  }

  /** Waits for a notification toast containing `text`; returns its full message. */
  async waitForNotification(text: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<string> {
    try {
      const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
      await toast.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 20_000 });
      return (await toast.locator('.notification-list-item-message').innerText()).trim();
    } catch (err) {
      this.fail(`wait for notification ${String(text)}`, err);
    }
  }

  /** The messages of the notification toasts showing now. */
  async notifications(): Promise<string[]> {
    const items = this.page.locator('.notifications-toasts .notification-list-item-message');
    return (await items.allInnerTexts()).map((t) => t.trim());
  }

  /** Clicks an action of a notification toast (e.g. 'Sign' on "Received new state"). */
  async clickNotificationAction(text: string | RegExp, action: string): Promise<void> {
    try {
      const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
      await toast.getByRole('button', { name: action, exact: true }).click({ timeout: 10_000 });
    } catch (err) {
      this.fail(`click "${action}" on notification ${String(text)}`, err);
    }
  }

  /** Shows an activity-bar view container (e.g. 'Explorer', later 'SynChannel'). */
  async openViewContainer(title: string): Promise<void> {
    try {
      const item = this.page.locator('.part.activitybar .action-item .action-label').and(this.page.locator(`[aria-label^="${title}"]`)).first();
      await item.waitFor({ state: 'visible', timeout: 20_000 });
      const selected = await item.locator('xpath=..').getAttribute('class');
      if (!selected?.includes('checked')) await item.click();
      await this.page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: 10_000 });
    } catch (err) {
      this.fail(`open view container "${title}"`, err);
    }
  }

  /** The pane of a view in the sidebar by its header title (expanded if collapsed). */
  async view(title: string): Promise<Locator> {
    try {
      const pane = this.page.locator('.part.sidebar .pane', {
        has: this.page.locator('.pane-header', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`, 'i') }),
      }).first();
      const header = pane.locator('.pane-header').first();
      await header.waitFor({ state: 'visible', timeout: 20_000 });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      return pane;
    } catch (err) {
      this.fail(`find view "${title}"`, err);
    }
  }

  /** The rows of a tree/list view, as their visible text. */
  async treeItems(view: Locator): Promise<string[]> {
    return (await view.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /**
   * The content frame of a webview: the visible one whose editor tab (or view) is titled `title`,
   * or, without a title, the most recently shown. Webviews are nested iframes (host -> active-frame).
   */
  async webview(title?: string, opts: { timeoutMs?: number } = {}): Promise<FrameLocator> {
    const timeout = opts.timeoutMs ?? 30_000;
    try {
      if (title) {
        await this.page.locator('.tabs-container .tab', { hasText: title }).first().click({ timeout });
      }
      const outer = this.page.locator('iframe.webview.ready:visible').last();
      await outer.waitFor({ state: 'visible', timeout });
      const content = outer.contentFrame().locator('iframe#active-frame');
      await content.waitFor({ state: 'attached', timeout });
      return content.contentFrame();
    } catch (err) {
      this.fail(`find webview ${title ? `"${title}"` : ''}`, err);
    }
  }

  /** The element the visible webview is drawn in (for screenshots of just the webview). */
  webviewElement(): Locator {
    return this.page.locator('iframe.webview.ready:visible').last();
  }

  /**
   * Saves a PNG into docs/screenshots/<name>.png (or `dir`): the whole window, or one element
   * (a view pane from view(), webviewElement(), ...). Returns the file path.
   */
  async screenshot(name: string, target?: Locator, opts: { dir?: string } = {}): Promise<string> {
    const dir = opts.dir ?? SCREENSHOT_DIR;
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${basename(name, '.png')}.png`);
    try {
      // Let animations (toasts, list transitions) settle so the picture is stable.
      await this.page.waitForTimeout(300);
      if (target) await target.screenshot({ path, animations: 'disabled' });
      else await this.page.screenshot({ path, animations: 'disabled' });
    } catch (err) {
      this.fail(`screenshot ${name}`, err);
    }
    return path;
  }

  /** Dismisses the palette / open quick input, if any. */
  async escape(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
