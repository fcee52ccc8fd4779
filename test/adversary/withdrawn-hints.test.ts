// Proposals a stranger withdrew, or that this node declined, stay in memory (they count against the stranger's cap)
// but were never accepted: no contract of ours to follow. Hints about them (deposit, close.notice,
// channel.deployed) must read nothing from the chain, as for a proposal still waiting (wallets cost nothing, and
// their reads would go ahead of the watches' on a paced endpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { contractOf, configOf } from '../../src/node/record.js';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { stranger, withVictim } from './mallory.js';
import { TON } from './scene.js';
import { until } from './world.js';

test('hints about proposals withdrawn by the stranger or declined here read nothing from the chain', () =>
  withVictim(async (_world, vic, addr, eves) => {
    const eve = await stranger(addr);
    eves.push(eve);
    const proposals: { id: bigint; contract: string }[] = [];
    for (let j = 0; j < 3; j++) {
      const terms = { channelId: BigInt('0x' + randomBytes(7).toString('hex')), challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: eve.address.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString(), publicKeyA: eve.keyPair.publicKey, publicKeyB: vic.keyPair.publicKey };
      eve.say({ type: 'channel.propose', ...terms, publicKeyA: terms.publicKeyA.toString('hex'), publicKeyB: terms.publicKeyB.toString('hex') });
      proposals.push({ id: terms.channelId, contract: contractOf(configOf(terms), CONTRACT_VERSION) });
    }
    await until(() => vic.node.channels().length >= 3, 'the proposals');
    // two withdrawn by the stranger, one declined here
    for (const p of proposals.slice(0, 2)) eve.say({ type: 'channel.reject', channelId: p.id, reason: 'withdrawn' });
    await vic.node.decline({ channel: proposals[2]!.id.toString() });
    await until(() => vic.node.channels().every((c) => c.phase === 'rejected'), 'the proposals ended');
    const before = vic.counter.statusReads + vic.counter.reads;
    for (let round = 0; round < 4; round++) {
      for (const p of proposals) {
        eve.say({ type: 'deposit', contract: p.contract, party: 'A', amount: 1n });
        eve.say({ type: 'close.notice', contract: p.contract, kind: 'unilateral', step: 5n });
        eve.say({ type: 'channel.deployed', channelId: p.id, contract: p.contract });
      }
      await new Promise((r) => setTimeout(r, 400));
    }
    await eve.delivered();
    await new Promise((r) => setTimeout(r, 1_200)); // a hint that waited for its interval would read now
    const reads = vic.counter.statusReads + vic.counter.reads - before;
    assert.equal(reads, 0, `${reads} chain reads for hints about 3 proposals never accepted`);
  }));
