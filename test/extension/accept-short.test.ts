// Accepting a proposal with a wallet that cannot pay the deposit and its fees: the deposit prompt took the amount,
// asked "Accept and Deposit", showed "depositing…", and only then the node refused (INSUFFICIENT_FUNDS). The prompt
// now says the node's refusal as the amount is typed, from the wallet read before it. Real nodes on a SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { inVsCode } from '../../src/extension/cliWords.js';
import { acceptShort } from '../../src/extension/words.js';
import { drainWallet } from '../helpers/drain.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test("accepting a proposal from a wallet too low for it: the deposit prompt says the node's refusal before anything is asked or sent", async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('2') });
    await proposed;
    const ch = p.bob.channels()[0]!;
    assert.equal(ch.phase, 'proposed');
    // enough: nothing to say
    assert.equal(acceptShort(ch, TON('2'), await p.bob.balanceTonDue(), p.bob), undefined);
    await drainWallet(p.chain, p.keys.bob, p.alice.getAccount(), TON('1.5'));
    const wallet = await p.bob.balanceTonDue();
    const said = acceptShort(ch, TON('2'), wallet, p.bob);
    const refused = await p.bob.deposit(TON('2')).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    assert.equal(refused?.code, 'INSUFFICIENT_FUNDS', String(refused));
    assert.equal(said, inVsCode(refused.message), "the prompt says the node's own words, in VS Code's");
    assert.match(said ?? '', /top it up first \(“Get Test Coins \(Faucet\)”\)$/);
    // not read (the prompt's read did not answer): the node has the last word
    assert.equal(acceptShort(ch, TON('2'), null, p.bob), undefined);
    // a top-up of a channel already funding is not an acceptance: its cap is depositMax's
    assert.equal(acceptShort({ ...ch, phase: 'funding' }, TON('2'), wallet, p.bob), undefined);
  } finally {
    await closePair(p);
  }
});
