// A node stopped while its wallet's sends wait their turn (the many-channels audit): a queued cooperative close
// went out after stop() had returned (a stopped node kept sending from its wallet), and a queued deposit, never
// sent, left its "may still land" mark on disk, so the restarted node refused to deposit for 3 minutes. Now a stop
// ends every send of the node: a waiting one is dropped unsigned, one on its way stops waiting (it may land).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { TON } from '../helpers/nodes.js';
import { World } from '../adversary/world.js';

test("a stop ends the node's queued sends: none leaves after it, and a deposit that never left is offered at once after the restart", { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const alice = await w.node('alice');
    let bob = await w.node('bob');
    await w.link(alice, bob);
    const first = await w.open(alice, bob, TON('3'), TON('4'));
    const second = await w.open(alice, bob, TON('3'), TON('4'));
    // Bob's wallet messages are held at the endpoint until released (or the send is stopped).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const handed: number[] = [];
    let stoppedAt = Infinity;
    const restore = w.slowWallet(bob, async (s) => {
      await new Promise<void>((resolve, reject) => {
        void held.then(resolve);
        s.addEventListener('abort', () => reject(s.reason as Error), { once: true });
      });
      handed.push(Date.now());
    });
    const progress: string[] = [];
    const closing = [first, second].map((c) => bob.node.withdraw({ channel: c.channelId, mode: 'cooperative', onProgress: (l) => progress.push(l) }).catch((e: Error) => e));
    // a new channel: Bob accepts with deposit, which waits behind the two closes
    const proposed = waitForEvent(bob.node, 'channelProposed');
    const fresh = await alice.node.open({ myDeposit: TON('1'), partnerDeposit: TON('2'), partner: bob.node.getAccount() });
    await proposed;
    const depositing = bob.node.deposit(undefined, { channel: fresh.channelId, onProgress: (l) => progress.push(l) }).catch((e: Error) => e);
    const waits = () => progress.filter((l) => /waits for wallet/.test(l)).length;
    const until = async (ok: () => boolean, what: string) => {
      for (const end = Date.now() + 60_000; !ok(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error(`timed out: ${what}`);
    };
    await until(() => waits() >= 2, 'the second close and the deposit waiting for the wallet');
    await w.stop(bob);
    stoppedAt = Date.now();
    release();
    const outcomes = await Promise.all([...closing, depositing]);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.deepEqual(handed.filter((t) => t >= stoppedAt), [], 'no message of the stopped node left after the stop');
    // each says what happened: the deposit was not sent
    // the close handed to the endpoint may have gone out; the other close and the deposit were never signed
    const [x, y, deposit] = outcomes as (Error & { code?: string; sent?: boolean })[];
    const inFlight = x!.sent ? x : y;
    const queued = x!.sent ? y : x;
    assert.ok(inFlight instanceof Error && inFlight.sent && /may have gone out/.test(inFlight.message), `${String(inFlight)}`);
    for (const e of [queued, deposit]) assert.ok(e instanceof Error && !e.sent && /node stopped before it was sent: nothing was sent/.test(e.message), `${String(e)}`);
    // Restarted, Bob deposits at once: no mark of a deposit that never left
    restore();
    bob = await w.node('bob', { keyPair: bob.keyPair });
    await w.link(alice, bob);
    await bob.node.caughtUp(20_000);
    const v = await bob.node.deposit(undefined, { channel: fresh.channelId });
    assert.equal(v.depositB, TON('2'));
  } finally {
    await w.close();
  }
});

test('a wait the node\'s stop ended after a send landed says it landed (sent), as a person\'s stop does', async () => {
  const { NodeError, stoppedAfter } = await import('../../src/node/errors.js');
  const said = stoppedAfter(new NodeError('NODE_STOPPED', 'the node stopped: start it again'), 'the cooperative close landed: the node shows the payout once the chain does') as Error & { code?: string; sent?: boolean };
  assert.deepEqual([said.code, said.sent, said.message], ['NODE_STOPPED', true, 'the node stopped, but the cooperative close landed: the node shows the payout once the chain does']);
  const person = stoppedAfter(new NodeError('CANCELLED', 'cancelled'), 'it landed') as Error & { sent?: boolean };
  assert.equal(person.sent, true);
  const other = new NodeError('TIMEOUT', 'late');
  assert.equal(stoppedAfter(other, 'it landed'), other);
});
