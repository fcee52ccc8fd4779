// A load-balanced endpoint (testnet) can answer with an account state older than one it already gave (a lagging
// replica). A contract's state never goes back, so on testnet a read of a channel older than one already read (by
// the account's last transaction) is refused: a funding channel was read as refunded, then deposited, again and
// again. The devnet is one chain: an older answer there is the chain gone back (a restored file), taken as it is.
// A wallet read behind (a seqno below one already used here) is read again before a message is signed with it.
// A real devnet in this process, behind a proxy on 127.0.0.1 that replays an old answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevnet } from '../../src/chain/devnet/server.js';
import { TonClientChain } from '../../src/chain/index.js';
import type { ChainError } from '../../src/chain/errors.js';
import { newKeyPair } from '../../src/core/signer.js';
import { rpcProxy } from '../helpers/rpc-hook.js';
import { config, TON } from './scenarios.js';

test('a read of a channel older than one already read is refused as a lagging answer, never taken as news', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-lag-'));
  const dn = await startDevnet({ dataDir: dir, port: 0, log: () => undefined });
  const direct = new TonClientChain({ kind: 'devnet', endpoint: dn.url, txPollMs: 50 });
  // While `on`, the channel's account is answered with the first answer it got (a replica behind).
  const lag = { on: false, address: '', first: null as string | null };
  const proxy = await rpcProxy(dn.url, {
    fn: async (m, forward) => {
      if (m.method !== 'getAddressInformation' || m.params.address !== lag.address) return null;
      if (lag.on && lag.first) return { status: 200, text: lag.first };
      const r = await forward();
      lag.first ??= r.text;
      return r;
    },
  });
  // Read as testnet is read (through the proxy to the devnet), and as the devnet is read.
  const lagged = new TonClientChain({ kind: 'testnet', endpoint: proxy.url, txPollMs: 50, requestsPerSecond: 50 });
  const local = new TonClientChain({ kind: 'devnet', endpoint: proxy.url, txPollMs: 50 });
  try {
    const [ka, kb] = [newKeyPair(), newKeyPair()];
    const [wa, wb] = [await direct.openWallet(ka), await direct.openWallet(kb)];
    await direct.faucet(wa.address, 20n * TON);
    await direct.faucet(wb.address, 20n * TON);
    const cfg = config({ key: ka, wallet: wa }, { key: kb, wallet: wb }, 3n * TON, 4n * TON);
    const address = direct.channelAddress(cfg);
    lag.address = address.toString();
    await direct.deployChannel(wa, cfg, 3n * TON);
    const funding = await lagged.getChannelStatus(address); // the answer the proxy replays later
    assert.equal(funding.status, 'funding');
    await direct.deposit(wb, address, 4n * TON);
    assert.equal((await lagged.getChannelStatus(address)).status, 'open');
    assert.equal((await local.getChannelStatus(address)).status, 'open');
    lag.on = true; // a replica behind: the state before B's deposit
    await assert.rejects(lagged.getChannelStatus(address), (e: ChainError) => e.code === 'PENDING' && /older than one already read/.test(e.message));
    assert.equal((await local.getChannelStatus(address)).status, 'funding', 'the devnet gone back is read as it is');
    lag.on = false;
    assert.equal((await lagged.getChannelStatus(address)).status, 'open', 'a current answer is taken again');
  } finally {
    await lagged.close();
    await local.close();
    await direct.close();
    await proxy.close();
    await dn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a wallet read from a replica behind (a seqno below one already used) is read again before signing: the send goes, not 'another message used the seqno'", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-lag-'));
  const dn = await startDevnet({ dataDir: dir, port: 0, log: () => undefined });
  const direct = new TonClientChain({ kind: 'devnet', endpoint: dn.url, txPollMs: 50 });
  // While `replays` > 0, the wallet's account is answered with its first answer (before its first send).
  const lag = { replays: 0, address: '', first: null as string | null };
  const proxy = await rpcProxy(dn.url, {
    fn: async (m, forward) => {
      if (m.method !== 'getAddressInformation' || m.params.address !== lag.address) return null;
      if (lag.replays > 0 && lag.first) return (lag.replays--, { status: 200, text: lag.first });
      const r = await forward();
      lag.first ??= r.text;
      return r;
    },
  });
  const lagged = new TonClientChain({ kind: 'testnet', endpoint: proxy.url, txPollMs: 50, requestsPerSecond: 50 });
  try {
    const [ka, kb] = [newKeyPair(), newKeyPair()];
    const [wb, wa] = [await direct.openWallet(kb), await lagged.openWallet(ka)];
    await direct.faucet(wa.address, 20n * TON);
    await direct.faucet(wb.address, 20n * TON);
    lag.address = wa.address.toString();
    const cfg = config({ key: ka, wallet: wa }, { key: kb, wallet: wb }, 3n * TON, 4n * TON);
    await lagged.deployChannel(wa, cfg, 3n * TON); // seqno 0, read through the proxy (its first answer kept)
    lag.replays = 2; // the next two reads of the wallet: from before that send
    await lagged.deposit(wa, lagged.channelAddress(cfg), 1n * TON); // A tops up: seqno 1
    assert.equal((await direct.getChannelData(lagged.channelAddress(cfg)))?.depositA, 4n * TON);
  } finally {
    await lagged.close();
    await direct.close();
    await proxy.close();
    await dn.close();
    await rm(dir, { recursive: true, force: true });
  }
});
