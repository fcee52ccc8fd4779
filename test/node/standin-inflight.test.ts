// A stand-in's challenge on its way (past its checks) when its channel loads again: the channel loaded again
// planned the same challenge and sent it too (a second fee, refused once the first landed, told as a failed
// challenge). The handover carries the challenge on its way: the channel loaded again waits for it, and tells it
// as ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { until } from '../adversary/world.js';
import { blockRecord, inner, latch, notMoved, withChannels } from '../helpers/running-import.js';
import { around, counting } from '../helpers/onway.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';

const held = /sent before may still land/;

test("a stand-in's challenge on its way as the channel loads again is not sent again by the channel loaded, and is told as ours", () => {
  let sends!: ReturnType<typeof counting>;
  const wrap = (c: Parameters<typeof counting>[0]) => (sends = counting(c, 'challenge')).chain;
  return withChannels(1, { recoverAgainMs: 1_000, wrap }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    // The stand-in's challenge reaches the endpoint and waits there (a busy chain) until `land`.
    const reached = latch();
    const land = latch();
    let first = true;
    w.slowWallet(vic, async () => {
      if (!first) return;
      first = false;
      reached.open();
      await land.wait;
    });
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await reached.wait;
    assert.equal(sends.calls(), 1, "the stand-in's challenge");
    // Its files can be moved in: the retry loads the channel, which reads the close and plans the same challenge.
    await rm(record, { recursive: true });
    const logged = (re: RegExp) => vic.events.some((e) => e.type === 'log' && re.test(e.message));
    await until(() => sends.calls() > 1 || logged(/earlier controller sent is on its way/), 'the channel loaded again to challenge or wait', 30_000);
    assert.equal(sends.calls(), 1, 'the channel loaded again does not send it again');
    land.open();
    const mine = () => vic.events.filter((e) => (e.type === 'challenged' || e.type === 'challengeFailed') && e.channel.channelId === ch);
    await until(() => !!vic.node.channel(ch!)?.close?.step && mine().length > 0, 'the challenge to land and be told', 30_000);
    await until(() => vic.node.channel(ch!)?.close?.challengeWith === null, 'the defense of the channel loaded again to plan nothing more', 30_000);
    assert.deepEqual(mine().map((e) => `${e.type} ${e.type === 'challenged' ? e.byMe : ''}`).filter((t) => !t.startsWith('challenged true')), [], 'told as ours; no failed challenge');
    assert.equal(sends.calls(), 1, 'one challenge, one fee');
  });
});

/** `real`, except that the first read of the contract by a defense's plan after `arm()` answers once `release()`d. */
function holdingPlanRead(real: Chain): { chain: Chain; arm: () => void; reached: Promise<void>; release: () => void } {
  let armed = false;
  const reached = latch();
  const released = latch();
  const chain = around(real, 'getChannelStatus', async (fn, a) => {
    if (!armed || !/Defense\.plan/.test(new Error().stack ?? '')) return fn(...a);
    armed = false;
    const read = await fn(...a);
    reached.open();
    await released.wait;
    return read;
  });
  return { chain, arm: () => void (armed = true), reached: reached.wait, release: released.open };
}

