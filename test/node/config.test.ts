// createNode checks what an operator typed before it touches anything: challenge periods outside what the node
// and the contract accept, and a chain URL that is not one, are refused with what to type, and no data folder
// (no key) is created for a node that could not start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, type NodeConfig } from '../../src/node/index.js';
import { closePair, openPair } from '../helpers/nodes.js';

test('bad periods and chain URLs are refused before anything is created', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-config-'));
  try {
    const cases: [Partial<NodeConfig>, string, RegExp][] = [
      [{ challengePeriod: 5 }, 'PERIOD_TOO_SHORT', /--period 5 .*60\.\.31536000/],
      [{ challengePeriod: Number('abc') }, 'BAD_INPUT', /--period .*whole number of seconds/],
      [{ challengePeriod: 10 ** 9 }, 'BAD_INPUT', /--period 1000000000 .*60\.\.31536000/],
      [{ minChallengePeriod: -5 }, 'BAD_INPUT', /--min-period -5 .*60\.\.31536000/],
      [{ challengePeriod: 120, minChallengePeriod: 600 }, 'PERIOD_TOO_SHORT', /--period 120 .*600\.\./],
      [{ network: 'devnet', devnetUrl: 'notaurl' }, 'BAD_INPUT', /"notaurl" is not an http\(s\) URL/],
      [{ network: 'testnet', testnetEndpoint: 'ftp://x' }, 'BAD_INPUT', /"ftp:\/\/x" is not an http\(s\) URL/],
      [{ network: 'testnet', requestsPerSecond: Number('ten') }, 'BAD_INPUT', /--requests-per-second .*takes a number above 0/],
      [{ network: 'testnet', requestsPerSecond: 0 }, 'BAD_INPUT', /--requests-per-second .*got 0/],
      [{ minFreeBytes: Number('lots') }, 'BAD_INPUT', /--min-free-mib takes a number of MiB, 0 or more/],
      [{ minFreeBytes: -1 }, 'BAD_INPUT', /--min-free-mib takes a number of MiB/],
    ];
    for (const [i, [o, code, words]] of cases.entries()) {
      const dataDir = join(dir, `n${i}`);
      await assert.rejects(createNode({ network: 'sandbox', dataDir, key: { keyFolder: dataDir, create: true }, ...o } as NodeConfig), (e: Error & { code?: string }) => {
        assert.equal(e.code, code, `${JSON.stringify(o)}: ${e.message}`);
        assert.match(e.message, words);
        return true;
      });
      assert.equal(existsSync(dataDir), false, `${JSON.stringify(o)} created ${dataDir}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the faucet takes 0.01 to 1,000,000 TON (less would not even pay the wallet\'s fee for receiving it) and says so in TON', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-faucet-'));
  const node = await createNode({ network: 'sandbox', dataDir: dir, key: { keyFolder: dir, create: true } });
  try {
    for (const amount of [0n, -1n, 1n, 9_999_999n]) {
      await assert.rejects(node.faucet(amount), (e: Error & { code?: string }) => e.code === 'INVALID_AMOUNT' && /^the faucet gives from 0\.01 to 1000000 TON at a time$/.test(e.message));
    }
    await assert.rejects(node.faucet(1_000_001n * 1_000_000_000n), (e: Error & { code?: string }) => e.code === 'INVALID_AMOUNT' && /^the faucet gives at most 1000000 TON at a time: ask for less \(and again for more\)$/.test(e.message));
    const before = await node.balanceTon();
    const gained = (await node.faucet(2_000_000_000n)) - before;
    assert.ok(gained > 1_990_000_000n && gained <= 2_000_000_000n, `gained ${gained}`);
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('open: a period over the contract limit asks for a shorter one, a deposit over what a channel holds is said in TON', async () => {
  const p = await openPair();
  try {
    await assert.rejects(p.alice.open({ myDeposit: 1n, partnerDeposit: 1n, challengePeriod: 10 ** 9 }), (e: Error & { code?: string }) => e.code === 'PERIOD_TOO_LONG' && /over the contract's limit of 31536000 s \(365 days\): use --period with a shorter window/.test(e.message));
    await assert.rejects(p.alice.open({ myDeposit: 1n, partnerDeposit: 999_999_999_999n * 1_000_000_000n }), (e: Error & { code?: string }) => e.code === 'INVALID_AMOUNT' && /^your partner's deposit of 999999999999 TON is more than a channel holds: a deposit is at most 9223372036\.854775807 TON\. Propose a smaller deposit for your partner$/.test(e.message));
    assert.deepEqual(p.alice.channels(), []);
  } finally {
    await closePair(p);
  }
});
