// The desktop host: VS Code (Electron) downloaded by @vscode/test-electron, running the same bundled in-host suite
// through its runTests, as extension authors run theirs. Chosen by host-choice.ts when the download works; the UI
// scenarios (Playwright on a workbench page) stay with the code-server host.
import { TestRunFailedError, runTests } from '@vscode/test-electron';
import { REPO_ROOT, VsCodeHostError, quiet, taggedPids, type Log } from './common.js';
import { endSession, killTagged, prepareSession, readResults, type Session, type SessionOptions, type SuiteHost, type SuiteRun } from './session.js';

/** What @vscode/test-electron's runTests is to this host (a stand-in in the harness's own tests). */
export type RunTests = typeof runTests;

export interface ElectronStartOptions extends SessionOptions {
  /** The desktop VS Code executable (from host-choice.ts). */
  readonly executablePath: string;
  readonly runTests?: RunTests;
}

export class ElectronHost implements SuiteHost, AsyncDisposable {
  readonly kind = 'electron';
  readonly timings = { setupMs: 0, buildMs: 0, serverStartMs: 0 };
  private disposed = false;

  private constructor(
    readonly executablePath: string,
    private readonly session: Session,
    private readonly run: RunTests,
    private readonly log: Log,
  ) {}

  static async start(opts: ElectronStartOptions): Promise<ElectronHost> {
    const log = opts.log ?? quiet;
    const session = await prepareSession(opts, log);
    const host = new ElectronHost(opts.executablePath, session, opts.runTests ?? runTests, log);
    host.timings.buildMs = session.buildMs;
    return host;
  }

  /**
   * Runs the bundled in-host suite in a new desktop window (its own user-data and extensions dirs) and returns
   * each test's result. Rejects (SUITE_TIMEOUT, RESULTS_MISSING) only when the run itself breaks.
   */
  async runSuite(opts: { timeoutMs?: number } = {}): Promise<SuiteRun> {
    if (this.disposed) throw new VsCodeHostError('WORKBENCH_FAILED', 'this ElectronHost is disposed');
    const timeoutMs = opts.timeoutMs ?? 180_000;
    const t0 = Date.now();
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      this.log('no DISPLAY: desktop VS Code needs an X server here (run the tests under xvfb-run)');
    }
    const run = this.run({
      vscodeExecutablePath: this.executablePath,
      extensionDevelopmentPath: REPO_ROOT.replace(/\/$/, ''),
      extensionTestsPath: this.session.suitePath,
      launchArgs: [
        this.session.workspace,
        `--user-data-dir=${this.session.userDataDir}`,
        `--extensions-dir=${this.session.extensionsDir}`,
        '--disable-telemetry',
      ],
      extensionTestsEnv: this.session.env,
    }).then(
      (code) => code,
      // A non-zero exit (failing tests, or VS Code that could not start) is a result, not a broken run.
      (err: unknown) => {
        if (err instanceof TestRunFailedError) return err.code ?? 1;
        throw err;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    try {
      const exitCode = await Promise.race([run, timedOut]);
      if (exitCode === 'timeout') {
        await killTagged(this.session.id);
        await run.catch(() => {});
        throw new VsCodeHostError('SUITE_TIMEOUT', `the in-host suite did not finish within ${timeoutMs / 1000}s in desktop VS Code (${this.executablePath})`);
      }
      // test-electron prints VS Code's output to this process's stdout; it is not kept here.
      const report = readResults(this.session, exitCode, []);
      return { exitCode, report, results: report.results, log: [], durationMs: Date.now() - t0 };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends every process of this session (VS Code and its helpers carry the session tag) and removes its files. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await endSession(this.session);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  liveProcesses(): number[] {
    return taggedPids(this.session.id);
  }
}
