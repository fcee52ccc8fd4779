// An import into a running node at a channel whose contract is closing, or closes meanwhile: a stale close is
// challenged also while the channel cannot be loaded again, and what the dropped controller still reads is not told
// as something to run again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { until, type NodeHandle, type World } from '../adversary/world.js';
import type { NodeEvent } from '../../src/node/index.js';
import type { Chain } from '../../src/chain/types.js';
import { blockRecord, inner, latch, loseRecord, notMoved, withChannels } from '../helpers/running-import.js';

test('a read of the chain on the controller an import dropped is not told as "run it again" (the channel loaded again reads its own)', () =>
  withChannels(1, {}, async ({ vic, hal, chs: [ch], backup }) => {
    const { ctx, poke } = inner(vic);
    const old = ctx.channels.get(ch!)!;
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json')); // the backup restores it: loaded again
    await vic.node.importBackup(backup);
    assert.notEqual(ctx.channels.get(ch!), old, 'loaded again');
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await until(() => ctx.channels.get(ch!)?.life === 'closing', 'the reloaded channel to read the close', 30_000);
    const from = vic.events.length;
    await poke(old); // as the old defense's own poke after its challenge does
    const said = vic.events.slice(from).filter((e) => e.type === 'log' && /run it again/.test(e.message));
    assert.deepEqual(said, [], 'nothing to run again is said of the dropped controller');
  }));

test('a stale close of a channel an import failed at (shown broken, retried later) is challenged meanwhile; once loaded again, it alone defends', () =>
  withChannels(1, { recoverAgainMs: 1_000 }, async ({ w, vic, hal, chs: [ch], backup }) => {
    // Vic's first challenge reaches the endpoint and is refused there once the import has failed: the dropped
    // controller's defense ends with it.
    const reached = latch();
    const refuse = latch();
    let first = true;
    w.slowWallet(vic, async () => {
      if (!first) return;
      first = false;
      reached.open();
      await refuse.wait;
      throw new Error('injected: the endpoint refused the message');
    });
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await reached.wait;
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    assert.equal(vic.node.brokenChannels().find((b) => b.id === ch)?.retrying, true, 'shown broken, tried again later');
    refuse.open();
    await until(() => hal.events.some((e) => e.type === 'challenged' && e.channel.channelId === ch), "Vic's challenge to land while the channel is broken", 30_000);
    assert.equal(vic.node.channel(ch!), null, 'the channel is still not there to act on');
    // Its files can be moved in: the retry loads it, and the stand-in ends (one watch, one defense).
    await rm(record, { recursive: true });
    await until(() => vic.node.channel(ch!)?.phase === 'closing', 'the retry to load the channel', 30_000);
    assert.equal(inner(vic).watched(ch!).length, 1, 'only the channel loaded again is watched');
  }));

/** An import fails at Vic's channel (its files cannot be moved in); Hal closes with a stale state; Vic's stand-in
 * challenges and, past the window, tells the payout. Returns the blocked record's path and Vic's payouts told. */
async function standInPaysOut(w: World, vic: NodeHandle, hal: NodeHandle, ch: string, backup: string) {
  const record = await blockRecord(vic, ch);
  await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch).test(e.message));
  await hal.node.withdraw({ channel: ch, step: 0n, mode: 'unilateral', confirmStale: true });
  await until(() => hal.events.some((e) => e.type === 'challenged' && e.channel.channelId === ch), "the stand-in's challenge to land", 30_000);
  w.chain.advanceTime(200);
  const paidOut = () => vic.events.filter((e) => e.type === 'closed' && e.channel.channelId === ch);
  await until(() => paidOut().length > 0, 'the stand-in to tell the payout', 30_000);
  return { record, paidOut };
}

test("a payout the stand-in told is not told again by the channel loaded later (it would read as a second payout)", () =>
  withChannels(1, { recoverAgainMs: 1_000 }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const { record, paidOut } = await standInPaysOut(w, vic, hal, ch!, backup);
    await rm(record, { recursive: true });
    // The channel loaded again reads the payout: its view is updated as closed, then the payout would be told.
    const shownClosed = (e: NodeEvent) => e.type === 'channelUpdated' && e.channel.channelId === ch && e.channel.phase === 'closed';
    await until(() => vic.events.some(shownClosed), 'the channel loaded again to read the payout', 30_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(paidOut().length, 1, 'the payout is told once');
  }));

