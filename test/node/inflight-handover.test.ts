// A stand-in's cooperative close on its way (its defense pays out with a close state both signed) when its
// channel loads again: the handover carried no mark of it, so the channel loaded again, reading the contract not
// paid out yet, sent a second one (bounced for a wallet fee once the first landed). The handover carries it: the
// channel loaded again waits for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';
import { blockRecord, latch, notMoved } from '../helpers/running-import.js';
import { around } from '../helpers/onway.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';

const nothingSent = () => new ChainError('ENDPOINT_UNREACHABLE', 'injected: the endpoint did not take the message; nothing was sent: retry');

/** `real`, whose cooperative closes fail before they leave until `arm()`; from then on counted, the first held until `land()`. */
function closes(real: Chain) {
  let armed = false;
  let n = 0;
  const reached = latch();
  const landing = latch();
  const chain = around(real, 'cooperativeClose', async (fn, a) => {
    if (!armed) throw nothingSent();
    if (n++ === 0) {
      reached.open();
      await landing.wait;
    }
    return fn(...a);
  });
  return { chain, arm: () => void (armed = true), calls: () => n, reached: reached.wait, land: landing.open };
}

test("a stand-in's cooperative close on its way as the channel loads again is not sent again by the channel loaded", async () => {
  const w = await World.create();
  try {
    let vc!: ReturnType<typeof closes>;
    const vic = await w.node('vic', { recoverAgainMs: 1_000, wrap: (c) => (vc = closes(c)).chain });
    // Hal's cooperative closes never leave: only Vic's can pay the channel out.
    const hal = await w.node('hal', { wrap: (c) => around(c, 'cooperativeClose', () => Promise.reject(nothingSent())) });
    await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    await w.pay(hal, ch, TON('0.5'));
    // Vic holds a close state both signed that never reached the chain; its backup holds it too.
    await assert.rejects(vic.node.withdraw({ channel: ch, mode: 'cooperative' }));
    assert.equal(vic.node.channel(ch)?.latest?.tag, 'close');
    const backup = join(w.dir, 'vic.backup');
    await vic.node.exportBackup(backup);
    const record = await blockRecord(vic, ch);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch).test(e.message));
    vc.arm();
    // Hal closes with a stale state: the stand-in's defense pays out with the close state, held at the wallet.
    await hal.node.withdraw({ channel: ch, step: 0n, mode: 'unilateral', confirmStale: true });
    await vc.reached;
    assert.equal(vc.calls(), 1, "the stand-in's cooperative close");
    // Its files can be moved in: the retry loads the channel, which reads the close and would pay out too.
    await rm(record, { recursive: true });
    const logged = (re: RegExp) => vic.events.some((e) => e.type === 'log' && re.test(e.message));
    await until(() => vc.calls() > 1 || logged(/cooperative close .*earlier controller sent is on its way/), 'the channel loaded again to pay out or wait', 30_000);
    assert.equal(vc.calls(), 1, 'the channel loaded again does not send it again');
    vc.land();
    await until(() => vic.node.channel(ch)?.phase === 'closed', 'the payout to be read', 30_000);
    assert.equal(vc.calls(), 1, 'one cooperative close, one fee');
  } finally {
    await w.close();
  }
});
