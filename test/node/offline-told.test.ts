// What this node sends to a partner who is not connected is told with the code PARTNER_OFFLINE on its channel,
// before the command that sent it returns: the CLI and the extension say what happens to it from that code alone.
// Told whether the node holds no session with the partner (after a start) or one that dropped (its outbox resends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import type { ChannelView } from '../../src/node/types.js';
import { sentOffline } from '../../src/node/uiRules.js';
import { TON, closePair, fund, latest, openPair, until, type Pair, type TestNode } from '../helpers/nodes.js';

/** The node's PARTNER_OFFLINE warnings from now on. */
function offlineTold(n: TestNode): Extract<NodeEvent, { type: 'log' }>[] {
  const told: Extract<NodeEvent, { type: 'log' }>[] = [];
  n.on((e) => void (e.type === 'log' && e.code === 'PARTNER_OFFLINE' && told.push(e)));
  return told;
}

async function withPair(fn: (p: Pair) => Promise<void>): Promise<void> {
  const p = await openPair();
  try {
    await fund(p);
    await fn(p);
  } finally {
    await closePair(p);
  }
}

test('a state and a turn request sent to a partner whose connection dropped are told PARTNER_OFFLINE on their channel as the command returns; none while connected', () =>
  withPair(async (p) => {
    const told = offlineTold(p.bob);
    await p.bob.send(TON('0.1')); // connected: Alice signs it and passes the turn back
    await until("Alice's pass back", () => latest(p.bob).step === 2n);
    assert.equal(told.length, 0, 'nothing told while the partner is connected');
    const gone = waitForEvent(p.bob, 'partnerDisconnected');
    await p.alice.stop();
    await gone;
    const id = p.bob.channels()[0]!.id;
    await p.bob.createEmpty();
    assert.deepEqual(told.map((e) => [e.level, e.channel?.id, e.message]), [['warn', id, 'partner offline: your new state reaches them when they reconnect']]);
    await p.bob.requestEmpty();
    assert.deepEqual(told.slice(1).map((e) => [e.channel?.id, e.message]), [[id, 'partner offline: your request for the turn reaches them when they reconnect']]);
  }));

test('a state sent to a partner this node has not reached since its start is told PARTNER_OFFLINE on its channel as the command returns', () =>
  withPair(async (p) => {
    await p.alice.stop();
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const told = offlineTold(p.bob);
    assert.deepEqual(p.bob.partners(), [], 'no session with Alice');
    await p.bob.createEmpty();
    assert.deepEqual(told.map((e) => [e.channel?.id, e.message]), [[p.bob.channels()[0]!.id, 'partner offline: your new state reaches them when they reconnect']]);
  }));

test('sentOffline names the channels told PARTNER_OFFLINE while its command ran, and listens no more after it', async () => {
  const listeners = new Set<(e: NodeEvent) => void>();
  const node = { on: (l: (e: NodeEvent) => void) => (listeners.add(l), () => void listeners.delete(l)) };
  const tell = (id: string, code?: 'PARTNER_OFFLINE') => {
    for (const l of listeners) l({ type: 'log', level: 'warn', message: 'partner offline: …', ...(code ? { code } : {}), channel: { id } as ChannelView });
  };
  const r = await sentOffline(node, async () => {
    tell('a', 'PARTNER_OFFLINE');
    tell('b'); // a warning without the code
    return 7;
  });
  assert.equal(r.result, 7);
  assert.deepEqual([...r.offline], ['a']);
  assert.equal(listeners.size, 0, 'no listener left');
  await assert.rejects(sentOffline(node, () => Promise.reject(new Error('refused'))), /refused/);
  assert.equal(listeners.size, 0, 'none left after a failure either');
});
