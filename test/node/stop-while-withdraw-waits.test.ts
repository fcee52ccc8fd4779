// withdraw's wait for an offline partner took the node stopping for "the partner did not come back" and, in
// auto mode, went on to a close alone: a stopped node sent a close to the contract that nobody watched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';

test('a node stopped while withdraw waits for an offline partner sends no close', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const contract = p.alice.currentChannel()!.contract;
    const gone = waitForEvent(p.alice, 'partnerDisconnected');
    await p.bob.stop();
    await gone;
    const w = p.alice.withdraw({}).then((r) => `resolved ${r.mode}`, (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
    await new Promise((r) => setTimeout(r, 500)); // inside PARTNER_GRACE_MS (5 s)
    await p.alice.stop();
    const outcome = await w;
    const st = await p.chain.getChannelStatus(Address.parse(contract));
    assert.equal(st.status, 'open', `a stopped node sent a close to the contract (withdraw: ${outcome})`);
    assert.match(outcome, /^NODE_STOPPED/);
  } finally {
    await closePair(p);
  }
});
