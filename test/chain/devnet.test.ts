// The devnet as a real server process on 127.0.0.1, driven by a real @ton/ton TonClient: faucet, wallet
// deploy and transfers, get-methods with every stack type, transactions and paging, fees, time advance,
// malformed requests, and a SIGTERM restart on the same data directory that keeps everything (the process and its
// calls: devnet-process.ts).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Address, Cell, SendMode, beginCell, contractAddress, external, internal, storeMessage, toNano, type StateInit } from '@ton/core';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import { TonClient, WalletContractV5R1 } from '@ton/ton';
import { type Devnet, startDevnetProcess, assertAbout, post, rpc, info, faucet, ECHO_CODE } from './devnet-process.js';

describe('devnet server process with a real TonClient', { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'synchannel-devnet-'));
  let devnet: Devnet;
  let client: TonClient;
  let keys: KeyPair;
  let wallet: WalletContractV5R1;
  const other = new Address(0, randomBytes(32));
  const echoInit: StateInit = { code: ECHO_CODE, data: beginCell().storeUint(0xec40, 16).endCell() };
  const echo = contractAddress(0, echoInit);
  let saved: { walletBalance: bigint; otherBalance: bigint; echoBalance: bigint; seqno: number; now: number; offset: number; txCount: number };

  before(async () => {
    devnet = await startDevnetProcess(dataDir);
    client = new TonClient({ endpoint: `${devnet.url}/jsonRPC`, timeout: 20_000 });
    keys = keyPairFromSeed(randomBytes(32));
    wallet = WalletContractV5R1.create({ workchain: 0, publicKey: keys.publicKey });
  });

  after(async () => {
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('prints where the data lives and how to point a node at it', () => {
    assert.match(devnet.output.join('\n'), new RegExp(`data: ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(devnet.output.join('\n'), new RegExp(`--chain devnet --devnet-url ${devnet.url}`));
  });

  test('faucet funds an address; TonClient sees the balance and an uninitialized account', async () => {
    const r = await faucet(devnet.url, wallet.address, toNano('20'));
    assert.equal(r.balance, toNano('20').toString());
    assert.equal(await client.getBalance(wallet.address), toNano('20'));
    const state = await client.getContractState(wallet.address);
    assert.equal(state.state, 'uninitialized');
    assert.equal(state.lastTransaction?.lt, r.transaction_id.lt);
    assert.equal(state.lastTransaction?.hash, r.transaction_id.hash);
    assert.equal(await client.isContractDeployed(wallet.address), false);
  });

  test('the first transfer deploys the V5R1 wallet; seqno and balances follow', async () => {
    const opened = client.open(wallet);
    assert.equal(await opened.getSeqno(), 0);
    const mc0 = await client.getMasterchainInfo();
    await opened.sendTransfer({
      seqno: 0,
      secretKey: keys.secretKey,
      sendMode: SendMode.PAY_GAS_SEPARATELY | SendMode.IGNORE_ERRORS,
      messages: [internal({ to: other, value: toNano('3'), bounce: false })],
    });
    assert.equal(await client.isContractDeployed(wallet.address), true);
    assert.equal(await opened.getSeqno(), 1);
    assert.equal(await client.getBalance(other), toNano('3'));
    const walletBalance = await client.getBalance(wallet.address);
    assert.ok(walletBalance < toNano('17') && walletBalance > toNano('16.9'), `wallet balance ${walletBalance}`);
    const mc1 = await client.getMasterchainInfo();
    assert.ok(mc1.latestSeqno > mc0.latestSeqno);
  });

  test('get-methods: numbers, cells, slices, tuples and null go both ways', async () => {
    const opened = client.open(wallet);
    // Deploy the echo contract with a second wallet transfer carrying its StateInit.
    await opened.sendTransfer({
      seqno: 1,
      secretKey: keys.secretKey,
      sendMode: SendMode.PAY_GAS_SEPARATELY | SendMode.IGNORE_ERRORS,
      messages: [internal({ to: echo, value: toNano('1'), bounce: false, init: echoInit })],
    });
    assert.equal(await client.isContractDeployed(echo), true);

    const pk = await client.runMethod(wallet.address, 'get_public_key');
    assert.equal(pk.stack.readBigNumber(), BigInt(`0x${keys.publicKey.toString('hex')}`));

    const cell = beginCell().storeUint(0xdeadbeef, 32).storeRef(beginCell().storeUint(7, 8)).endCell();
    const slice = beginCell().storeAddress(other).endCell();
    const big = -(2n ** 200n) + 12345n;
    const r = await client.runMethod(echo, 'anything', [
      { type: 'int', value: big },
      { type: 'int', value: 42n },
      { type: 'cell', cell },
      { type: 'slice', cell: slice },
    ]);
    assert.equal(r.stack.remaining, 3);
    assert.equal(r.stack.readBigNumber(), big);
    const tuple = r.stack.readTuple();
    // TonClient hands tuple elements over as plain values (bigint / Cell), not typed items.
    const items = (tuple as unknown as { items: unknown[] }).items;
    assert.equal(items[0], 42n);
    assert.ok((items[1] as Cell).equals(cell));
    assert.ok((items[2] as Cell).equals(slice));
    assert.equal(r.stack.readCellOpt(), null);

    const missing = await client.runMethodWithError(wallet.address, 'no_such_method');
    assert.notEqual(missing.exit_code, 0);
    await assert.rejects(client.runMethod(other, 'seqno'), /exit_code: -13/);
  });

  test('transactions: listing, lt/hash paging, single lookup and message location', async () => {
    const txs = await client.getTransactions(wallet.address, { limit: 10 });
    assert.equal(txs.length, 3); // faucet credit, deploy+transfer, echo deploy
    assert.ok(txs[0]!.lt > txs[1]!.lt && txs[1]!.lt > txs[2]!.lt, 'newest first');
    assert.equal(txs[0]!.inMessage?.info.type, 'external-in');
    assert.equal(txs[2]!.inMessage?.info.type, 'internal');

    const h1 = txs[1]!.hash().toString('base64');
    const page = await client.getTransactions(wallet.address, { limit: 5, lt: txs[1]!.lt.toString(), hash: h1 });
    assert.deepEqual(page.map((t) => t.lt), [txs[2]!.lt], 'exclusive paging skips the anchor');
    const inclusive = await client.getTransactions(wallet.address, { limit: 5, lt: txs[1]!.lt.toString(), hash: h1, inclusive: true });
    assert.deepEqual(inclusive.map((t) => t.lt), [txs[1]!.lt, txs[2]!.lt]);
    const limited = await client.getTransactions(wallet.address, { limit: 1 });
    assert.equal(limited.length, 1);

    const one = await client.getTransaction(wallet.address, txs[1]!.lt.toString(), h1);
    assert.ok(one && one.hash().equals(txs[1]!.hash()));

    const out = [...txs[1]!.outMessages.values()][0]!;
    assert.equal(out.info.type, 'internal');
    const createdLt = out.info.type === 'internal' ? out.info.createdLt.toString() : '';
    const result = await client.tryLocateResultTx(wallet.address, other, createdLt);
    assert.equal(result.inMessage?.info.type, 'internal');
    const source = await client.tryLocateSourceTx(wallet.address, other, createdLt);
    assert.ok(source.hash().equals(txs[1]!.hash()));
    await assert.rejects(client.getTransaction(wallet.address, '1', Buffer.alloc(32).toString('base64')));
  });

  test('estimateFee emulates without changing the chain', async () => {
    const opened = client.open(wallet);
    const seqno = await opened.getSeqno();
    const balance = await client.getBalance(wallet.address);
    const body = wallet.createTransfer({
      seqno,
      secretKey: keys.secretKey,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      messages: [internal({ to: other, value: toNano('1'), bounce: false })],
    });
    const fees = await client.estimateExternalMessageFee(wallet.address, { body, initCode: null, initData: null, ignoreSignature: true });
    assert.ok(fees.source_fees.gas_fee > 0, JSON.stringify(fees));
    assert.ok(fees.source_fees.in_fwd_fee > 0, JSON.stringify(fees));
    assert.ok(fees.source_fees.fwd_fee > 0, JSON.stringify(fees));
    assert.equal(await opened.getSeqno(), seqno);
    assert.equal(await client.getBalance(wallet.address), balance);
    assert.equal((await client.getTransactions(wallet.address, { limit: 10 })).length, 3);
  });

  test('getWalletInformation, getExtendedAddressInformation and sendBocReturnHash', async () => {
    const w = await rpc(devnet.url, 'getWalletInformation', { address: wallet.address.toString() });
    assert.equal(w.status, 200, JSON.stringify(w.json));
    const wi = w.json.result as { wallet: boolean; wallet_type: string; seqno: number; account_state: string; balance: string };
    assert.deepEqual([wi.wallet, wi.wallet_type, wi.seqno, wi.account_state], [true, 'wallet v5 r1', 2, 'active']);
    assert.equal(BigInt(wi.balance), await client.getBalance(wallet.address));
    const o = await rpc(devnet.url, 'getWalletInformation', { address: other.toString() });
    assert.deepEqual([(o.json.result as { wallet: boolean }).wallet, (o.json.result as { account_state: string }).account_state], [false, 'uninitialized']);
    const x = await rpc(devnet.url, 'getExtendedAddressInformation', { address: echo.toRawString() });
    const xi = x.json.result as { account_state: { '@type': string; code: string } };
    assert.equal(xi.account_state['@type'], 'raw.accountState');
    assert.ok(Cell.fromBase64(xi.account_state.code).equals(ECHO_CODE));

    // A message nobody accepts still fails; one that is accepted returns its hashes.
    const tip = { to: other, value: 1n, bounce: false };
    const now = (await client.getContractState(wallet.address)).timestampt;
    const body = wallet.createTransfer({ seqno: 2, timeout: now + 60, secretKey: keys.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal(tip)] });
    const msgCell = beginCell().store(storeMessage(external({ to: wallet.address, body }))).endCell();
    const sent = await rpc(devnet.url, 'sendBocReturnHash', { boc: msgCell.toBoc().toString('base64') });
    assert.equal(sent.status, 200, JSON.stringify(sent.json));
    const r = sent.json.result as { hash: string; hash_norm: string };
    assert.equal(r.hash, msgCell.hash().toString('base64'));
    assert.equal(r.hash_norm.length, 44);
    assert.equal(await client.open(wallet).getSeqno(), 3);
  });

  test('advanceTime moves the chain clock; wallets must sign against chain time', async () => {
    const t0 = await info(devnet.url);
    const { status, json } = await post(`${devnet.url}/devnet/advanceTime`, { seconds: 7200 });
    assert.equal(status, 200);
    const r = json.result as { now: number; time_offset: number };
    assert.ok(r.now >= t0.now + 7200);
    assert.equal(r.time_offset, t0.time_offset + 7200);
    const state = await client.getContractState(wallet.address);
    assert.ok(state.timestampt >= t0.now + 7200);

    const opened = client.open(wallet);
    const msg = { to: other, value: toNano('1'), bounce: false };
    // valid_until from the wall clock is now in the chain's past: the wallet refuses it.
    await assert.rejects(
      opened.sendTransfer({ seqno: 3, secretKey: keys.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal(msg)] }),
      /status code 500/,
    );
    const stale = wallet.createTransfer({ seqno: 3, secretKey: keys.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal(msg)] });
    const { json: refused } = await rpc(devnet.url, 'sendBoc', {
      boc: beginCell()
        .store(storeMessage(external({ to: wallet.address, body: stale })))
        .endCell()
        .toBoc()
        .toString('base64'),
    });
    assert.equal(refused.ok, false);
    assert.equal(refused.devnet_code, 'DEVNET_NOT_ACCEPTED');
    assert.match(String(refused.error), /sync_utime/);

    await opened.sendTransfer({ seqno: 3, timeout: state.timestampt + 60, secretKey: keys.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal(msg)] });
    assert.equal(await opened.getSeqno(), 4);
    assertAbout(await client.getBalance(other), toNano('4') + 1n);
  });

  test('the devnet calls also answer over JSON-RPC (devnet.info / devnet.faucet / devnet.advanceTime)', async () => {
    const target = new Address(0, randomBytes(32));
    const f = await rpc(devnet.url, 'devnet.faucet', { address: target.toRawString(), amount: '2500000000' });
    assert.equal(f.status, 200, JSON.stringify(f.json));
    assert.equal((f.json.result as { balance: string }).balance, '2500000000');
    assert.equal(f.json.id, '7');
    const dflt = await rpc(devnet.url, 'devnet.faucet', { address: target.toString() });
    assert.equal(BigInt((dflt.json.result as { balance: string }).balance) > toNano('100'), true, 'the default grant is 100 TON');
    const i = await rpc(devnet.url, 'devnet.info', {});
    const t = await rpc(devnet.url, 'devnet.advanceTime', { seconds: 1 });
    assert.ok((t.json.result as { now: number }).now >= (i.json.result as { now: number }).now + 1);
  });

  test('malformed requests get toncenter-style errors and the server keeps serving', async () => {
    const cases: { body: unknown | string; status: number; code: string; path?: string }[] = [
      { body: '{not json', status: 400, code: 'DEVNET_BAD_REQUEST' },
      { body: { id: 1, jsonrpc: '2.0' }, status: 422, code: 'DEVNET_BAD_REQUEST' },
      { body: { id: 1, method: 'noSuchMethod', params: {} }, status: 422, code: 'DEVNET_UNKNOWN_METHOD' },
      { body: { id: 1, method: 'getAddressInformation', params: { address: 'not-an-address' } }, status: 416, code: 'DEVNET_BAD_ADDRESS' },
      { body: { id: 1, method: 'getAddressInformation', params: [] }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { body: { id: 1, method: 'getAddressInformation' }, status: 416, code: 'DEVNET_BAD_ADDRESS' },
      { body: { id: 1, method: 'sendBoc', params: { boc: '!!!' } }, status: 400, code: 'DEVNET_BAD_BOC' },
      { body: { id: 1, method: 'sendBoc', params: { boc: beginCell().storeUint(1, 8).endCell().toBoc().toString('base64') } }, status: 400, code: 'DEVNET_BAD_BOC' },
      {
        body: {
          id: 1,
          method: 'sendBoc',
          params: { boc: beginCell().store(storeMessage(internal({ to: other, value: toNano('1000') }) as never)).endCell().toBoc().toString('base64') },
        },
        status: 400,
        code: 'DEVNET_BAD_BOC',
      },
      {
        body: { id: 1, method: 'sendBoc', params: { boc: beginCell().store(storeMessage(external({ to: wallet.address, body: beginCell().storeUint(0, 64).endCell() }))).endCell().toBoc().toString('base64') } },
        status: 500,
        code: 'DEVNET_NOT_ACCEPTED',
      },
      { body: { id: 1, method: 'runGetMethod', params: { address: echo.toString(), method: 'x', stack: [['num', 'zz']] } }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { body: { id: 1, method: 'runGetMethod', params: { address: echo.toString(), method: 'x', stack: 5 } }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { body: { id: 1, method: 'getTransactions', params: { address: other.toString(), limit: -1 } }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { body: { id: 1, method: 'getTransactions', params: { address: other.toString(), lt: '5', hash: 'nothex' } }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { path: '/devnet/faucet', body: { address: other.toString(), amount: '-5' }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { path: '/devnet/faucet', body: { address: other.toString(), amount: (10n ** 30n).toString() }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { path: '/devnet/advanceTime', body: { seconds: 0 }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { path: '/devnet/advanceTime', body: { seconds: 'soon' }, status: 422, code: 'DEVNET_BAD_PARAMS' },
      { path: '/nowhere/at/all', body: {}, status: 404, code: 'DEVNET_UNKNOWN_METHOD' },
    ];
    for (const c of cases) {
      const { status, json } = await post(`${devnet.url}${c.path ?? '/jsonRPC'}`, c.body);
      const label = JSON.stringify(c.body).slice(0, 120);
      assert.equal(status, c.status, `${label}: ${JSON.stringify(json)}`);
      assert.equal(json.ok, false, label);
      assert.equal(json.code, c.status, label);
      assert.equal(json.devnet_code, c.code, label);
      assert.equal(typeof json.error, 'string', label);
    }
    // Too large a body.
    const huge = await post(`${devnet.url}/jsonRPC`, JSON.stringify({ method: 'sendBoc', params: { boc: 'A'.repeat(3 * 1024 * 1024) } }));
    assert.equal(huge.status, 413);
    // TonClient surfaces the error as a rejection.
    await assert.rejects(client.sendFile(Buffer.from('not a boc')), /status code 400/);
    // REST form works too, and the server still answers.
    const rest = await fetch(`${devnet.url}/getAddressBalance?address=${encodeURIComponent(other.toString())}`);
    assertAbout(BigInt(((await rest.json()) as { result: string }).result), toNano('4') + 1n);
    assert.equal((await client.getMasterchainInfo()).workchain, -1);
  });

  test('a second devnet on the same data directory is refused', async () => {
    await assert.rejects(startDevnetProcess(dataDir), /DEVNET_DATA_LOCKED/);
  });

  test('SIGTERM saves; a restart on the same data keeps balances, seqno, contracts, transactions and time', async () => {
    const opened = client.open(wallet);
    const t = await info(devnet.url);
    saved = {
      walletBalance: await client.getBalance(wallet.address),
      otherBalance: await client.getBalance(other),
      echoBalance: await client.getBalance(echo),
      seqno: await opened.getSeqno(),
      now: t.now,
      offset: t.time_offset,
      txCount: (await client.getTransactions(wallet.address, { limit: 100 })).length,
    };
    assert.equal(await devnet.stop(), 0);
    assert.match(devnet.output.join('\n'), /saving and stopping/);

    devnet = await startDevnetProcess(dataDir);
    client = new TonClient({ endpoint: `${devnet.url}/jsonRPC`, timeout: 20_000 });
    const reopened = client.open(wallet);
    const t2 = await info(devnet.url);
    assert.equal(t2.treasury, t.treasury);
    assert.equal(t2.time_offset, saved.offset);
    assert.ok(t2.now >= saved.now, `time went back: ${t2.now} < ${saved.now}`);
    assert.ok(t2.seqno >= t.seqno);
    assert.equal(await client.getBalance(wallet.address), saved.walletBalance);
    assert.equal(await client.getBalance(other), saved.otherBalance);
    assert.equal(await client.getBalance(echo), saved.echoBalance);
    assert.equal(await reopened.getSeqno(), saved.seqno);
    assert.equal((await client.getTransactions(wallet.address, { limit: 100 })).length, saved.txCount);
    const r = await client.runMethod(echo, 'again', [{ type: 'int', value: 1n }, { type: 'int', value: 2n }, { type: 'int', value: 3n }, { type: 'int', value: 4n }]);
    assert.equal(r.stack.readBigNumber(), 1n);

    // And the chain keeps working after the restart.
    await reopened.sendTransfer({
      seqno: saved.seqno,
      timeout: t2.now + 60,
      secretKey: keys.secretKey,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      messages: [internal({ to: other, value: toNano('1'), bounce: false })],
    });
    assert.equal(await reopened.getSeqno(), saved.seqno + 1);
    assertAbout(await client.getBalance(other), saved.otherBalance + toNano('1'));
  });

  test('after a SIGKILL the stale lock is taken over and the last saved state is back', async () => {
    const target = new Address(0, randomBytes(32));
    await faucet(devnet.url, target, toNano('7'));
    // Wait (bounded) until the debounced save has written this block, then kill without warning.
    let t = await info(devnet.url);
    for (let i = 0; i < 100 && t.saved_seqno < t.seqno; i++) {
      await new Promise((r) => setTimeout(r, 100));
      t = await info(devnet.url);
    }
    assert.equal(t.saved_seqno, t.seqno, 'the chain was saved');
    devnet.proc.kill('SIGKILL');
    await devnet.stop();

    devnet = await startDevnetProcess(dataDir);
    client = new TonClient({ endpoint: `${devnet.url}/jsonRPC`, timeout: 20_000 });
    assertAbout(await client.getBalance(target), toNano('7'));
    assert.equal(await client.open(wallet).getSeqno(), saved.seqno + 1);
  });
});
