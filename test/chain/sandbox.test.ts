import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newKeyPair } from '../../src/core/signer.js';
import { ChainError } from '../../src/chain/errors.js';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { happyPath, staleStateAttack, refundAndErrors, exitScenario, staleCloseUnchallenged, statusScenario, rejected, parties, config, TON, type Harness } from './scenarios.js';

let chain: SandboxChain;
let h: Harness;

before(async () => {
  // Through the one door to @ton/sandbox, as the node does.
  const heavy = await import('#heavy');
  chain = await heavy.SandboxChain.create();
  h = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
});
after(async () => {
  await chain.close();
});

describe('SandboxChain through the Chain interface', () => {
  test('happy path: deploy with deposit, deposit, lock, cooperative close, payouts', () => happyPath(h));
  test('stale-state attack: start close with an old state, challenge, finish after the deadline', () => staleStateAttack(h));
  test('refund, wrong party, not deployed', () => refundAndErrors(h));
  test('exit: no state signed by the partner; the watch reports exitStarted; a step-0 challenge; the deposits are paid', () => exitScenario(h));
  test('getPayout reads what was paid: a stale close nobody challenged shows the stale amounts', () => staleCloseUnchallenged(h));

  test('wallets are real deployed wallet contracts of each version, with seqno', async () => {
    for (const version of ['v5r1', 'v4r2', 'v3r2'] as const) {
      const w = await chain.openWallet(newKeyPair(), { version });
      assert.equal(w.version, version);
      const c = await chain.blockchain.getContract(w.address);
      assert.equal(c.accountState?.type, 'active');
      assert.equal(await chain.getSeqno(w), 1);
      // The seqno read from the wallet's data is the one its get-method answers.
      assert.equal((await chain.blockchain.runGetMethod(w.address, 'seqno')).stackReader.readNumber(), 1);
      assert.equal(await chain.getSeqno(w.address), 1);
      assert.ok((await chain.getBalance(w.address)) > 900n * TON);
    }
  });

  test('two chain objects over one Blockchain share accounts and time; wallet handles are per chain', async () => {
    const heavy = await import('#heavy');
    const other = await heavy.SandboxChain.create({ blockchain: chain.blockchain });
    const { A, B } = await parties(h);
    const cfg = config(A, B, TON, TON);
    const { address } = await chain.deployChannel(A.wallet, cfg, TON);
    const bOther = await other.openWallet(B.key); // already funded and deployed: not funded again
    assert.ok(bOther.address.equals(B.wallet.address));
    await other.deposit(bOther, address, TON);
    assert.equal((await chain.getChannelData(address))?.phase, 'open');
    await assert.rejects(other.deposit(A.wallet, address, TON), rejected('UNKNOWN_WALLET'));
    const t0 = await chain.now();
    other.advanceTime(1000);
    assert.ok((await chain.now()) >= t0 + 1000);
    await other.close();
    await assert.rejects(other.getBalance(address), rejected('CLOSED'));
  });

  test('createChain("sandbox"): one process-wide Blockchain, one chain object per caller', async () => {
    const { createChain } = await import('../../src/chain/index.js');
    const one = (await createChain('sandbox')) as SandboxChain;
    const two = (await createChain('sandbox')) as SandboxChain;
    assert.notEqual(one, two);
    assert.equal(one.blockchain, two.blockchain);
    const w = await one.openWallet(newKeyPair());
    await one.close();
    assert.ok((await two.getBalance(w.address)) > 0n);
    await two.close();
    const fresh = (await createChain('sandbox', { sharedSandbox: false })) as SandboxChain;
    assert.notEqual(fresh.blockchain, two.blockchain);
    assert.equal(await fresh.getBalance(w.address), 0n);
    await fresh.close();
  });

  test('no funds: a wallet the treasury never funded gets INSUFFICIENT_FUNDS with its address', async () => {
    const heavy = await import('#heavy');
    const poor = await heavy.SandboxChain.create({ blockchain: chain.blockchain, walletFunding: 0n });
    const { A, B } = await parties(h);
    const pw = await poor.openWallet(newKeyPair());
    assert.equal(await poor.getBalance(pw.address), 0n);
    assert.equal(await poor.getSeqno(pw), 0);
    const cfg = { ...config(A, B, TON, TON), addressA: pw.address };
    await assert.rejects(poor.deployChannel(pw, cfg, TON), (e: unknown) => {
      rejected('INSUFFICIENT_FUNDS')(e);
      const err = e as ChainError;
      assert.equal(err.address, pw.address.toString({ testOnly: true, bounceable: false }));
      assert.match(err.message, new RegExp(err.address!));
      assert.match(err.message, /get test coins .* with the faucet command/);
      return true;
    });
    // After funding, the first send deploys the wallet (state init in the external message).
    await poor.fund(pw.address, 3n * TON);
    await poor.deployChannel(pw, cfg, TON);
    assert.equal(await poor.getSeqno(pw), 1);
    await poor.close();
  });

  test('abort and timeout, bad input', async () => {
    const { A, B } = await parties(h);
    const cfg = config(A, B, TON, TON);
    await assert.rejects(chain.deployChannel(A.wallet, cfg, TON, { signal: AbortSignal.abort() }), rejected('CANCELLED'));
    await assert.rejects(chain.deployChannel(A.wallet, cfg, -1n), rejected('BAD_INPUT'));
    await assert.rejects(chain.deposit(A.wallet, chain.channelAddress(cfg), 0n), rejected('BAD_INPUT'));
    assert.throws(() => chain.channelAddress({ ...cfg, publicKeyA: Buffer.alloc(3) }), rejected('BAD_INPUT', '32-byte'));
    await assert.rejects(chain.startClose(A.wallet, chain.channelAddress(cfg), { state: { tag: 'state', channel: A.wallet.address, step: 1n, balanceA: 0n, balanceB: 0n }, sigA: Buffer.alloc(3), sigB: Buffer.alloc(64) }), rejected('BAD_INPUT', '64-byte'));
    assert.ok(ChainError);
  });

  test('getChannelStatus: never deployed even with a nanoton, open, closed; getPayout pages back; frozen years later (last: it moves time)', () => statusScenario({ ...h, fund: (a, n) => chain.fund(a, n) }));
});
