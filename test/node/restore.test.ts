// Backup and restore at the node: a node restored from an OLD backup never signs, sends or closes below what
// its partner holds. Restored channels are restorePending (send/sign refused with RESTORE_PENDING, automatic
// countersigning held back) until the partner's resync answer is complete; then the node has the latest state and
// says what it recovered. It signs no new running state in them (CHANNEL_RESTORED): the partner may hold newer
// states the node signed before it lost its data, which no answer can rule out. A close is what is left.
// (restore-waiting.test.ts: proposals taken back, and what a node waiting for its partner's answer does.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { signedToJson } from '../../src/core/signed.js';
import { waitForEvent } from '../../src/node/index.js';
import { DataDir } from '../../src/node/store/index.js';
import { Mallory } from '../adversary/mallory.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, until } from '../adversary/world.js';
import { code, loseAndRestore, recovered, withMal, restoredBehind, withVicHal } from '../helpers/restore.js';

describe('restore from an old backup', () => {
  test('signs nothing until the partner answered (more than one resync window behind), then holds the latest state and takes no payment', async () => {
    const w = await World.create();
    try {
      const vic = await w.node('vic');
      let hal = await w.node('hal');
      await w.link(vic, hal);
      const ch = (await w.open(hal, vic, TON('50'), TON('50'))).channelId;
      for (let i = 0; i < 3; i++) await w.pay(i % 2 ? vic : hal, ch, TON('0.1'));
      // Settled first (the last automatic pass included), so the backup holds exactly step k.
      await assertSameHistory(vic.node, hal.node, ch);
      const k = World.step(vic.node, ch);
      const backup = join(w.dir, 'vic.backup');
      await vic.node.exportBackup(backup);
      for (let i = 0; i < 40; i++) await w.pay(hal, ch, TON('0.01'));
      const n = World.step(hal.node, ch);
      assert.ok(n - k > 64n, `${n - k} states after the backup`);
      const halKey = hal.keyPair;
      await w.stop(hal);

      let v = await loseAndRestore(w, vic, backup);
      let view = v.node.channel(ch)!;
      assert.equal(view.restorePending, true);
      assert.equal(view.latest!.step, k);
      assert.equal(view.actions.send.ok ? null : view.actions.send.code, 'RESTORE_PENDING');
      await assert.rejects(v.node.send(TON('0.01'), { channel: ch }), code('RESTORE_PENDING'));
      await assert.rejects(v.node.sign({ channel: ch }), code('RESTORE_PENDING'));
      await assert.rejects(v.node.withdraw({ channel: ch }), code('RESTORE_PENDING'));
      // A restart keeps it pending: only the partner's answer clears it.
      await w.stop(v);
      v = await w.node('vic', { keyPair: v.keyPair });
      assert.equal(v.node.channel(ch)!.restorePending, true);

      hal = await w.node('hal', { keyPair: halKey });
      await until(() => !v.node.channel(ch)!.restorePending, 'the partner to answer the resync', 60_000);
      const atN = (await v.node.showAll(ch)).find((x) => x.step === n)!;
      assert.ok(atN.committed, 'the latest state both signed');
      view = { ...v.node.channel(ch)!, latest: atN };
      assert.match(recovered(v.events) ?? '', new RegExp(`at step ${k}; your partner's answer brought ${n - k} newer state\\(s\\) signed by both, now at step ${n}. .*the node signs no payment in this channel`));
      // Hal may hold states Vic signed after the backup that no answer can rule out: no payment, either way.
      view = v.node.channel(ch)!;
      assert.equal(view.actions.send.ok ? null : view.actions.send.code, 'CHANNEL_RESTORED');
      await assert.rejects(v.node.send(TON('1'), { channel: ch }), code('CHANNEL_RESTORED'));
      // Vic took the turn with Hal's empty state (no money moves) and keeps it: Hal's payment cannot be proposed.
      await until(() => v.node.channel(ch)!.myTurn, 'Vic to take the turn');
      assert.equal(v.node.channel(ch)!.latest!.step, n + 1n);
      assert.deepEqual([v.node.channel(ch)!.latest!.balanceA, v.node.channel(ch)!.latest!.balanceB], [view.latest!.balanceA, view.latest!.balanceB]);
      view = v.node.channel(ch)!;
      const told = waitForEvent(hal.node, 'error', (e) => e.code === 'CHANNEL_RESTORED');
      await assert.rejects(hal.node.send(TON('0.5'), { channel: ch, waitMs: 2_000 }), code('NOT_YOUR_TURN'));
      await told;
      assert.equal(World.step(v.node, ch), n + 1n, 'no payment signed');
      await assertSameHistory(v.node, hal.node, ch);
      const r = await v.node.withdraw({ channel: ch, mode: 'cooperative' });
      assert.equal(r.mode, 'cooperative');
      assert.deepEqual([r.payoutA, r.payoutB], [view.latest!.balanceA, view.latest!.balanceB]);
      assert.equal(hal.events.filter((e) => e.type === 'equivocation').length, 0);
    } finally {
      await w.close();
    }
  });

  test('a restored node does not countersign a proposal below what its partner holds, even in automatic mode', () =>
    withMal(async (m) => {
      const { mal, vicAddr, ch, keep } = m;
      const { known, v, k } = await restoredBehind(m);
      const n = known.states[known.states.length - 1]!.state.step;

      const mallory = keep(await Mallory.connect(mal.keyPair, mal.node.getAccount(), vicAddr));
      await mallory.nextOf('resync.request');
      // Mallory pays Vic at step k+1 as if nothing happened after the backup: tempting, and below what she holds.
      const old = known.states[Number(k)]!.state;
      assert.ok(mallory.ours(known, k + 1n));
      mallory.say(mallory.propose(known, { ...old, step: k + 1n, balanceA: old.balanceA - TON('1'), balanceB: old.balanceB + TON('1') }));
      // A payment in a channel imported from a backup is refused at once (it could fork a step Vic signed).
      await mallory.error('state.propose', 'CHANNEL_RESTORED');
      assert.equal(mallory.count('state.countersign'), 0, 'not countersigned');
      assert.equal(v.node.channel(ch)!.pending, null);

      // Mallory answers the resync at last: Vic learns the states she holds and drops the stale proposal.
      const states = known.states.filter((s) => s.state.step > k).map((s) => {
        const j = signedToJson(s);
        return { state: j.state, sigA: j.sigA!, sigB: j.sigB! };
      });
      mallory.say({ type: 'resync.response', contract: known.contract, states });
      await until(() => !v.node.channel(ch)!.restorePending, 'the restore to complete');
      assert.equal(World.step(v.node, ch), n);
      assert.equal(v.node.channel(ch)!.pending, null, 'the stale proposal is gone');
      assert.equal(mallory.count('state.countersign'), 0, 'never countersigned');
    }));

  test("a restored channel signs no new state even when its partner says it holds nothing newer: a lie would fork a step", () =>
    withMal(async (m) => {
      const { mal, vicAddr, ch, keep } = m;
      const { known, v, k } = await restoredBehind(m);

      const mallory = keep(await Mallory.connect(mal.keyPair, mal.node.getAccount(), vicAddr));
      await mallory.nextOf('resync.request');
      // "Nothing newer here": unsigned and unverifiable, and a lie (Mallory holds the states after k).
      mallory.say({ type: 'resync.response', contract: known.contract, states: [] });
      await until(() => !v.node.channel(ch)!.restorePending, 'the restore to complete');
      assert.equal(World.step(v.node, ch), k);
      // Mallory pays Vic at step k+1, a step Vic signed before the loss: Vic refuses and keeps nothing of it.
      const old = known.states[Number(k)]!.state;
      assert.ok(mallory.ours(known, k + 1n));
      mallory.say(mallory.propose(known, { ...old, step: k + 1n, balanceA: old.balanceA - TON('1'), balanceB: old.balanceB + TON('1') }));
      await mallory.error('state.propose', 'CHANNEL_RESTORED');
      assert.equal(mallory.count('state.countersign'), 0, 'never countersigned');
      assert.equal(v.node.channel(ch)!.pending, null);
      assert.equal(World.step(v.node, ch), k);
      // A close of the state Vic holds is still signed: it pays no more than Mallory could take anyway.
      mallory.say(mallory.propose(known, { ...old, tag: 'close', step: k + 1n }, { close: true }));
      const accept = await mallory.nextOf('close.accept');
      assert.equal(accept.step, k + 1n);
    }));

  test('an import while the partner is online asks the partner at once', async () => {
    const w = await World.create();
    try {
      const vic = await w.node('vic');
      const hal = await w.node('hal');
      await w.link(vic, hal);
      const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
      await assertSameHistory(vic.node, hal.node, ch);
      const backup = join(w.dir, 'vic.backup');
      await vic.node.exportBackup(backup);
      for (let i = 0; i < 3; i++) await w.pay(hal, ch, TON('0.1'));
      await assertSameHistory(vic.node, hal.node, ch);
      await w.stop(vic);
      await rm(join(vic.dataDir, 'channels'), { recursive: true, force: true });
      const v = await w.node('vic', { keyPair: vic.keyPair });
      await until(() => v.node.partners().some((p) => p.online), 'the partner to reconnect');
      await v.node.importBackup(backup);
      await until(() => !v.node.channel(ch)!.restorePending, 'the partner to answer', 30_000);
      // the answer brought every state; the turn the restored node asks for next may be in flight (an empty state
      // Vic has countersigned and Hal not yet received): both agree once it lands
      assert.ok(World.step(v.node, ch) >= World.step(hal.node, ch));
      await until(() => World.step(v.node, ch) === World.step(hal.node, ch), 'both at one step', 10_000);
      assert.equal(v.node.channel(ch)!.restored, true);
    } finally {
      await w.close();
    }
  });

  test('an import cut short by a crash before the node saw it still leaves the channel restored: it signs nothing until the partner answers, and no payment after', () =>
    withVicHal({ opener: 'hal', each: '5' }, async ({ w, vic, hal, ch, backup }) => {
      const file = await backup();
      for (let i = 0; i < 2; i++) await w.pay(hal, ch, TON('0.5'));
      await assertSameHistory(vic.node, hal.node, ch);
      await w.stop(hal);
      await w.stop(vic);
      await rm(join(vic.dataDir, 'channels'), { recursive: true, force: true });
      // The store's part of the import only (the node that asked for it was killed before it read the channels).
      const dd = await DataDir.open(vic.dataDir);
      assert.deepEqual((await dd.importFrom(file)).imported, [ch]);
      await dd.close();
      const v = await w.node('vic', { keyPair: vic.keyPair });
      const view = v.node.channel(ch)!;
      assert.deepEqual([view.restorePending, view.restored], [true, true]);
      await assert.rejects(v.node.send(TON('1'), { channel: ch }), code('RESTORE_PENDING'));
      const back = await w.node('hal', { keyPair: hal.keyPair });
      await until(() => !v.node.channel(ch)!.restorePending, 'the partner to answer', 30_000);
      const send = v.node.channel(ch)!.actions.send;
      assert.equal(send.ok ? null : send.code, 'CHANNEL_RESTORED');
      assert.equal(back.events.filter((e) => e.type === 'equivocation').length, 0);
    }));

  test("a close the restored node sent with its backup's state, its partner away, is challenged with the latest once the partner's answer brings it", () =>
    withVicHal({ opener: 'vic', each: '2' }, async ({ w, vic, hal, ch, backup }) => {
      await w.pay(vic, ch, TON('0.5'));
      await assertSameHistory(vic.node, hal.node, ch);
      const file = await backup();
      await w.pay(hal, ch, TON('1.2')); // the latest pays Vic more than the backup's state
      await assertSameHistory(vic.node, hal.node, ch);
      const n = World.step(hal.node, ch);
      await w.stop(hal);
      const v = await loseAndRestore(w, vic, file);
      const k = World.step(v.node, ch);
      await v.node.withdraw({ channel: ch, mode: 'unilateral', confirmStale: true });
      assert.equal(v.node.channel(ch)!.closeStep, k);
      const challenged = waitForEvent(v.node, 'challenged', (e) => e.byMe, 60_000);
      await w.node('hal', { keyPair: hal.keyPair });
      assert.equal((await challenged).step, n, 'the latest state both signed');
    }));

  test("another wallet's backup is refused whole: nothing imported, nothing listed as broken", async () => {
    const w = await World.create();
    try {
      const vic = await w.node('vic');
      const hal = await w.node('hal');
      const eve = await w.node('eve');
      await w.link(vic, hal);
      const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
      await assertSameHistory(vic.node, hal.node, ch);
      const backup = join(w.dir, 'vic.backup');
      await vic.node.exportBackup(backup);
      // the wallets are named as every view names them (0Q…)
      const wallets = `it belongs to wallet ${vic.node.getAccount()}, not this node's ${eve.node.getAccount()}`;
      // the channel named by its contract address, as channels shows it
      const named = `channel ${vic.node.channel(ch)!.contract} of this backup is not this node's`;
      await assert.rejects(eve.node.importBackup(backup), (e: Error & { code?: string }) => e.code === 'BACKUP_NOT_YOURS' && /nothing was imported/.test(e.message) && e.message.includes(wallets) && e.message.includes(named));
      assert.deepEqual(eve.node.channels(), []);
      assert.deepEqual(eve.node.brokenChannels(), []);
      // And after a restart too: nothing was written.
      await w.stop(eve);
      const again = await w.node('eve', { keyPair: eve.keyPair });
      assert.deepEqual(again.node.channels(), []);
      assert.deepEqual(again.node.brokenChannels(), []);
    } finally {
      await w.close();
    }
  });

  test("a partner's EQUIVOCATION claim about a channel restored here is told as a warning naming it: the folder it came from may still run the key", () =>
    withMal(async (m) => {
      const { mal, vicAddr, ch, keep } = m;
      const { v } = await restoredBehind(m);
      const mallory = keep(await Mallory.connect(mal.keyPair, mal.node.getAccount(), vicAddr));
      await mallory.nextOf('resync.request');
      const from = v.events.length;
      mallory.say({ type: 'error', code: 'EQUIVOCATION', message: 'you signed two different states for step 2: their node keeps the evidence', ref: 'state.propose' });
      await until(() => v.events.slice(from).some((e) => (e.type === 'log' || e.type === 'error') && /two different states/.test(e.message)), 'the claim told');
      const told = v.events.slice(from).filter((e) => (e.type === 'log' || e.type === 'error') && /two different states/.test(e.message));
      assert.equal(told.length, 1);
      const e = told[0]! as Extract<(typeof told)[number], { type: 'log' }>;
      assert.equal(e.type, 'log', 'told as a line of this node, not as the code\'s error');
      assert.equal(e.level, 'warn', 'a warning (the CLI shows it; an info line it does not)');
      const shown = v.node.channel(ch)!.contract;
      assert.ok(e.message.includes(`Channel ${shown} was restored here from a backup`), e.message);
      assert.match(e.message, /the data folder it came from may still run with your key .*Stop every other copy of this key/, e.message);
      assert.doesNotMatch(e.message, /so it was not signed here/, 'told as if no channel were restored');
      assert.equal(e.channel?.channelId, ch, 'the line names the channel');
    }));
});
