// A turn request that waited while the partner was frozen (SIGSTOP: nothing of the connection is read), and a close
// alone meanwhile: the partner, back, passes the turn with an empty state to a channel that is closing. Nothing is at
// stake; each side says so once in an info line, no error. When the connection dropped meanwhile, the reconnection's
// catch-up made it twice: the closing node asked for the turn again, and the partner's answer to its resync request
// sent its pass again (sync.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import type { AppMessage } from '../../src/core/wire.js';
import type { NodeEvent } from '../../src/node/index.js';
import type { PeerSession } from '../../src/p2p/index.js';
import { closePair, fund, openPair, until, type TestNode } from '../helpers/nodes.js';
import { freezableChain, heldSession } from '../helpers/frozen.js';

/** `n`'s session with its one partner. */
const sessionOf = (n: TestNode): PeerSession => {
  const raw = Address.parse(n.partners()[0]!.address).toRawString();
  return (n.node as unknown as { sessions: { get(w: string): PeerSession } }).sessions.get(raw);
};

for (const dropped of [false, true]) {
  test(`a pass answering a turn request asked before a close alone (the partner frozen${dropped ? ', its connection dropped meanwhile' : ''}): one info line each side, no error`, async () => {
    let bobChain!: ReturnType<typeof freezableChain>;
    const p = await openPair({ bobChain: (c) => (bobChain = freezableChain(c)).chain });
    const events: Record<'alice' | 'bob', NodeEvent[]> = { alice: [], bob: [] };
    try {
      await fund(p); // Bob holds the turn (step 1 is his)
      p.alice.on((e) => events.alice.push(e));
      p.bob.on((e) => events.bob.push(e));
      const [toBob, toAlice] = [sessionOf(p.alice), sessionOf(p.bob)];
      const got: Record<'alice' | 'bob', AppMessage[]> = { alice: [], bob: [] };
      toBob.on('message', (m) => got.alice.push(m));
      toAlice.on('message', (m) => got.bob.push(m));
      const frozen = heldSession(p.bob, Address.parse(p.bob.partners()[0]!.address).toRawString());
      frozen.hold();
      bobChain.freeze();
      await p.alice.requestEmpty();
      await p.alice.withdraw({ mode: 'unilateral' });
      await until('Alice closing', () => p.alice.currentChannel()!.phase === 'closing');
      if (dropped) frozen.drop();
      else frozen.release();
      await until("Alice's answer to Bob's pass", () => got.bob.some((m) => m.type === 'error'));
      bobChain.thaw();
      await until('Bob sees the close', () => p.bob.currentChannel()!.phase === 'closing');
      // every pass answered, and everything acknowledged both ways
      const passes = () => got.alice.filter((m) => m.type === 'state.propose').length;
      const answers = () => got.bob.filter((m) => m.type === 'error').length;
      await until('all answered', () => answers() === passes() && toBob.pending === 0 && toAlice.pending === 0);
      const closing = (e: NodeEvent) => (e.type === 'error' || e.type === 'log') && /closing/i.test(e.message);
      const words = (es: NodeEvent[]) => es.map((e) => (e.type === 'error' || e.type === 'log' ? e.message : e.type));
      const errors = (es: NodeEvent[]) => words(es.filter((e) => e.type === 'error'));
      assert.deepEqual(errors(events.alice), [], 'Alice sees no error');
      assert.deepEqual(errors(events.bob), [], 'Bob sees no error');
      const [alice, bob] = [events.alice.filter(closing), events.bob.filter(closing)];
      assert.equal(alice.length, 1, `Alice is told once: ${words(alice).join(' | ')}`);
      assert.equal(bob.length, 1, `Bob is told once: ${words(bob).join(' | ')}`);
      assert.ok(alice[0]!.type === 'log' && alice[0]!.level === 'info' && /your partner's node passed the turn .*was not taken/.test(alice[0]!.message), alice[0]!.type === 'log' ? alice[0]!.message : '');
      assert.ok(bob[0]!.type === 'log' && bob[0]!.level === 'info' && /your partner's node says the channel is closing.*so it did not take your state/.test(bob[0]!.message), bob[0]!.type === 'log' ? bob[0]!.message : '');
      assert.ok(got.bob.every((m) => m.type !== 'error' || m.code === 'CHANNEL_CLOSING'), "Bob's node is told CHANNEL_CLOSING");
      if (dropped) assert.equal(got.bob.filter((m) => m.type === 'turn.request').length, 1, 'the closing node asks for the turn no more on the reconnection');
    } finally {
      await closePair(p);
    }
  });
}
