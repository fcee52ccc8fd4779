// With --manual the CLI printed the original's "❗ Received new state❗" (and "❗ Received initial state❗") and nothing
// more: a user new to the tool was not told that the state waits for them, nor that `sign` signs it. The node now
// says in the event that the state waits for the user's sign; the CLI says what to type. A turn request, likewise,
// said nothing of createEmpty. In automatic mode the node
// countersigns by itself, and nothing asks the user to. Real nodes on a SandboxChain: Bob signs by hand, Alice not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import type { Io } from '../../src/cli/repl.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair, TON, until, type TestNode } from '../helpers/nodes.js';

function lines(node: TestNode, dir: string): string[] {
  const said: string[] = [];
  const io: Io = { json: false, interactive: true, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
  printEvents(Object.assign(node, { keyCreated: false }) as StartedNode, 'sandbox', dir, io);
  return said;
}

test('manual mode: a received state says that sign signs it, a turn request that createEmpty passes it; automatic mode does not ask for them', { timeout: 120_000 }, async () => {
  const p = await openPair({ bob: { autoMode: false } });
  try {
    const bob = lines(p.bob, p.dir);
    const alice = lines(p.alice, p.dir);
    await fund(p, { manualSign: true });
    const initial = bob.find((l) => l.startsWith('❗ Received initial state❗'));
    assert.match(initial ?? '', /^❗ Received initial state❗\nsign signs it \(showLast shows it; in manual mode your node does not countersign by itself\)$/, bob.join('\n---\n'));
    // Bob pays; Alice's node countersigns and passes the turn by itself (a state Bob signs by hand)
    const passed = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 2n, 30_000);
    await p.bob.send(TON('0.5'));
    await passed;
    const pass = await until('the pass told', () => bob.find((l) => l.includes('Step 2: your partner passes the turn')));
    assert.match(pass, /\nsign signs it \(showLast shows it/, pass);
    // Bob signs the pass; Alice asks for the turn back: Bob, by hand, is told that createEmpty passes it
    await p.bob.sign();
    const asked = waitForEvent(p.bob, 'turnRequested', () => true, 30_000);
    await p.alice.requestEmpty();
    await asked;
    const request = await until('the request told', () => bob.find((l) => l.startsWith('❗ Your partner request empty state❗')));
    assert.equal(request, '❗ Your partner request empty state❗\ncreateEmpty passes the turn (an empty state)');
    // Alice, in automatic mode, was told of Bob's payment and is never asked to sign
    await until('the payment told', () => alice.find((l) => l.includes('Step 1: your partner')));
    assert.ok(!alice.some((l) => /sign signs it/.test(l)), alice.join('\n---\n'));
  } finally {
    await closePair(p);
  }
});
