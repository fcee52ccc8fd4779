// The teaching demo's run folders (src/extension/demoFolders.ts): a folder whose owner process is gone is removed
// at the next sweep; one a live process owns (another window's running demo) stays, as do this window's own and a
// recent folder without an owner file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_OWNER_MAX_AGE_MS, OWNER_FILE, claimDemoFolder, sweepDemoFolders } from '../../src/extension/demoFolders.js';
import { DemoRunner, type DemoHooks } from '../../src/extension/demoHost.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

function folder(root: string, name: string, owner?: { pid: number }): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'alice'), { recursive: true });
  if (owner) writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ ...owner, started: new Date().toISOString() }));
  return dir;
}

describe('sweeping the teaching demo folders of windows that were killed', () => {
  test('a folder whose owner process is gone is removed; one a live process owns stays', async () => {
    const root = mkdtempSync(join(tmpdir(), 'synchannel-demo-'));
    try {
      const dead = folder(root, 'dead', { pid: await deadPid() });
      // another live process: this test's parent (another window's extension host, say)
      const live = folder(root, 'live', { pid: process.ppid });
      const lines: string[] = [];
      const removed = await sweepDemoFolders(root, { log: (l) => lines.push(l) });
      assert.deepEqual(removed, [dead]);
      assert.ok(!existsSync(dead));
      assert.ok(existsSync(join(live, 'alice')));
      assert.match(lines.join('\n'), /removed the teaching demo's folder .*dead: its window \(process \d+, started .*\) is gone/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("this window's own folder stays while in use, and goes once its run stopped", async () => {
    const root = mkdtempSync(join(tmpdir(), 'synchannel-demo-'));
    try {
      const mine = join(root, 'mine');
      await claimDemoFolder(mine);
      assert.deepEqual(await sweepDemoFolders(root, { inUse: (d) => d === mine }), []);
      assert.deepEqual(await sweepDemoFolders(root, { inUse: () => false }), [mine]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a folder without an owner file goes only when it is older than the safe age; an unreadable owner stays', async () => {
    const root = mkdtempSync(join(tmpdir(), 'synchannel-demo-'));
    try {
      const recent = folder(root, 'recent');
      const old = folder(root, 'old');
      const old2 = folder(root, 'old-unreadable');
      writeFileSync(join(old2, OWNER_FILE), JSON.stringify({ pid: 'x' }));
      const then = (Date.now() - NO_OWNER_MAX_AGE_MS - 3600_000) / 1000;
      utimesSync(old, then, then);
      utimesSync(old2, then, then);
      assert.deepEqual(await sweepDemoFolders(root), [old]);
      assert.ok(existsSync(recent) && existsSync(old2));
      assert.deepEqual(await sweepDemoFolders(join(root, 'missing')), [], 'no demo folder yet: nothing to do');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a second runner of this process (the host made again while the old one stops) does not sweep the first one's live run", async () => {
    const root = mkdtempSync(join(tmpdir(), 'synchannel-demo-'));
    let n = 0;
    const hooks: DemoHooks = { attach: () => undefined, detach: () => undefined, changed: () => undefined, log: () => undefined, dataDir: () => join(root, `run${n++}`), root: () => root };
    const first = new DemoRunner(hooks);
    try {
      const run = await first.startDemo();
      const second = new DemoRunner(hooks);
      assert.deepEqual(await second.sweep(), []);
      assert.ok(existsSync(join(run.dataDir, OWNER_FILE)), 'the live run keeps its folder');
      await first.stop();
      assert.ok(!existsSync(run.dataDir), 'a stopped run takes its folder with it');
    } finally {
      await first.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
