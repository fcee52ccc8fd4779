// A partner that asks for the turn and passes it back without paying makes the node sign and keep two states a
// round for nothing (its disk is the cost, every channel's). After FREE_IDLE_STATES such states in a row the node
// answers a turn request only after a delay that grows, told once; a payment ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { FREE_IDLE_STATES } from '../../src/node/payments.js';
import { TON } from './scene.js';
import { World, type NodeHandle } from './world.js';

/** Mal passes the turn to Vic empty (when it holds it), asks for it back and waits for Vic's pass. */
async function round(mal: NodeHandle, ch: string): Promise<void> {
  let step = World.step(mal.node, ch);
  if (mal.node.channel(ch)!.myTurn) {
    const back = waitForEvent(mal.node, 'stateSigned', (e) => e.state.step === step + 1n, 30_000);
    await mal.node.createEmpty({ channel: ch });
    await back;
    step++;
  }
  const passed = waitForEvent(mal.node, 'stateSigned', (e) => e.state.step === step + 1n, 30_000);
  await mal.node.requestEmpty({ channel: ch });
  await passed;
}

test('turns taken and given back empty, round after round: past a free run the node passes only after a delay; a payment ends it', async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const mal = await w.node('mal');
    await w.link(vic, mal);
    const ch = (await w.open(mal, vic, TON('5'), TON('5'))).channelId;
    const t0 = Date.now();
    let rounds = 0;
    while (Date.now() - t0 < 4_000) {
      await round(mal, ch);
      rounds++;
    }
    // Free: FREE_IDLE_STATES / 2 rounds at once; then 0.5 s, 0.5 s, 1 s, 1 s, 2 s… In 4 s a few more at most.
    assert.ok(rounds >= FREE_IDLE_STATES / 2 - 2, `${rounds} rounds: the free ones are not held`);
    assert.ok(rounds <= FREE_IDLE_STATES / 2 + 6, `${rounds} rounds in 4 s: the passes are held back`);
    const told = vic.events.filter((e) => e.type === 'log' && /took the turn \d+ times in a row without paying: the node now passes it after a delay/.test(e.message));
    assert.equal(told.length, 1, 'told once');
    // A payment ends the idle run: the next turn request is answered at once again.
    await w.pay(mal, ch, TON('0.1'));
    const t1 = Date.now();
    await round(mal, ch);
    assert.ok(Date.now() - t1 < 3_000, 'answered without the delay');
  } finally {
    await w.close();
  }
});
