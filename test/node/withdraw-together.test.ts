// A cooperative close that both parties ask for, or that lands although waiting for it failed, is a success: it
// fell back to a unilateral close sent to a contract that had already paid out (a fee lost, CONTRACT_REJECTED).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { aliceFellBack, aliceHasTheTurn, closePair, fund, openPair, TON, until } from '../helpers/nodes.js';
import { slowDisk } from '../helpers/slow-disk.js';
import { closeToSend } from '../../src/node/uiRules.js';

test('both parties withdraw at the same moment: one cooperative close, both told it succeeded', async () => {
  const p = await openPair({ closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const rs = await Promise.allSettled([p.alice.withdraw({}), p.bob.withdraw({})]);
    for (const r of rs) {
      assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? `${(r.reason as { code?: string }).code}: ${(r.reason as Error).message}` : '');
      if (r.status === 'fulfilled') assert.deepEqual([r.value.mode, r.value.fellBack], ['cooperative', false]);
    }
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed');
    assert.equal(p.bob.currentChannel()!.payout?.balanceB, TON('4'));
  } finally {
    await closePair(p);
  }
});

test('a cooperative close that landed although its wait failed is not followed by a unilateral close', async () => {
  const p = await openPair({ closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const real = p.chain.cooperativeClose.bind(p.chain);
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async (...a) => {
      await real(...a);
      throw Object.assign(new Error('injected: the endpoint timed out while waiting for the close'), { code: 'TIMEOUT', sent: true });
    };
    const r = await p.alice.withdraw({});
    assert.deepEqual([r.mode, r.fellBack], ['cooperative', false]);
    assert.equal(p.alice.currentChannel()!.phase, 'closed');
  } finally {
    await closePair(p);
  }
});

test('a close state both signed after a close started pays out at once, without waiting the window', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceFellBack(p); // a unilateral close (its window: an hour); Bob holds her close state, unsigned
    await p.bob.sign(); // now both hold the close state
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed', 15_000);
    assert.equal(p.alice.currentChannel()!.payout?.step, p.alice.currentChannel()!.latest?.step, 'paid by the close state');
  } finally {
    await closePair(p);
  }
});

