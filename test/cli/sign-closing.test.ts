// `sign` while the partner's close with an older step is on chain said only "Signed state N" (now "Signed step N"): nothing told the user
// that the state pays out only if a challenge puts it on chain within the window (an exit with the deposits had its
// note, a close with a step had none). Real nodes on a SandboxChain: Bob signs by hand; he pays Alice, her node passes
// the turn back (an empty state Bob has not signed yet), and she closes alone with the step before it. (A state that
// pays Bob more his node signs and challenges with by itself: nothing would be left for his sign.) A close state
// signed then pays out at once (the second test), not in a challenge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { waitForEvent } from '../../src/node/index.js';
import { aliceFellBack, closePair, fund, openPair, TON } from '../helpers/nodes.js';

test("sign during the partner's close with an older step says what the signed state does in the window", { timeout: 120_000 }, async () => {
  const p = await openPair({ bob: { autoMode: false }, challengePeriod: 3600 });
  try {
    await fund(p, { manualSign: true });
    const received = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 2n, 30_000);
    await p.bob.send(TON('0.5'));
    await received;
    const seen = waitForEvent(p.bob, 'closeStarted', () => true, 60_000);
    await p.alice.withdraw({ mode: 'unilateral' });
    await seen;
    const said: string[] = [];
    const io: Io = { json: false, interactive: false, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    await runLine('sign', p.bob, io);
    const text = said.join('\n');
    assert.match(text, /^Signed step 2$/m, text);
    assert.match(text, /The channel is closing: your partner's close on chain holds step 1 \(challenge window until [^)]*from now\)\. Step 2 pays out only if a challenge puts it on chain before then: your node challenges with it if it pays you more than step 1, and your partner may\./, text);
  } finally {
    await closePair(p);
  }
});

test("sign of the partner's close state after their withdraw fell back to a close alone says it pays out at once, not in a challenge", { timeout: 120_000 }, async () => {
  const p = await openPair({ bob: { autoMode: false }, challengePeriod: 3600 });
  try {
    const seen = waitForEvent(p.bob, 'closeStarted', () => true, 60_000);
    await aliceFellBack(p);
    await seen;
    const said: string[] = [];
    const io: Io = { json: false, interactive: false, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    const paid = waitForEvent(p.bob, 'closed', () => true, 60_000);
    await runLine('sign', p.bob, io);
    const text = said.join('\n');
    assert.match(text, /The channel is closing: your partner's close on chain holds step 1 \(challenge window until [^)]*\)\. Step 2 is a close state signed by both: your node sends it to the contract, which pays out by it at once, without waiting for the window\./, text);
    assert.doesNotMatch(text, /only if a challenge/, text);
    // as said: paid out by it, the window not waited
    assert.equal((await paid).payout.step, 2n);
  } finally {
    await closePair(p);
  }
});
