// Our close or exit past its checks and waiting for its wallet (not signed yet) when an import loads its channel
// again: the channel loaded again must not send its own meanwhile (the contract refuses the second: a wallet fee).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { test } from 'node:test';
import type { Chain } from '../../src/chain/types.js';
import type { WithdrawResult } from '../../src/node/types.js';
import { fund, until, type Pair } from '../helpers/nodes.js';
import { exitOffered, onPair } from '../helpers/onway.js';
import { PERIOD } from '../helpers/reads.js';
import { latch, reloadAlice } from '../helpers/running-import.js';

type Send = (...a: unknown[]) => Promise<unknown>;

/** While Alice's close (`startClose`) or exit is on its way, neither withdraw nor leave is offered: the view says why. */
function notOffered(p: Pair, method: 'startClose' | 'startExit', when: string): void {
  const { actions } = p.alice.currentChannel()!;
  const [code, what] = method === 'startClose' ? ['WITHDRAW_UNDER_WAY', /your close with step \d+ is on its way to the contract: wait for it/] : ['EXIT_UNDER_WAY', /your exit is on its way to the contract: wait for it/];
  for (const action of method === 'startClose' ? (['withdraw'] as const) : (['withdraw', 'exit'] as const)) {
    const c = actions[action];
    assert.ok(!c.ok, `${action} is not offered while ours is ${when}`);
    assert.equal(c.code, code, `${action} (${when}): ${c.why}`);
    assert.match(c.why, what);
  }
}

/**
 * Alice's first `leave` (its chain `method`) waits for her wallet while her backup is imported over the channel;
 * the channel loaded again is asked to leave too (`again`, else `leave`): one message goes, and no cooperative
 * close. What the second answered.
 */
async function leftOnce(p: Pair, method: 'startClose' | 'startExit', phase: string, leave: () => Promise<unknown>, again = leave): Promise<unknown> {
  const ch = p.alice.currentChannel()!.channelId;
  const backup = join(p.dir, 'alice.backup');
  await p.alice.exportBackup(backup);
  const chain = p.chain as unknown as Record<string, Send>;
  const real = chain[method]!.bind(p.chain);
  let sent = 0;
  const reached = latch();
  const wallet = latch();
  chain[method] = async (...a) => {
    if (++sent === 1) {
      reached.open();
      await wallet.wait;
    }
    return real(...a);
  };
  let coop = 0;
  const cooperativeClose = chain.cooperativeClose!.bind(p.chain);
  chain.cooperativeClose = (...a) => (coop++, cooperativeClose(...a));
  const logs: string[] = [];
  p.alice.on((e) => void (e.type === 'log' && logs.push(e.message)));
  const first = leave().catch((e: unknown) => e);
  await reached.wait;
  notOffered(p, method, 'on its way');
  await reloadAlice(p, ch, backup, phase);
  notOffered(p, method, 'handed over by the import');
  let answered = false;
  const second = again()
    .catch((e: unknown) => e)
    .finally(() => (answered = true));
  await until('the channel loaded again sends, or waits', () => sent > 1 || answered || logs.some((l) => /earlier controller/.test(l)));
  if (answered) assert.fail(`answered while the first is on its way: ${inspect(await second)}`);
  assert.equal(sent, 1, 'not sent again while the first is on its way (a second is refused by the contract: a wallet fee)');
  wallet.open();
  await first;
  const r = await second;
  assert.ok(!(r instanceof Error), `the second is answered by the first: ${String(r)}`);
  assert.equal(p.alice.currentChannel()!.phase, 'closing');
  assert.equal(sent, 1, 'sent once');
  assert.equal(coop, 0, 'no cooperative close sent beside it');
  (chain as unknown as Chain)[method] = real as never;
  (chain as unknown as Chain).cooperativeClose = cooperativeClose as never;
  return r;
}

test('a close on its way as an import loads its channel again is not sent again by the channel loaded', () =>
  onPair({ challengePeriod: PERIOD }, async (p) => {
    await fund(p, { a: '5' });
    await leftOnce(p, 'startClose', 'open', () => p.alice.withdraw({ mode: 'unilateral', confirmStale: true }));
  }));

test('a close on its way as an import loads its channel again answers a withdraw with the partner: no cooperative close goes beside it', () =>
  onPair({ challengePeriod: PERIOD }, async (p) => {
    await fund(p, { a: '5' });
    const step = p.alice.currentChannel()!.latest!.step;
    const r = (await leftOnce(p, 'startClose', 'open', () => p.alice.withdraw({ mode: 'unilateral', confirmStale: true }), () => p.alice.withdraw({ confirmStale: true }))) as WithdrawResult;
    assert.equal(r.mode, 'unilateral', 'answered by the close on its way');
    assert.equal(r.step, step);
    assert.match(r.fallbackReason ?? '', /sent before/);
  }));

test('an exit on its way as an import loads its channel again is not sent again by the channel loaded', () =>
  onPair({ challengePeriod: PERIOD, initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await leftOnce(p, 'startExit', 'locked', () => p.alice.exit({ confirmStale: true }));
  }));
