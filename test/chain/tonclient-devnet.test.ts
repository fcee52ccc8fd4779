// The same channel scenarios as on SandboxChain, through TonClientChain against a REAL devnet process
// (node --import tsx src/chain/devnet/main.ts --port 0) started here on 127.0.0.1.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newKeyPair } from '../../src/core/signer.js';
import { createChain, TonClientChain } from '../../src/chain/index.js';
import { happyPath, staleStateAttack, refundAndErrors, exitScenario, staleCloseUnchallenged, statusScenario, parties, config, rejected, TON, type Harness } from './scenarios.js';

let proc: ChildProcess;
let dataDir: string;
let url: string;
let chain: TonClientChain;
let h: Harness;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'synchannel-devnet-chain-'));
  proc = spawn(process.execPath, ['--import', 'tsx', 'src/chain/devnet/main.ts', '--port', '0', '--data', dataDir], {
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`devnet did not start within 60 s: ${stderr}`)), 60_000);
    proc.once('exit', (c) => reject(new Error(`devnet exited with ${c}: ${stderr}`)));
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      const m = /devnet listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  const viaFactory = await createChain('devnet', { endpoint: url });
  assert.ok(viaFactory instanceof TonClientChain && viaFactory.kind === 'devnet');
  await viaFactory.close();
  // Fast polls on loopback.
  chain = new TonClientChain({ kind: 'devnet', endpoint: url, txPollMs: 50, watchPollMs: 50 });
  h = {
    chain,
    wallet: async (k) => {
      const w = await chain.openWallet(k);
      await chain.faucet(w.address, 50n * TON);
      return w;
    },
    advanceTime: async (s) => void (await chain.advanceTime(s)),
    pollMs: 50,
  };
});

after(async () => {
  await chain?.close();
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('TonClientChain against a real devnet process', () => {
  test('the endpoint answers', async () => {
    assert.ok((await chain.ping()) >= 0);
    const t = await chain.now();
    assert.ok(t > 1_600_000_000);
  });
  test('happy path through TonClient', () => happyPath(h));
  test('stale-state attack through TonClient', () => staleStateAttack(h));
  test('refund, wrong party, not deployed through TonClient', () => refundAndErrors(h));
  test('exit through TonClient: exitStarted, step-0 challenge, payout', () => exitScenario(h));
  test('getPayout through TonClient: a stale close nobody challenged shows the stale amounts', () => staleCloseUnchallenged(h));

  test('a wallet is deployed by its first send; seqno moves; no funds names the devnet faucet', async () => {
    const { A, B } = await parties(h);
    const poorKey = newKeyPair();
    const poor = await chain.openWallet(poorKey);
    assert.equal(await chain.getSeqno(poor), 0);
    assert.equal(await chain.getBalance(poor.address), 0n);
    const cfg = { ...config(A, B, TON, TON), addressA: poor.address, publicKeyA: poorKey.publicKey };
    await assert.rejects(chain.deployChannel(poor, cfg, TON), (e: unknown) => {
      rejected('INSUFFICIENT_FUNDS', 'devnet')(e);
      return true;
    });
    await chain.faucet(poor.address, 3n * TON);
    await chain.deployChannel(poor, cfg, TON);
    assert.equal(await chain.getSeqno(poor), 1);
    assert.equal((await chain.getChannelData(chain.channelAddress(cfg)))?.depositA, TON);
  });

  test('a lost answer to sendBoc: the retry is refused as a duplicate, and the operation still succeeds', async () => {
    // A proxy that forwards everything to the devnet but answers the first sendBoc with a 502 after forwarding it.
    let sendBocs = 0;
    const proxy = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const upstream = await fetch(`${url}/jsonRPC`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await upstream.text();
        const isSend = (JSON.parse(body) as { method?: string }).method === 'sendBoc';
        if (isSend && ++sendBocs === 1) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error: 'bad gateway', code: 502 }));
          return;
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const viaProxy = new TonClientChain({
        kind: 'devnet',
        endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        txPollMs: 50,
        retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 10 },
      });
      const ka = newKeyPair();
      const kb = newKeyPair();
      const A = { key: ka, wallet: await viaProxy.openWallet(ka) };
      const B = { key: kb, wallet: await viaProxy.openWallet(kb) };
      await chain.faucet(A.wallet.address, 5n * TON);
      const cfg = config(A, B, TON, TON);
      const r = await viaProxy.deployChannel(A.wallet, cfg, TON);
      assert.equal(sendBocs, 2);
      assert.equal((await chain.getChannelData(r.address))?.depositA, TON);
      await viaProxy.close();
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  test('a timeout before the message went out is a TIMEOUT error saying nothing was sent', async () => {
    const { A, B } = await parties(h);
    await assert.rejects(chain.deployChannel(A.wallet, config(A, B, TON, TON), TON, { timeoutMs: 1 }), (e: unknown) => {
      assert.match(String((e as Error).message), /did not complete within 0 s; its message was not sent yet: nothing was sent; retry/);
      assert.equal((e as { code?: string; sent?: boolean }).code, 'TIMEOUT');
      assert.equal((e as { sent?: boolean }).sent, false);
      return true;
    });
  });

  test('getChannelStatus through TonClient; getPayout pages getTransactions (lt + hash) back to the payout; frozen (last: it moves time 9 years)', () => statusScenario({ ...h, fund: async (a, n) => void (await chain.faucet(a, n)) }));
});
