// A stand-in's challenge past its checks when its channel loads again, signed only after that handover, and whose
// send then failed as one that may still land (sent): the channel loaded again kept its expiry in memory only, so a
// restart before that mark was saved sent the same challenge again while the first could land (a second fee).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { WALLET_MESSAGE_TTL } from '../../src/chain/base.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain, OpOptions } from '../../src/chain/types.js';
import { until } from '../adversary/world.js';
import { blockRecord, latch, notMoved, withChannels } from '../helpers/running-import.js';
import { around, counting } from '../helpers/onway.js';

/**
 * `real`, except that the first challenge waits until `sign()`, is then signed (its `beforeSend` mark kept) and its
 * send fails as one that may still land: it never reaches the chain, which nobody could tell before it expires.
 */
function signedLate(real: Chain): { chain: Chain; reached: Promise<void>; sign: () => void } {
  let first = true;
  const reached = latch();
  const signing = latch();
  const chain = around(real, 'challenge', async (fn, a) => {
    if (!first) return fn(...a);
    first = false;
    reached.open();
    await signing.wait;
    await ((a[3] ?? {}) as OpOptions).beforeSend?.({ validUntil: (await real.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('TIMEOUT', 'injected: the challenge was sent but not seen on chain in time; it may still land', { sent: true });
  });
  return { chain, reached: reached.wait, sign: signing.open };
}

test("a stand-in's challenge signed after the handover and not answered is not sent again after a restart while it may land", () => {
  let late!: ReturnType<typeof signedLate>;
  return withChannels(1, { recoverAgainMs: 1_000, period: 3600, wrap: (c) => (late = signedLate(c)).chain }, async ({ w, vic, hal, chs: [ch], backup }) => {
    const record = await blockRecord(vic, ch!);
    await assert.rejects(vic.node.importBackup(backup), (e: Error) => notMoved(ch!).test(e.message));
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await late.reached; // the stand-in's challenge, past its checks, not signed yet
    await rm(record, { recursive: true });
    const logged = (h: typeof vic, re: RegExp) => h.events.some((e) => e.type === 'log' && re.test(e.message));
    await until(() => logged(vic, /earlier controller sent is on its way/), 'the channel loaded again to wait for it', 30_000);
    late.sign();
    await until(() => logged(vic, /sent before may still land/), 'the channel loaded again to hold it back', 30_000);
    await w.stop(vic);
    let sends!: ReturnType<typeof counting>;
    const again = await w.node('vic', { keyPair: vic.keyPair, wrap: (c) => (sends = counting(c, 'challenge')).chain });
    await until(() => sends.calls() > 0 || logged(again, /sent before may still land/), 'Vic restarted to send it again or hold it back', 30_000);
    assert.equal(sends.calls(), 0, 'not sent again while the first may land');
  });
});
