// A send of ours that may still land (signed, sent, no answer) when an import loads its channel again from an older
// record, which lacks its mark: the channel loaded again must not send it again while the first may land (a second
// is refused, or bounces, once the first lands: a wallet fee).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until, type NodeHandle } from '../adversary/world.js';
import { inner, loseRecord, withChannels } from '../helpers/running-import.js';
import { counting, failingAfterMark, held } from '../helpers/onway.js';
import type { Chain } from '../../src/chain/types.js';

/** `real`, whose first call of `method` is signed (its mark kept) and gets no answer (it may still land); every call counted. */
const firstUnanswered = (real: Chain, method: 'finishClose' | 'startClose') => counting(failingAfterMark(real, method, { mayLand: true }).chain, method);

test('a finish that may still land as an import loads its channel again from an older record is not sent again by the channel loaded', () => {
  let finishes!: ReturnType<typeof firstUnanswered>;
  const wrap = (c: Chain) => (finishes = firstUnanswered(c, 'finishClose')).chain;
  return withChannels(1, { wrap }, async ({ w, vic, hal, chs: [ch], backup }) => {
    await w.stop(hal); // Hal would finish it too (after a grace)
    await vic.node.withdraw({ channel: ch!, mode: 'unilateral' });
    w.chain.advanceTime(121);
    await until(() => finishes.calls() === 1, "Vic's finish", 30_000);
    // The backup (from before the close) is restored: the channel loads again with no mark of the finish.
    await restoredOlder(vic, ch!, backup);
    const logged = () => vic.events.some((e) => e.type === 'log' && held.test(e.message));
    await until(() => finishes.calls() > 1 || logged(), 'the channel loaded again to finish or hold it back', 30_000);
    assert.equal(finishes.calls(), 1, 'not sent again while the first may land');
  });
});

test('our close that may still land as an import loads its channel again from an older record is not sent again by a withdraw', () => {
  let closes!: ReturnType<typeof firstUnanswered>;
  const wrap = (c: Chain) => (closes = firstUnanswered(c, 'startClose')).chain;
  return withChannels(1, { wrap }, async ({ vic, chs: [ch], backup }) => {
    await assert.rejects(vic.node.withdraw({ channel: ch!, mode: 'unilateral' }), /may still land/);
    assert.equal(closes.calls(), 1);
    await restoredOlder(vic, ch!, backup);
    const said: string[] = [];
    vic.node.withdraw({ channel: ch!, mode: 'unilateral', confirmStale: true, onProgress: (m) => said.push(m) }).catch(() => undefined);
    await until(() => closes.calls() > 1 || said.some((m) => held.test(m)), 'the withdraw to send the close or hold it back', 30_000);
    assert.equal(closes.calls(), 1, 'not sent again while the first may land');
  });
});

/** Vic's backup `backup` (older) is restored over channel `ch`: its controller is dropped, and the channel loads again. */
async function restoredOlder(vic: NodeHandle, ch: string, backup: string): Promise<void> {
  const { ctx } = inner(vic);
  const old = ctx.channels.get(ch)!;
  await loseRecord(vic, old, ch);
  await vic.node.importBackup(backup);
  assert.notEqual(ctx.channels.get(ch), old, 'loaded again');
}
