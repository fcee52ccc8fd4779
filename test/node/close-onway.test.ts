// A close state both signed and not on chain is worded "withdraw sends it" (uiRules closeToSend) only when nothing
// sends it: it said so too while Alice's node was sending her cooperative close (to her, and to Bob, whose partner
// was connected and sending it), and after her send that may still land. Once neither holds (the partner's grace
// over, our send's message expired) it is worded again.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeToSend } from '../../src/node/uiRules.js';
import { DEPLOY_MAY_LAND_MS, PARTNER_CLOSE_GRACE_MS } from '../../src/node/policy.js';
import { aliceHasTheTurn, closePair, fund, openPair, until, type Pair } from '../helpers/nodes.js';
import { failingAfterMark, onPair, paidThenRestartedOn, readingOpen } from '../helpers/onway.js';

/** Alice's cooperative close held where it reaches the chain, once Bob holds her close state signed by both. */
async function aliceCloseHeld(p: Pair): Promise<{ withdrawn: Promise<{ mode: string; step: bigint }>; release: () => void }> {
  const real = p.chain.cooperativeClose.bind(p.chain);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await fund(p);
  let reached!: () => void;
  const atChain = new Promise<void>((r) => (reached = r));
  (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async (...a) => {
    reached();
    await held;
    return real(...a);
  };
  const withdrawn = p.alice.withdraw({ mode: 'cooperative' });
  withdrawn.catch(() => undefined); // awaited by the caller (a failed assertion before it stops the nodes)
  await atChain;
  await until('Bob holds the close state', () => p.bob.currentChannel()?.latest?.tag === 'close');
  return { withdrawn, release };
}

test('a cooperative close on its way: neither view says withdraw sends it (Alice sends it; Bob, her close signed, sees her connected)', async () => {
  const p = await openPair();
  let release = () => undefined as void;
  try {
    const held = await aliceCloseHeld(p);
    release = held.release;
    const withdrawn = held.withdrawn;
    const alice = p.alice.currentChannel()!;
    const bob = p.bob.currentChannel()!;
    const step = alice.latest!.step;
    assert.equal(closeToSend(alice), null, 'her own node is sending it');
    assert.equal(closeToSend(bob), null, 'his partner, connected, is sending it');
    assert.deepEqual([alice.phase, alice.closeUnsent], ['open', { step, ours: true, onWay: true }]);
    assert.deepEqual([bob.phase, bob.closeUnsent], ['open', { step, ours: false, onWay: true }]);
    release();
    const r = await withdrawn;
    assert.deepEqual([r.mode, r.step], ['cooperative', step]);
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed');
    assert.equal(p.bob.currentChannel()!.closeUnsent, null);
  } finally {
    release();
    await closePair(p);
  }
});

test("the partner's close state not on chain once their grace is over: withdraw sends it, though they are still connected", async () => {
  const p = await openPair();
  let release = () => undefined as void;
  try {
    release = (await aliceCloseHeld(p)).release;
    const bob = () => p.bob.currentChannel()!;
    assert.equal(bob().closeUnsent?.onWay, true, 'within the grace, her node is sending it');
    // The grace is measured with performance.now(): moved past its end rather than waited for.
    const real = performance.now.bind(performance);
    mock.method(performance, 'now', () => real() + PARTNER_CLOSE_GRACE_MS + 1_000);
    try {
      assert.equal(bob().partnerOnline, true, 'Alice is still connected');
      assert.deepEqual(bob().closeUnsent, { step: bob().latest!.step, ours: false, onWay: false });
      assert.match(closeToSend(bob()) ?? '', /^your partner's close state \(step \d+\) is signed by both but not on chain: .*withdraw sends it/);
    } finally {
      mock.restoreAll();
    }
  } finally {
    release();
    await closePair(p);
  }
});

test('our cooperative close sent and unanswered (it may still land): the view does not say withdraw sends it', () =>
  onPair({}, async (p) => {
    await paidThenRestartedOn(p, 'alice', (c) => failingAfterMark(c, 'cooperativeClose', { mayLand: true }));
    await readingOpen(p, 'alice');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: { code?: string }) => e.code === 'TIMEOUT');
    const v = p.alice.currentChannel()!;
    assert.deepEqual([v.phase, v.latest?.tag], ['open', 'close']);
    assert.equal(closeToSend(v), null, 'it may still land');
    assert.deepEqual([v.closeUnsent?.ours, v.closeUnsent?.onWay], [true, true]);
  }));

test("our cooperative close that can no longer land (its wallet message expired by the chain's clock): withdraw sends it", () =>
  onPair({}, async (p) => {
    await paidThenRestartedOn(p, 'alice', (c) => failingAfterMark(c, 'cooperativeClose', { mayLand: true }));
    await readingOpen(p, 'alice');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: { code?: string }) => e.code === 'TIMEOUT');
    assert.equal(p.alice.currentChannel()!.closeUnsent?.onWay, true, 'it may still land');
    // The view judges by the chain's clock estimated from the local one: moved past the message's expiry (and the
    // margin for a chain clock ahead of ours) rather than waited for.
    const real = Date.now.bind(Date);
    mock.method(Date, 'now', () => real() + DEPLOY_MAY_LAND_MS + 1_000);
    try {
      const v = p.alice.currentChannel()!;
      assert.deepEqual([v.phase, v.latest?.tag, v.closeUnsent?.ours, v.closeUnsent?.onWay], ['open', 'close', true, false]);
      assert.match(closeToSend(v) ?? '', /^your close state \(step \d+\) is signed by both but not on chain: .*withdraw sends it/);
    } finally {
      mock.restoreAll();
    }
  }));

test('our close state signed by the partner after our withdraw gave up: while our node pays it out by itself, no view says withdraw sends it', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  const real = p.chain.getChannelStatus.bind(p.chain);
  let release = () => undefined as void;
  try {
    await aliceHasTheTurn(p);
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: { code?: string }) => e.code === 'TIMEOUT');
    await until('Bob holds her close state', () => p.bob.currentChannel()?.pending?.tag === 'close');
    // The chain's reads held from here: Alice's node pays out by itself once Bob signs, and reads the contract first.
    const held = new Promise<void>((r) => (release = r));
    let reading = false;
    (p.chain as { getChannelStatus: typeof real }).getChannelStatus = async (...a) => {
      reading = true;
      await held;
      return real(...a);
    };
    await p.bob.sign();
    await until("Alice's node reading the contract before it sends", () => reading && p.alice.currentChannel()?.latest?.tag === 'close');
    const v = p.alice.currentChannel()!;
    assert.deepEqual([v.phase, v.closeUnsent?.ours, v.closeUnsent?.onWay], ['open', true, true]);
    assert.equal(closeToSend(v), null, 'her node is sending it');
    assert.equal(v.actions.withdraw.ok, false, 'a withdraw now would be refused: the view says so');
    release();
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed');
  } finally {
    release();
    await closePair(p);
  }
});
