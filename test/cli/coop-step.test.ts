// A user check on the devnet: `withdraw --cooperative` asked "Enter step number [14]", said "Withdraw with step 14",
// then "Success withdrawal! … paid by step 15": nothing said the cooperative close signs a new state with the
// balances of step 14 (step 15 on your turn; on your partner's, the turn asked for first is step 15, the close 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';
import { oneChannelNode } from './withdraw-node.js';

function node(tag: 'state' | 'close'): ChannelNodeApi {
  const latest = { step: 14n, sender: 'B', balanceA: 1n, balanceB: 2n, sigA: 'AA', sigB: 'BB', tag };
  const ch = { id: 'kQC', contract: 'kQC', me: 'B', partnerAddress: '0QA', latest, challengePeriod: 60, closeStep: null, restorePending: false, actions: { withdraw: { ok: true } } };
  return oneChannelNode(ch, { withdraw: async () => ({ mode: 'cooperative', step: 15n, fellBack: false, fallbackReason: null }) });
}

async function said(line: string, n: ChannelNodeApi): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, n, io);
  return out.join('\n');
}

test('a cooperative close says the close state it signs is a new step with the balances of the latest', async () => {
  for (const line of ['withdraw --cooperative --yes', 'withdraw --yes']) {
    const text = await said(line, node('state'));
    assert.match(text, /your partner signs a close state with the balances of step 14 \(a new step after it, which the payout names\)/, `${line}:\n${text}`);
  }
  // a close state both signed already: it is the one paid by, no new step
  assert.doesNotMatch(await said('withdraw --cooperative --yes', node('close')), /a new step after it/);
});
