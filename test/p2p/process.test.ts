// Two processes: this test and a child peer (fixtures/peer.ts) talk over 127.0.0.1; the child is killed
// and restarted with the same data dir: same peer id, the session redials and delivers what was pending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { AppMessage } from '../../src/core/wire.js';
import { makeNode, tempDir, until } from './helpers.js';

interface Child {
  proc: ChildProcess;
  lines: Record<string, string>[];
}

function startPeer(dataDir: string, port: number, seed: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', './test/setup.ts', 'test/p2p/fixtures/peer.ts', dataDir, String(port), seed], {
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Record<string, string>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, string>);
    } catch {
      // not ours
    }
  });
  return { proc, lines };
}

const turn = (i: number): AppMessage => ({ type: 'turn.request', contract: '0:' + '22'.repeat(32), step: BigInt(i) });

test('a peer in another process: exchange both ways, survive its restart', async () => {
  const childDir = await tempDir();
  const ourDir = await tempDir();
  const seed = randomBytes(32).toString('hex');
  const { node } = await makeNode(ourDir.path);
  let child = startPeer(childDir.path, 0, seed);
  try {
    await until(() => child.lines.some((l) => l.addr), 'the child to serve', 60_000);
    const hello = child.lines.find((l) => l.addr)!;
    const session = await node.connect(hello.addr!);
    assert.equal(session.partner.walletAddress.toString(), hello.wallet);
    const got: bigint[] = [];
    session.on('message', (m) => m.type === 'turn.request' && got.push(m.step));
    await Promise.all([1, 2, 3].map((i) => session.send(turn(i))));
    await until(() => got.length === 3, 'three answers');
    assert.deepEqual(got, [1001n, 1002n, 1003n]);
    await until(() => child.lines.filter((l) => l.got).length >= 3, 'the child to report');
    assert.deepEqual(child.lines.filter((l) => l.got).map((l) => l.got), ['1', '2', '3']);

    // kill the child hard; what we send meanwhile waits, and goes out once it is back on the same port
    const port = Number(/tcp\/(\d+)/.exec(hello.addr!)![1]);
    child.proc.kill('SIGKILL');
    await until(() => !session.connected, 'the disconnect');
    const pending = [4, 5].map((i) => session.send(turn(i)));
    child = startPeer(childDir.path, port, seed);
    await until(() => child.lines.some((l) => l.addr), 'the restarted child to serve', 60_000);
    assert.equal(child.lines.find((l) => l.addr)!.peerId, hello.peerId, 'same identity after a restart');
    await Promise.all(pending);
    await until(() => got.length === 5, 'answers after the restart', 30_000);
    assert.deepEqual(got, [1001n, 1002n, 1003n, 1004n, 1005n]);
    await until(() => child.lines.filter((l) => l.got).length >= 2, 'the restarted child to report');
    assert.deepEqual(child.lines.filter((l) => l.got).map((l) => l.got), ['4', '5']);
  } finally {
    child.proc.stdin?.end();
    await new Promise((r) => (child.proc.exitCode !== null ? r(null) : child.proc.once('exit', r)));
    await node.stop();
    await childDir.cleanup();
    await ourDir.cleanup();
  }
});
