// Channel scenarios run through the Chain interface, shared by the SandboxChain and the TonClientChain (devnet) tests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Address } from '@ton/core';
import { newKeyPair, sign, type KeyPair } from '../../src/core/signer.js';
import { stateHash, type ChannelState } from '../../src/core/state.js';
import type { Chain, ChannelConfig, ChannelEvent, SignedStateArg, Wallet } from '../../src/chain/types.js';
import { ChainError } from '../../src/chain/errors.js';
import { formatTon } from '../../src/core/amounts.js';

export const TON = 1_000_000_000n;

export interface Harness {
  chain: Chain;
  /** Opens a wallet with coins on this chain. */
  wallet(key: KeyPair): Promise<Wallet>;
  advanceTime(seconds: number): Promise<void>;
  pollMs: number;
}

export interface Party {
  key: KeyPair;
  wallet: Wallet;
}

export async function parties(h: Harness): Promise<{ A: Party; B: Party }> {
  const ka = newKeyPair();
  const kb = newKeyPair();
  return { A: { key: ka, wallet: await h.wallet(ka) }, B: { key: kb, wallet: await h.wallet(kb) } };
}

export function config(A: Party, B: Party, depositA: bigint, depositB: bigint, challengePeriod = 60): ChannelConfig {
  return {
    publicKeyA: A.key.publicKey,
    publicKeyB: B.key.publicKey,
    addressA: A.wallet.address,
    addressB: B.wallet.address,
    channelId: randomBytes(8).readBigUInt64BE(),
    challengePeriod,
    expectedDepositA: depositA,
    expectedDepositB: depositB,
  };
}

export function signed(A: Party, B: Party, state: ChannelState): SignedStateArg {
  const h = stateHash(state);
  return { state, sigA: sign(h, A.key.secretKey), sigB: sign(h, B.key.secretKey) };
}

export function rejected(code: string, exitName?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof ChainError, `expected ChainError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (exitName) assert.match(e.message, new RegExp(exitName));
    return true;
  };
}

/** Collects watch events; `until` waits for a predicate over them. */
export function collect(h: Harness, channel: Address) {
  const events: ChannelEvent[] = [];
  const errors: Error[] = [];
  const waiters: { pred: (e: ChannelEvent[]) => boolean; resolve: () => void }[] = [];
  const watch = h.chain.watchChannel(channel, {
    pollMs: h.pollMs,
    onEvent: (e) => {
      events.push(e);
      for (const w of [...waiters]) if (w.pred(events)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    onError: (e) => errors.push(e),
  });
  return {
    events,
    errors,
    stop: () => watch.stop(),
    until(pred: (e: ChannelEvent[]) => boolean, what: string, ms = 30_000): Promise<void> {
      if (pred(events)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; events: ${JSON.stringify(events, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}; errors: ${errors.map((x) => x.message).join(' | ')}`)), ms);
        waiters.push({ pred, resolve: () => { clearTimeout(t); resolve(); } });
      });
    },
  };
}

const has = (type: ChannelEvent['type']) => (es: ChannelEvent[]) => es.some((e) => e.type === type);

