// The offer to leave a locked channel whose initial state is not signed by both said "Your partner may be gone: run
// `leave`" to both sides, also to the one whose signature it waits for (--manual: the partner's initial state
// received, not signed): that user was told to leave a channel they could open with `sign`. Real nodes on a
// SandboxChain, a short initial timeout; Bob signs by hand and does not sign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import type { Io } from '../../src/cli/repl.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, openPair, TON, until, type TestNode } from '../helpers/nodes.js';

function lines(node: TestNode, dir: string): string[] {
  const said: string[] = [];
  const io: Io = { json: false, interactive: true, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
  printEvents(Object.assign(node, { keyCreated: false }) as StartedNode, 'sandbox', dir, io);
  return said;
}

test('the exit offer tells the side whose signature the initial state waits for to sign it; the other that the partner may be gone', { timeout: 120_000 }, async () => {
  const p = await openPair({ initialTimeoutMs: 2_000, bob: { autoMode: false } });
  try {
    const bob = lines(p.bob, p.dir);
    const alice = lines(p.alice, p.dir);
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    const offered = Promise.all([waitForEvent(p.bob, 'exitOffered', () => true, 60_000), waitForEvent(p.alice, 'exitOffered', () => true, 60_000)]);
    await p.bob.deposit();
    await offered;
    const mine = await until("Bob's offer", () => bob.find((l) => l.includes('is still not signed by both')));
    assert.match(mine, /❗ Your partner's initial state awaits your signature: sign signs it and the channel opens; or run `leave` to get the deposits back \(after the challenge window\)\.$/, mine);
    assert.doesNotMatch(mine, /may be gone/);
    const theirs = await until("Alice's offer", () => alice.find((l) => l.includes('is still not signed by both')));
    assert.match(theirs, /❗ Your partner may be gone: run `leave` to get the deposits back \(after the challenge window\)\.$/, theirs);
  } finally {
    await closePair(p);
  }
});
