// The code-server host: one code-server on 127.0.0.1 plus one headless Chromium. It runs the in-host suite
// through VS Code's own test hook (the workbench URL's payload) and opens workbench windows for the UI scenarios.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, VsCodeHostError, freePort, quiet, sleep, taggedPids, type Log } from './common.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureHost, type HostInstall } from './install.js';
import { endSession, prepareSession, readResults, type Session, type SessionOptions, type SuiteHost, type SuiteRun } from './session.js';
import { Workbench } from './workbench.js';

export type { SuiteRun } from './session.js';

export interface StartOptions extends SessionOptions {
  readonly hostDir?: string;
  /** Run the setup script when the host is missing (default true). */
  readonly install?: boolean;
}

/**
 * One code-server on 127.0.0.1 (free port, its own user-data and extensions dirs and workspace in
 * a temp dir) plus one headless Chromium. Use runSuite() and/or openWorkbench(); always dispose().
 */
export class VsCodeHost implements SuiteHost, AsyncDisposable {
  readonly kind = 'code-server';
  readonly timings: { setupMs: number; buildMs: number; serverStartMs: number } = { setupMs: 0, buildMs: 0, serverStartMs: 0 };
  private browser: Browser | undefined;
  private readonly contexts = new Set<BrowserContext>();
  private disposed = false;

  private constructor(
    readonly install: HostInstall,
    readonly url: string,
    private readonly session: Session,
    private readonly server: ChildProcess,
    private readonly serverOutput: string[],
    private readonly log: Log,
  ) {}

  get workspace(): string {
    return this.session.workspace;
  }

  static async start(opts: StartOptions = {}): Promise<VsCodeHost> {
    const log = opts.log ?? quiet;
    const install = await ensureHost({ ...(opts.hostDir ? { dir: opts.hostDir } : {}), install: opts.install ?? true, log });
    const session = await prepareSession(opts, log);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const t = Date.now();
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
        '--extensions-dir', session.extensionsDir,
        '--user-data-dir', session.userDataDir,
        session.workspace,
      ],
      {
        cwd: session.tmp,
        detached: true, // its own process group, ended as a whole in dispose()
        stdio: ['ignore', 'pipe', 'pipe'],
        // No extension gallery (code-server's default is open-vsx.org): tests reach 127.0.0.1 only, and the
        // workbench's gallery queries only failed here, with DNS errors in the window's console.
        env: { ...process.env, ...session.env, EXTENSIONS_GALLERY: '{}' },
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
    const host = new VsCodeHost(install, url, session, server, serverOutput, log);
    host.timings.setupMs = install.setupMs;
    host.timings.buildMs = session.buildMs;
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
    rmSync(this.session.resultsFile, { force: true });
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
      await page.goto(this.workbenchUrl({ extensionTestsPath: this.session.suitePath }));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
      const exitCode = await Promise.race([exited.promise, timedOut]);
      clearTimeout(timer);
      if (exitCode === 'timeout') {
        const shot = join(this.session.tmp, 'suite-timeout.png');
        await page.screenshot({ path: shot }).catch(() => {});
        throw new VsCodeHostError(
          'SUITE_TIMEOUT',
          `the in-host suite did not finish within ${timeoutMs / 1000}s (no codeAutomationExit). ` +
            `Last host output:\n${log.slice(-15).join('\n') || '(none)'}\nServer:\n${this.serverOutput.slice(-10).join('\n')}`,
        );
      }
      const report = readResults(this.session, exitCode, log);
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
    const sidebar = await page.locator('.monaco-workbench .part.sidebar').boundingBox().catch(() => null);
    return new Workbench(page, sidebar?.width);
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
    // Anything of this session still alive (another process group, or ignoring SIGTERM): killed, files removed.
    await endSession(this.session);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** For tests of the harness itself: processes still tagged with this session. */
  liveProcesses(): number[] {
    return taggedPids(this.session.id);
  }
}
