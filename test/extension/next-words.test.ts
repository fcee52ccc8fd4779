// A failure's message and its next step, joined in VS Code as the CLI joins them ("… . Next: …", src/cli/repl.ts
// withHint): the same message with the same next step reads the same in both, only in the palette's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHint } from '../../src/cli/repl.js';
import { describeFailure, withNext, type FailureContext } from '../../src/extension/nextSteps.js';
import { topUpHow } from '../../src/core/networks.js';

const sandbox: FailureContext = { network: 'sandbox', apiKeySet: false, endpoint: '' };

test('a failure with a next step says "… . Next: …" as the CLI does, not the step in parentheses', () => {
  const d = describeFailure('TOO_EARLY', 'the close cannot be finished yet', sandbox)!;
  assert.equal(d.text, 'SynChannel: the close cannot be finished yet. Next: wait until the challenge window ends');
  assert.equal(d.text, `SynChannel: ${withHint('the close cannot be finished yet', d.hint)}`);
  // a message that ends a sentence gets no second full stop
  assert.equal(describeFailure('TOO_EARLY', 'The close cannot be finished yet.', sandbox)!.text, 'SynChannel: The close cannot be finished yet. Next: wait until the challenge window ends');
  // testnet: the node's top-up words name the giver bot; the next step says where the address is
  const said = `your wallet has 0.1 TON, but this channel needs 3 TON: top it up first (${topUpHow('testnet')})`;
  const t = describeFailure('INSUFFICIENT_FUNDS', said, { ...sandbox, network: 'testnet' })!;
  assert.match(t.text, /\. Next: Copy Wallet Address copies your wallet's address$/);
  // no next step: the message alone
  assert.equal(describeFailure('PARTNER_DECLINED', 'declined: ask your partner to propose again if you still want a channel', sandbox)!.text, 'SynChannel: declined: ask your partner to propose again if you still want a channel');
});

test("withNext joins as the CLI's withHint does", () => {
  for (const [m, h] of [['a', 'b'], ['a.', 'b'], ['a?', 'b'], ['a!', 'b'], ['a', undefined], ['a', '']] as const) assert.equal(withNext(m, h), withHint(m, h));
});
