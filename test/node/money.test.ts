// Money never freezes or leaks, with two real nodes on one SandboxChain over loopback: the watcher retries a
// challenge until it lands (a wallet briefly short of TON, a failed send), never ends on an empty read, defends
// after a restart in the window; the payout shown is what the chain paid; the exit when the partner never signs
// step 0; a too short challenge period is refused; a failed cooperative close falls back to the latest state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { P2PNode } from '../../src/p2p/index.js';
import { walletOwnsAddress } from '../../src/chain/keys.js';
import { newKeyPair } from '../../src/core/signer.js';
import { faultyChain } from '../helpers/faults.js';
import { restartFaulty } from '../helpers/reads.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';

const PERIOD = 120;

/** Bob passes the turn (step 1); Alice pays 1 (step 2, Bob passes back: 3) and 0.5 (step 4, Bob passes: 5). */
async function payments(p: Pair): Promise<void> {
  const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n);
  await p.bob.createEmpty();
  await passed;
  for (const amount of ['1', '0.5']) {
    const s = latest(p.alice).step;
    const back = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === s + 2n);
    await p.alice.send(TON(amount));
    await back;
  }
  await until('Bob holds step 5', () => latest(p.bob).step === 5n);
  assert.deepEqual([latest(p.bob).balanceA, latest(p.bob).balanceB], [TON('1.5'), TON('5.5')]);
}

/** Alice submits step 0 (A 3, B 4) although the latest state gives her only 1.5: a stale close against Bob. */
async function aliceCheats(p: Pair): Promise<void> {
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
}

async function wallet(p: Pair, who: 'alice' | 'bob') {
  return p.chain.blockchain.getContract(Address.parse(p[who].getAccount()));
}

describe('the watcher never gives up', () => {
  test('a wallet briefly short of TON: the challenge fails loudly with the time left, is retried, lands; the latest state is paid', async () => {
    const p = await openPair({ challengePeriod: PERIOD });
    try {
      await fund(p);
      await payments(p);
      const bobWallet = await wallet(p, 'bob');
      const saved = bobWallet.balance;
      bobWallet.balance = 1_000_000n; // 0.001 TON: not enough for a challenge
      const failed = waitForEvent(p.bob, 'challengeFailed', () => true, 30_000);
      const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 60_000);
      await aliceCheats(p);
      const f = await failed;
      assert.equal(f.code, 'INSUFFICIENT_FUNDS');
      assert.ok(f.secondsLeft !== null && f.secondsLeft > 0 && f.secondsLeft <= PERIOD, `seconds left ${f.secondsLeft}`);
      assert.ok(f.nextRetryMs !== null && f.nextRetryMs > 0);
      bobWallet.balance = saved; // topped up: the next retry lands
      const c = await challenged;
      assert.equal(c.step, 5n);
      const closed = waitForEvent(p.alice, 'closed', () => true, 60_000);
      p.chain.advanceTime(PERIOD + 1);
      const e = await closed;
      assert.equal(e.payout.step, 5n);
      assert.equal(e.payout.matchesLatest, true);
      assert.deepEqual([e.payoutA, e.payoutB], [TON('1.5'), TON('5.5')]);
      // The payout's messages reached both wallets (the sandbox delivers them at once): the CLI's closing balances.
      assert.equal(typeof e.channel.payout?.lt, 'bigint');
      assert.equal(await p.alice.payoutLanded(e.channel.id), true);
    } finally {
      await closePair(p);
    }
  });

  test('a failed send and an empty read: retried, the channel is never marked closed by a read', async () => {
    // Bob's chain fails the first challenge (endpoint unreachable) and reads the contract as empty twice.
    const p = await openPair({ challengePeriod: PERIOD });
    const f = faultyChain(p.chain);
    try {
      await p.bob.stop();
      p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
      await connect(p.alice, p.bob);
      await fund(p);
      await payments(p);
      f.inject({ method: 'challenge', error: 'ENDPOINT_UNREACHABLE' });
      f.inject({ method: 'getChannelStatus', times: 2, value: { status: 'not_deployed', balance: 0n } });
      const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 60_000);
      await aliceCheats(p);
      await challenged;
      assert.equal(f.injected.get('challenge'), 1, 'the first challenge failed');
      assert.ok((f.calls.get('challenge') ?? 0) >= 2, 'and was retried');
      assert.equal(p.bob.currentChannel()!.phase, 'closing', 'an empty read did not end the channel');
      const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
      p.chain.advanceTime(PERIOD + 1);
      assert.equal((await closed).payout.matchesLatest, true);
    } finally {
      await closePair(p);
    }
  });

  test('a challenge the contract refuses: three tries, then the node stops paying fees and says so; `challenge` tries once more', async () => {
    const p = await openPair({ challengePeriod: PERIOD });
    try {
      const f = await restartFaulty(p, 'bob');
      await connect(p.alice, p.bob);
      await fund(p);
      await payments(p);
      f.inject({ method: 'challenge', times: 4, error: 'CONTRACT_REJECTED' });
      const fails: { nextRetryMs: number | null; message: string }[] = [];
      p.bob.on((e) => void (e.type === 'challengeFailed' && fails.push(e)));
      await aliceCheats(p);
      await until('three refusals', () => fails.length >= 3, 30_000);
      assert.equal(fails[2]!.nextRetryMs, null, 'no retry after the third refusal');
      await new Promise((r) => setTimeout(r, 6_000)); // a fourth try would come 4 s after the third
      assert.equal(f.calls.get('challenge'), 3, 'each try is a wallet fee: no more');
      assert.equal(p.bob.currentChannel()!.phase, 'closing');
      await assert.rejects(p.bob.challenge(), (e: Error & { code?: string }) => e.code === 'CONTRACT_REJECTED');
      assert.equal(f.calls.get('challenge'), 4, 'a person asks: one more try');
      await p.bob.challenge(); // the contract takes it now
      assert.equal(p.bob.currentChannel()!.closeStep, 5n);
    } finally {
      await closePair(p);
    }
  });

  test('a restart during the window: the node reads the close on start-up and challenges', async () => {
    const p = await openPair({ challengePeriod: PERIOD });
    try {
      await fund(p);
      await payments(p);
      await p.bob.stop();
      await aliceCheats(p);
      p.chain.advanceTime(PERIOD / 2);
      p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
      await until('Bob challenges after the restart', () => p.bob.currentChannel()?.closeStep === 5n, 60_000);
      const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
      p.chain.advanceTime(PERIOD);
      const e = await closed;
      assert.deepEqual([e.payout.step, e.payoutB], [5n, TON('5.5')]);
    } finally {
      await closePair(p);
    }
  });
});

