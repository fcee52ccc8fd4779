// What makes the extension start its node as a window opens (hasLiveChannels): money in a contract, and also an
// acceptance or a deployment under way. A window reloaded while a deposit waited for the partner's deployment
// started no node: the deployment, and the notice that the deposit can go in, went unheard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hasLiveChannels, waitForEvent } from '../../src/node/index.js';
import { needsNode } from '../../src/node/uiRules.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test('an accepted proposal whose deposit waits for the deployment starts the node with the window', async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    await p.alice.stop(); // deploys nothing: Bob's deposit waits
    const deposit = p.bob.deposit().catch((e: { code?: string }) => e.code);
    while (p.bob.channels()[0]?.phase !== 'accepted') await new Promise((r) => setTimeout(r, 20));
    await p.bob.stop();
    assert.equal(await deposit, 'NODE_STOPPED');
    assert.equal(await hasLiveChannels(join(p.dir, 'bob')), true);
  } finally {
    await closePair(p);
  }
});

test("the phases that need a node: money in a contract, or a deployment or an acceptance under way; not a bare proposal or an ended channel", () => {
  for (const phase of ['accepted', 'deploying', 'funding', 'locked', 'open', 'closing']) assert.equal(needsNode(phase), true, phase);
  for (const phase of ['proposed', 'closed', 'rejected']) assert.equal(needsNode(phase), false, phase);
});
