// Which VS Code runs the in-host suite (test/vscode/host-choice.ts) and how the desktop host drives
// @vscode/test-electron's runTests (test/vscode/electron.ts), without downloading VS Code: the download and
// runTests are stand-ins here. Only the code-server fallback can run on this machine.
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TestRunFailedError, type TestOptions } from '@vscode/test-electron';
import { REPO_ROOT, VsCodeHostError } from '../vscode/common.js';
import { ElectronHost } from '../vscode/electron.js';
import { HOST_ENV, chooseHost, hostMode, type VsCodeDownload } from '../vscode/host-choice.js';
import type { InHostReport } from '../vscode/results.js';

const refused: VsCodeDownload = () => Promise.reject(new Error('getaddrinfo ENOTFOUND update.code.visualstudio.com'));
const silent: VsCodeDownload = () => new Promise(() => {});
const cached: VsCodeDownload = async ({ onAnswer }) => {
  onAnswer();
  return '/opt/vscode/code';
};

/** chooseHost with the printed lines collected. */
async function choose(mode: 'auto' | 'electron' | 'code-server', download: VsCodeDownload, probeTimeoutMs = 300) {
  const printed: string[] = [];
  const choice = await chooseHost({ mode, download, probeTimeoutMs, print: (l) => printed.push(l) });
  return { choice, printed };
}

describe('VS Code host choice (SYNCHANNEL_VSCODE_HOST)', () => {
  it('reads auto (the default), electron and code-server, and refuses anything else', () => {
    assert.equal(hostMode({}), 'auto');
    assert.equal(hostMode({ [HOST_ENV]: '' }), 'auto');
    assert.equal(hostMode({ [HOST_ENV]: 'electron' }), 'electron');
    assert.equal(hostMode({ [HOST_ENV]: ' Code-Server ' }), 'code-server');
    assert.throws(() => hostMode({ [HOST_ENV]: 'desktop' }), (err: unknown) => {
      assert.ok(err instanceof VsCodeHostError);
      assert.equal(err.code, 'HOST_CHOICE_FAILED');
      assert.match(err.message, /SYNCHANNEL_VSCODE_HOST=desktop is not one of auto, electron, code-server/);
      return true;
    });
  });

  it('auto falls back to code-server when the download is refused, and prints why', async () => {
    const { choice, printed } = await choose('auto', refused);
    assert.equal(choice.host, 'code-server');
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /^VS Code host: code-server \(auto: desktop VS Code could not be downloaded: getaddrinfo ENOTFOUND .*falling back to code-server\)$/);
  });

  it('auto falls back when the download service never answers (the attempt is bounded, not left to hang)', async () => {
    const { choice, printed } = await choose('auto', silent);
    assert.equal(choice.host, 'code-server');
    assert.match(printed[0]!, /no answer from the VS Code download service within 0\.3 s/);
  });

  it('auto takes desktop VS Code when the download (or a cached copy) is there', async () => {
    const { choice, printed } = await choose('auto', cached);
    assert.deepEqual(choice, { host: 'electron', executablePath: '/opt/vscode/code', reason: 'auto: desktop VS Code at /opt/vscode/code' });
    assert.equal(printed[0], 'VS Code host: electron (auto: desktop VS Code at /opt/vscode/code)');
  });

  it('a download that has started is not cut off by the bound', async () => {
    const slow: VsCodeDownload = async ({ onAnswer }) => {
      onAnswer();
      await new Promise((r) => setTimeout(r, 1_500)); // past the 0.3 s bound (+1 s grace)
      return '/opt/vscode/code';
    };
    const { choice } = await choose('auto', slow);
    assert.equal(choice.host, 'electron');
  });

  it('forced electron fails with a clear message when VS Code cannot be downloaded (no fallback)', async () => {
    await assert.rejects(choose('electron', refused), (err: unknown) => {
      assert.ok(err instanceof VsCodeHostError);
      assert.equal(err.code, 'ELECTRON_UNAVAILABLE');
      assert.match(err.message, /SYNCHANNEL_VSCODE_HOST=electron, but @vscode\/test-electron could not get desktop VS Code: getaddrinfo ENOTFOUND/);
      assert.match(err.message, /Set SYNCHANNEL_VSCODE_HOST=code-server \(or auto\)/);
      return true;
    });
  });

  it('forced code-server never attempts the download', async () => {
    let called = false;
    const { choice, printed } = await choose('code-server', async () => {
      called = true;
      return '/opt/vscode/code';
    });
    assert.equal(called, false);
    assert.equal(choice.host, 'code-server');
    assert.match(printed[0]!, /^VS Code host: code-server \(SYNCHANNEL_VSCODE_HOST=code-server: no desktop download attempted\)$/);
  });
});

