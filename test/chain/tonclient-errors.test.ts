// TonClientChain's HTTP error paths against a tiny local server on 127.0.0.1 (never the public testnet).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Address } from '@ton/core';
import { newKeyPair } from '../../src/core/signer.js';
import { ChainError } from '../../src/chain/errors.js';
import { TonClientChain, jsonRpcEndpoint, createChain, type RetryOptions } from '../../src/chain/index.js';
import { config, TON, type Party } from './scenarios.js';

type Handler = (method: string, body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
const calls: { method: string; apiKey: string | undefined }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(data) as Record<string, unknown>;
      } catch {
        // keep empty
      }
      const method = String(body.method ?? '');
      calls.push({ method, apiKey: req.headers['x-api-key'] as string | undefined });
      handler(method, body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const fast: RetryOptions = { retries: 3, baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 2000 };

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function addressInfo(balance: bigint, state: 'active' | 'uninitialized' = 'uninitialized') {
  return {
    ok: true,
    result: {
      '@type': 'raw.fullAccountState',
      balance: balance.toString(),
      state,
      code: '',
      data: '',
      last_transaction_id: { '@type': 'internal.transactionId', lt: '0', hash: 'A'.repeat(43) + '=' },
      block_id: { '@type': 'ton.blockIdExt', workchain: -1, shard: '-9223372036854775808', seqno: 1, root_hash: 'A'.repeat(43) + '=', file_hash: 'A'.repeat(43) + '=' },
      frozen_hash: '',
      sync_utime: 1_700_000_000,
    },
  };
}

/** Not paced (test/chain/pacing.test.ts tests the pacing). */
function chain(kind: 'devnet' | 'testnet' = 'testnet', apiKey?: string, retry: RetryOptions = fast): TonClientChain {
  return new TonClientChain({ kind, endpoint: base, apiKey, retry, txPollMs: 10, timeoutMs: 5000, requestsPerSecond: 0 });
}

function code(c: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof ChainError, `expected ChainError, got ${String(e)}`);
    assert.equal(e.code, c, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

describe('TonClientChain HTTP errors and retries', () => {
  test('429 then 500 then success: retried with backoff, the API key is sent', async () => {
    calls.length = 0;
    let n = 0;
    handler = (_m, _b, _req, res) => {
      n++;
      if (n === 1) return json(res, 429, { ok: false, error: 'Ratelimit exceed', code: 429 }, { 'retry-after': '0' });
      if (n === 2) return json(res, 502, { ok: false, error: 'bad gateway', code: 502 });
      json(res, 200, addressInfo(5n * TON));
    };
    const retries: string[] = [];
    const c = new TonClientChain({ kind: 'testnet', endpoint: base, apiKey: 'k123', retry: { ...fast, onRetry: (i) => retries.push(i.reason) } });
    const w = await c.openWallet(newKeyPair());
    assert.equal(await c.getBalance(w.address), 5n * TON);
    assert.equal(n, 3);
    assert.equal(retries.length, 2);
    assert.ok(calls.every((x) => x.apiKey === 'k123'));
    assert.ok(calls.every((x) => x.method === 'getAddressInformation'));
    // toncenter's v2 API gives no storage stat: the fee due is not known, never guessed
    assert.deepEqual(await c.getBalanceDue(w.address), { balance: 5n * TON, storageDue: null });
  });

  test('429 forever: RATE_LIMITED after the retries, suggesting an API key', async () => {
    let n = 0;
    handler = (_m, _b, _req, res) => {
      n++;
      json(res, 429, { ok: false, error: 'Ratelimit exceed', code: 429 });
    };
    const c = chain();
    await assert.rejects(c.now(), code('RATE_LIMITED', /API key/));
    assert.equal(n, 4);
  });

  test('5xx forever: ENDPOINT_ERROR with the server text', async () => {
    handler = (_m, _b, _req, res) => json(res, 503, { ok: false, error: 'lite server timeout', code: 503 });
    await assert.rejects(chain().now(), code('ENDPOINT_ERROR', /lite server timeout/));
    handler = (_m, _b, _req, res) => {
      res.writeHead(500);
      res.end('<html>oops</html>');
    };
    await assert.rejects(chain().now(), code('ENDPOINT_ERROR', /HTTP 500/));
  });

  test('401: API_KEY_REJECTED at once (no retries)', async () => {
    let n = 0;
    handler = (_m, _b, _req, res) => {
      n++;
      json(res, 401, { ok: false, error: 'API key does not exist', code: 401 });
    };
    await assert.rejects(chain('testnet', 'wrong').ping(), code('API_KEY_REJECTED', /API key does not exist.*@tonapibot/));
    assert.equal(n, 1);
  });

  test('unreachable endpoint: ENDPOINT_UNREACHABLE naming the URL', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = new TonClientChain({ kind: 'devnet', endpoint: `http://127.0.0.1:${port}`, retry: { ...fast, retries: 1 } });
    await assert.rejects(c.ping(), code('ENDPOINT_UNREACHABLE', new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*synchannel devnet.*give the node the URL it printed \\(--devnet-url\\)`)));
  });

  test("a port fetch refuses to dial ('bad port': 9, 19, …) is said with what to do at once, not 'fetch failed' after retries", async () => {
    for (const port of [9, 19]) {
      const c = new TonClientChain({ kind: 'devnet', endpoint: `http://127.0.0.1:${port}`, retry: { ...fast, retries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
      await assert.rejects(c.ping(), (e: unknown) => {
        assert.ok(e instanceof ChainError && e.code === 'ENDPOINT_UNREACHABLE', String(e));
        assert.doesNotMatch(e.message, /fetch failed/);
        assert.match(e.message, new RegExp(`port ${port} .*refuses to dial.*synchannel devnet --port .*--devnet-url`));
        return true;
      });
    }
  });

  test('a request that hangs: ENDPOINT_UNREACHABLE after the request timeout; abort during backoff: CANCELLED', async () => {
    handler = () => {
      // never answer
    };
    const c = new TonClientChain({ kind: 'testnet', endpoint: base, retry: { retries: 0, requestTimeoutMs: 100 } });
    await assert.rejects(c.now(), code('ENDPOINT_UNREACHABLE', /did not answer/));
    handler = (_m, _b, _req, res) => json(res, 429, { ok: false, error: 'slow down', code: 429 }, { 'retry-after': '30' });
    const slow = new TonClientChain({ kind: 'testnet', endpoint: base, retry: { retries: 5, baseDelayMs: 10_000, maxDelayMs: 30_000 } });
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 50);
    await assert.rejects(slow.now({ signal: ctrl.signal }), code('CANCELLED'));
  });

  test('an endpoint that accepts and never answers: after the retries the message says the attempts and the time they all took, not one request timeout', async () => {
    handler = () => {
      // never answer
    };
    const c = chain('devnet', undefined, { retries: 2, baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 150 });
    const t0 = performance.now();
    const e = await c.getBalance(new Address(0, Buffer.alloc(32, 7))).then(() => assert.fail('answered'), (x: unknown) => x);
    const took = (performance.now() - t0) / 1000;
    assert.ok(e instanceof ChainError && e.code === 'ENDPOINT_UNREACHABLE', String(e));
    const m = /did not answer \w+: 3 attempts in (\d+\.\d) s, the last waited 150 ms/.exec(e.message);
    assert.ok(m, e.message);
    // the time said is the time taken: at least the three timeouts, at most what the caller waited
    assert.ok(Number(m[1]) >= 0.4 && Number(m[1]) <= took + 0.05, `${m[1]} s said, ${took.toFixed(2)} s taken`);
  });

  test('no funds on testnet: INSUFFICIENT_FUNDS with the address and the faucet bot', async () => {
    handler = (m, _b, _req, res) => {
      if (m === 'getAddressInformation') return json(res, 200, addressInfo(0n));
      json(res, 500, { ok: false, error: `unexpected ${m}`, code: 500 });
    };
    const c = chain('testnet');
    const A: Party = { key: newKeyPair(), wallet: await c.openWallet(newKeyPair()) };
    const B: Party = { key: newKeyPair(), wallet: await c.openWallet(newKeyPair()) };
    const cfg = config(A, B, TON, TON);
    await assert.rejects(c.deployChannel(A.wallet, cfg, TON), (e: unknown) => {
      code('INSUFFICIENT_FUNDS', /@testgiver_ton_bot/)(e);
      const friendly = A.wallet.address.toString({ testOnly: true, bounceable: false });
      assert.equal((e as ChainError).address, friendly);
      assert.match((e as Error).message, new RegExp(friendly));
      return true;
    });
  });

  test('a rejected external message: WALLET_REJECTED, not retried', async () => {
    let sends = 0;
    handler = (m, _b, _req, res) => {
      if (m === 'getAddressInformation') return json(res, 200, addressInfo(100n * TON));
      if (m === 'sendBoc') {
        sends++;
        return json(res, 500, { ok: false, error: 'LITE_SERVER_UNKNOWN: cannot apply external message to current state : External message was not accepted', code: 500 });
      }
      json(res, 500, { ok: false, error: `unexpected ${m}`, code: 500 });
    };
    const c = chain('testnet');
    const A: Party = { key: newKeyPair(), wallet: await c.openWallet(newKeyPair()) };
    const B: Party = { key: newKeyPair(), wallet: await c.openWallet(newKeyPair()) };
    await assert.rejects(c.deployChannel(A.wallet, config(A, B, TON, TON), TON), code('WALLET_REJECTED', /not accepted/));
    assert.equal(sends, 1);
  });

  test('a refusal after a 429 (a clear "not taken") stays WALLET_REJECTED, never sent; after a 504 it may have been taken', async () => {
    for (const [first, sent] of [[429, false], [504, true]] as const) {
      let sends = 0;
      handler = (m, _b, _req, res) => {
        if (m === 'getAddressInformation') return json(res, 200, addressInfo(100n * TON));
        if (m === 'sendBoc' && sends++ === 0) return json(res, first, { ok: false, error: first === 429 ? 'Ratelimit exceeded' : 'Gateway Time-out', code: first });
        if (m === 'sendBoc') return json(res, 500, { ok: false, error: 'LITE_SERVER_UNKNOWN: cannot apply external message to current state : External message was not accepted', code: 500 });
        json(res, 500, { ok: false, error: `unexpected ${m}`, code: 500 });
      };
      const c = chain('testnet');
      const A: Party = { key: newKeyPair(), wallet: await c.openWallet(newKeyPair()) };
      const B: Party = { key: newKeyPair(), wallet: await c.openWallet(newKeyPair()) };
      // after a 504 the wait decides (here it never sees the message): only the refusal itself is checked
      const done = c.deployChannel(A.wallet, config(A, B, TON, TON), TON, { timeoutMs: 1_500 });
      await assert.rejects(done, (e: ChainError) => (sent ? e.sent === true : e.code === 'WALLET_REJECTED' && !e.sent));
      assert.equal(sends, 2, `after a ${first}`);
    }
  });

  test('a cut, non-JSON or ok:false answer at HTTP 200 is retried; a huge one is cut short; a balance must be a count of nanotons', async () => {
    const good = addressInfo(5n);
    const bad: ((res: ServerResponse) => void)[] = [
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(good).slice(0, 40));
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>502 Bad Gateway</html>');
      },
      (res) => json(res, 200, { ok: false, error: 'LITE_SERVER_NETWORK timeout', code: 500 }),
    ];
    for (const answer of bad) {
      let n = 0;
      handler = (_m, _b, _req, res) => (n++ === 0 ? answer(res) : json(res, 200, good));
      assert.equal(await chain().getBalance(new Address(0, Buffer.alloc(32, 7))), 5n);
      assert.equal(n, 2, 'retried once');
    }
    handler = (_m, _b, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.alloc(20 << 20, 0x20));
    };
    await assert.rejects(chain().getBalance(new Address(0, Buffer.alloc(32, 7))), code('ENDPOINT_ERROR', /larger than/));
    for (const balance of ['abc', '-5', 1.5]) {
      handler = (_m, _b, _req, res) => json(res, 200, { ...good, result: { ...good.result, balance } });
      await assert.rejects(chain().getBalance(new Address(0, Buffer.alloc(32, 7))), code('ENDPOINT_ERROR', /balance/));
    }
  });

  test('a balance TonClient would misread (empty: 0; hex; padded; a number past 2^53, rounded by JSON) is read again, never taken', async () => {
    const good = addressInfo(5n);
    const a = new Address(0, Buffer.alloc(32, 7));
    for (const balance of ['', ' ', '0x10', ' 7', '1e3', 2 ** 60, 2 ** 53 + 2]) {
      let n = 0;
      handler = (_m, _b, _req, res) => json(res, 200, n++ === 0 ? { ...good, result: { ...good.result, balance } } : good);
      assert.equal(await chain().getBalance(a), 5n, `balance ${JSON.stringify(balance)} read again`);
      assert.equal(n, 2, `balance ${JSON.stringify(balance)}: retried once`);
      handler = (_m, _b, _req, res) => json(res, 200, { ...good, result: { ...good.result, balance } });
      await assert.rejects(chain().getBalance(a), code('ENDPOINT_ERROR', /balance .* is not a count of nanotons.*use another endpoint/));
    }
    handler = (_m, _b, _req, res) => json(res, 200, { ...good, result: { ...good.result, balance: 4096 } });
    assert.equal(await chain().getBalance(a), 4096n, 'a whole number of nanotons JSON holds exactly is one');
  });

  test("an answer with no chain time (sync_utime 0) is no chain time: now() is read again, never this computer's clock", async () => {
    const good = addressInfo(5n);
    let n = 0;
    handler = (_m, _b, _req, res) => json(res, 200, n++ === 0 ? { ...good, result: { ...good.result, sync_utime: 0 } } : good);
    await assert.rejects(chain().now(), (e: unknown) => code('ENDPOINT_ERROR', /no chain time.*use another endpoint/)(e) && (e as ChainError).retryable);
    assert.equal(await chain().now(), 1_700_000_000, 'the next answer with one is taken');
    assert.equal(await chain().getBalance(new Address(0, Buffer.alloc(32, 7))), 5n, 'an account read needs no chain time');
  });

  test('a malformed answer: ENDPOINT_ERROR', async () => {
    handler = (_m, _b, _req, res) => json(res, 200, { ok: true, result: { nothing: 1 } });
    await assert.rejects(chain().now(), code('ENDPOINT_ERROR', /unexpected answer/));
  });

  test('endpoints: normalised to …/jsonRPC, bad ones refused; devnet needs a URL; devnet-only calls', async () => {
    assert.equal(jsonRpcEndpoint('http://127.0.0.1:9/'), 'http://127.0.0.1:9/jsonRPC');
    assert.equal(jsonRpcEndpoint('https://testnet.toncenter.com/api/v2'), 'https://testnet.toncenter.com/api/v2/jsonRPC');
    assert.equal(jsonRpcEndpoint('https://testnet.toncenter.com/api/v2/jsonRPC'), 'https://testnet.toncenter.com/api/v2/jsonRPC');
    assert.throws(() => jsonRpcEndpoint('ftp://x'), code('BAD_INPUT'));
    assert.throws(() => jsonRpcEndpoint('not a url'), code('BAD_INPUT'));
    await assert.rejects(createChain('devnet'), code('BAD_INPUT', /synchannel devnet/));
    await assert.rejects(createChain('mainnet' as never), code('BAD_INPUT', /sandbox, devnet or testnet/));
    const t = await createChain('testnet', { endpoint: base });
    assert.equal(t.kind, 'testnet');
    const w = await t.openWallet(newKeyPair());
    await assert.rejects((t as TonClientChain).faucet(w.address), code('BAD_INPUT', /@testgiver_ton_bot/));
    await assert.rejects((t as TonClientChain).advanceTime(10), code('BAD_INPUT', /only on the devnet/));
  });
});