/** Deploy with A's deposit, B's deposit locks it, cooperative close pays out; the watch sees each step. */
export async function happyPath(h: Harness): Promise<void> {
  const { A, B } = await parties(h);
  const cfg = config(A, B, 5n * TON, 3n * TON);
  const address = h.chain.channelAddress(cfg);
  const w = collect(h, address);
  try {
    assert.equal(await h.chain.getChannelData(address), null);
    const progress: string[] = [];
    const dep = await h.chain.deployChannel(A.wallet, cfg, 5n * TON, { onProgress: (m) => progress.push(m) });
    assert.ok(dep.address.equals(address));
    assert.match(dep.hash, /^[0-9a-f]{64}$/);
    assert.ok(dep.fees > 0n);
    assert.ok(progress.some((m) => /waiting for the channel contract/.test(m)), progress.join('\n'));
    // the last line says what the wallet paid in fees, as the result does
    assert.equal(progress.at(-1), `the deployment is done (fees about ${formatTon(dep.fees)} TON)`);
    let data = await h.chain.getChannelData(address);
    assert.equal(data?.phase, 'funding');
    assert.equal(data?.depositA, 5n * TON);

    await h.chain.deposit(B.wallet, address, 3n * TON);
    data = await h.chain.getChannelData(address);
    assert.equal(data?.phase, 'open');
    assert.equal(data?.depositB, 3n * TON);
    await w.until(has('locked'), 'locked event');

    // Deposits after locking are refused with the contract's exit code, and the coins bounce back.
    await assert.rejects(h.chain.deposit(B.wallet, address, 1n * TON), rejected('CONTRACT_REJECTED', 'NOT_FUNDING'));

    const bBefore = await h.chain.getBalance(B.wallet.address);
    const close = signed(A, B, { tag: 'close', channel: address, step: 7n, balanceA: 2n * TON, balanceB: 6n * TON });
    await h.chain.cooperativeClose(B.wallet, address, close);
    assert.equal(await h.chain.getChannelData(address), null);
    assert.equal(await h.chain.getBalance(address), 0n);
    const { lt, ...status } = await h.chain.getChannelStatus(address);
    assert.deepEqual(status, { status: 'closed', balance: 0n, paid: { step: 7n, tag: 'close', balanceA: 2n * TON, balanceB: 6n * TON } });
    assert.ok(lt !== undefined && lt > 0n, 'a read says the account\'s last transaction');
    const bAfter = await h.chain.getBalance(B.wallet.address);
    // B (the sender) receives its 6 TON and half the reserve, and paid the close's fees.
    assert.ok(bAfter - bBefore > 6n * TON - TON / 20n && bAfter - bBefore < 6n * TON + TON / 50n, `B gained ${bAfter - bBefore}`);

    await w.until(has('closed'), 'closed event');
    const types = w.events.map((e) => e.type);
    assert.deepEqual(types.filter((t) => t !== 'deposit'), ['locked', 'closed']);
    const deposits = w.events.filter((e) => e.type === 'deposit');
    assert.deepEqual(deposits.map((e) => [e.party, e.amount]), [['A', 5n * TON], ['B', 3n * TON]]);
    const closed = w.events.find((e) => e.type === 'closed');
    assert.ok(closed?.type === 'closed');
    assert.deepEqual(closed.payout, await h.chain.getPayout(address), 'the event carries what getPayout reads');
    assert.equal(closed.payout.step, 7n);
    assert.equal(closed.payout.stateBalanceB, 6n * TON);
    // A (not the sender) gets exactly 2 TON and half the reserve; B 6 TON, its half and its change
    assert.ok(closed.payoutA > 2n * TON && closed.payoutA < 2n * TON + TON / 50n, `payoutA ${closed.payoutA}`);
    assert.ok(closed.payoutB > 6n * TON && closed.payoutB < 6n * TON + TON / 20n, `payoutB ${closed.payoutB}`);
    assert.equal(closed.payoutA, closed.payout.paidA);
    // A channel that has paid out refuses everything, and says so.
    await assert.rejects(h.chain.finishClose(A.wallet, address), rejected('CONTRACT_REJECTED', 'already paid out'));
  } finally {
    w.stop();
  }
}

