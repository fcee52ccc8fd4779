// What makes the extension start its node as a window opens (hasLiveChannels): money in a contract, and also A's
// acceptance or deployment under way. Not B's acceptance waiting for A's deployment: nothing of B's is on chain,
// and a partner who vanished started B's node at every window; the extension says it waits instead (channelKeys
// names it, with its side and partner), and the node starts when the user uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { channelKeys, hasLiveChannels, waitForEvent } from '../../src/node/index.js';
import { awaitsDeployment, needsNode, startsNode } from '../../src/node/uiRules.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test("B's acceptance whose deposit waits for the deployment does not start the node with the window: it is named instead", async () => {
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
    assert.equal(await hasLiveChannels(join(p.dir, 'bob')), false);
    const [k] = (await channelKeys(join(p.dir, 'bob')))!;
    assert.deepEqual({ phase: k!.phase, me: k!.me, partner: k!.partner }, { phase: 'accepted', me: 'B', partner: p.alice.getAccount() });
    assert.equal(k!.contract, p.bob.channels()[0]!.id, 'the id the views give it');
    assert.ok(awaitsDeployment(k!.phase, k!.me));
  } finally {
    await closePair(p);
  }
});

test("the phases that need a node: money in a contract, or a deployment or an acceptance under way; not a bare proposal or an ended channel", () => {
  for (const phase of ['accepted', 'deploying', 'funding', 'locked', 'open', 'closing']) assert.equal(needsNode(phase), true, phase);
  for (const phase of ['proposed', 'closed', 'rejected']) assert.equal(needsNode(phase), false, phase);
  // at a window's start: all of them but B's acceptance (A's starts its deployment; an unread side counts as A's)
  assert.equal(startsNode('accepted', 'A'), true);
  assert.equal(startsNode('accepted', null), true);
  assert.equal(startsNode('accepted', 'B'), false);
  for (const phase of ['deploying', 'funding', 'locked', 'open', 'closing']) assert.equal(startsNode(phase, 'B'), true, phase);
});
