// Audit item 7, operator faults, with real `synchannel --json` processes: two nodes on one data folder; --data
// pointing at a file, an unreadable folder, an unreadable key; kill -9 of the dialing node, twice, with a channel
// opened after its automatic reconnect (the partner's payments still reach it without a manual connect); and an
// unreadable journal listed by `channels` with what to do.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildOnce, CLI, CliProc, DevnetProc, ROOT, type Json } from './cli-harness.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A CLI process; resolves with its first event (ready or fatal). */
async function start(args: string[]): Promise<{ p: CliProc; first: Json }> {
  const p = new CliProc(args);
  const first = await p.wait((j) => j.event === 'ready' || j.event === 'fatal', 'ready or fatal', 60_000);
  return { p, first };
}

/** The first JSON line of a CLI run as nobody (root reads everything), which then gets end of input. */
async function firstAsNobody(args: string[]): Promise<Json> {
  const child = spawn(process.execPath, [CLI, '--json', ...args], { cwd: ROOT, uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: '/tmp' } });
  child.stdin.end();
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<Json>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no output in 60 s')), 60_000);
    lines.once('line', (l) => {
      clearTimeout(t);
      resolve(JSON.parse(l) as Json);
    });
  });
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  return first;
}

/** A start-up failure a person can act on: a code of the vocabulary and no raw errno text. */
function assertTyped(first: Json, code: string | RegExp): void {
  assert.equal(first.event, 'fatal', JSON.stringify(first));
  if (typeof code === 'string') assert.equal(first.code, code, String(first.message));
  else assert.match(String(first.code), code, String(first.message));
  assert.doesNotMatch(String(first.message), /^(E[A-Z]+|Error):|\bat \//, 'no raw errno or stack');
}

describe('operator faults', () => {
  let dir: string;
  const procs: CliProc[] = [];

  before(async () => {
    buildOnce();
    dir = await mkdtemp(join(tmpdir(), 'synchannel-operator-'));
    await chmod(dir, 0o755);
  });

  after(async () => {
    for (const p of procs) await p.exit().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  test('a second node on the same data folder stops at once with DATA_DIR_LOCKED, naming the holder', async () => {
    const data = join(dir, 'locked');
    const one = await start(['--data', data]);
    procs.push(one.p);
    assert.equal(one.first.event, 'ready');
    const two = await start(['--data', data]);
    procs.push(two.p);
    assertTyped(two.first, 'DATA_DIR_LOCKED');
    assert.match(String(two.first.message), new RegExp(String(one.p.child.pid)));
    assert.equal(await two.p.exited, 1);
  });

  test('end of input after a restart that serves again ends the run (only a serve line of its own input keeps it serving)', async () => {
    const data = join(dir, 'reserve');
    const one = await start(['--data', data]);
    await one.p.run(`serve ${await freePort()} 127.0.0.1`);
    await one.p.exit();
    const two = await start(['--data', data]);
    procs.push(two.p);
    assert.equal(two.first.event, 'ready');
    two.p.child.stdin.end();
    await two.p.event('exit', () => true, 30_000);
    assert.equal(await two.p.exited, 0);
  });

  test('--data pointing at a file, an unreadable folder, or a folder with an unreadable key: typed messages, no raw errors', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    assertTyped((await start(['--data', file])).first, 'DATA_DIR_NOT_A_FOLDER');
    assertTyped((await start(['--data', join(file, 'below')])).first, 'DATA_DIR_NOT_A_FOLDER');
    // a folder where none can be made (Node's recursive mkdir never returns under /proc)
    assertTyped((await start(['--data', '/proc/synchannel-nope/data'])).first, 'DATA_DIR_NOT_WRITABLE');
    if (!isRoot) return; // the permission cases need another user
    const closed = join(dir, 'closed');
    await mkdir(closed, { mode: 0o700 });
    assertTyped(await firstAsNobody(['--data', join(closed, 'inside')]), /^DATA_DIR_(UNREADABLE|NOT_WRITABLE)$/);
    // A data folder of nobody's whose key file only root can read.
    const keyed = join(dir, 'keyed');
    const made = await start(['--data', keyed]);
    await made.p.exit();
    await chown(keyed, NOBODY, NOBODY);
    for (const f of ['synchannel.lock', 'channels', 'p2p', 'p2p/p2p-identity.key', 'partners.json']) await chown(join(keyed, f), NOBODY, NOBODY).catch(() => undefined);
    await chmod(join(keyed, 'wallet.pk'), 0o600);
    const first = await firstAsNobody(['--data', keyed]);
    assertTyped(first, 'DATA_DIR_UNREADABLE');
    assert.match(String(first.message), /permission/i);
  });

  describe('kill -9 of the dialing node, and a journal that cannot be read', () => {
    let devnet: DevnetProc;
    before(async () => {
      devnet = new DevnetProc(join(dir, 'devnet'));
      await devnet.ready;
    });
    after(async () => {
      await devnet?.stop();
    });

    test('channels opened after an automatic reconnect keep the partner: after two kill -9 of the dialer, the partner pays without a manual connect', async () => {
      const port = await freePort();
      const common = ['--chain', 'devnet', '--devnet-url', devnet.url];
      const a = new CliProc([...common, '--data', join(dir, 'a'), '--period', '60']);
      procs.push(a);
      await a.event('ready');
      await a.run(`serve ${port} 127.0.0.1`);
      const startB = async () => {
        const b = new CliProc([...common, '--data', join(dir, 'b')]);
        procs.push(b);
        await b.event('ready');
        return b;
      };
      let b = await startB();
      await a.run('faucet 20');
      await b.run('faucet 20');
      const addr = (a.lines.find((j) => j.event === 'served')!.lan as string[])[0]!;
      await b.run(`connect ${addr}`);
      const first = (await a.run('open 1 1')).channelId as string;
      await b.event('channelProposed');
      await b.run(`deposit --channel ${first}`);
      await b.event('stateSigned', (j) => (j.channel as Json).channelId === first && (j.state as Json).step === '0', 60_000);
      // A holds B's countersignature too (B's event comes as it leaves; a kill -9 right after may lose it in flight)
      await a.event('stateSigned', (j) => (j.channel as Json).channelId === first && (j.state as Json).step === '0', 30_000);

      // kill -9 the dialer; it comes back and redials by itself. A opens a second channel then.
      await b.kill9();
      let seen = a.lines.length;
      b = await startB();
      await a.event('partnerConnected', () => true, 30_000, seen);
      const second = (await a.run(`open 1 1 --partner ${(await b.run('getAccount')).address as string}`)).channelId as string;
      await b.event('channelProposed', (j) => (j.channel as Json).channelId === second);
      await b.run(`deposit --channel ${second}`);
      await b.event('stateSigned', (j) => (j.channel as Json).channelId === second && (j.state as Json).step === '0', 60_000);
      await a.event('stateSigned', (j) => (j.channel as Json).channelId === second && (j.state as Json).step === '0', 30_000);

      // kill -9 again; no one runs connect. A pays B in the second channel.
      await b.kill9();
      seen = a.lines.length;
      b = await startB();
      await a.event('partnerConnected', () => true, 30_000, seen);
      assert.ok(!b.lines.some((j) => j.command === 'connect'), 'no manual connect');
      seen = a.lines.length;
      await a.run(`requestEmpty --channel ${second}`);
      await a.event('stateSigned', (j) => (j.channel as Json).channelId === second && (j.state as Json).step === '1', 30_000, seen);
      const paid = await a.run(`send 0.25 --channel ${second}`);
      await b.event('stateSigned', (j) => (j.channel as Json).channelId === second && (j.state as Json).step === String(paid.step), 30_000);
      await b.exit();

      // B's journal of the first channel loses its header: B starts, and `channels` lists it with what to do.
      const journal = join(dir, 'b', 'channels', first, 'journal.bin');
      const fh = await open(journal, 'r+');
      await fh.write(Buffer.from('XXXXXXXX'), 0, 8, 0);
      await fh.close();
      b = await startB();
      const list = await b.run('channels');
      const broken = (list.broken as Json[]).find((x) => x.id === first);
      assert.ok(broken, `listed: ${JSON.stringify(list.broken)}`);
      assert.equal(broken.code, 'JOURNAL_CORRUPT');
      assert.match(String(broken.message), /backup|resync/);
      assert.ok((list.channels as Json[]).some((c) => c.channelId === second), 'the other channel is fine');
      await a.exit();
      await b.exit();
    });
  });
});
