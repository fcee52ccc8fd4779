// B's deposit accepts a proposal, then waits for A's deployment (its own deposit goes only into a deployed contract).
// A stops just as it hears the acceptance: the wait says that the partner is offline, what it waits for, for how
// long and what to do, then that the partner is back; stopped by the person, it says the proposal stays accepted,
// and nothing of B's went anywhere (the contract, deployed or not, holds none of B's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { TON, closePair, connect, openPair, until, type TestNode } from '../helpers/nodes.js';

test("a deposit waiting for the partner's deployment says when the partner is offline, and what to do (nothing goes before the deployment)", async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    // Alice stops at her first channel update after Bob's deposit began (the acceptance heard)
    let stopping: Promise<void> | undefined;
    let depositing = false;
    p.alice.on((e) => {
      if (depositing && !stopping && e.type === 'channelUpdated') stopping = p.alice.stop();
    });
    const said: string[] = [];
    const ac = new AbortController();
    depositing = true;
    const deposit = p.bob.deposit(undefined, { signal: ac.signal, onProgress: (m) => said.push(m) }).then(
      () => 'resolved',
      (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
    );
    await until('Alice stopping', () => stopping !== undefined);
    await stopping;
    const offline = await until(`Bob's deposit says his partner is offline (said: ${said.join(' | ')})`, () => said.find((m) => /partner is offline/.test(m)), 30_000);
    // what it waits for, how long, and what to do
    assert.match(offline, /deploy/, offline);
    assert.match(offline, /\d+ (s|min)/, offline);
    assert.match(offline, /run deposit again/, offline);
    assert.equal(p.bob.channels()[0]?.phase, 'accepted', 'still waiting for the deployment');
    // Alice back: told as well (her node deploys once its stopped deployment can no longer land)
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    await connect(p.alice, p.bob);
    await until(`Bob's deposit says his partner is back (said: ${said.join(' | ')})`, () => said.some((m) => /partner is back online/.test(m)), 30_000);
    ac.abort();
    const outcome = await deposit;
    assert.match(outcome, /^CANCELLED: .*proposal is accepted.*run deposit again/s, outcome);
    // nothing of Bob's left his wallet: the contract his deposit goes into holds none of his (Alice's restarted node
    // may have deployed it meanwhile, or her stopped deployment may have left before the stop on a loaded machine)
    const data = await p.chain.getChannelData(contractOf(p.bob));
    assert.equal(data?.depositB ?? 0n, 0n);
    assert.equal(p.bob.channels()[0]?.phase, 'accepted', 'the proposal stays accepted');
  } finally {
    await closePair(p);
  }
});

function contractOf(n: TestNode) {
  const c = n.channels()[0];
  assert.ok(c, 'a channel');
  return Address.parse(c.contract);
}