test("a stand-in ended while its defense read the contract sends no challenge: the channel loaded again sends the one", () => {
  let sends!: ReturnType<typeof counting>;
  let held!: ReturnType<typeof holdingPlanRead>;
  const wrap = (c: Chain) => (held = holdingPlanRead((sends = counting(c, 'challenge')).chain)).chain;
  return withChannels(1, { recoverAgainMs: 1_000, wrap }, async ({ vic, hal, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    held.arm();
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await held.reached; // the stand-in's defense reads the close, and waits there
    // Its files can be moved in: the retry loads the channel, whose defense challenges the close.
    await rm(record, { recursive: true });
    await until(() => sends.calls() > 0 && !!vic.node.channel(ch!)?.close?.step, "the channel loaded again's challenge to land", 30_000);
    held.release();
    const logged = (re: RegExp) => vic.events.some((e) => e.type === 'log' && re.test(e.message));
    await until(() => sends.calls() > 1 || logged(/loaded again while its defense read the contract/), "the stand-in's defense to send or end", 30_000);
    assert.equal(sends.calls(), 1, 'one challenge, one fee');
    assert.deepEqual(vic.events.filter((e) => e.type === 'challengeFailed'), [], 'no failed challenge told');
  });
});

/** `real`, except that the first challenge waits until `go()` before it is signed; every call is counted. */
function firstChallengeHeld(real: Chain): { chain: Chain; calls: () => number; reached: Promise<void>; go: () => void } {
  let n = 0;
  const reached = latch();
  const going = latch();
  const chain = around(real, 'challenge', async (fn, a) => {
    if (n++ === 0) {
      reached.open();
      await going.wait;
    }
    return fn(...a);
  });
  return { chain, calls: () => n, reached: reached.wait, go: going.open };
}

test("a challenge on its way as an import drops its channel, which does not load again: the stand-in waits for it rather than send it again", () => {
  let held!: ReturnType<typeof firstChallengeHeld>;
  return withChannels(1, { recoverAgainMs: 60_000, period: 3600, wrap: (c) => (held = firstChallengeHeld(c)).chain }, async ({ vic, hal, chs: [ch], backup }) => {
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await held.reached; // Vic's challenge, past its checks, waits for the wallet
    await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    const logged = (re: RegExp) => vic.events.some((e) => e.type === 'log' && re.test(e.message));
    await until(() => held.calls() > 1 || logged(/earlier controller sent is on its way/), 'the stand-in to challenge or wait', 30_000);
    assert.equal(held.calls(), 1, 'the stand-in does not send it again');
    held.go();
    const told = () => vic.events.filter((e) => (e.type === 'challenged' || e.type === 'challengeFailed') && e.channel.channelId === ch);
    await until(() => told().length > 0, 'the challenge to land and be told', 30_000);
    // the stand-in reads it too: it is told once all the same
    await until(() => inner(vic).watched(ch!).some((s) => (s.rec.close?.step ?? 0n) > 0n), "the stand-in's read of the challenge", 30_000);
    assert.deepEqual(told().map((e) => `${e.type} ${e.type === 'challenged' ? e.byMe : ''}`), ['challenged true'], 'told as ours, once');
    assert.equal(held.calls(), 1, 'one challenge, one fee');
  });
});

test("a stand-in's challenge that may still land when its channel loads again keeps its expiry in the record: a restart does not send it again", () => {
  let gate = (c: Chain): Chain => c;
  const wrap = (c: Chain) => gate(c);
  const go = latch();
  const reached = latch();
  // The stand-in's challenge waits before it is signed (a busy wallet) until `go`: the handover names it, no expiry yet.
  gate = (c) => {
    let first = true;
    return around(c, 'challenge', async (fn, a) => {
      if (first) {
        first = false;
        reached.open();
        await go.wait;
      }
      return fn(...a);
    });
  };
  // a long window: a wait for one that may land never costs it
  return withChannels(1, { recoverAgainMs: 1_000, wrap, period: 3600 }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await reached.wait;
    await rm(record, { recursive: true });
    const logged = (h: typeof vic, re: RegExp) => h.events.some((e) => e.type === 'log' && re.test(e.message));
    await until(() => logged(vic, /earlier controller sent is on its way/), 'the channel loaded again to wait for the stand-in', 30_000);
    // Signed, sent, and no answer: it may still land. Vic's node stops as the channel loaded again holds back its own.
    w.slowWallet(vic, () => Promise.reject(new ChainError('TIMEOUT', 'injected: no answer; it may still land', { sent: true })));
    const stopped = new Promise<void>((r) => vic.node.on((e) => void (e.type === 'log' && held.test(e.message) && r(vic.node.stop()))));
    go.open();
    await stopped;
    w.handles.splice(w.handles.indexOf(vic), 1);
    let again!: ReturnType<typeof counting>;
    const back = await w.node('vic', { keyPair: vic.keyPair, recoverAgainMs: 1_000, wrap: (c) => (again = counting(c, 'challenge')).chain });
    await until(() => again.calls() > 0 || logged(back, held), 'Vic to send the challenge again or hold it back', 30_000);
    assert.equal(again.calls(), 0, 'not sent again while it may land');
  });
});
