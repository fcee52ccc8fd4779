// Two real ChannelNodes in one process on one SandboxChain, over loopback libp2p: the full lifecycle,
// both close modes, and the stale-close attack caught by the watcher.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { newKeyPair } from '../../src/core/signer.js';
import { DEPOSIT_FEE } from '../../src/contract/index.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { TON, closePair, fund, latest, openPair } from '../helpers/nodes.js';

describe('ChannelNode on SandboxChain, two nodes over loopback libp2p', () => {
  test('manual turns (as the original): sign, send, requestEmpty/createEmpty, cooperative withdraw pays the latest state', async () => {
    const p = await openPair({ autoMode: false });
    try {
      await fund(p, { manualSign: true });
      assert.equal(p.alice.currentChannel()!.phase, 'open');
      assert.equal(p.bob.currentChannel()!.myTurn, true, 'step 1 is B\'s');
      await assert.rejects(p.alice.send(TON('1')), (e: Error & { code?: string }) => e.code === 'NOT_YOUR_TURN');

      let got = waitForEvent(p.alice, 'stateReceived');
      await p.bob.send(TON('0.5'));
      await got;
      let signed = waitForEvent(p.bob, 'stateSigned');
      await p.alice.sign();
      await signed;
      assert.deepEqual([latest(p.bob).balanceA, latest(p.bob).balanceB], [TON('3.5'), TON('3.5')]);

      const asked = waitForEvent(p.alice, 'turnRequested');
      // step 2 is A's: B asks for the turn
      await p.bob.requestEmpty();
      await asked;
      got = waitForEvent(p.bob, 'stateReceived');
      await p.alice.createEmpty();
      await got;
      signed = waitForEvent(p.alice, 'stateSigned');
      await p.bob.sign();
      await signed;
      assert.equal(latest(p.alice).step, 2n);
      assert.equal(latest(p.alice).empty, true);

      got = waitForEvent(p.alice, 'stateReceived');
      await p.bob.send(TON('1'));
      await got;
      signed = waitForEvent(p.bob, 'stateSigned');
      await p.alice.sign();
      await signed;
      assert.deepEqual(
        (await p.alice.showAll()).map((s) => [s.step, s.balanceA, s.balanceB]),
        (await p.bob.showAll()).map((s) => [s.step, s.balanceA, s.balanceB]),
      );

      // Cooperative withdraw needs the turn: B does not have it (step 4 is A's), and B is manual, so A proposes.
      const aWallet = Address.parse(p.alice.getAccount());
      const bWallet = Address.parse(p.bob.getAccount());
      const beforeA = await p.chain.getBalance(aWallet);
      const beforeB = await p.chain.getBalance(bWallet);
      const closeSeen = waitForEvent(p.bob, 'stateReceived', (e) => e.state.tag === 'close');
      const withdrawing = p.alice.withdraw({ mode: 'cooperative' });
      await closeSeen;
      await p.bob.sign();
      const r = await withdrawing;
      assert.equal(r.mode, 'cooperative');
      assert.equal(r.payoutA, TON('4.5'));
      assert.equal(r.payoutB, TON('2.5'));
      const afterA = await p.chain.getBalance(aWallet);
      const afterB = await p.chain.getBalance(bWallet);
      const paid = p.alice.currentChannel()!.payout!;
      assert.equal(paid.step, r.step);
      assert.equal([paid.balanceA, paid.balanceB].join(), [TON('4.5'), TON('2.5')].join());
      // B sent nothing on-chain for the close: its balance and its half of the reserve arrive, less only its
      // wallet's fee for receiving them.
      assert.ok(paid.paidB! >= TON('2.5') && paid.paidB! < TON('2.51'), `B's payout ${paid.paidB!}`);
      const receiveFee = paid.paidB! - (afterB - beforeB);
      assert.ok(receiveFee >= 0n && receiveFee < TON('0.001'), `B's receive fee ${receiveFee}`);
      // A paid the close fee and gets its balance, its half of the reserve and the change of its message.
      assert.ok(afterA - beforeA > TON('4.4') && afterA - beforeA < TON('4.6'), `A got ${afterA - beforeA}`);
      if (p.bob.currentChannel()!.phase !== 'closed') await waitForEvent(p.bob, 'closed', () => true, 10_000).catch(() => undefined);
      assert.equal(p.alice.currentChannel()!.phase, 'closed');
    } finally {
      await closePair(p);
    }
  });

  test('automatic mode: payments both ways cost one round trip each; the stale close is challenged and the latest state paid', async () => {
    const p = await openPair({ challengePeriod: 100 });
    const said: string[] = [];
    for (const n of [p.alice, p.bob]) n.on((e) => (e.type === 'log' || e.type === 'error') && said.push(e.message));
    try {
      await fund(p);
      // B pays (its turn); A auto-countersigns and passes the turn back; B pays again without asking.
      for (let i = 0; i < 3; i++) {
        const stepBefore = latest(p.bob).step;
        const back = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === stepBefore + 2n);
        await p.bob.send(TON('0.1'));
        await back;
      }
      assert.deepEqual([latest(p.bob).balanceA, latest(p.bob).balanceB], [TON('3.3'), TON('3.7')]);
      // A pays: it requests the turn and B passes it automatically.
      const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.empty && e.state.sender === 'B');
      await p.alice.requestEmpty();
      await passed;
      const stepBefore = latest(p.alice).step;
      // A's payment, then B's automatic pass: wait until both hold the pass signed by both.
      const doneA = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === stepBefore + 2n);
      const doneB = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === stepBefore + 2n);
      await p.alice.send(TON('1'));
      await doneA;
      await doneB;
      assert.deepEqual([latest(p.alice).balanceA, latest(p.alice).balanceB], [TON('2.3'), TON('4.7')]);

      // A cheats: it submits step 1 (A 3.1 / B 3.9) while the latest state gives A only 2.3 TON.
      const history = await p.alice.showAll();
      const stale = history.find((s) => s.step === 1n)!;
      assert.ok(stale.balanceA > latest(p.alice).balanceA);
      const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
      const closeSeenByBob = waitForEvent(p.bob, 'closeStarted', (e) => e.byPartner, 30_000);
      await assert.rejects(p.alice.withdraw({ step: 1n, mode: 'unilateral' }), (e: Error & { code?: string }) => e.code === 'STALE_STEP');
      const r = await p.alice.withdraw({ step: 1n, mode: 'unilateral', confirmStale: true });
      assert.equal(r.mode, 'unilateral');
      await closeSeenByBob;
      const c = await challenged;
      assert.equal(c.step, latest(p.bob).step);
      const closed = waitForEvent(p.bob, 'closed', () => true, 30_000);
      p.chain.advanceTime(101);
      const e = await closed;
      assert.equal(e.payoutB, TON('4.7'));
      // what the nodes said names the contract as every view does (kQ…), never in its raw form
      assert.ok(said.some((m) => /the challenge window of kQ/.test(m)), said.join('\n'));
      assert.deepEqual(said.filter((m) => /\b-?\d:[0-9a-f]{64}\b/.test(m)), []);
    } finally {
      await closePair(p);
    }
  });
});