describe('the payout shown is what the chain paid', () => {
  test('Bob offline the whole window: the stale close stands, and both nodes say so plainly', async () => {
    const p = await openPair({ challengePeriod: PERIOD });
    try {
      await fund(p);
      await payments(p);
      await p.bob.stop();
      const aliceClosed = waitForEvent(p.alice, 'closed', () => true, 60_000);
      await aliceCheats(p);
      p.chain.advanceTime(PERIOD + 1);
      const a = await aliceClosed;
      assert.equal(a.payout.step, 0n);
      assert.deepEqual([a.payoutA, a.payoutB], [TON('3'), TON('4')], 'the channel amounts the contract paid by: step 0');
      assert.equal(a.payout.matchesLatest, false);
      assert.deepEqual([a.payout.latestStep, a.payout.latestBalanceB], [5n, TON('5.5')]);
      // Bob comes back after the payout: he reads it from the chain, not from his latest state.
      p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
      const b = await until('Bob sees the payout', () => p.bob.currentChannel()?.payout, 30_000);
      assert.equal(b.step, 0n);
      assert.equal(b.matchesLatest, false);
      assert.ok(b.paidB! >= TON('4') && b.paidB! < TON('4.01'), `B got ${b.paidB} from the chain`);
      // The balances a closed channel shows are those the contract paid by, not the latest state's.
      const [va, vb] = [p.alice.currentChannel()!, p.bob.currentChannel()!];
      assert.deepEqual([va.myBalance, va.partnerBalance, vb.myBalance, vb.partnerBalance], [TON('3'), TON('4'), TON('4'), TON('3')]);
    } finally {
      await closePair(p);
    }
  });
});

