// Accepting a proposal from a wallet too low for it: the deposit prompt refused the amount with the node's words,
// judged by the wallet read BEFORE the prompt opened. A person who topped the wallet up while the box was open
// still got the refusal, and had to Escape and Accept again. On Enter the refused amount is judged by a fresh read
// (at most a bounded wait); a read that fails is said, not the old read's refusal. Real nodes on a SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { PromptWallet } from '../../src/extension/promptWallet.js';
import { acceptShort } from '../../src/extension/words.js';
import { drainWallet } from '../helpers/drain.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test('a wallet topped up while the deposit prompt was open: on Enter the amount is judged by a fresh read, and accepted', async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('2') });
    await proposed;
    const ch = p.bob.channels()[0]!;
    await drainWallet(p.chain, p.keys.bob, p.alice.getAccount(), TON('1.5'));
    // the read before the prompt opened: too low, the box says the node's refusal as the amount is typed
    const wallet = new PromptWallet(p.bob, await p.bob.balanceTonDue());
    const short = (nano: bigint) => acceptShort(ch, nano, wallet.now, p.bob);
    assert.match(short(TON('2')) ?? '', /top it up first/);
    // the person tops the wallet up meanwhile, and presses Enter
    await p.chain.fund(Address.parse(p.bob.getAccount()), TON('5'));
    assert.match(short(TON('2')) ?? '', /top it up first/, 'the read before still says too low');
    assert.equal(await wallet.again(), undefined, 'read again');
    assert.equal(short(TON('2')), undefined, 'judged by the fresh read: accepted');
    assert.ok(wallet.now && wallet.now.balance > TON('5'), JSON.stringify(wallet.now, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  } finally {
    await closePair(p);
  }
});

test('the read on Enter fails or does not answer in time: said in the box (try again or Escape), the figures before kept', async () => {
  const before = { balance: TON('1'), storageDue: 0n };
  const down = new PromptWallet({ balanceTonDue: () => Promise.reject(new Error('https://testnet.example/api/v2/jsonRPC gave an unexpected answer: 503 Service Unavailable')) }, before);
  assert.equal(await down.again(), 'your wallet could not be read just now (testnet.example gave an unexpected answer): press Enter to try again, or Escape');
  assert.equal(down.now, before, 'the figures before are kept, not taken for a fresh read');
  const silent = new PromptWallet({ balanceTonDue: () => new Promise(() => undefined) }, before, 50);
  assert.equal(await silent.again(), 'your wallet could not be read just now (it did not answer within 0.05 s): press Enter to try again, or Escape');
  const never = new PromptWallet({ balanceTonDue: () => Promise.resolve(before) }, null);
  assert.equal(await never.again(), undefined, 'not read before the prompt: read now');
  assert.equal(never.now, before);
});
