// Instrumented copy of test/adversary/idle-turns.test.ts's first test: prints the rounds made in 4 s and each
// round's duration (the test asserts FREE_IDLE_STATES/2 - 2 = 14 <= rounds <= 22, and later waits bounded by 2 s / 3 s).
import { test } from 'node:test';
import { waitForEvent } from '../../src/node/index.js';
import { FREE_IDLE_STATES } from '../../src/node/payments.js';
import { TON } from '../../test/adversary/scene.js';
import { World, type NodeHandle } from '../../test/adversary/world.js';

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

test('rounds in 4 s', async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const mal = await w.node('mal');
    await w.link(vic, mal);
    const ch = (await w.open(mal, vic, TON('5'), TON('5'))).channelId;
    const t0 = Date.now();
    const per: number[] = [];
    while (Date.now() - t0 < 4_000) {
      const t = Date.now();
      await round(mal, ch);
      per.push(Date.now() - t);
    }
    const lo = FREE_IDLE_STATES / 2 - 2;
    const hi = FREE_IDLE_STATES / 2 + 6;
    console.log(`ROUNDS ${per.length} (held() wants ${lo}..${hi}) ${per.length >= lo && per.length <= hi ? 'PASS' : 'FAIL'}; ms per round: ${per.join(' ')}`);
  } finally {
    await w.close();
  }
});