test('a second withdraw while the first is under way is refused, and the first closes cooperatively', async () => {
  const p = await openPair({ closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const first = p.alice.withdraw({});
    await assert.rejects(p.alice.withdraw({}), (e: { code?: string; message?: string }) => e.code === 'WITHDRAW_UNDER_WAY' && /already under way/.test(e.message ?? ''));
    const r = await first;
    assert.deepEqual([r.mode, r.fellBack], ['cooperative', false]);
  } finally {
    await closePair(p);
  }
});

test('while a withdraw is planned (before its send), the view refuses another withdraw with WITHDRAW_UNDER_WAY', async () => {
  const p = await openPair({ closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const seen: unknown[] = [];
    const r = await p.alice.withdraw({
      onProgress: () => {
        const a = p.alice.currentChannel()!.actions;
        if (seen.length === 0) seen.push(a.withdraw.ok ? 'ok' : [a.withdraw.code, a.withdraw.why], a.exit.ok ? 'ok' : a.exit.code);
      },
    });
    assert.equal(r.mode, 'cooperative');
    assert.deepEqual(seen, [['WITHDRAW_UNDER_WAY', 'a withdraw of this channel is already under way: wait for its result'], 'INVALID_TRANSITION']);
  } finally {
    await closePair(p);
  }
});

test('a stale close against a close state both signed is answered with that close state, paid out at once', async () => {
  const p = await openPair({ challengePeriod: 3600, bob: { autoMode: false } });
  try {
    await aliceHasTheTurn(p);
    // Alice's cooperative closes fail before they are sent (she cheats below: only Bob's node may answer).
    const real = p.chain.cooperativeClose.bind(p.chain);
    const alice = p.alice.getAccount();
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async (...a) => {
      if (a[0].address.toString({ testOnly: true, bounceable: false }) === alice) throw Object.assign(new Error('injected: the wallet refused the message'), { code: 'WALLET_REJECTED' });
      return real(...a);
    };
    const asked = waitForEvent(p.bob, 'stateReceived', (e) => e.state.tag === 'close', 10_000);
    const tried = p.alice.withdraw({ mode: 'cooperative' }).catch((e: Error) => e);
    await asked;
    await p.bob.sign();
    assert.match(String(await tried), /refused/);
    const closeStep = p.bob.currentChannel()!.latest!.step;
    assert.equal(p.bob.currentChannel()!.latest!.tag, 'close');
    const challenged: unknown[] = [];
    p.bob.on((e) => (e.type === 'challenged' || e.type === 'challengeFailed') && challenged.push(e.type));
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await until('Bob closed', () => p.bob.currentChannel()?.phase === 'closed', 20_000);
    assert.equal(p.bob.currentChannel()!.payout?.step, closeStep, 'paid by the close state, within the window');
    assert.deepEqual(challenged, [], 'no challenge raced the payout (a fee, and a false failure)');
  } finally {
    await closePair(p);
  }
});

test('a cooperative close whose wait timed out before it landed is not followed by a unilateral close', async () => {
  const p = await openPair({ closeTimeoutMs: 4000 });
  try {
    await fund(p);
    (p.chain as unknown as { cooperativeClose: () => Promise<unknown> }).cooperativeClose = async () => {
      throw Object.assign(new Error('injected: not seen on chain within the timeout; it may still land'), { code: 'TIMEOUT', sent: true });
    };
    const startClose = p.chain.startClose.bind(p.chain);
    let unilateral = 0;
    (p.chain as { startClose: typeof startClose }).startClose = async (...a) => {
      unilateral++;
      return startClose(...a);
    };
    await assert.rejects(p.alice.withdraw({}), (e: { code?: string }) => e.code === 'TIMEOUT');
    assert.equal(unilateral, 0, 'no unilateral close after a cooperative one that may still land');
    assert.equal(p.alice.currentChannel()!.phase, 'open');
  } finally {
    await closePair(p);
  }
});

/** Alice and Bob both hold a close state that never went to the chain: Alice's cooperative close failed to send. */
async function closeStateUnsent(p: Awaited<ReturnType<typeof openPair>>): Promise<{ restore: () => void; coopCalls: () => number }> {
  await fund(p);
  const real = p.chain.cooperativeClose.bind(p.chain);
  let calls = 0;
  let failing = true;
  (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async (...a) => {
    calls++;
    if (failing) throw Object.assign(new Error('injected: connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ENDPOINT_UNREACHABLE' });
    return real(...a);
  };
  await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: { code?: string }) => e.code === 'ENDPOINT_UNREACHABLE');
  await until('both hold the close state', () => p.alice.currentChannel()?.latest?.tag === 'close' && p.bob.currentChannel()?.latest?.tag === 'close');
  calls = 0;
  return { restore: () => void (failing = false), coopCalls: () => calls };
}

test('with a close state both signed, a failed cooperative close does not fall back to a unilateral close: withdraw again pays out', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    const s = await closeStateUnsent(p);
    const startClose = p.chain.startClose.bind(p.chain);
    let unilateral = 0;
    (p.chain as { startClose: typeof startClose }).startClose = async (...a) => {
      unilateral++;
      return startClose(...a);
    };
    await assert.rejects(p.alice.withdraw({}), (e: { code?: string }) => e.code === 'ENDPOINT_UNREACHABLE');
    assert.equal(unilateral, 0, 'the close state pays out at once whenever the chain answers: no window to wait');
    s.restore();
    const r = await p.alice.withdraw({});
    assert.deepEqual([r.mode, r.fellBack], ['cooperative', false]);
  } finally {
    await closePair(p);
  }
});

