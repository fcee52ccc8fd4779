// `send` one after another, as lines pasted at a terminal or piped by a script arrive: with waitMs a send waits for
// the state before it to be signed and for the partner's automatic pass, instead of failing at once. Without
// waitMs, or when the partner signs by hand and does not, it fails as before, with the action's own words.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import type { P2PNode } from '../../src/p2p/index.js';
import { TON, closePair, fund, latest, openPair, until, type TestNode } from '../helpers/nodes.js';
import { slowDisk } from '../helpers/slow-disk.js';

const codeOf = (e: unknown) => (e as { code?: string }).code;
const p2pOf = (n: TestNode) => (n as unknown as { node: { ctx: { o: { p2p: P2PNode } } } }).node.ctx.o.p2p;

/** Alice signs by hand (and has not signed), Bob in automatic mode has paid once: his state 1 awaits her. */
async function afterFirstPayment(fn: (p: Awaited<ReturnType<typeof openPair>>) => Promise<void>): Promise<void> {
  const p = await openPair({ autoMode: false, bob: { autoMode: true } });
  try {
    await fund(p);
    const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
    await p.bob.send(TON('0.1'), { waitMs: 10_000 });
    await got;
    await fn(p);
  } finally {
    await closePair(p);
  }
}

describe('send, one after another', () => {
  test('with waitMs each send makes its payment (the partner in automatic mode); without it the next one is refused', async () => {
    const p = await openPair();
    try {
      await fund(p);
      await p.bob.send(TON('0.1'));
      await assert.rejects(p.bob.send(TON('0.1')), (e) => codeOf(e) === 'PENDING_STATE');
      for (let i = 0; i < 5; i++) await p.bob.send(TON('0.1'), { waitMs: 10_000 });
      await until('both signed the last payment and its pass', () => latest(p.alice).step === 12n && latest(p.bob).step === 12n);
      assert.equal(latest(p.bob).balanceB, TON('4') - TON('0.6'));
      assert.equal(latest(p.alice).balanceA, TON('3') + TON('0.6'));
    } finally {
      await closePair(p);
    }
  });

  test('a partner who signs by hand and does not: the waiting send is refused after waitMs, and nothing is sent', async () => {
    await afterFirstPayment(async (p) => {
      const t0 = Date.now();
      await assert.rejects(p.bob.send(TON('0.1'), { waitMs: 300 }), (e) => codeOf(e) === 'PENDING_STATE');
      assert.ok(Date.now() - t0 >= 250, 'it waited');
      // Alice signs; no pass comes by hand within the grace, so the turn is hers and the send says so
      await p.alice.sign();
      await until('Bob has the signature', () => latest(p.bob).step === 1n);
      await assert.rejects(p.bob.send(TON('0.1'), { waitMs: 300 }), (e) => codeOf(e) === 'NOT_YOUR_TURN');
      assert.equal(latest(p.bob).balanceB, TON('4') - TON('0.1'));
    });
  });

  test('the partner goes offline while a send waits for their signature: it is refused after a short grace, saying so', async () => {
    await afterFirstPayment(async (p) => {
      const t0 = Date.now();
      const refused = assert.rejects(p.bob.send(TON('0.1'), { waitMs: 30_000 }), (e) => codeOf(e) === 'PARTNER_OFFLINE' && /offline/.test(String((e as Error).message)));
      const gone = waitForEvent(p.bob, 'partnerDisconnected');
      await new Promise((r) => setTimeout(r, 200));
      await p.alice.stop();
      await gone;
      await refused;
      // the grace is 5 s; 15 s leaves room on a loaded machine and is half the wait asked for
      assert.ok(Date.now() - t0 < 15_000, `refused after ${Date.now() - t0} ms (it waited for a partner who is gone)`);
      const view = p.bob.channels()[0]!;
      assert.equal(view.partnerOnline, false, 'the channel shows the partner offline');
    });
  });

  test("a send on an offline partner's turn says to request the turn, or that it was requested (not to request it again)", async () => {
    const p = await openPair();
    try {
      await fund(p);
      await p.bob.createEmpty(); // the turn is Alice's
      await until('step 1 at Alice', () => latest(p.alice).step === 1n);
      const gone = waitForEvent(p.bob, 'partnerDisconnected');
      await p.alice.stop();
      await gone;
      const said = (e: unknown) => codeOf(e) === 'PARTNER_OFFLINE' && /your partner is offline right now/.test(String((e as Error).message)) && String((e as Error).message);
      await assert.rejects(p.bob.send(TON('0.1'), { waitMs: 500 }), (e) => /^it is your partner's turn \(request it with requestEmpty\)/.test(said(e) || ''));
      await p.bob.requestEmpty();
      await assert.rejects(p.bob.send(TON('0.1'), { waitMs: 500 }), (e) => {
        const m = said(e) || '';
        return /^it is your partner's turn, and your node has asked them for it: the request goes when they reconnect/.test(m) && !/requestEmpty/.test(m);
      });
    } finally {
      await closePair(p);
    }
  });

  test('the connection drops for a moment while a send waits: the send goes once the partner is back and passes the turn', async () => {
    await afterFirstPayment(async (p) => {
      let settled = false;
      const second = p.bob.send(TON('0.1'), { waitMs: 20_000 }).finally(() => (settled = true));
      second.catch(() => undefined);
      const dropped = waitForEvent(p.bob, 'partnerDisconnected');
      const back = waitForEvent(p.bob, 'partnerConnected', undefined, 15_000);
      p2pOf(p.alice).dropConnections();
      await dropped;
      await back;
      assert.equal(settled, false, 'the send waited across the drop');
      await p.alice.sign();
      await p.alice.createEmpty();
      assert.equal((await second).step, 3n);
    });
  });

  test('the payer signs by hand: its next send does not wait for the pass that awaits its own signature', async () => {
    const p = await openPair({ bob: { autoMode: false } });
    try {
      await fund(p, { manualSign: true });
      const pass = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 2n);
      await p.bob.send(TON('0.1'), { waitMs: 10_000 });
      await pass;
      const t0 = Date.now();
      await assert.rejects(p.bob.send(TON('0.1'), { waitMs: 10_000 }), (e) => codeOf(e) === 'PENDING_STATE' && /sign it first/.test(String((e as Error).message)));
      assert.ok(Date.now() - t0 < 1_000, `refused after ${Date.now() - t0} ms`);
      await p.bob.sign();
      await p.bob.send(TON('0.1'), { waitMs: 10_000 });
    } finally {
      await closePair(p);
    }
  });

  test("a payment that reaches the payee before its own write of state 0 is durable still gets the automatic pass", async () => {
    const p = await openPair();
    try {
      const proposed = waitForEvent(p.bob, 'channelProposed');
      const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
      await proposed;
      // Alice's disk is slow to confirm the write of state 0 countersigned (written in order, acknowledged late).
      await slowDisk(p.alice, view.channelId, (e) => e.kind === 'committed' && e.state.state.step === 0n, 1_500);
      const open = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 0n);
      await p.bob.deposit();
      await open;
      const pass = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 2n, 15_000);
      await p.bob.send(TON('0.1'));
      assert.equal((await pass).state.step, 2n);
    } finally {
      await closePair(p);
    }
  });
  test('in automatic mode, a waiting send on the partner\'s turn asks for the turn and pays once it comes', async () => {
    const p = await openPair();
    try {
      await fund(p); // Alice's initial state 0: the turn is Bob's
      await until("Alice's view says her send asks for the turn", () => p.alice.channels()[0]!.sendAsksTurn);
      assert.equal(p.bob.channels()[0]!.sendAsksTurn, false, 'his turn: nothing to ask');
      const s = await p.alice.send(TON('0.5'), { waitMs: 10_000 });
      assert.equal(s.step, 2n, "Bob's pass is step 1, Alice's payment step 2");
      await until('both signed the payment', () => latest(p.alice).step >= 2n && latest(p.bob).step >= 2n);
      assert.equal(latest(p.bob).balanceB, TON('4.5'));
      // Bob's automatic pass (3) gives Alice the turn again: Bob's send asks for it back (Alice's pass: 4)
      await until("Bob's pass after Alice's payment", () => latest(p.alice).step === 3n && latest(p.bob).step === 3n);
      assert.equal((await p.bob.send(TON('0.1'), { waitMs: 10_000 })).step, 5n);
      // without a wait it is refused at once, as before, and asks for nothing
      await until('both signed it and its pass', () => latest(p.alice).step === 6n && latest(p.bob).step === 6n);
      await assert.rejects(p.alice.send(TON('0.1')), (e) => codeOf(e) === 'NOT_YOUR_TURN');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(p.bob.channels()[0]!.turnRequestedByPartner, false, 'Bob was not asked');
    } finally {
      await closePair(p);
    }
  });

  test('a partner who signs by hand: the send asks for the turn, is refused after waitMs saying so, and the partner sees the request', async () => {
    await afterFirstPayment(async (p) => {
      await p.alice.sign();
      await until('Bob has the signature', () => latest(p.bob).step === 1n);
      assert.equal(p.bob.channels()[0]!.sendAsksTurn, true);
      const asked = waitForEvent(p.alice, 'turnRequested');
      await assert.rejects(p.bob.send(TON('0.1'), { waitMs: 4_000 }), (e) => codeOf(e) === 'NOT_YOUR_TURN' && /asked/.test(String((e as Error).message)));
      await asked;
      assert.equal(p.alice.channels()[0]!.turnRequestedByPartner, true);
      // she passes it by hand: the next send goes
      await p.alice.createEmpty();
      await until("Bob has Alice's pass", () => latest(p.bob).step === 2n);
      const s = await p.bob.send(TON('0.1'), { waitMs: 10_000 });
      assert.equal(s.step, 3n);
    });
  });

  test('a waiting send the person stops pays nothing: on its own state in flight, and on a turn request it sent (which stands)', async () => {
    await afterFirstPayment(async (p) => {
      // Bob's state 1 awaits Alice's signature: his next send waits for it, and he stops it
      const stop1 = new AbortController();
      const first = p.bob.send(TON('0.1'), { waitMs: 10_000, signal: stop1.signal });
      setTimeout(() => stop1.abort(), 300);
      await assert.rejects(first, (e) => codeOf(e) === 'CANCELLED' && (e as { sent?: boolean }).sent !== true);
      assert.equal(p.alice.channels()[0]!.turnRequestedByPartner, false, 'no turn request while his state awaits her');
      // signed: the turn is Alice's; Bob's send asks her for it, and he stops it while she does not pass it
      await p.alice.sign();
      await until('Bob has the signature', () => latest(p.bob).step === 1n);
      const stop2 = new AbortController();
      const asked = waitForEvent(p.alice, 'turnRequested');
      const second = p.bob.send(TON('0.1'), { waitMs: 10_000, signal: stop2.signal });
      await asked;
      stop2.abort();
      await assert.rejects(second, (e) => codeOf(e) === 'CANCELLED' && (e as { sent?: boolean }).sent === true && /asked your partner for the turn/.test((e as Error).message));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(latest(p.bob).step, 1n, 'nothing was paid');
      assert.equal(p.bob.channels()[0]!.pending, null);
      // the request stands: Alice passes the turn by hand and Bob's next send pays at once
      assert.equal(p.alice.channels()[0]!.turnRequestedByPartner, true);
      await p.alice.createEmpty();
      await until("Bob has Alice's pass", () => latest(p.bob).step === 2n);
      assert.equal((await p.bob.send(TON('0.1'), { waitMs: 10_000 })).step, 3n);
    });
  });
});
