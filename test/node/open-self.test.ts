// A channel with oneself: a second node run with the same wallet (another data folder) connects as a partner whose
// address is this node's own. The node's open refused nothing (only the CLI refused --partner <own address>), and
// proposed a channel whose two parties are one wallet. The node refuses it itself, for any UI, and says what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { join } from 'node:path';
import { createNode } from '../../src/node/index.js';
import { refuseOwnPartner } from '../../src/node/negotiation.js';
import { withPair } from '../helpers/reads.js';
import { TON, connect, until } from '../helpers/nodes.js';

withPair('open with a partner whose wallet is this node\'s own is refused by the node, with what to do', async (p) => {
  const twin = await createNode({ ...p.common, dataDir: join(p.dir, 'twin'), key: { keyPair: p.keys.alice } });
  try {
    await p.bob.stop();
    await until('bob seen offline', () => !p.alice.partners().some((x) => x.online));
    await connect(p.alice, twin);
    const own = p.alice.getAccount();
    await until('the twin online', () => p.alice.partners().some((x) => x.online && x.address === own));
    for (const partner of [undefined, own]) {
      await assert.rejects(p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), ...(partner ? { partner } : {}) }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'OWN_ADDRESS', e.message);
        assert.match(e.message, new RegExp(`${own} is your own address: a channel is opened with your partner's`));
        return true;
      });
    }
    assert.deepEqual(p.alice.channels(), [], 'nothing proposed');
  } finally {
    await twin.stop();
  }
});

// Without such a node, `open --partner <own address>` reaches no session: the pick said "not connected to <your own
// address>: connect first". refuseOwnPartner is the node's refusal before the pick (ChannelNode.open).
test('open naming this node\'s own address as the partner is refused with what to do, in any form of the address', () => {
  const me = Address.parse('0QCxgSScvsaTiQ2boMuRTE7wGvKZTmHtjY5WzknICvXTeorO');
  const ctx = { myAddress: me };
  for (const typed of [me.toString({ testOnly: true }), me.toRawString(), ` ${me.toString({ bounceable: true })} `]) {
    assert.throws(() => refuseOwnPartner(ctx, typed), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'OWN_ADDRESS');
      assert.match(e.message, /is your own address: a channel is opened with your partner's. Name theirs \(getPartnerAccount shows it\), or leave the partner out/);
      return true;
    });
  }
  // another address, none, or text that is no address: left to the pick (which says what is wrong with it)
  for (const other of ['0QD99Ed6BhPYlvX7nmCu_qwfQgoODYnVxObf-c9Vj14gII0M', undefined, 'nope']) assert.doesNotThrow(() => refuseOwnPartner(ctx, other));
});

withPair('open --partner with this node\'s own address, no twin connected, is refused as OWN_ADDRESS (not "not connected to")', async (p) => {
  const own = p.alice.getAccount();
  await assert.rejects(p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: own }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'OWN_ADDRESS', e.message);
    return true;
  });
  assert.deepEqual(p.alice.channels(), [], 'nothing proposed');
});