test("the partner's close state both signed and never sent: the view says withdraw sends it, and the withdraw does (no other close)", async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    const s = await closeStateUnsent(p);
    await p.alice.stop(); // Alice was told to withdraw again, and is gone
    s.restore();
    const v = p.bob.currentChannel()!;
    const step = v.latest!.step;
    assert.equal(v.phase, 'open');
    assert.match(closeToSend(v) ?? '', new RegExp(`partner's close state \\(step ${step}\\) is signed by both but not on chain.*withdraw sends it`));
    const startClose = p.chain.startClose.bind(p.chain);
    let unilateral = 0;
    (p.chain as { startClose: typeof startClose }).startClose = async (...a) => {
      unilateral++;
      return startClose(...a);
    };
    const r = await p.bob.withdraw({});
    assert.deepEqual([r.mode, r.step, r.fellBack], ['cooperative', step, false]);
    assert.deepEqual([unilateral, s.coopCalls()], [0, 1], 'the close state went to the contract once, by a cooperative close');
    const after = p.bob.currentChannel()!;
    assert.deepEqual([after.phase, after.payout?.step, after.latest?.step], ['closed', step, step], 'paid by that close state, no other proposed');
    assert.equal(closeToSend(after), null);
  } finally {
    await closePair(p);
  }
});

test('a close state agreed by this very withdraw whose cooperative send fails is not replaced by a unilateral close', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const real = p.chain.cooperativeClose.bind(p.chain);
    let failing = true;
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async (...a) => {
      if (failing) throw Object.assign(new Error('injected: connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ENDPOINT_UNREACHABLE' });
      return real(...a);
    };
    const startClose = p.chain.startClose.bind(p.chain);
    let unilateral = 0;
    (p.chain as { startClose: typeof startClose }).startClose = async (...a) => {
      unilateral++;
      return startClose(...a);
    };
    // Auto mode, partner online: the close state is agreed inside this call, then the send fails.
    await assert.rejects(p.alice.withdraw({}), (e: { code?: string; message: string }) => e.code === 'ENDPOINT_UNREACHABLE' && /run withdraw again/.test(e.message));
    assert.equal(unilateral, 0, 'a close state both signed pays out at once: a unilateral close would only add the window');
    assert.equal(p.alice.currentChannel()!.latest?.tag, 'close');
    failing = false;
    const r = await p.alice.withdraw({});
    assert.deepEqual([r.mode, r.fellBack], ['cooperative', false]);
  } finally {
    await closePair(p);
  }
});

test('the close state agreed by a withdraw is on disk before it goes to the chain', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const id = p.alice.currentChannel()!.channelId;
    const disk = await slowDisk(p.alice, id, (e) => e.kind === 'committed' && e.state.state.tag === 'close', 1_000);
    const real = p.chain.cooperativeClose.bind(p.chain);
    const onDiskAtSend: boolean[] = [];
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async (...a) => {
      onDiskAtSend.push(disk.acked.length > 0);
      return real(...a);
    };
    const r = await p.alice.withdraw({});
    assert.equal(r.mode, 'cooperative');
    assert.deepEqual(onDiskAtSend, [true], 'the close state both signed was written before its signatures left for the chain');
    assert.equal(p.alice.currentChannel()!.latest?.tag, 'close');
  } finally {
    await closePair(p);
  }
});

test('a close state both signed that is the close on chain is not sent again cooperatively (the contract refuses it: a fee per try)', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    const s = await closeStateUnsent(p);
    s.restore();
    const closeStep = p.alice.currentChannel()!.latest!.step;
    const r = await p.alice.withdraw({ mode: 'unilateral' });
    assert.equal(r.mode, 'unilateral');
    await until('Bob sees the close', () => p.bob.currentChannel()?.phase === 'closing');
    await new Promise((res) => setTimeout(res, 4000)); // the retries of the old code: after 1 s and 3 s
    assert.equal(s.coopCalls(), 0, 'no cooperative close with the step the close on chain holds');
    const closed = waitForEvent(p.bob, 'closed', () => true, 30_000);
    p.chain.advanceTime(3601);
    assert.equal((await closed).payout.step, closeStep, 'paid by the close state after the window');
  } finally {
    await closePair(p);
  }
});