/** A starts a close with a stale state in its favour; B challenges with the newer one and gets its due. */
export async function staleStateAttack(h: Harness): Promise<void> {
  const { A, B } = await parties(h);
  const cfg = config(A, B, 4n * TON, 4n * TON, 120);
  const address = h.chain.channelAddress(cfg);
  const w = collect(h, address);
  try {
    await h.chain.deployChannel(A.wallet, cfg, 4n * TON);
    await h.chain.deposit(B.wallet, address, 4n * TON);
    const s1 = signed(A, B, { tag: 'state', channel: address, step: 1n, balanceA: 6n * TON, balanceB: 2n * TON });
    const s2 = signed(A, B, { tag: 'state', channel: address, step: 2n, balanceA: 1n * TON, balanceB: 7n * TON });

    // Bad input is refused by the contract with its named exit code.
    const forged = { ...s2, sigB: s2.sigA };
    await assert.rejects(h.chain.startClose(A.wallet, address, forged), rejected('CONTRACT_REJECTED', 'BAD_SIGNATURE_B'));

    await h.chain.startClose(A.wallet, address, s1); // the attack: an old state
    const data = await h.chain.getChannelData(address);
    assert.equal(data?.phase, 'closing');
    assert.equal(data?.storedState?.step, 1n);
    assert.equal(data?.submitter, 'A');
    await w.until(has('closeStarted'), 'closeStarted event');

    await assert.rejects(h.chain.finishClose(A.wallet, address), rejected('CONTRACT_REJECTED', 'TOO_EARLY'));
    await h.chain.challenge(B.wallet, address, s2);
    await w.until(has('challenged'), 'challenged event');
    await assert.rejects(h.chain.challenge(A.wallet, address, s1), rejected('CONTRACT_REJECTED', 'STEP_NOT_HIGHER'));

    await h.advanceTime(121);
    await w.until(has('deadlinePassed'), 'deadlinePassed event');
    await assert.rejects(h.chain.challenge(B.wallet, address, s2), rejected('CONTRACT_REJECTED', 'TOO_LATE'));
    const bBefore = await h.chain.getBalance(B.wallet.address);
    await h.chain.finishClose(B.wallet, address);
    assert.equal(await h.chain.getChannelData(address), null);
    const gained = (await h.chain.getBalance(B.wallet.address)) - bBefore;
    assert.ok(gained > 7n * TON - TON / 20n && gained < 7n * TON + TON / 50n, `B gained ${gained}`);
    await w.until(has('closed'), 'closed event');

    const started = w.events.find((e) => e.type === 'closeStarted');
    assert.ok(started?.type === 'closeStarted');
    assert.equal(started.step, 1n);
    assert.equal(started.submitter, 'A');
    const ch = w.events.find((e) => e.type === 'challenged');
    assert.ok(ch?.type === 'challenged');
    assert.equal(ch.step, 2n);
    assert.equal(ch.deadline, started.deadline);
    const closed = w.events.find((e) => e.type === 'closed');
    assert.ok(closed?.type === 'closed');
    assert.equal(closed.payout.step, 2n);
    assert.equal(closed.payout.stateBalanceB, 7n * TON);
    assert.ok(closed.payout.paidA > 1n * TON && closed.payout.paidA < 1n * TON + TON / 50n, 'cheating A gets its due and its half of the reserve');
    assert.deepEqual(
      w.events.map((e) => e.type).filter((t) => t !== 'deposit'),
      ['locked', 'closeStarted', 'challenged', 'deadlinePassed', 'closed'],
    );
  } finally {
    w.stop();
  }
}

