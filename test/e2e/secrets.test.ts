// Secrets never leave their files: a full CLI session (two processes on a devnet, with errors, a backup and a
// cooperative close) is searched, every output line and every file under both data folders, for the wallet
// secret key (raw, hex, base64) and the p2p private key; an in-process node made from a mnemonic is searched for
// the words. Key files are 0600.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnemonicNew } from '@ton/crypto';
import { jsonLine } from '../../src/cli/format.js';
import { keyPairFromMnemonic } from '../../src/chain/keys.js';
import { keyPairFromSeed } from '../../src/core/signer.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { parseTon } from '../../src/core/amounts.js';
import { buildOnce, CliProc, DevnetProc } from './cli-harness.js';

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

/** Every form a secret could be written in. */
function forms(secret: Buffer): Buffer[] {
  const hex = secret.toString('hex');
  const b64 = secret.toString('base64');
  return [secret, hex, hex.toUpperCase(), b64, b64.replace(/=+$/, ''), secret.toString('base64url')].map((x) => (typeof x === 'string' ? Buffer.from(x) : x));
}

function leaks(hay: Buffer, secrets: Buffer[]): number {
  return secrets.filter((s) => hay.includes(s)).length;
}

describe('secrets', () => {
  let dir: string;
  let devnet: DevnetProc;
  before(async () => {
    buildOnce();
    dir = await mkdtemp(join(tmpdir(), 'synchannel-secrets-'));
    devnet = new DevnetProc(join(dir, 'devnet'));
    await devnet.ready;
  });
  after(async () => {
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a full CLI session: no output line and no file but the key files holds a secret key; key files are 0600', async () => {
    const common = ['--chain', 'devnet', '--devnet-url', devnet.url];
    const a = new CliProc([...common, '--data', join(dir, 'a'), '--period', '60']);
    const b = new CliProc([...common, '--data', join(dir, 'b')]);
    try {
      await a.event('ready');
      await b.event('ready');
      await a.run('faucet 20');
      await b.run('faucet 20');
      const addr = ((await a.run('serve 0 127.0.0.1')).lan as string[])[0]!;
      await b.run(`connect ${addr}`);
      await a.run('open 3 4');
      await b.event('channelProposed');
      await assert.rejects(b.run('deposit 5'));
      await b.run('deposit');
      await a.event('stateSigned', (j) => (j.state as { step: string }).step === '0', 60_000);
      await b.run('send 0.5');
      await b.event('stateSigned', (j) => (j.state as { step: string }).step === '2', 30_000, 0);
      await assert.rejects(a.run('send 1000'));
      await assert.rejects(a.run('sendd'));
      await a.run(`export ${join(dir, 'a', 'backup.scb')}`);
      await a.run('showAll');
      await a.run('withdraw --yes');
      await b.event('closed', () => true, 30_000);
    } finally {
      await a.exit();
      await b.exit();
    }
    for (const [who, p] of [['a', a], ['b', b]] as const) {
      const data = join(dir, who);
      const seed = await readFile(join(data, 'wallet.pk'));
      const identity = await readFile(join(data, 'p2p', 'p2p-identity.key'));
      // The libp2p key protobuf ends with the 64-byte Ed25519 private key (seed + public key).
      const secrets = [...forms(seed), ...forms(keyPairFromSeed(seed).secretKey), ...forms(identity.subarray(identity.length - 64, identity.length - 32))];
      const out = Buffer.from([...p.lines.map((l) => JSON.stringify(l)), ...p.stderr].join('\n'));
      assert.equal(leaks(out, secrets), 0, `${who}: a secret in the output`);
      let scanned = 0;
      for (const f of await files(data)) {
        if (f.endsWith('wallet.pk') || f.endsWith('p2p-identity.key')) continue;
        assert.equal(leaks(await readFile(f), secrets), 0, `${who}: a secret in ${f}`);
        scanned++;
      }
      assert.ok(scanned >= 4, `${scanned} files scanned`);
      for (const f of ['wallet.pk', 'wallet.addr', join('p2p', 'p2p-identity.key')]) {
        assert.equal((await stat(join(data, f))).mode & 0o777, 0o600, `${who}: ${f} is 0600`);
      }
    }
  });

  test('a node made from a mnemonic: the words appear in no event, log, error or file', async () => {
    const words = await mnemonicNew(24);
    const key = await keyPairFromMnemonic(words);
    const chain = await SandboxChain.create();
    const events: NodeEvent[] = [];
    const logs: string[] = [];
    const mk = (name: string, k: { mnemonic: string[] } | { keyPair: ReturnType<typeof keyPairFromSeed> }) =>
      createNode({ network: 'sandbox', dataDir: join(dir, name), chain, key: k, challengePeriod: 60, pollMs: 100, log: (l) => logs.push(l) });
    const me = await mk('m', { mnemonic: words });
    me.on((e) => events.push(e));
    const other = await mk('o', { keyPair: keyPairFromSeed(Buffer.alloc(32, 7)) });
    try {
      await other.connect((await me.serve(0, '127.0.0.1')).lan[0]!);
      const proposed = waitForEvent(other, 'channelProposed');
      await me.open({ myDeposit: parseTon('1'), partnerDeposit: parseTon('1') });
      await proposed;
      const signed = waitForEvent(me, 'stateSigned', (e) => e.state.step === 0n, 60_000);
      await other.deposit();
      await signed;
      await assert.rejects(me.send(parseTon('5')));
      const bad = await keyPairFromMnemonic([...words.slice(0, 23), 'zzzz']).catch((e: Error) => e.message);
      const phrases = [words.join(' '), words.join(','), ...words.slice(0, 22).map((_, i) => words.slice(i, i + 3).join(' '))].map((x) => Buffer.from(x));
      const secrets = [...phrases, ...forms(key.secretKey.subarray(0, 32)), ...forms(key.secretKey)];
      assert.equal(leaks(Buffer.from(String(bad)), secrets), 0, 'the error of a bad mnemonic');
      assert.equal(leaks(Buffer.from([...events.map((e) => jsonLine(e)), ...logs].join('\n')), secrets), 0, 'events and logs');
      for (const f of await files(join(dir, 'm'))) assert.equal(leaks(await readFile(f), secrets), 0, `a secret in ${f}`);
    } finally {
      await me.stop();
      await other.stop();
      await chain.close();
    }
  });
});
