// After the partner's connection dropped, what the node sends by itself (a countersignature, a pass) also printed
// "warn: partner offline", as if the user had sent something: only the user's own commands say it now (see
// offline-send.test.ts); what goes in the background is one quiet (info) line a channel, which the CLI does not print.
// Real nodes on one sandbox chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair, TON, until } from '../helpers/nodes.js';

test("a countersignature and a pass sent by the node itself to an offline partner are one info line, no 'partner offline' warning", { timeout: 120_000 }, async () => {
  // Alice signs by hand (--manual): Bob's payment waits for her
  const p = await openPair({ autoMode: false, bob: { autoMode: true } });
  try {
    await fund(p);
    const received = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n, 30_000);
    await p.bob.send(TON('0.5'));
    await received;
    await p.bob.stop(); // Bob is gone
    // Alice starts again in automatic mode: her node countersigns Bob's payment by itself, as it starts
    await p.alice.stop();
    p.alice = await createNode({ ...p.common, autoMode: true, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    // the first listener gets what the node said as it started
    const logs: { level: string; message: string; code?: string }[] = [];
    p.alice.on((e) => void (e.type === 'log' && logs.push(e)));
    const said = () => logs.filter((l) => /offline/i.test(l.message));
    if (p.alice.currentChannel()?.latest?.step !== 1n) await waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n, 30_000);
    // its countersignature goes to the offline partner; its pass of the turn waits for Bob's answer with his latest
    // states (after a start nothing of hers is proposed before it: test/node/restart-copy.test.ts)
    await until('the countersignature told as waiting for Bob', () => said().length > 0);
    assert.equal(p.alice.currentChannel()?.pending ?? null, null, 'no pass signed before Bob answered');
    const out = said();
    assert.ok(out.length > 0, 'told once, quietly');
    assert.deepEqual(out.map((l) => [l.level, l.code]), [['info', undefined]], JSON.stringify(out));
  } finally {
    await closePair(p);
  }
});