/** A refund in FUNDING; the wrong party is refused; deposits to nothing are NOT_DEPLOYED. */
export async function refundAndErrors(h: Harness): Promise<void> {
  const { A, B } = await parties(h);
  const cfg = config(A, B, 2n * TON, 2n * TON);
  const address = h.chain.channelAddress(cfg);
  await assert.rejects(h.chain.deposit(A.wallet, address, TON), rejected('NOT_DEPLOYED'));
  const w = collect(h, address);
  try {
    await h.chain.deployChannel(A.wallet, cfg, 0n);
    assert.equal((await h.chain.getChannelData(address))?.depositA, 0n);
    await h.chain.deposit(A.wallet, address, TON);
    // A poll sees states, not transactions: wait until it has seen the deposit before taking it back.
    await w.until(has('deposit'), 'deposit event');
    await assert.rejects(h.chain.refund(B.wallet, address), rejected('CONTRACT_REJECTED', 'NOTHING_TO_REFUND'));
    const before = await h.chain.getBalance(A.wallet.address);
    await h.chain.refund(A.wallet, address);
    const after = await h.chain.getBalance(A.wallet.address);
    assert.ok(after > before + TON - TON / 10n, `refund returned ${after - before}`);
    await w.until((es) => es.some((e) => e.type === 'refund'), 'refund event');
    const r = w.events.find((e) => e.type === 'refund');
    assert.ok(r?.type === 'refund');
    assert.equal(r.party, 'A');
    assert.equal(r.amount, TON);
    // A stranger's wallet is not a party.
    const C = await h.wallet(newKeyPair());
    await assert.rejects(h.chain.deposit(C, address, TON), rejected('CONTRACT_REJECTED', 'NOT_PARTY'));
  } finally {
    w.stop();
  }
}

/** A exits with no state; the watch reports the exit; B challenges with step 0; the deposits are paid. */
export async function exitScenario(h: Harness): Promise<void> {
  const { A, B } = await parties(h);
  const cfg = config(A, B, 2n * TON, 3n * TON);
  const address = h.chain.channelAddress(cfg);
  const w = collect(h, address);
  try {
    await h.chain.deployChannel(A.wallet, cfg, 2n * TON);
    await h.chain.deposit(B.wallet, address, 3n * TON);
    await w.until(has('locked'), 'locked event');
    await assert.rejects(h.chain.startExit(A.wallet, h.chain.channelAddress({ ...cfg, channelId: cfg.channelId ^ 1n })), rejected('NOT_DEPLOYED'));
    const r = await h.chain.startExit(A.wallet, address);
    assert.match(r.hash, /^[0-9a-f]{64}$/);
    const data = await h.chain.getChannelData(address);
    assert.ok(data?.phase === 'closing' && data.exit && data.submitter === 'A' && data.storedState === null);
    await w.until(has('exitStarted'), 'exitStarted event');
    const ex = w.events.find((e) => e.type === 'exitStarted');
    assert.ok(ex?.type === 'exitStarted');
    assert.deepEqual([ex.submitter, ex.depositA, ex.depositB, ex.deadline], ['A', 2n * TON, 3n * TON, data.deadline]);
    await assert.rejects(h.chain.startExit(B.wallet, address), rejected('CONTRACT_REJECTED', 'NOT_OPEN'));
    await h.chain.challenge(B.wallet, address, signed(A, B, { tag: 'state', channel: address, step: 0n, balanceA: 2n * TON, balanceB: 3n * TON }));
    await w.until(has('challenged'), 'challenged event');
    await h.advanceTime(61);
    await w.until(has('deadlinePassed'), 'deadlinePassed event');
    await h.chain.finishClose(A.wallet, address);
    await w.until(has('closed'), 'closed event');
    const closed = w.events.find((e) => e.type === 'closed');
    assert.ok(closed?.type === 'closed');
    assert.equal(closed.payout.step, 0n);
    assert.ok(closed.payout.paidB > 3n * TON && closed.payout.paidB < 3n * TON + TON / 50n, `B gets its deposit and half the reserve: ${closed.payout.paidB}`);
    assert.deepEqual(w.events.map((e) => e.type).filter((t) => t !== 'deposit'), ['locked', 'exitStarted', 'challenged', 'deadlinePassed', 'closed']);
  } finally {
    w.stop();
  }
}

