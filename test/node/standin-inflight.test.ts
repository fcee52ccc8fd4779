// A stand-in's challenge on its way (past its checks) when its channel loads again: the channel loaded again
// planned the same challenge and sent it too (a second fee, refused once the first landed, told as a failed
// challenge). The handover carries the challenge on its way: the channel loaded again waits for it, and tells it
// as ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { until } from '../adversary/world.js';
import { blockRecord, latch, notMoved, withChannels } from '../helpers/running-import.js';
import { counting } from '../helpers/onway.js';

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
