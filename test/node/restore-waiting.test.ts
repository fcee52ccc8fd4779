// A node restored from an old backup (restore.test.ts has the rest): a proposal of its own that it lost is taken
// back from the partner, only with its own signature; while it waits for its partner's answer it signs nothing,
// and still defends its latest state both signed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { stateToBase64 } from '../../src/core/state.js';
import { waitForEvent } from '../../src/node/index.js';
import { learn, Mallory } from '../adversary/mallory.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, until } from '../adversary/world.js';
import { code, loseAndRestore, withMal } from '../helpers/restore.js';

test('a proposal of ours lost in a restore from an older backup is taken back from the partner: no other state for that step', async () => {
  const w = await World.create();
  try {
    const hal = await w.node('hal', { autoMode: false }); // signs by hand
    let vic = await w.node('vic');
    await w.link(hal, vic);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    const backup = join(w.dir, 'vic.backup');
    await vic.node.exportBackup(backup);
    const got = waitForEvent(hal.node, 'stateReceived', (e) => e.state.step === 1n);
    await vic.node.send(TON('1'), { channel: ch }); // step 1 waits for Hal
    await got;
    vic = await loseAndRestore(w, vic, backup);
    await until(() => !vic.node.channel(ch)!.restorePending, 'the restore to complete', 30_000);
    assert.equal(vic.node.channel(ch)!.pending?.step, 1n, 'step 1 is ours again, awaiting Hal');
    await hal.node.sign({ channel: ch }); // the 1 TON state: signed by Vic before the loss, not a new one
    await until(() => World.step(vic.node, ch) === 1n, 'step 1 signed by both');
    // No new payment in a channel imported from a backup.
    await assert.rejects(vic.node.pay(TON('2'), { channel: ch }), code('CHANNEL_RESTORED'));
    assert.equal(hal.events.filter((e) => e.type === 'equivocation').length, 0, 'Vic never signed two states for one step');
    assert.deepEqual([World.step(vic.node, ch), vic.node.channel(ch)!.myBalance], [1n, TON('4')]);
  } finally {
    await w.close();
  }
});

test("a restored node takes back only a proposal its partner shows with the node's own signature: a forged one is never signed", () =>
  withMal(async ({ w, vic, mal, vicAddr, ch, keep }) => {
    // step 1 is Vic's (B)
    const backup = join(w.dir, 'vic.backup');
    await vic.node.exportBackup(backup);
    const known = await learn(mal.node, ch);
    await w.stop(mal);
    const v = await loseAndRestore(w, vic, backup);
    const mallory = keep(await Mallory.connect(mal.keyPair, mal.node.getAccount(), vicAddr));
    await mallory.nextOf('resync.request');
    // Mallory says Vic had proposed paying her 4 TON at step 1, with her own signature in place of Vic's.
    const s0 = known.states[0]!.state;
    const forged = mallory.propose(known, { ...s0, step: 1n, balanceA: s0.balanceA + TON('4'), balanceB: s0.balanceB - TON('4') });
    mallory.say({ type: 'resync.response', contract: known.contract, states: [], yours: { state: forged.state, signature: forged.signature } });
    await until(() => !v.node.channel(ch)!.restorePending, 'the restore to complete');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(v.node.channel(ch)!.pending, null, 'nothing staged');
    assert.equal(mallory.count('state.propose'), 0, 'Vic signed no payment');
  }));

describe('a restored node waiting for its partner signs nothing, and still defends its latest state', () => {
  test("a stale close is challenged with the latest state both signed, not with a partner's proposal the node may not sign yet", () =>
    withMal(async ({ w, vic, mal, vicAddr, ch, keep }) => {
      for (let i = 0; i < 2; i++) await w.pay(mal, ch, TON('0.5'));
      await assertSameHistory(vic.node, mal.node, ch);
      const backup = join(w.dir, 'vic.backup');
      await vic.node.exportBackup(backup);
      const known = await learn(mal.node, ch);
      await w.stop(mal);
      const v = await loseAndRestore(w, vic, backup);
      const k = World.step(v.node, ch);
      const mallory = keep(await Mallory.connect(mal.keyPair, mal.node.getAccount(), vicAddr));
      await mallory.nextOf('resync.request');
      // Mallory never answers; she proposes 1 nanoton more for Vic (kept pending: Vic may not sign it yet) and
      // closes with step 0 (Vic 5 TON where step k gives 6).
      const last = mallory.latest(known).state;
      mallory.say(mallory.propose(known, mallory.next(known, { balanceA: last.balanceA - 1n, balanceB: last.balanceB + 1n })));
      await mallory.error('state.propose', 'CHANNEL_RESTORED');
      const failed: string[] = [];
      v.node.on((e) => void (e.type === 'challengeFailed' && failed.push(e.code)));
      const challenged = waitForEvent(v.node, 'challenged', (e) => e.byMe, 30_000);
      const old = known.states[0]!;
      await w.chain.startClose(await w.chain.openWallet(mal.keyPair), old.state.channel, { state: old.state, sigA: old.sigA!, sigB: old.sigB! });
      assert.equal((await challenged).step, k);
      assert.deepEqual(failed, []);
      assert.equal(mallory.count('state.countersign'), 0, 'the bait was never signed');
    }));

  test('a turn request before the answer gets no pass: the proposal the partner holds is taken back, no other state is signed for its step', async () => {
    const w = await World.create();
    let mallory: Mallory | undefined;
    try {
      const mal = await w.node('mal', { autoMode: false });
      const vic = await w.node('vic');
      const vicAddr = await w.link(vic, mal);
      const ch = (await w.open(mal, vic, TON('5'), TON('5'))).channelId;
      const backup = join(w.dir, 'vic.backup');
      await vic.node.exportBackup(backup);
      const got = waitForEvent(mal.node, 'stateReceived', (e) => e.state.step === 1n);
      await vic.node.send(TON('1'), { channel: ch }); // P: step 1, held unsigned by Mal, lost in the restore
      await got;
      const p = mal.node.channel(ch)!.pending!;
      const known = await learn(mal.node, ch);
      const P = { tag: 'state' as const, channel: known.states[0]!.state.channel, step: 1n, balanceA: p.balanceA, balanceB: p.balanceB };
      await w.stop(mal);
      const v = await loseAndRestore(w, vic, backup);
      mallory = await Mallory.connect(mal.keyPair, mal.node.getAccount(), vicAddr);
      await mallory.nextOf('resync.request');
      mallory.say({ type: 'turn.request', contract: known.contract, step: 0n });
      mallory.say({ type: 'resync.response', contract: known.contract, states: [], yours: { state: stateToBase64(P), signature: p.sigB! } });
      await until(() => !v.node.channel(ch)!.restorePending, 'the restore to complete');
      const proposal = await mallory.nextOf('state.propose');
      assert.equal(proposal.state, stateToBase64(P), 'the first state Vic signs for step 1 is the one Mal holds');
      assert.equal(mallory.count('state.propose', (m) => (m as { state: string }).state !== stateToBase64(P)), 0, 'no other state for step 1');
    } finally {
      await mallory?.stop();
      await w.close();
    }
  });
});