/** A stale close nobody challenges pays the stale balances, and getPayout says so (read from the transaction). */
export async function staleCloseUnchallenged(h: Harness): Promise<void> {
  const { A, B } = await parties(h);
  const cfg = config(A, B, 4n * TON, 4n * TON);
  const address = h.chain.channelAddress(cfg);
  await h.chain.deployChannel(A.wallet, cfg, 4n * TON);
  await h.chain.deposit(B.wallet, address, 4n * TON);
  assert.equal(await h.chain.getPayout(address), null, 'no payout while open');
  const stale = signed(A, B, { tag: 'state', channel: address, step: 1n, balanceA: 7n * TON, balanceB: 1n * TON });
  await h.chain.startClose(A.wallet, address, stale);
  assert.equal(await h.chain.getPayout(address), null, 'no payout while closing');
  await h.advanceTime(61);
  const held = await h.chain.getBalance(address);
  const fin = await h.chain.finishClose(B.wallet, address);
  const p = await h.chain.getPayout(address);
  assert.ok(p && 'txHash' in p, 'the payout is found');
  assert.equal(p.txHash, fin.hash);
  assert.equal(p.lt, fin.lt);
  assert.deepEqual([p.step, p.stateBalanceA, p.stateBalanceB], [1n, 7n * TON, 1n * TON]);
  // A (not the sender) got exactly 7 TON and half the reserve; B the rest of the balance and its change
  assert.ok(p.paidA > 7n * TON && p.paidA < 7n * TON + TON / 50n, `paidA ${p.paidA}`);
  assert.ok(p.paidB > 1n * TON && p.paidB < 1n * TON + TON / 20n, `paidB ${p.paidB}`);
  // The shares are the contract's balance split by the rule (each its state balance and half the reserve): B's
  // close message that came back is told apart, not counted as paid by the channel.
  assert.ok(p.paidB - 1n * TON - (p.paidA - 7n * TON) <= 1n && p.paidB - 1n * TON >= p.paidA - 7n * TON, `halves of the reserve: A ${p.paidA}, B ${p.paidB}`);
  assert.ok(held - (p.paidA + p.paidB) >= 0n && held - (p.paidA + p.paidB) < 1000n, `the shares add up to what the contract held (${held}) less its storage fee`);
  assert.equal(p.closer, 'B');
  assert.ok(p.changeBack > 0n && p.changeBack < TON / 10n, `B's message came back: ${p.changeBack}`);
}

/** getChannelStatus for an address that was never deployed but holds coins, then through the lifecycle to frozen (moves time 9 years: run it last). */
export async function statusScenario(h: Harness & { fund(address: Address, amount: bigint): Promise<void> }): Promise<void> {
  const { A, B } = await parties(h);
  const cfg = config(A, B, TON, 0n);
  const address = h.chain.channelAddress(cfg);
  assert.equal((await h.chain.getChannelStatus(address)).status, 'not_deployed');
  await h.fund(address, 1n);
  const s0 = await h.chain.getChannelStatus(address);
  assert.equal(s0.status, 'not_deployed', 'a nanoton does not make it deployed, nor closed');
  assert.ok(s0.balance >= 0n);
  assert.equal(await h.chain.getChannelData(address), null);
  await h.chain.deployChannel(A.wallet, cfg, TON);
  const open = await h.chain.getChannelStatus(address);
  assert.ok(open.status === 'open' && open.data.depositA === TON);
  await h.chain.cooperativeClose(A.wallet, address, signed(A, B, { tag: 'close', channel: address, step: 1n, balanceA: TON / 2n, balanceB: TON / 2n }));
  const closed = await h.chain.getChannelStatus(address);
  assert.ok(closed.status === 'closed' && closed.paid.step === 1n);
  // more transactions than a page (bounced messages to the closed channel): getPayout pages back to the payout
  for (let i = 0; i < 22; i++) await h.fund(address, 1000n);
  const p = await h.chain.getPayout(address);
  assert.ok(p && 'txHash' in p && p.step === 1n && p.paidB > TON / 2n, 'found past the first page');
  // years later the closed account's storage debt freezes it at its next transaction
  await h.advanceTime(9 * 365 * 24 * 3600);
  await h.fund(address, 1000n);
  assert.equal((await h.chain.getChannelStatus(address)).status, 'frozen');
  assert.equal(await h.chain.getChannelData(address), null);
}
