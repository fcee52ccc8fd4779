// Two nodes on different chains (one forgot --chain devnet; or each on its own embedded sandbox) connected,
// agreed a channel, and the proposer deployed and locked its deposit on its chain: the other waited two minutes
// for a deployment it could never see, and was told the partner had not deployed. Accepting now checks that the
// proposer's wallet is on this node's chain (it must be: it pays the deployment).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test("accepting a proposal whose proposer's wallet is not on this node's chain is refused: the nodes run on different chains", async () => {
  const other = await SandboxChain.create();
  const p = await openPair({ bobChain: other, bob: { deployWaitMs: 3000 } });
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    const { channel } = await proposed;
    // said when the proposal arrives (the CLI and the extension show this note), not only when deposit is refused
    const { proposalNote } = await import('../../src/node/uiRules.js');
    assert.match((await proposalNote(p.bob, channel)) ?? '', /^your partner's wallet \S+ holds nothing on sandbox: their node runs on another chain .*PARTNER_OTHER_CHAIN/);
    assert.equal(await proposalNote(p.bob, { ...channel, partnerAddress: p.bob.getAccount() }), null, 'a wallet on this chain: no note');
    await assert.rejects(p.bob.deposit(), (e: { code?: string; message: string }) => e.code === 'PARTNER_OTHER_CHAIN' && /--chain/.test(e.message));
    assert.equal(p.bob.currentChannel()!.phase, 'proposed', 'nothing accepted: Alice deploys nothing');
    assert.equal(p.alice.currentChannel()!.phase, 'proposed');
  } finally {
    await closePair(p);
    await other.close();
  }
});