describe('desktop host (ElectronHost) through a stand-in runTests', () => {
  const report = (failures: number): InHostReport => ({
    failures,
    results: [{ titlePath: ['a', 'b'], fullTitle: 'a b', state: failures ? 'failed' : 'passed' }],
    host: { vscodeVersion: '1.100.3', node: process.version, appName: 'Visual Studio Code', uiKind: 'desktop', remoteName: undefined },
  });

  /** Starts a host whose runTests records its options and answers with `answer`. */
  async function withHost(answer: (o: TestOptions) => Promise<number>, check: (host: ElectronHost, calls: TestOptions[]) => Promise<void>) {
    const calls: TestOptions[] = [];
    const host = await ElectronHost.start({
      executablePath: '/opt/vscode/code',
      skipBuild: true,
      env: { SYNCHANNEL_VSCODE_GREP: 'activates' },
      runTests: (o) => {
        calls.push(o);
        return answer(o);
      },
    });
    try {
      await check(host, calls);
    } finally {
      await host.dispose();
    }
  }

  it('passes the executable, the repo, the bundled suite, its own profile dirs and the results file to runTests', async () => {
    await withHost(
      async (o) => {
        writeFileSync(o.extensionTestsEnv!.TEST_RESULTS!, JSON.stringify(report(0)));
        return 0;
      },
      async (host, calls) => {
        const run = await host.runSuite();
        assert.equal(run.exitCode, 0);
        assert.deepEqual(run.results.map((r) => r.state), ['passed']);
        const o = calls[0]!;
        assert.equal(o.vscodeExecutablePath, '/opt/vscode/code');
        assert.equal(o.extensionDevelopmentPath, REPO_ROOT.replace(/\/$/, ''));
        assert.ok(existsSync(o.extensionTestsPath), `the suite bundle ${o.extensionTestsPath} exists`);
        assert.ok(o.launchArgs?.some((a) => a.startsWith('--user-data-dir=')) && o.launchArgs.some((a) => a.startsWith('--extensions-dir=')));
        assert.equal(o.extensionTestsEnv?.SYNCHANNEL_VSCODE_GREP, 'activates');
        assert.ok(o.extensionTestsEnv?.SYNCHANNEL_VSCODE_SESSION, 'the session tag reaches VS Code, so dispose() can end it');
      },
    );
  });

  it('a failing run (TestRunFailedError) is a result with its exit code; no results file is RESULTS_MISSING', async () => {
    await withHost(
      async (o) => {
        writeFileSync(o.extensionTestsEnv!.TEST_RESULTS!, JSON.stringify(report(1)));
        throw new TestRunFailedError(1, undefined);
      },
      async (host) => {
        const run = await host.runSuite();
        assert.equal(run.exitCode, 1);
        assert.deepEqual(run.results.map((r) => r.state), ['failed']);
      },
    );
    await withHost(
      () => Promise.reject(new TestRunFailedError(13, undefined)),
      async (host) => {
        await assert.rejects(host.runSuite(), (err: unknown) => err instanceof VsCodeHostError && err.code === 'RESULTS_MISSING' && /exited with code 13/.test(err.message));
      },
    );
  });
});
