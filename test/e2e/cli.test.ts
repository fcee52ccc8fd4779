// Two `synchannel` CLI processes and a devnet process, driven through stdin with --json, through the full
// lifecycle: serve/connect with address proofs, open, deposits, initial state, payments both ways, turn requests,
// a cooperative withdraw. The payouts are read back from the chain and checked exactly against the payments.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { TonClient } from '@ton/ton';
import { parseTon } from '../../src/core/amounts.js';
import { buildOnce, CliProc, DevnetProc, type Json } from './cli-harness.js';

const TON = parseTon;
const big = (v: unknown) => BigInt(v as string);

describe('synchannel CLI: two processes on a shared devnet', () => {
  let dir: string;
  let devnet: DevnetProc;
  let a: CliProc;
  let b: CliProc;

  before(async () => {
    buildOnce();
    dir = await mkdtemp(join(tmpdir(), 'synchannel-e2e-'));
    devnet = new DevnetProc(join(dir, 'devnet'));
    await devnet.ready;
  });

  after(async () => {
    await a?.exit();
    await b?.exit();
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('full lifecycle through stdin: payouts follow the payments exactly', async () => {
    const common = ['--chain', 'devnet', '--devnet-url', devnet.url];
    a = new CliProc([...common, '--data', join(dir, 'a'), '--period', '60']);
    b = new CliProc([...common, '--data', join(dir, 'b')]);
    const readyA = await a.event('ready');
    const readyB = await b.event('ready');

    // Unknown commands and bad amounts answer with an error and change nothing.
    await assert.rejects(a.run('sendd 1'), /unknown command/);
    await assert.rejects(a.run('send 1.0000000001'), /INVALID_AMOUNT/);
    await assert.rejects(a.run('send 1'), /no channel yet/);

    await a.run('faucet 20');
    await b.run('faucet 20');
    const beforeA = big((await a.run('balanceTon')).balance);
    const beforeB = big((await b.run('balanceTon')).balance);
    assert.equal(beforeA, TON('20'));

    const served = await a.run('serve 0 127.0.0.1');
    const addr = (served.lan as string[])[0]!;
    const partner = await b.run(`connect ${addr}`);
    assert.equal(partner.address, readyA.account);
    assert.match(partner.signature as string, /^[0-9A-F]{128}$/);
    await a.event('partnerConnected');
    assert.equal((await a.run('getPartnerAccount')).address, readyB.account);

    await a.run('open 3 4');
    await b.event('channelProposed');
    await assert.rejects(b.run('deposit 5'), /DEPOSIT_MISMATCH/);
    await b.run('deposit');
    await a.event('stateSigned', (j) => (j.state as Json).step === '0');
    await b.event('stateSigned', (j) => (j.state as Json).step === '0');
    const contract = (await a.run('getSmartContractAccount')).address as string;
    assert.equal((await b.run('getSmartContractAccount')).address, contract);

    // B pays twice in a row, as a script does: the second send waits until A signed the first and passed the turn
    // back (automatically). Then A pays once on B's turn: its send asks for the turn (B passes it: step 5) and pays.
    await b.run('send 0.5');
    await b.run('send 0.25');
    await b.event('stateSigned', (j) => (j.state as Json).step === '4', 30_000, 0);
    // A's pass (step 4) is signed by both on A's side too: else A's answer is PENDING_STATE (its pass awaits).
    await a.event('stateSigned', (j) => (j.state as Json).step === '4', 30_000, 0);
    assert.equal((await a.run('send 1.2')).step, '6');
    await a.event('stateSigned', (j) => (j.state as Json).step === '7', 30_000, 0);
    // B's pass (step 7) is signed by both on B's side once A's countersignature arrives: before, showAll differs
    await b.event('stateSigned', (j) => (j.state as Json).step === '7', 30_000, 0);
    const chanA = await a.run('balanceChan');
    const chanB = await b.run('balanceChan');
    assert.deepEqual(chanA, chanB);
    assert.deepEqual([big(chanA.balanceA), big(chanA.balanceB)], [TON('2.55'), TON('4.45')]);
    const allA = ((await a.run('showAll')).states as Json[]).map((s) => [s.step, s.balanceA, s.balanceB, s.sigA, s.sigB]);
    const allB = ((await b.run('showAll')).states as Json[]).map((s) => [s.step, s.balanceA, s.balanceB, s.sigA, s.sigB]);
    assert.deepEqual(allA, allB);

    // Cooperative withdraw by A: it holds the turn (B passed it after A's payment), proposes the close, B signs.
    const w = await a.run('withdraw --yes');
    assert.equal(w.mode, 'cooperative');
    assert.equal(big(w.payoutA), TON('2.55'));
    assert.equal(big(w.payoutB), TON('4.45'));
    const closed = await b.event('closed', () => true, 30_000);
    const reported = closed.payout as Json;

    // Read the payouts from the chain: B, who did not send the close, gets its balance and half the reserve.
    const client = new TonClient({ endpoint: `${devnet.url}/jsonRPC` });
    const txs = await client.getTransactions(Address.parse(contract), { limit: 10 });
    const payouts = new Map<string, bigint>();
    for (const tx of txs) {
      for (const m of tx.outMessages.values()) {
        if (m.info.type === 'internal') payouts.set(m.info.dest.toRawString(), (payouts.get(m.info.dest.toRawString()) ?? 0n) + m.info.value.coins);
      }
    }
    const toB = payouts.get(Address.parse(readyB.account as string).toRawString());
    const toA = payouts.get(Address.parse(readyA.account as string).toRawString());
    assert.equal(toB, big(reported.paidB), 'the node reports what the chain paid B');
    // A sent the close: its wallet got its share and, apart, what came back of its message; B its share
    assert.equal(toA, big(reported.paidA) + big(reported.changeBack), 'the node reports what the chain paid A');
    assert.equal(toB, big(reported.paidB));
    assert.equal(reported.closer, 'A');
    const halves = big(reported.paidA) - TON('2.55') - (toB! - TON('4.45'));
    assert.ok(halves === 0n || halves === -1n, `A and B share the reserve evenly (A sent the close: its message came back apart): ${halves}`);
    assert.ok(toB !== undefined && toB >= TON('4.45') && toB < TON('4.45') + TON('0.01'), `B is paid its channel balance plus its half of the reserve: ${toB}`);
    // A sent the close: its balance, its half of the reserve, and the change of its message.
    assert.ok(toA !== undefined && toA >= TON('2.55') && toA < TON('2.55') + TON('0.03'), `A is paid its balance, its half of the reserve and its change: ${toA}`);

    const afterA = big((await a.run('balanceTon')).balance);
    const afterB = big((await b.run('balanceTon')).balance);
    // B deposited 4 (+ the attached deposit fee) and got 4.45: it gained 0.45 TON less its fees.
    const feesB = beforeB + TON('0.45') - afterB;
    assert.ok(feesB > 0n && feesB < TON('0.05'), `B's on-chain costs ${feesB}`);
    // A deposited 3 and got 2.55 (+ the reserve back): it lost 0.45 TON plus its fees, less the refunded reserve.
    const costA = beforeA - TON('0.45') - afterA;
    assert.ok(costA > 0n && costA < TON('0.1'), `A's on-chain costs ${costA}`);
  });
});
