// A user check on the devnet with a --manual partner: Bob's payment (state 3) awaited Alice's signature when she ran
// withdraw. Its preview showed step 2's balances and "Withdraw with step 2"; the node then signed state 3 and closed
// by its balances, 1 TON more for her, unsaid. A unilateral close submits step 2 and leaves state 3 unsigned: the
// preview did not say that signing it first pays her more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { oneChannelNode } from './withdraw-node.js';

const TON = 1_000_000_000n;

async function preview(line: string, partnerOnline = true): Promise<string> {
  const latest = { step: 2n, sender: 'A', balanceA: 3n * TON / 2n, balanceB: 7n * TON / 2n, sigA: 'AA', sigB: 'BB', committed: true };
  const pending = { ...latest, step: 3n, sender: 'B', balanceA: 5n * TON / 2n, balanceB: 5n * TON / 2n, sigB: null, awaiting: 'me' };
  const view = { id: '1', me: 'A', contract: 'kQc', latest, pending, count: 3n, challengePeriod: 600, partnerAddress: '0Q…', closeStep: null, restorePending: false, partnerOnline, actions: { withdraw: { ok: true } } };
  const node = oneChannelNode(view, { withdraw: async () => ({ mode: 'cooperative', step: 4n, deadline: null, fellBack: false, fallbackReason: null }) });
  const out: string[] = [];
  const io: Io = { say: (s) => out.push(s), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, node, io);
  return out.join('\n');
}

test("withdraw's preview says that the partner's state awaiting your signature is signed first and pays the close", async () => {
  const text = await preview('withdraw --yes');
  assert.match(text, /Step 3 from your partner \(A \[2\.5 2\.5\] B\) awaits your signature \(it gives you 1 TON more than step 2\): the node signs it first, and the close pays its balances\./);
  assert.match(text, /a close state with the balances of step 3 \(/);
  assert.match(await preview('withdraw --cooperative --yes'), /the node signs it first/);
});

test('a unilateral withdraw with a state awaiting your signature says to sign it first to close with it', async () => {
  const text = await preview('withdraw --unilateral --yes');
  assert.match(text, /Step 3 from your partner \(A \[2\.5 2\.5\] B\) awaits your signature \(it gives you 1 TON more than step 2\): a unilateral close submits step 2; to close with step 3, sign it first \(sign\), then withdraw\./);
});

// The same preview with the partner offline: the node's withdraw gives them a few seconds, then (auto) closes alone
// with the latest state both signed (step 2), state 3 unsigned; --cooperative sends nothing.
test('a withdraw with a state awaiting your signature and the partner offline says what happens if they do not come back', async () => {
  const auto = await preview('withdraw --yes', false);
  assert.doesNotMatch(auto, /: the node signs it first, and the close pays its balances\./);
  assert.match(auto, /awaits your signature \(it gives you 1 TON more than step 2\): your partner is offline: if they connect within 5 s, the node signs it first, and the close pays its balances; otherwise a unilateral close submits step 2, the latest state both signed, without it\. To close with step 3, sign it first \(sign\), then withdraw\./);
  const coop = await preview('withdraw --cooperative --yes', false);
  assert.match(coop, /your partner is offline: if they connect within 5 s, the node signs it first, and the close pays its balances; otherwise nothing is sent\./);
});
