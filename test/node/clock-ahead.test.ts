// An endpoint whose clock reads ahead (a replica, a load balancer) said a close's window was over: the node
// stopped its defense for good, refused a person's challenge, and the partner's stale close paid out (an audit
// lost 2 TON on a devnet). Only the contract says the window is over: a finish it refuses as too early opens the
// window again here, and the defense challenges. The clock lies here by a method on the shared sandbox chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';

test("a chain clock read an hour ahead during the partner's stale close does not cost the challenge", { timeout: 240_000 }, async () => {
  const w = await World.create();
  const chain = w.chain as unknown as { now: (o?: object) => Promise<number> };
  try {
    const alice = await w.node('alice', { period: 60 });
    const bob = await w.node('bob', { period: 60 });
    await w.link(alice, bob);
    const ch = (await w.open(alice, bob, TON('3'), TON('4'))).channelId;
    await w.pay(alice, ch, TON('2')); // Bob's latest state pays him 6 TON; step 0 paid him 4
    await until(() => World.step(alice.node, ch) === 3n && World.step(bob.node, ch) === 3n, "Bob's automatic pass (step 3) signed by both");
    const latest = 3n;
    const real = chain.now.bind(w.chain);
    // finishes sent (each a wallet fee): one refused as too early waits a minute before the next
    const fin = w.chain as unknown as { finishClose: (...a: unknown[]) => Promise<unknown> };
    const finish = fin.finishClose.bind(w.chain);
    let finishes = 0;
    fin.finishClose = (...a: unknown[]) => (finishes++, finish(...a));
    chain.now = async (o?: object) => (await real(o)) + 3600; // the endpoint reads an hour ahead
    await alice.node.withdraw({ channel: ch, step: 0n, mode: 'unilateral', confirmStale: true });
    await until(() => bob.node.channel(ch)?.phase === 'closing', 'Bob to see the close', 30_000);
    await new Promise((r) => setTimeout(r, 2_000)); // the watch reads the (wrong) clock
    // a person's challenge is not refused by that clock (the contract decides)
    await bob.node.challenge({ channel: ch });
    delete (chain as { now?: unknown }).now; // honest again
    const still = (e: { type: string; message?: string }) => e.type === 'log' && /the contract says the challenge window of .* is still open \(the chain's clock as read ran ahead\)/.test(e.message ?? '');
    await until(() => alice.events.some(still), "Alice's finish refused as too early, told", 30_000);
    await until(() => bob.node.channel(ch)?.closeStep === latest, "Bob's challenge with his latest state", 120_000);
    assert.equal(finishes, 1, 'one finish refused as too early, not one a second');
    w.chain.advanceTime(61);
    // a person's finish goes now, though the node's own waits (a minute) after the refusal
    await alice.node.finish({ channel: ch });
    const closed = await until(() => bob.node.channel(ch)?.phase === 'closed', 'the payout', 15_000).then(() => bob.node.channel(ch)!);
    assert.equal(closed.payout?.step, latest);
    assert.equal(closed.payout?.balanceB, TON('6'));
  } finally {
    delete (chain as { now?: unknown }).now;
    delete (w.chain as { finishClose?: unknown }).finishClose;
    await w.close();
  }
});
