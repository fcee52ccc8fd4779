// An import into a running node that fails at a channel: the node never goes on with a channel whose files the
// import changed or whose storage it closed. Such a channel is loaded again from its files (restored when imported),
// or shown broken with the store's error and tried again; a later import or retry that moves it in loads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataDir } from '../../src/node/store/datadir.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, until, type NodeHandle } from '../adversary/world.js';
import { blockRecord, holdAppendUntilClosed, holdLoad, inner, latch, loseRecord, notMoved, recordLoads, reloaded, stopWhileLoading, withChannels } from '../helpers/running-import.js';

/** The channel is not there to act on: nothing is signed or sent from the files the import changed. */
async function notOperated(h: NodeHandle, ch: string): Promise<void> {
  assert.equal(h.node.channel(ch), null, 'the channel whose files changed is not shown');
  await assert.rejects(h.node.send(TON('0.1'), { channel: ch }));
  await assert.rejects(h.node.withdraw({ channel: ch }));
}

test("a committed import that cannot be moved in shows its channel broken with the store's error, never the old one; an import once fixed loads it restored", () =>
  withChannels(1, {}, async ({ vic, hal, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    await notOperated(vic, ch!);
    const broken = vic.node.brokenChannels().find((b) => b.id === ch);
    assert.match(broken?.message ?? '', notMoved(ch!));
    assert.equal(broken?.retrying, true, 'tried again by itself');
    const step = World.step(hal.node, ch!);
    await hal.node.send(TON('0.1'), { channel: ch!, waitMs: 2_000 }).catch(() => undefined);
    assert.equal(World.step(hal.node, ch!), step, "Vic countersigns nothing of Hal's");

    await rm(record, { recursive: true });
    await vic.node.importBackup(backup);
    const view = vic.node.channel(ch!);
    assert.equal(view?.restored, true, 'loaded again, restored');
    assert.deepEqual(vic.node.brokenChannels(), []);
    await until(() => !vic.node.channel(ch!)!.restorePending, 'the partner to answer', 30_000);
    await until(() => World.step(vic.node, ch!) === World.step(hal.node, ch!), 'both at one step', 10_000);
  }));

test('a channel shown broken by a failed import is loaded by the retry once its files can be moved in', () =>
  withChannels(1, { recoverAgainMs: 200 }, async ({ vic, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    await notOperated(vic, ch!);
    await rm(record, { recursive: true });
    await until(() => vic.node.channel(ch!)?.restored === true, 'the retry to load the channel', 10_000);
    assert.deepEqual(vic.node.brokenChannels(), []);
  }));

test('an import that fails part-way reloads the channels it imported before (restored) and says what it did', () =>
  withChannels(2, {}, async ({ vic, chs: [first, second], backup }) => {
    // The first channel's record is lost (the backup restores it); the second one's cannot be moved in.
    await rm(join(vic.dataDir, 'channels', first!, 'record.json'));
    await blockRecord(vic, second!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(second!).test(e.message) && /imported before it: /.test(e.message));
    assert.equal(vic.node.channel(first!)?.restored, true, 'the imported channel is loaded again, restored');
    await notOperated(vic, second!);
    assert.deepEqual(vic.node.brokenChannels().map((b) => b.id), [second]);
  }));

test('a retry under way as an import reloads the channel leaves one controller for it, watched once', () =>
  withChannels(1, { recoverAgainMs: 50 }, async ({ vic, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    const { ctx, watched } = inner(vic);
    const loaded = recordLoads(ctx);
    // The retry's next listing waits until the import below has committed, and a listing after it (the import's
    // reload) until the retry loaded the channel: both load it.
    const committed = latch();
    const retrying = latch();
    const list = ctx.data.list.bind(ctx.data);
    let lists = 0;
    ctx.data.list = async () => {
      if (++lists === 1) {
        retrying.open();
        await committed.wait;
      } else if (lists === 2) await until(() => loaded.length > 0, 'the retry to load the channel', 10_000);
      return list();
    };
    const importFrom = ctx.data.importFrom.bind(ctx.data);
    ctx.data.importFrom = (...a) => importFrom(...a).finally(committed.open);
    await retrying.wait;
    await rm(record, { recursive: true });
    await vic.node.importBackup(backup);
    const live = ctx.channels.get(ch!);
    assert.ok(live && loaded.includes(live), 'the channel is loaded');
    assert.equal(watched(ch!).length, 1, 'one controller watches the channel');
    assert.ok(watched(ch!)[0] === live, 'the one the node operates on');
    assert.ok(loaded.filter((c) => c !== live).every((c) => c.isStopped), 'any other one is stopped');
    assert.deepEqual(vic.node.brokenChannels(), []);
  }));

test('an import that reloads a channel stops its old controller: what waits on it or is queued on it fails and says to run it again', () =>
  withChannels(1, {}, async ({ vic, chs: [ch], backup }) => {
    const { ctx } = inner(vic);
    const old = ctx.channels.get(ch!)!;
    let go!: () => void;
    const busy = old.run(() => new Promise<void>((r) => (go = r)));
    const queued = old.run(() => 'ran');
    const waiting = old.waitFor(() => false, 60_000, undefined, 'never');
    waiting.catch(() => undefined); // awaited below
    // Its record is lost on disk: the backup restores it (its storage closed, the channel loaded again).
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json'));
    assert.deepEqual((await vic.node.importBackup(backup)).imported, [ch]);
    assert.notEqual(ctx.channels.get(ch!), old, 'loaded again');
    assert.equal(old.isStopped, true, 'the old controller is stopped');
    await assert.rejects(waiting, reloaded);
    go();
    await busy;
    await assert.rejects(queued, reloaded);
  }));

test('an operation running as an import closes its channel\'s storage fails with CHANNEL_RELOADED and says to run it again; what it signed never leaves', () =>
  withChannels(1, {}, async ({ w, vic, hal, chs: [ch] }) => {
    // Vic holds the turn, and his backup holds what his disk holds; his record is lost on disk: the backup restores it.
    await w.pay(vic, ch!, TON('0.1'));
    await assertSameHistory(vic.node, hal.node, ch!);
    await until(() => vic.node.channel(ch!)!.myTurn, "Vic's turn");
    const backup = join(w.dir, 'vic-turn.backup');
    await vic.node.exportBackup(backup);
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json'));
    const { ctx } = inner(vic);
    // Vic's payment is made and signed in the channel's queue; its write waits until the import closed the storage.
    const held = holdAppendUntilClosed(ctx.channels.get(ch!)!, (es) => es.some((e) => e.kind === 'staged' && e.mine));
    const sending = vic.node.send(TON('0.2'), { channel: ch! });
    sending.catch(() => undefined); // awaited below
    await held.reached;
    const from = vic.events.length;
    const step = World.step(hal.node, ch!);
    const imported = vic.node.importBackup(backup);
    await assert.rejects(sending, reloaded);
    assert.deepEqual((await imported).imported, [ch]);
    assert.deepEqual(vic.events.slice(from).filter((e) => e.type === 'error'), [], 'no error told');
    await until(() => !vic.node.channel(ch!)!.restorePending, 'the partner to answer', 30_000);
    await assertSameHistory(vic.node, hal.node, ch!);
    assert.equal(World.step(hal.node, ch!), step, 'Hal got no payment');
    assert.equal(hal.node.channel(ch!)!.pending, null, 'nor a proposal of it');
  }));

test("a payment of ours countersigned as an import closes the channel's storage says that the partner signed it (sent), not to pay again", () =>
  withChannels(1, {}, async ({ w, vic, hal, chs: [ch] }) => {
    await w.pay(vic, ch!, TON('0.1'));
    await until(() => vic.node.channel(ch!)!.myTurn, "Vic's turn");
    const backup = join(w.dir, 'vic-turn.backup');
    await vic.node.exportBackup(backup);
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json')); // the backup restores it
    // Hal countersigns Vic's payment; Vic's write of it waits until the import closed the storage.
    const held = holdAppendUntilClosed(inner(vic).ctx.channels.get(ch!)!, (es) => es.some((e) => e.kind === 'committed'));
    const had = vic.node.channel(ch!)!.myBalance;
    const paying = vic.node.pay(TON('0.2'), { channel: ch! }).catch((e: Error) => e);
    await held.reached;
    const step = World.step(hal.node, ch!);
    assert.deepEqual((await vic.node.importBackup(backup)).imported, [ch]);
    const e = (await paying) as Error & { code?: string; sent?: boolean };
    assert.equal(e.code, 'CHANNEL_RELOADED', String(e));
    assert.equal(e.sent, true, e.message);
    assert.doesNotMatch(e.message, /did not go on|run it again|pay again/, e.message);
    assert.match(e.message, new RegExp(`state ${step} .*showLast`), e.message);
    await until(() => World.step(vic.node, ch!) >= step && vic.node.channel(ch!)!.myBalance === had - TON('0.2'), 'the reloaded channel to hold the payment Hal signed', 30_000);
  }));

test('a partner\'s payment countersigned as an import closes the channel\'s storage is not told as an error, and the countersignature never leaves', () =>
  withChannels(1, {}, async ({ vic, hal, chs: [ch], backup }) => {
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json')); // the backup restores it
    const { ctx } = inner(vic);
    // Vic countersigns Hal's payment in the channel's queue; its write waits until the import closed the storage.
    const held = holdAppendUntilClosed(ctx.channels.get(ch!)!, (es) => es.some((e) => e.kind === 'committed'));
    const step = World.step(hal.node, ch!);
    await hal.node.send(TON('0.1'), { channel: ch! });
    await held.reached;
    const from = vic.events.length;
    assert.deepEqual((await vic.node.importBackup(backup)).imported, [ch]);
    await until(() => !vic.node.channel(ch!)!.restorePending, 'the partner to answer', 30_000);
    await vic.node.caughtUp();
    // (Hal's payment, offered again, is refused in a restored channel: told as such.)
    assert.deepEqual(vic.events.slice(from).filter((e) => e.type === 'error' && e.code !== 'CHANNEL_RESTORED'), [], 'no error told');
    assert.equal(World.step(hal.node, ch!), step, 'Hal got no countersignature');
    assert.equal(World.step(vic.node, ch!), step, "Vic's disk holds what Hal holds");
  }));

test("a partner's payment that arrives while an import holds the channel's storage closed is signed once the channel is loaded again", () =>
  withChannels(1, {}, async ({ vic, hal, chs: [ch], backup }) => {
    const { ctx } = inner(vic);
    const step = World.step(hal.node, ch!);
    // As the store does when it keeps a channel it closed (a state landed meanwhile); Hal's payment reaches Vic in between.
    const importFrom = ctx.data.importFrom.bind(ctx.data);
    ctx.data.importFrom = async (...a) => {
      await (ctx.data as unknown as DataDir).opened(ch!)?.close();
      const from = vic.events.length;
      await hal.node.send(TON('0.1'), { channel: ch! });
      await until(() => vic.events.slice(from).some((e) => e.type === 'log' && /loaded again/.test(e.message)), "Vic to leave Hal's state to the reload", 10_000);
      const r = await importFrom(...a);
      return { ...r, closed: [...r.closed, ch!] };
    };
    assert.deepEqual((await vic.node.importBackup(backup)).kept, [ch]);
    await until(() => World.step(vic.node, ch!) > step && World.step(hal.node, ch!) > step, "Hal's payment signed by both", 10_000);
    await assertSameHistory(vic.node, hal.node, ch!);
  }));

test('a channel an import closed but kept is loaded again and goes on: one controller, each state told once', () =>
  withChannels(1, {}, async ({ w, vic, hal, chs: [ch], backup }) => {
    const { ctx, watched } = inner(vic);
    const old = ctx.channels.get(ch!)!;
    // As the store does when what it finds after closing the channel's storage is as new as the backup (a state
    // that landed meanwhile): the storage closed, the channel kept.
    const importFrom = ctx.data.importFrom.bind(ctx.data);
    ctx.data.importFrom = async (...a) => {
      await (ctx.data as unknown as DataDir).opened(ch!)?.close();
      const r = await importFrom(...a);
      return { ...r, closed: [...r.closed, ch!] };
    };
    const r = await vic.node.importBackup(backup);
    assert.deepEqual(r.kept, [ch], 'the local channel holds as much as the backup: kept');
    const live = ctx.channels.get(ch!)!;
    assert.notEqual(live, old, 'loaded again from its files');
    assert.equal(watched(ch!).length, 1, 'one controller watches the channel');
    assert.ok(watched(ch!)[0] === live, 'the one the node operates on');
    assert.equal(vic.node.channels().filter((c) => c.channelId === ch).length, 1);
    const from = vic.events.length;
    const step = await w.pay(hal, ch!, TON('0.25'));
    await until(() => World.step(vic.node, ch!) >= step, 'Vic to sign the payment', 10_000);
    await assertSameHistory(vic.node, hal.node, ch!);
    const signed = vic.events.slice(from).filter((e) => e.type === 'stateSigned' && e.channel.channelId === ch && e.state.step === step);
    assert.equal(signed.length, 1, 'the state is told once');
  }));

test('a stop while an import loads a channel again waits for it: what it loaded is stopped, and nothing is written or told after the stop', () =>
  withChannels(1, {}, async ({ vic, chs: [ch], backup }) => {
    const { ctx } = inner(vic);
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json')); // the backup restores it
    // The import's reload opens the channel's storage only once the stop has begun.
    const held = holdLoad(ctx, ch!);
    const imported = vic.node.importBackup(backup);
    await stopWhileLoading(vic, held, () => imported.catch(() => undefined));
  }));

test('a stop while the retry loads a broken channel waits for it: what it loaded is stopped, and nothing is written or told after the stop', () =>
  withChannels(1, { recoverAgainMs: 50 }, async ({ vic, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    const { ctx } = inner(vic);
    // The retry opens the channel's storage only once the stop has begun.
    const held = holdLoad(ctx, ch!);
    await rm(record, { recursive: true });
    await stopWhileLoading(vic, held, () => until(() => held.loaded.length > 0, 'the retry to load the channel', 10_000));
  }));

test('an import that loads a closing channel again does not tell its close a second time', () =>
  withChannels(1, {}, async ({ vic, hal, chs: [ch], backup }) => {
    const challenged = until(() => vic.events.some((e) => e.type === 'challenged' && e.channel.channelId === ch), 'Vic to challenge the stale close', 30_000);
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await challenged;
    const told = () => vic.events.filter((e) => e.type === 'closeStarted' && e.channel.channelId === ch).length;
    assert.equal(told(), 1, 'the close is told as it lands');
    const { ctx } = inner(vic);
    const old = ctx.channels.get(ch!)!;
    await loseRecord(vic, old, ch!); // the backup restores it: loaded again, open on record
    assert.deepEqual((await vic.node.importBackup(backup)).imported, [ch], 'the lost record is restored');
    const live = () => ctx.channels.get(ch!);
    await until(() => live() !== old && live()?.life === 'closing', 'the reloaded channel to read its close', 30_000);
    await vic.node.caughtUp();
    assert.equal(told(), 1, 'the close is not told again: the views were told it in this run');
  }));
