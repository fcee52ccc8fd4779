// The in-host test runner: the module VS Code loads from `extensionTestsPath` and whose `run()` it
// awaits inside the extension host (the same contract @vscode/test-electron uses). mocha, bdd.
// Results go to the JSON file named by TEST_RESULTS (set by test/vscode/harness.ts on the server),
// one entry per test, so the node:test wrapper can report each one; the spec reporter's lines reach
// the harness through the workbench's codeAutomationLog.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import Mocha from 'mocha';
import { metrics } from './metrics.js';
import { testFiles } from './test-files.js';
import type { InHostReport, InHostTestResult } from '../results.js';

const { EVENT_FILE_PRE_REQUIRE, EVENT_FILE_REQUIRE, EVENT_FILE_POST_REQUIRE } = Mocha.Suite.constants;

function titlePath(runnable: Mocha.Runnable): string[] {
  return runnable.titlePath();
}

function errorOf(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { message: String(err) };
}

function writeReport(report: InHostReport): void {
  const out = process.env.TEST_RESULTS;
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
}

function hostFacts(): InHostReport['host'] {
  return {
    vscodeVersion: vscode.version,
    node: process.version,
    appName: vscode.env.appName,
    uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
    remoteName: vscode.env.remoteName,
  };
}

export function run(): Promise<void> {
  const timeout = Number(process.env.SYNCHANNEL_VSCODE_TEST_TIMEOUT ?? 60_000);
  const grep = process.env.SYNCHANNEL_VSCODE_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });

  try {
    if (testFiles.length === 0) throw new Error('no in-host test files: bundle this suite with test/vscode/harness.ts');
    // What mocha.loadFiles() does for files on disk, for modules already inside this bundle.
    for (const file of testFiles) {
      mocha.suite.emit(EVENT_FILE_PRE_REQUIRE, globalThis, file.name, mocha);
      const exports = file.load();
      mocha.suite.emit(EVENT_FILE_REQUIRE, exports, file.name, mocha);
      mocha.suite.emit(EVENT_FILE_POST_REQUIRE, globalThis, file.name, mocha);
    }
  } catch (err) {
    const runnerError = errorOf(err).stack ?? errorOf(err).message;
    writeReport({ failures: 1, results: [], host: hostFacts(), runnerError });
    return Promise.reject(err instanceof Error ? err : new Error(runnerError));
  }

  return new Promise((resolve, reject) => {
    const results: InHostTestResult[] = [];
    const push = (test: Mocha.Runnable, state: InHostTestResult['state'], err?: unknown) => {
      const path = titlePath(test);
      results.push({
        titlePath: path,
        fullTitle: path.join(' '),
        ...(test.file ? { file: test.file } : {}),
        state,
        ...(test.duration !== undefined ? { durationMs: test.duration } : {}),
        ...(err !== undefined ? { error: errorOf(err) } : {}),
      });
    };
    const runner = mocha.run((failures) => {
      writeReport({ failures, results, host: hostFacts(), metrics: metrics() });
      if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => push(test, 'passed'));
    // Also fires for failed hooks ('"before all" hook for ...'): those are reported as failed entries.
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => push(test, 'failed', err));
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test) => push(test, 'pending'));
  });
}
