// showAll on a long history: a window of states at a time (--from/--to), never more than SHOW_ALL_MAX at once,
// the pending state only with the window that reaches it; the CLI prints a whole history a page at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { SHOW_ALL_MAX, showWindow } from '../../src/node/queries.js';
import type { ChannelNodeApi, ChannelView, StateView } from '../../src/node/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair, TON, until } from '../helpers/nodes.js';

const code = (c: string, re: RegExp) => (e: Error & { code?: string }) => e.code === c && re.test(e.message);

test('the window: the range asked for, bounded to the history; too many states at once is BAD_INPUT saying what to type', () => {
  assert.deepEqual(showWindow('1', 10n, {}), { from: 0n, to: 10n });
  assert.deepEqual(showWindow('1', 10n, { from: 4n, to: 99n }), { from: 4n, to: 10n });
  const many = BigInt(SHOW_ALL_MAX) + 5n;
  assert.throws(() => showWindow('7', many, {}), code('BAD_INPUT', new RegExp(`channel 7 holds ${many} states: at most ${SHOW_ALL_MAX} .*--from 5\\b`)));
  assert.deepEqual(showWindow('7', many, { from: 5n }), { from: 5n, to: many });
  assert.throws(() => showWindow('1', 10n, { from: 6n, to: 2n }), code('BAD_INPUT', /--to a later one/));
});

test('a node shows a window of its states; the pending one comes with the window that reaches it', async () => {
  const p = await openPair({ autoMode: false, bob: { autoMode: false } });
  try {
    await fund(p, { manualSign: true });
    await p.bob.send(TON('0.1'));
    await until('Bob\'s payment at Alice', () => p.alice.currentChannel()?.pending?.awaiting === 'me');
    await p.alice.sign();
    await until('Alice\'s turn', () => p.alice.currentChannel()?.myTurn && !p.alice.currentChannel()?.pending);
    await p.alice.send(TON('0.2')); // step 2: pending at Alice (awaits Bob)
    const steps = async (r?: { from?: bigint; to?: bigint }) => (await p.alice.showAll(undefined, r)).map((s) => `${s.step}${s.committed ? '' : '?'}`);
    assert.deepEqual(await steps(), ['0', '1', '2?']);
    assert.deepEqual(await steps({ from: 1n }), ['1', '2?']);
    assert.deepEqual(await steps({ to: 2n }), ['0', '1']);
    assert.deepEqual(await steps({ from: 2n, to: 3n }), ['2?']);
  } finally {
    await closePair(p);
  }
});

test('a proposal never signed is not shown as awaiting a signature once the channel has paid out', async () => {
  const p = await openPair({ autoMode: false, bob: { autoMode: false } });
  try {
    await fund(p, { manualSign: true });
    await p.bob.send(TON('0.1')); // step 1: Bob's payment, never signed (Alice goes away)
    await until('Bob\'s payment at Alice', () => p.alice.currentChannel()?.pending?.awaiting === 'me');
    await p.alice.stop();
    assert.equal(p.bob.showLast()?.committed, false);
    const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
    await p.bob.withdraw({ mode: 'unilateral' }); // step 0
    p.chain.advanceTime(700);
    await closed;
    const last = p.bob.showLast()!;
    assert.deepEqual([last.step, last.committed], [0n, true], 'the latest state both signed');
    assert.deepEqual((await p.bob.showAll()).map((s) => `${s.step}${s.committed ? '' : '?'}`), ['0']);
    assert.equal(p.bob.currentChannel()!.pending, null, 'the views say the same');
  } finally {
    await closePair(p);
  }
});

test('the CLI prints a long history a page at a time (never all of it at once); --json and --from/--to ask once', async () => {
  const count = 2500n;
  const asked: { from?: bigint; to?: bigint }[] = [];
  const view = { id: '1', count } as unknown as ChannelView;
  const state = (step: bigint) => ({ step, sender: 'A', balanceA: 1n, balanceB: 1n, sigA: 'AA', sigB: 'BB', committed: true }) as unknown as StateView;
  const node = {
    currentChannel: () => view,
    channel: () => view,
    channels: () => [view],
    showAll: async (_c: string | undefined, r: { from?: bigint; to?: bigint } = {}) => {
      asked.push(r);
      const { from, to } = showWindow('1', count, r);
      return Array.from({ length: Number(to - from) }, (_, i) => state(from + BigInt(i)));
    },
  } as unknown as ChannelNodeApi;
  const said: string[] = [];
  const io: Io = { say: (t) => said.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine('showAll', node, io);
  assert.deepEqual(asked, [{ from: 0n, to: 1000n }, { from: 1000n, to: 2000n }, { from: 2000n, to: 3000n }]);
  assert.equal(said.filter((l) => /^Step \d+$/.test(l.split('\n').find((x) => x.startsWith('Step')) ?? '')).length, 2500);
  asked.length = 0;
  await runLine('showAll --from 10 --to 20', node, io);
  assert.deepEqual(asked, [{ from: 10n, to: 21n }], '--to 20 shows step 20');
  said.length = 0;
  await runLine('showAll --from x', node, io);
  assert.match(said[0]!, /--from takes a step number/);
});