describe('leaving alone', () => {
  test('the partner never signs step 0: the exit is offered, taken, and pays the deposits back', async () => {
    const p = await openPair({ challengePeriod: PERIOD, initialTimeoutMs: 1500, bob: { autoMode: false } });
    try {
      const proposed = waitForEvent(p.bob, 'channelProposed');
      await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
      await proposed;
      const offered = waitForEvent(p.alice, 'exitOffered', () => true, 60_000);
      await p.bob.deposit(); // manual Bob never signs the initial state
      const o = await offered;
      assert.equal(o.channel.phase, 'locked');
      assert.ok(o.channel.actions.exit.ok);
      const aBefore = await p.alice.balanceTon();
      await p.alice.exit();
      const closed = waitForEvent(p.alice, 'closed', () => true, 60_000);
      p.chain.advanceTime(PERIOD + 1);
      const e = await closed;
      assert.equal(e.payout.step, null, 'paid by the deposits');
      assert.deepEqual([e.payoutA, e.payoutB], [TON('3'), TON('4')]);
      const aAfter = await p.alice.balanceTon();
      assert.ok(aAfter - aBefore > TON('2.9'), `Alice got her deposit back: ${aAfter - aBefore}`);
    } finally {
      await closePair(p);
    }
  });

  test('a partner proposing a 1 s challenge period is refused with a clear error, and nothing is kept', async () => {
    const p = await openPair();
    const key = newKeyPair();
    const chain = p.chain;
    const w = await chain.openWallet(key);
    const evil = await P2PNode.create({
      dataDir: join(p.dir, 'evil'),
      walletAddress: w.address,
      walletKey: key,
      verifyWalletOwnership: (pk, a) => walletOwnsAddress(pk, a) !== null,
    });
    try {
      const s = await evil.connect(p.alice.served()!.lan[0]!);
      const refused = waitForEvent(p.alice, 'error', (e) => e.code === 'PERIOD_TOO_SHORT');
      const answer = new Promise<{ type: string; reason?: string }>((r) => s.on('message', (m) => (m.type === 'error' || m.type === 'channel.reject') && r(m)));
      await s.send({
        type: 'channel.propose',
        channelId: 7n,
        challengePeriod: 1,
        expectedDepositA: TON('1'),
        expectedDepositB: TON('1'),
        addressA: w.address.toString(),
        addressB: Address.parse(p.alice.getAccount()).toString(),
        publicKeyA: key.publicKey.toString('hex'),
        publicKeyB: p.keys.alice.publicKey.toString('hex'),
      });
      assert.match((await refused).message, /challenge period of 1 s/);
      // the proposer is answered with a decline, in its words: its proposal ends there
      const no = await answer;
      assert.equal(no.type, 'channel.reject');
      assert.match(no.reason ?? '', /their node takes challenge windows of 60\.\.\d+ s on sandbox, and this proposal has 1 s/);
      assert.equal(p.alice.channels().length, 0);
    } finally {
      await evil.stop();
      await closePair(p);
    }
  });
});

describe('closing with the latest state', () => {
  test('a cooperative close the partner does not sign falls back to a unilateral close with the latest state, and says so', async () => {
    const p = await openPair({ challengePeriod: PERIOD, closeTimeoutMs: 1500, bob: { autoMode: false } });
    try {
      await fund(p, { manualSign: true });
      // Bob (manual) pays 1; Alice (automatic) signs it and passes the turn back, which Bob leaves unsigned.
      const signed = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 1n);
      await p.bob.send(TON('1'));
      await signed;
      const r = await p.alice.withdraw({ mode: 'auto' }); // Bob (manual) ignores the close proposal
      assert.equal(r.mode, 'unilateral');
      assert.equal(r.fellBack, true);
      assert.match(r.fallbackReason ?? '', /did not (pass the turn|sign the close|sign your last state)/);
      assert.equal(r.step, 1n, 'the latest state both signed');
    } finally {
      await closePair(p);
    }
  });

  test('manual mode: a newer state the partner proposed and we did not sign yet is countersigned and used to challenge', async () => {
    const p = await openPair({ challengePeriod: PERIOD, bob: { autoMode: false } });
    try {
      await fund(p, { manualSign: true });
      // Step 1: Bob pays 0.5, Alice (auto) signs and passes the turn (step 2), Bob signs that; Bob passes the turn
      // back (step 3); step 4: Alice pays Bob 2, and Bob (manual) leaves it unsigned.
      let got = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 2n);
      await p.bob.send(TON('0.5'));
      await got;
      await p.bob.sign();
      const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 3n);
      await p.bob.createEmpty();
      await passed;
      got = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 4n);
      await p.alice.send(TON('2'));
      await got; // pending at Bob: A 1.5, B 5.5
      const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 60_000);
      await p.alice.withdraw({ step: 3n, mode: 'unilateral' }); // Alice closes with her latest (A 3.5, B 3.5)
      const c = await challenged;
      assert.equal(c.step, 4n, 'Bob challenged with the pending state he countersigned');
      const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
      p.chain.advanceTime(PERIOD + 1);
      assert.equal((await closed).payoutB, TON('5.5'));
    } finally {
      await closePair(p);
    }
  });
});

test('a frozen contract is told as what it is: storage fees took what it held, unfreezing brings back its state, not the coins', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await p.alice.stop();
    const f = faultyChain(p.chain, [{ method: 'getChannelStatus', value: { status: 'frozen' }, times: 1 }]);
    const frozen = new Promise<{ message: string }>((resolve) => {
      void createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } }).then((n) => {
        p.alice = n;
        void waitForEvent(n, 'error', (e) => e.code === 'FROZEN', 30_000).then(resolve);
      });
    });
    const e = await frozen;
    assert.doesNotMatch(e.message, /deposits stay inside/);
    assert.match(e.message, /is frozen: storage fees took all it held/);
  } finally {
    await closePair(p);
  }
});