test('a payout the stand-in told is not warned of as "not found yet" by the channel loaded later when its read misses the payout transaction', () => {
  // Vic's chain, once `miss` is set: no payout transaction found (buried under later messages), and a watch that
  // reports nothing (the channel loaded again learns of the payout from its catch-up read alone).
  let miss = false;
  const wrap = (c: Chain): Chain =>
    new Proxy(c, {
      get(t, prop) {
        if (miss && prop === 'getPayout') return () => Promise.resolve(null);
        if (miss && prop === 'watchChannel') return () => ({ stop: () => undefined });
        const v = Reflect.get(t, prop, t) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  return withChannels(1, { recoverAgainMs: 1_000, wrap }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const { record, paidOut } = await standInPaysOut(w, vic, hal, ch!, backup);
    const told = paidOut()[0]!;
    miss = true;
    const from = vic.events.length;
    await rm(record, { recursive: true });
    const notFound = (e: NodeEvent) => e.type === 'error' && /has paid out .*payout transaction is not found yet/.test(e.message);
    const shownClosed = (e: NodeEvent) => e.type === 'channelUpdated' && e.channel.channelId === ch && e.channel.phase === 'closed';
    await until(() => vic.events.slice(from).some((e) => notFound(e) || shownClosed(e)), 'the channel loaded again to read the closed contract', 30_000);
    assert.deepEqual(vic.events.slice(from).filter(notFound), [], 'no warning of a payout not found: the stand-in told it');
    // It is the payout the stand-in read (a contract pays out once), told once.
    assert.equal(vic.node.channel(ch!)?.payout?.txHash, told.type === 'closed' ? told.payout.txHash : null);
    assert.equal(paidOut().length, 1, 'the payout is told once');
  });
});

test("a stale close the stand-in challenged is told after a restart as the partner's close and this node's challenge (the channel loaded again keeps them)", () =>
  withChannels(1, { recoverAgainMs: 1_000 }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    const head = hal.node.channel(ch!)!.latest!.step;
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await until(() => vic.events.some((e) => e.type === 'challenged' && e.channel.channelId === ch && e.byMe), "the stand-in's challenge to land", 30_000);
    await rm(record, { recursive: true });
    await until(() => vic.node.channel(ch!)?.phase === 'closing', 'the channel loaded again to read the close', 30_000);
    // Told as 'your partner closed with step N' alone, the stale close and this node's challenge were never said.
    await restartTellsCloseAndChallenge(w, vic, ch!, head);
  }));

test('a payout the stand-in told is not told again after a restart by the channel loaded then (the import moved in at the start)', () =>
  withChannels(1, { recoverAgainMs: 1_000 }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const { record, paidOut } = await standInPaysOut(w, vic, hal, ch!, backup);
    assert.equal(paidOut().length, 1);
    await w.stop(vic);
    await rm(record, { recursive: true }); // the next start moves the import in and loads the channel
    const again = await w.node('vic', { keyPair: vic.keyPair });
    const shownClosed = (e: NodeEvent) => e.type === 'channelUpdated' && e.channel.channelId === ch && e.channel.phase === 'closed';
    await until(() => again.events.some(shownClosed) || again.node.channel(ch!)?.phase === 'closed', 'the channel loaded after the restart to read the payout', 30_000);
    await new Promise((r) => setImmediate(r));
    const told = again.events.filter((e) => e.type === 'closed' && e.channel.channelId === ch);
    assert.deepEqual(told, [], 'the payout the stand-in told in the earlier run is not told again');
    const first = paidOut()[0]!;
    assert.equal(again.node.channel(ch!)?.payout?.txHash, first.type === 'closed' ? first.payout.txHash : null, 'the channel holds the payout the stand-in told');
  }));

test('a challenge in flight as an import replaces the record is told as ours by the channel loaded again, and after a restart', () =>
  withChannels(1, {}, async ({ w, vic, hal, chs: [ch], backup }) => {
    const reached = latch();
    const go = latch();
    let first = true;
    w.slowWallet(vic, async () => {
      if (!first) return;
      first = false;
      reached.open();
      await go.wait;
    });
    const head = vic.node.channel(ch!)!.latest!.step;
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await reached.wait; // Vic's challenge is on its way; its record holds it (challengeSent)
    const { ctx } = inner(vic);
    const old = ctx.channels.get(ch!)!;
    await loseRecord(vic, old, ch!); // lost (no save of it under way): the backup's record, without the challenge, replaces it
    assert.deepEqual((await vic.node.importBackup(backup)).imported, [ch], 'the import takes the channel');
    assert.notEqual(ctx.channels.get(ch!), old, 'loaded again');
    go.open();
    const challenged = () => vic.events.filter((e) => e.type === 'challenged' && e.channel.channelId === ch).map((e) => (e.type === 'challenged' ? `challenged ${e.step} byMe=${e.byMe}` : ''));
    await until(() => challenged().length > 0, "the challenge to be told", 30_000);
    assert.deepEqual(challenged(), [`challenged ${head} byMe=true`]);
    await until(() => vic.node.channel(ch!)?.close?.step === head, 'the record to take the challenge', 30_000);
    await restartTellsCloseAndChallenge(w, vic, ch!, head);
  }));

/** Vic restarts: the close is told as it started (Hal's stale step 0), then Vic's challenge with `head`, as his. */
async function restartTellsCloseAndChallenge(w: World, vic: NodeHandle, ch: string, head: bigint): Promise<void> {
  await w.stop(vic);
  const again = await w.node('vic', { keyPair: vic.keyPair });
  const told = () =>
    again.events.flatMap((e) =>
      e.type === 'closeStarted' && e.channel.channelId === ch ? [`closeStarted ${e.step} byPartner=${e.byPartner}`] : e.type === 'challenged' && e.channel.channelId === ch ? [`challenged ${e.step} byMe=${e.byMe}`] : [],
    );
  await until(() => told().length >= 2 || (again.node.channel(ch)?.phase === 'closing' && told().length > 0), 'the restarted node to read the close', 30_000);
  await new Promise((r) => setTimeout(r, 1_000)); // both reads (the watch's and the catch-up's) are in
  assert.deepEqual(told(), ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
}
