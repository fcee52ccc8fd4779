// A wallet with no channel here proposes again after its first proposal was declined: its own share of
// announcements is spent, not the strangers' cap. The line that told it said "came while many did" (one wallet,
// two proposals), then announced the proposal anyway.
import assert from 'node:assert/strict';
import { waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { withPair } from '../helpers/reads.js';
import { TON } from '../helpers/nodes.js';

withPair('a second proposal from the wallet whose first was declined is told as what it is, not as one of many', async (p) => {
  const logs: string[] = [];
  p.alice.on((e: NodeEvent) => void (e.type === 'log' && logs.push(e.message)));
  const first = waitForEvent(p.alice, 'channelProposed');
  await p.bob.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
  const proposed = await first;
  await p.alice.decline({ channel: proposed.channel.contract });
  const again = waitForEvent(p.alice, 'channelProposed', (e) => e.channel.contract !== proposed.channel.contract, 30_000);
  await p.bob.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
  await again;
  assert.equal(logs.filter((m) => /came while many did|many proposals from such wallets/.test(m)).length, 0, `one wallet's second proposal told as one of many:\n${logs.join('\n')}`);
  assert.ok(logs.some((m) => /soon after an earlier one from the same wallet/.test(m)), `the reason it waited is said:\n${logs.join('\n')}`);
});
