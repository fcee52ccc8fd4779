// startDevnet / devnetMain in this process: the exported API, its typed start-up errors (port taken,
// corrupt or foreign data file), concurrent requests, and close() being idempotent and saving.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, utimesSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Address, toNano } from '@ton/core';
import { TonClient } from '@ton/ton';
import fc from 'fast-check';
import { startDevnet } from '../../src/chain/devnet/server.js';
import { devnetMain } from '../../src/chain/devnet/main.js';
import { DATA_FILE, DevnetBackend, LOCK_FILE } from '../../src/chain/devnet/backend.js';
import { DevnetError } from '../../src/chain/devnet/errors.js';
import { METHOD_NAMES } from '../../src/chain/devnet/rpc.js';
import { SYNCHANNEL_VERSION } from '../../src/core/version.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'synchannel-devnet-ip-'));

describe('devnet in process', { timeout: 120_000 }, () => {
  test('serves concurrent requests; close() saves, releases the lock and can be called twice', async () => {
    const dir = tempDir();
    try {
      const logs: string[] = [];
      const dn = await startDevnet({ dataDir: dir, port: 0, log: (l) => logs.push(l) });
      assert.match(dn.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(dn.jsonRpcUrl, `${dn.url}/jsonRPC`);
      assert.ok(existsSync(join(dir, LOCK_FILE)));
      const client = new TonClient({ endpoint: dn.jsonRpcUrl });
      const targets = Array.from({ length: 8 }, () => new Address(0, randomBytes(32)));
      await Promise.all(
        targets.map(async (a, i) => {
          const res = await fetch(`${dn.url}/devnet/faucet`, { method: 'POST', body: JSON.stringify({ address: a.toString(), amount: toNano(String(i + 1)).toString() }) });
          assert.equal(res.status, 200);
        }),
      );
      const balances = await Promise.all(targets.map((a) => client.getBalance(a)));
      assert.deepEqual(balances, targets.map((_, i) => toNano(String(i + 1))));
      // The sandbox itself is exposed for in-process tests.
      assert.equal((await dn.blockchain.getContract(targets[0]!)).balance, toNano('1'));
      await Promise.all([dn.close(), dn.close()]);
      await dn.close();
      assert.ok(!existsSync(join(dir, LOCK_FILE)), 'lock released');
      assert.match(readFileSync(join(dir, DATA_FILE), 'utf8'), /synchannel-devnet/);
      assert.ok(logs.some((l) => l.includes('devnet.faucet ok')));
      await assert.rejects(fetch(`${dn.url}/devnet/info`));

      const again = await startDevnet({ dataDir: dir });
      try {
        const c2 = new TonClient({ endpoint: again.jsonRpcUrl });
        assert.equal(await c2.getBalance(targets[7]!), toNano('8'));
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('random params to every method get a typed answer, never an internal error, and the server stays up', async () => {
    const dir = tempDir();
    const dn = await startDevnet({ dataDir: dir });
    try {
      const someAddress = new Address(0, randomBytes(32)).toString();
      const field = fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.constant(someAddress),
        fc.constant('te6cckEBAQEAAgAAAEysuc0='),
        fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
        fc.array(fc.tuple(fc.constantFrom('num', 'tvm.Cell', 'tvm.Slice', 'null', 'bogus'), fc.anything({ maxDepth: 1 })), { maxLength: 3 }),
      );
      const params = fc.record(
        { address: field, boc: field, body: field, method: field, stack: field, limit: field, lt: field, hash: field, to_lt: field, amount: field, seconds: field, source: field, destination: field, created_lt: field },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...METHOD_NAMES), params, async (method, p) => {
          const body = JSON.stringify({ id: 1, jsonrpc: '2.0', method, params: p }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
          const res = await fetch(dn.jsonRpcUrl, { method: 'POST', body });
          const json = (await res.json()) as { ok: boolean; code?: number; devnet_code?: string; error?: string };
          if (json.ok) {
            assert.equal(res.status, 200);
          } else {
            assert.notEqual(json.devnet_code, 'DEVNET_INTERNAL', `${method} ${body}: ${json.error}`);
            assert.equal(res.status, json.code);
            assert.equal(typeof json.error, 'string');
          }
        }),
        { numRuns: 300 },
      );
      const ok = await fetch(`${dn.url}/devnet/info`);
      assert.equal(ok.status, 200);
    } finally {
      await dn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a taken port is a typed error and leaves the data directory unlocked', async () => {
    const a = tempDir();
    const b = tempDir();
    const first = await startDevnet({ dataDir: a });
    try {
      await assert.rejects(startDevnet({ dataDir: b, port: first.port }), (e: unknown) => e instanceof DevnetError && e.code === 'DEVNET_LISTEN_FAILED' && /--port/.test(e.message));
      assert.ok(!existsSync(join(b, LOCK_FILE)));
      await assert.rejects(startDevnet({ dataDir: b, port: 70000 }), (e: unknown) => e instanceof DevnetError && e.code === 'DEVNET_LISTEN_FAILED');
    } finally {
      await first.close();
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  test('a corrupt or foreign data file is refused with what to do, and is left untouched', async () => {
    for (const content of ['{ not json', JSON.stringify({ format: 'something-else' }), JSON.stringify({ format: 'synchannel-devnet', version: 99 })]) {
      const dir = tempDir();
      try {
        writeFileSync(join(dir, DATA_FILE), content);
        await assert.rejects(startDevnet({ dataDir: dir }), (e: unknown) => e instanceof DevnetError && e.code === 'DEVNET_DATA_CORRUPT' && /Move it away/.test(e.message));
        assert.equal(readFileSync(join(dir, DATA_FILE), 'utf8'), content);
        assert.ok(!existsSync(join(dir, LOCK_FILE)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('devnetMain: --version (-V) prints the build version and starts nothing', async () => {
    for (const flag of ['--version', '-V']) {
      const out: string[] = [];
      const err: string[] = [];
      const saved = process.exitCode;
      try {
        process.exitCode = undefined;
        const dn = await devnetMain([flag], { out: (l) => out.push(l), err: (l) => err.push(l), handleSignals: false });
        assert.equal(dn, undefined);
        assert.equal(process.exitCode, undefined, err.join('\n'));
        assert.deepEqual(out, [`synchannel ${SYNCHANNEL_VERSION} devnet`]);
      } finally {
        process.exitCode = saved;
      }
    }
  });

  test('devnetMain: bad flags print an error; good flags print the banner first', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), handleSignals: false };
    const saved = process.exitCode;
    try {
      assert.equal(await devnetMain(['--port', 'nope'], io), undefined);
      assert.equal(process.exitCode, 1);
      assert.match(err.join('\n'), /port/);
    } finally {
      process.exitCode = saved;
    }
    const dir = tempDir();
    try {
      const dn = await devnetMain(['--port', '0', '--data', dir], io);
      assert.ok(dn);
      try {
        assert.equal(out[0], `devnet listening on ${dn.url}`);
        assert.ok(out.some((l) => l === `point a node at it: --chain devnet --devnet-url ${dn.url}`));
      } finally {
        await dn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a chain kept while the machine's clock was a day ahead moves on from its time once the clock is set right, and says so", async (t) => {
    const dir = tempDir();
    try {
      await (await DevnetBackend.open(dir, () => undefined)).close();
      const file = join(dir, DATA_FILE);
      const ahead = Math.floor(Date.now() / 1000) + 86_400;
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), lastNow: ahead, timeOffset: 0 }));
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
      const logs: string[] = [];
      const dn = await DevnetBackend.open(dir, (l) => logs.push(l));
      try {
        const first = dn.tick();
        assert.ok(first >= ahead, 'never back');
        t.mock.timers.tick(600_000); // ten minutes of the (corrected) wall clock
        assert.equal(dn.tick(), first + 600, 'the chain time moves with the clock, not stands still for a day');
        assert.ok(logs.some((l) => /clock/.test(l) && /behind/.test(l)), logs.join('\n'));
      } finally {
        await dn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a lock whose pid is now another process (a pid reused after a crash or a reboot) is taken over', async () => {
    const dir = tempDir();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await once(other, 'spawn');
      const lock = join(dir, LOCK_FILE);
      const started = readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
      writeFileSync(lock, `${other.pid} ${Number(started) - 100}`); // written by a devnet whose pid that process has now
      const dn = await DevnetBackend.open(dir, () => undefined);
      await dn.close();
      assert.ok(!existsSync(lock), 'taken over, then released');
      // the lock of that very process (or of an earlier version: the pid alone) stays its own
      writeFileSync(lock, `${other.pid} ${started}`);
      await assert.rejects(DevnetBackend.open(dir, () => undefined), (e: unknown) => e instanceof DevnetError && e.code === 'DEVNET_DATA_LOCKED');
      writeFileSync(lock, String(other.pid));
      await assert.rejects(DevnetBackend.open(dir, () => undefined), (e: unknown) => e instanceof DevnetError && e.code === 'DEVNET_DATA_LOCKED');
    } finally {
      other.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Two containers sharing a hostname, a kernel and the data directory: a pid of the other's pid namespace cannot be
  // looked up here. Its lock was taken for a dead one and taken over; it is held while its holder keeps it fresh.
  test('a devnet lock of a process in another pid namespace is held while fresh, naming its holder; taken over once stale', async () => {
    const dir = tempDir();
    try {
      const lock = join(dir, LOCK_FILE);
      const pid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
      writeFileSync(lock, `${JSON.stringify({ pid, host: hostname(), boot: null, pidns: 'pid:[1]', start: null, since: '2026-12-06T00:00:00.000Z' })}\n`);
      await assert.rejects(DevnetBackend.open(dir, () => undefined), (e: unknown) => {
        assert.ok(e instanceof DevnetError && e.code === 'DEVNET_DATA_LOCKED', String(e));
        assert.match(e.message, new RegExp(`process ${pid} of another pid namespace \\(another container\\) on this host`));
        return true;
      });
      const old = new Date(Date.now() - 10 * 60_000);
      utimesSync(lock, old, old);
      const dn = await DevnetBackend.open(dir, () => undefined);
      const mine = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; pidns?: string };
      assert.equal(mine.pid, process.pid, 'taken over, and the lock names its holder');
      await dn.close();
      assert.ok(!existsSync(lock), 'released');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a second devnet on the same data directory in the same process (a Start Devnet run twice) is refused; the first keeps its lock', async () => {
    const dir = tempDir();
    try {
      const first = await DevnetBackend.open(dir, () => undefined);
      try {
        await assert.rejects(DevnetBackend.open(dir, () => undefined), (e: unknown) => e instanceof DevnetError && e.code === 'DEVNET_DATA_LOCKED' && /this program/i.test(e.message));
        assert.ok(existsSync(join(dir, LOCK_FILE)), 'the first devnet still holds the directory');
      } finally {
        await first.close();
      }
      assert.ok(!existsSync(join(dir, LOCK_FILE)), 'released by its close');
      await (await DevnetBackend.open(dir, () => undefined)).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