test("a withdraw right after the partner's payment, while our automatic pass is still in flight, closes cooperatively", async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const back = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 2n);
    await p.bob.send(TON('0.5'));
    await back; // Bob holds Alice's pass (step 2); her copy waits for his countersignature
    const r = await p.alice.withdraw({});
    assert.deepEqual([r.mode, r.fellBack, r.fallbackReason], ['cooperative', false, null], 'it asked for the turn once its pass was countersigned');
  } finally {
    await closePair(p);
  }
});

test('a close state the contract refuses is not sent again (each try is a wallet fee)', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceHasTheTurn(p);
    const asked = waitForEvent(p.bob, 'stateReceived', (e) => e.state.tag === 'close', 10_000);
    const r = await p.alice.withdraw({}); // Bob signs by hand, late: a unilateral close with step 1
    await asked;
    assert.deepEqual([r.mode, r.fellBack], ['unilateral', true]);
    let calls = 0;
    (p.chain as unknown as { cooperativeClose: () => Promise<unknown> }).cooperativeClose = async () => {
      calls++;
      throw Object.assign(new Error('injected: the channel contract refused the close (exit code 112)'), { code: 'CONTRACT_REJECTED' });
    };
    await p.bob.sign(); // both hold the close state (step 2); the close on chain holds step 1
    await until('both hold the close state', () => p.alice.currentChannel()?.latest?.tag === 'close');
    await new Promise((res) => setTimeout(res, 3000));
    assert.ok(calls <= 2, `the refused close state was sent ${calls} times`);
  } finally {
    await closePair(p);
  }
});

test('a cooperative close asked with an older step is refused: only the latest state closes cooperatively (it became a unilateral close of that step)', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const back = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 2n);
    await p.bob.send(TON('1'));
    await back;
    await assert.rejects(p.alice.withdraw({ step: 0n, mode: 'cooperative', confirmStale: true }), (e: { code?: string }) => e.code === 'STALE_STEP');
    assert.equal(p.alice.currentChannel()!.phase, 'open', 'nothing sent');
  } finally {
    await closePair(p);
  }
});

test('a cooperative withdraw that timed out says what to do, and pays out by itself once the partner signs the close later', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceHasTheTurn(p);
    const asked = waitForEvent(p.bob, 'stateReceived', (e) => e.state.tag === 'close', 10_000);
    // Bob signs by hand and is slow: a cooperative-only withdraw gives up
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'TIMEOUT');
      assert.match(e.message ?? '', /did not sign the close/);
      assert.match(e.message ?? '', /once they sign it, your node pays it out/);
      assert.match(e.message ?? '', /withdraw --unilateral/);
      return true;
    });
    await asked;
    assert.equal(p.alice.currentChannel()!.phase, 'open');
    await p.bob.sign(); // both hold the close state now: Alice's node sends it, as she asked
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed', 15_000);
    const ch = p.alice.currentChannel()!;
    assert.equal(ch.latest?.tag, 'close');
    assert.equal(ch.payout?.step, ch.latest?.step, 'paid by the close state');
  } finally {
    await closePair(p);
  }
});

test('our close state signed by both and not paid out (its send failed) is paid out when the node starts again', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceHasTheTurn(p);
    const asked = waitForEvent(p.bob, 'stateReceived', (e) => e.state.tag === 'close', 10_000);
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: { code?: string }) => e.code === 'TIMEOUT');
    await asked;
    // Alice's chain refuses the late payout once: the close state stays signed by both, unpaid
    const real = p.chain.cooperativeClose.bind(p.chain);
    const refused = waitForEvent(p.alice, 'error', (e) => /run withdraw again/.test(e.message), 15_000);
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async () => {
      throw Object.assign(new Error('injected: the wallet could not send'), { code: 'CHAIN_ERROR' });
    };
    await p.bob.sign();
    await refused;
    assert.equal(p.alice.currentChannel()!.phase, 'open');
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = real;
    await p.alice.stop();
    const again = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    p.alice = again;
    await until('paid out after the start', () => again.currentChannel()?.phase === 'closed', 30_000);
    assert.equal(again.currentChannel()!.payout?.step, again.currentChannel()!.latest?.step);
  } finally {
    await closePair(p);
  }
});
