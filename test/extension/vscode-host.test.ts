// The extension's integration tests, run in a real VS Code (code-server + Debian's Chromium, see
// test/vscode/harness.ts), reported here one node:test test per in-host test, then the UI scenarios
// of test/vscode/ui.ts. Installs the host on first use (scripts/setup-vscode-host.sh, ~2 min cold,
// needs root for apt); when it cannot, the "VS Code host" test fails and says how to set it up.
// Run alone: npm run test:vscode.   Env: SYNCHANNEL_VSCODE_LOG=1 prints the host's output;
// SYNCHANNEL_VSCODE_GREP=<pattern> runs only matching in-host tests; SYNCHANNEL_VSCODE_SKIP_BUILD=1
// uses dist/ as it is instead of running `node esbuild.mjs` first.
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { VsCodeHost, type SuiteRun } from '../vscode/harness.js';
import { UI_SCENARIOS, UI_WORKSPACE_FILES } from '../vscode/ui.js';

const verbose = process.env.SYNCHANNEL_VSCODE_LOG === '1';
const log = verbose ? (line: string) => console.log(line) : undefined;

describe('VS Code extension in a real VS Code (code-server 4.100.3, Chromium)', async () => {
  let host: VsCodeHost | undefined;
  let run: SuiteRun | undefined;
  let startError: unknown;

  try {
    host = await VsCodeHost.start({
      workspaceFiles: UI_WORKSPACE_FILES,
      skipBuild: process.env.SYNCHANNEL_VSCODE_SKIP_BUILD === '1',
      ...(log ? { log } : {}),
      ...(process.env.SYNCHANNEL_VSCODE_GREP ? { env: { SYNCHANNEL_VSCODE_GREP: process.env.SYNCHANNEL_VSCODE_GREP } } : {}),
    });
    run = await host.runSuite({ timeoutMs: 180_000 });
  } catch (err) {
    startError = err;
  }

  after(async () => {
    if (!host) return;
    await host.dispose();
    assert.deepEqual(host.liveProcesses(), [], 'processes of the VS Code session outlived dispose()');
  });

  it('VS Code host runs the in-host suite', () => {
    if (startError) throw startError;
    assert.ok(host && run);
    const t = host.timings;
    console.log(
      `VS Code ${run.report.host.vscodeVersion} (${run.report.host.appName}, ${run.report.host.uiKind}) node ${run.report.host.node}; ` +
        `setup ${(t.setupMs / 1000).toFixed(1)}s${host.install.installedNow ? ' (installed now)' : ''}, build ${(t.buildMs / 1000).toFixed(1)}s, ` +
        `server ${(t.serverStartMs / 1000).toFixed(1)}s, suite ${(run.durationMs / 1000).toFixed(1)}s`,
    );
    const activation = run.report.metrics?.activationMs;
    console.log(
      activation === undefined
        ? 'activation in the extension host: not measured (the extension was active before the suite activated it)'
        : `activation in the extension host (getExtension().activate(): loading dist/extension.js + activate()): ${activation.toFixed(1)} ms`,
    );
    assert.equal(run.report.runnerError, undefined, `the in-host runner broke: ${run.report.runnerError}`);
    assert.ok(run.results.length > 0, 'the in-host suite reported no tests');
    const failed = run.results.filter((r) => r.state === 'failed').length;
    // VS Code's exit code and the per-test results must agree (0 <=> nothing failed).
    assert.equal(run.exitCode === 0, failed === 0, `exit code ${run.exitCode} but ${failed} failed result(s)`);
  });

  describe('in-host suite (extension host, mocha)', () => {
    for (const result of run?.results ?? []) {
      const name = result.fullTitle + (result.file ? ` [${result.file}]` : '');
      if (result.state === 'pending') {
        it(name, { skip: 'pending in the in-host suite' }, () => {});
        continue;
      }
      it(name, () => {
        if (result.state === 'failed') {
          const err = new Error(result.error?.message ?? 'failed in the extension host');
          if (result.error?.stack) err.stack = result.error.stack;
          throw err;
        }
      });
    }
  });

  describe('UI (Playwright on the workbench)', () => {
    let wb: Awaited<ReturnType<VsCodeHost['openWorkbench']>> | undefined;
    for (const scenario of UI_SCENARIOS) {
      it(scenario.name, async () => {
        assert.ok(host, 'no VS Code host (see the first test)');
        wb ??= await host.openWorkbench();
        await scenario.run(wb);
      });
    }
  });
});