describe('ChannelNode: several channels at once, refund before the lock', () => {
  test('A holds channels with B and C; a refund before the lock gives A its deposit back; commands pick the channel', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-multi-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true, challengePeriod: 60, pollMs: 100 };
    const a = await createNode({ ...common, dataDir: join(dir, 'a'), key: { keyPair: newKeyPair() } });
    const b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: newKeyPair() } });
    // C's wallet holds only 1 TON: it can accept a channel but not pay a 3 TON deposit.
    const poorChain = await SandboxChain.create({ blockchain: chain.blockchain, walletFunding: TON('1') });
    const c = await createNode({ ...common, chain: poorChain, dataDir: join(dir, 'c'), key: { keyPair: newKeyPair() } });
    try {
      const addr = (await a.serve(0, '127.0.0.1')).lan[0]!;
      await b.connect(addr);
      await c.connect(addr);
      await waitForEvent(a, 'partnerConnected', (e) => e.partner.address === c.getAccount());
      await assert.rejects(a.open({ myDeposit: TON('1'), partnerDeposit: TON('1') }), (e: Error & { code?: string }) => e.code === 'MANY_PARTNERS');
      await assert.rejects(a.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: 'xyz' }), (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /"xyz" is not a TON address/.test(e.message));
      // Opening with more than the wallet holds is the same lack as depositing it: one code.
      await assert.rejects(c.open({ myDeposit: TON('3'), partnerDeposit: TON('1') }), (e: Error & { code?: string }) => e.code === 'INSUFFICIENT_FUNDS' && /has [\d.]+ TON, but this channel needs your deposit of 3 TON/.test(e.message));

      // With B (receive-only: B deposits nothing): A's deposit at deploy locks the channel at once.
      const proposedB = waitForEvent(b, 'channelProposed');
      const withB = await a.open({ myDeposit: TON('2'), partnerDeposit: 0n, partner: b.getAccount() });
      await proposedB;
      const initial = waitForEvent(a, 'stateSigned', (e) => e.channel.channelId === withB.channelId && e.state.step === 0n, 60_000);
      await b.deposit();
      await initial;

      // With C: C cannot pay its 3 TON, so it does not accept, and A deploys nothing (A's coins stay put).
      const aBefore = await a.balanceTon();
      const proposedC = waitForEvent(c, 'channelProposed');
      const tooBig = await a.open({ myDeposit: TON('1'), partnerDeposit: TON('3'), partner: c.getAccount() });
      await proposedC;
      await assert.rejects(c.deposit(), (e: Error & { code?: string }) => e.code === 'INSUFFICIENT_FUNDS' && /3 TON/.test(e.message));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(a.channels().find((x) => x.channelId === tooBig.channelId)!.phase, 'proposed');
      assert.equal(await a.balanceTon(), aBefore);

      // A proposal C can pay: C accepts, then stops waiting before it deposits; A deploys: the channel is in funding.
      const proposedC2 = waitForEvent(c, 'channelProposed');
      const withC = await a.open({ myDeposit: TON('1'), partnerDeposit: TON('0.5'), partner: c.getAccount() });
      await proposedC2;
      const stop = new AbortController();
      const off = c.on((e) => e.type === 'channelUpdated' && e.channel.channelId === withC.channelId && e.channel.phase === 'accepted' && stop.abort());
      // Stopped after the acceptance went out: it says so (a UI must not show "nothing happened").
      await assert.rejects(
        c.deposit(undefined, { channel: withC.channelId, signal: stop.signal }),
        (e: Error & { code?: string; sent?: boolean }) => e.code === 'CANCELLED' && e.sent === true && /proposal is accepted .* run deposit again/.test(e.message),
      );
      off();
      const cView = () => a.channels().find((x) => x.channelId === withC.channelId)!;
      for (let i = 0; i < 100 && cView().depositA === 0n; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(cView().phase, 'funding');
      assert.equal(cView().depositA, TON('1'));
      assert.equal(a.channels().length, 3);
      // In funding (C has seen the deployment too), a deposit of another amount than the contract expects is refused.
      for (let i = 0; i < 200 && c.channels().find((x) => x.channelId === withC.channelId)!.phase !== 'funding'; i++) await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(c.deposit(TON('0.2'), { channel: withC.channelId }), (e: Error & { code?: string }) => e.code === 'DEPOSIT_MISMATCH' && /0\.5 TON/.test(e.message));
      await assert.rejects(c.deposit(TON('0.7'), { channel: withC.channelId }), (e: Error & { code?: string }) => e.code === 'DEPOSIT_TOO_LARGE');
      assert.equal(cView().depositB, 0n);

      // Commands act on the channel named: a payment in B's channel, none in C's.
      const paid = waitForEvent(a, 'stateSigned', (e) => e.channel.channelId === withB.channelId && e.state.step === 1n);
      await assert.rejects(a.send(TON('0.5'), { channel: withC.channelId }), (e: Error & { code?: string }) => e.code === 'NOT_OPEN');
      // Step 1 is B's: A asks for the turn and B passes it automatically.
      await a.requestEmpty({ channel: withB.channelId });
      await paid;
      const sent = waitForEvent(a, 'stateSigned', (e) => e.channel.channelId === withB.channelId && e.state.step === 2n);
      await a.send(TON('0.5'), { channel: withB.channelId });
      await sent;
      assert.equal(a.balanceChan(withB.channelId)!.balanceB, TON('0.5'));

      // Before the lock A takes its deposit back, and the fee reserve with it (the only deposit); after the lock
      // refunds are refused.
      const before = await a.balanceTon();
      const r = await a.refund({ channel: withC.channelId });
      assert.equal(r.depositA, 0n);
      const after = await a.balanceTon();
      assert.ok(after - before > TON('1') && after - before < TON('1') + DEPOSIT_FEE, `refund returned ${after - before}`);
      await assert.rejects(a.refund({ channel: withB.channelId }), (e: Error & { code?: string }) => e.code === 'NOT_FUNDING');
    } finally {
      await a.stop();
      await b.stop();
      await c.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
