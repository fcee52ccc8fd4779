// Start Devnet's refusals in VS Code: the devnet's own messages (a port in use, its chain folder served by another
// process) are typed codes of the vocabulary, read without the CLI's flags, with the next step the palette offers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevnet } from '../../src/chain/devnet/server.js';
import { LOCK_FILE } from '../../src/chain/devnet/backend.js';
import { codeOf, levelOf } from '../../src/core/errors.js';
import { CLI_WORDS } from '../../src/extension/cliWords.js';
import { describeFailure } from '../../src/extension/nextSteps.js';

/** What VS Code shows when Start Devnet fails with `e`. */
function shown(e: unknown) {
  const code = codeOf(e);
  return { code, level: levelOf(code), d: describeFailure(code, (e as Error).message, { network: 'devnet', apiKeySet: false, endpoint: 'http://127.0.0.1:8081' })! };
}

test('Start Devnet on a port in use: DEVNET_LISTEN_FAILED, a warning in VS Code words, and Start Devnet on a Free Port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synchannel-devnet-words-'));
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  try {
    const port = (busy.address() as AddressInfo).port;
    const err = await startDevnet({ dataDir: dir, port }).then(
      () => assert.fail('the port is taken'),
      (e: unknown) => e,
    );
    const { code, level, d } = shown(err);
    assert.equal(code, 'DEVNET_LISTEN_FAILED');
    assert.equal(level, 'warning');
    assert.doesNotMatch(d.text, CLI_WORDS, d.text);
    assert.match(d.text, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use\\. Start Devnet on a free port, or use the devnet already running there \\(the synchannel\\.devnetUrl setting\\)`));
    assert.deepEqual(d.buttons, ['Start Devnet on a Free Port', 'Copy Details']);
    assert.deepEqual(d.actions[0], { title: 'Start Devnet on a Free Port', command: 'synchannel.startDevnet', args: [0] });
  } finally {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Start Devnet on a chain folder another process serves: DEVNET_DATA_LOCKED, said without the CLI's --data", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synchannel-devnet-words-'));
  try {
    mkdirSync(dir, { recursive: true });
    // a live process other than this one holds the lock (another window's extension host, a `synchannel devnet`)
    writeFileSync(join(dir, LOCK_FILE), String(process.ppid));
    const err = await startDevnet({ dataDir: dir, port: 0 }).then(
      () => assert.fail('the folder is held'),
      (e: unknown) => e,
    );
    const { code, level, d } = shown(err);
    assert.equal(code, 'DEVNET_DATA_LOCKED');
    assert.equal(level, 'warning');
    assert.doesNotMatch(d.text, CLI_WORDS, d.text);
    assert.match(d.text, /Point your node at that one \(the synchannel\.devnetUrl setting\), or stop it first \(another VS Code window may serve it\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
