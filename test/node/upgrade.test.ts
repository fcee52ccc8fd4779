// A proposal kept on disk names the contract of the version that made it. If the contract changed since (a new
// SynChannel), deploying this version's contract would put A's deposit where neither node looks: the node
// refuses, moves no coins, and the proposal can be declined. Channels agreed on contract v2 (records written
// before v3 name no version) or v3 keep running on their code: deploy, payments, a rebuilt record, the close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { parseTon } from '../../src/core/amounts.js';
import { addressText } from '../../src/core/format.js';
import { newKeyPair, sign, type KeyPair } from '../../src/core/signer.js';
import { stateHash, type ChannelState } from '../../src/core/state.js';
import { channelCode, type ContractVersion } from '../../src/contract/index.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { RECORD_VERSION, configOf, contractOf, type ChannelRecord } from '../../src/node/record.js';
import { FILE_MAGIC, encodeEntry } from '../../src/node/store/codec.js';
import { decodeRecordFile, encodeRecordFile } from '../../src/node/store/record.js';
import { until } from '../helpers/nodes.js';
import { SYNCHANNEL_VERSION } from '../../src/core/version.js';

type Internals = { node: { ctx: { channels: Map<string, { rec: { contract: string } }> } } };

describe('a proposal made with an earlier contract version', () => {
  test('A does not deploy another contract than the one its record names: accepted, its proposal is withdrawn at once; its coins stay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-upgrade-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true, challengePeriod: 60, pollMs: 100 };
    const a = await createNode({ ...common, dataDir: join(dir, 'a'), key: { keyPair: newKeyPair() } });
    const b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: newKeyPair() } });
    try {
      const connected = waitForEvent(a, 'partnerConnected');
      await b.connect((await a.serve(0, '127.0.0.1')).lan[0]!);
      await connected;
      const proposed = waitForEvent(b, 'channelProposed');
      const view = await a.open({ myDeposit: parseTon('1'), partnerDeposit: parseTon('1') });
      await proposed;
      // What a record written by the earlier version holds: that version's contract address.
      const old = new Address(0, Buffer.alloc(32, 0x0d)).toRawString();
      (a as unknown as Internals).node.ctx.channels.get(view.channelId)!.rec.contract = old;
      const before = await a.balanceTon();

      // Accepted, it is withdrawn at once: B's deposit hears why instead of waiting for a deployment (it did, for
      // the whole deployment wait: the upgrade audit).
      const withdrawn = waitForEvent(a, 'log', (e) => e.level === 'warn' && e.message.startsWith(`your proposal of channel ${addressText(old, 'contract')} was made with an earlier SynChannel`), 30_000);
      const started = Date.now();
      const accepting = await b.deposit(undefined, { channel: view.channelId }).catch((e: Error & { code?: string }) => e);
      assert.ok(accepting instanceof Error && (accepting as { code?: string }).code === 'PARTNER_DECLINED', String(accepting));
      assert.match(accepting.message, /withdrawn by your partner/);
      assert.ok(Date.now() - started < 20_000, 'told at once');
      await withdrawn;
      assert.equal(await a.balanceTon(), before, "A's coins stay in its wallet");
      const now = (await chain.getChannelStatus(Address.parse(view.contract))).status;
      assert.equal(now, 'not_deployed', "this version's contract was not deployed");
      assert.equal(a.channels().find((c) => c.channelId === view.channelId)!.phase, 'rejected');
    } finally {
      await a.stop();
      await b.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a stored proposal of an earlier contract is not sent again when the partner reconnects: it is withdrawn', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-upgrade-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true, challengePeriod: 60, pollMs: 100 };
    const a = await createNode({ ...common, dataDir: join(dir, 'a'), key: { keyPair: newKeyPair() } });
    const bKey = newKeyPair();
    let b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: bKey } });
    try {
      const addr = (await a.serve(0, '127.0.0.1')).lan[0]!;
      const connected = waitForEvent(a, 'partnerConnected');
      await b.connect(addr);
      await connected;
      const proposed = waitForEvent(b, 'channelProposed');
      const view = await a.open({ myDeposit: parseTon('1'), partnerDeposit: parseTon('1') });
      await proposed;
      (a as unknown as Internals).node.ctx.channels.get(view.channelId)!.rec.contract = new Address(0, Buffer.alloc(32, 0x0d)).toRawString();
      // B restarts (an unaccepted proposal is kept in memory only) and reconnects: A resyncs the channel
      await b.stop();
      const withdrawn = waitForEvent(a, 'log', (e) => e.level === 'warn' && /was made with an earlier SynChannel/.test(e.message), 30_000);
      b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: bKey } });
      await b.connect(addr);
      await withdrawn;
      assert.equal(a.channels().find((c) => c.channelId === view.channelId)!.phase, 'rejected');
      assert.equal(b.channels().find((c) => c.channelId === view.channelId), undefined, 'B lists no proposal of it');
    } finally {
      await a.stop();
      await b.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const version of [2, 3] as const) test(`a channel on contract v${version} (records written before v3 name no version) pays, survives a lost record and closes`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-upgrade-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true, challengePeriod: 60, pollMs: 100 };
    const keys = { A: newKeyPair(), B: newKeyPair() };
    const { id, contract } = await oldChannel(chain, dir, keys, version);
    let a = await createNode({ ...common, dataDir: join(dir, 'A'), key: { keyPair: keys.A } });
    const b = await createNode({ ...common, dataDir: join(dir, 'B'), key: { keyPair: keys.B } });
    try {
      const connected = waitForEvent(a, 'partnerConnected');
      await b.connect((await a.serve(0, '127.0.0.1')).lan[0]!);
      await connected;
      const paid = waitForEvent(a, 'stateSigned', (e) => e.state.step === 1n);
      await b.send(parseTon('0.25'), { channel: id });
      await paid;

      // The record is lost: it is rebuilt from the old contract (its terms give the address with the old code).
      await a.stop();
      await rm(join(dir, 'A', 'channels', id, 'record.json'));
      a = await createNode({ ...common, dataDir: join(dir, 'A'), key: { keyPair: keys.A } });
      assert.deepEqual(a.brokenChannels(), []);
      assert.equal(Address.parse(a.channel(id)!.contract).toRawString(), contract);
      assert.equal(recOf(a, id).contractVersion, version);
      const again = waitForEvent(a, 'partnerConnected', undefined, 30_000);
      await b.connect((await a.serve(0, '127.0.0.1')).lan[0]!);
      await again;
      // A rebuilt record waits for the partner's latest state (its journal may be an older backup's).
      await until('the partner answered', () => a.channel(id)?.restorePending === false);

      const r = await a.withdraw({ channel: id, mode: 'cooperative' });
      assert.equal(r.mode, 'cooperative');
      assert.deepEqual([r.payoutA, r.payoutB], [parseTon('1.25'), parseTon('1.75')]);
    } finally {
      await a.stop();
      await b.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a channel written by a newer SynChannel', () => {
  const recordWith = (change: Partial<Record<keyof ChannelRecord | 'v', unknown>>) => (bytes: Buffer, file: string) => encodeRecordFile({ ...(decodeRecordFile(bytes, file) as ChannelRecord), ...change });
  const raisedFormat = (bytes: Buffer) => {
    const out = Buffer.from(bytes);
    out[FILE_MAGIC.length - 1]! += 1; // the journal header's format byte
    return out;
  };
  // what a newer build wrote, how this build read it before, the file changed and the words now (naming this build)
  const V = SYNCHANNEL_VERSION.replaceAll('.', '\\.');
  const cases = [
    ['a later record format', 'read as a 0.1 record', 'record.json', recordWith({ v: RECORD_VERSION + 1 }), new RegExp(String.raw`its record was written by a newer SynChannel \(record format 3; this is SynChannel ${V}, which reads format 2\)`)],
    ['a contract version this code does not run', "run with the current contract's code", 'record.json', recordWith({ contractVersion: 99 }), new RegExp(String.raw`its record was written by a newer SynChannel \(contract v99; this is SynChannel ${V}, which runs v4, v3, v2\)`)],
    ['a later journal format', '"corrupted at byte 0"', 'journal.bin', raisedFormat, new RegExp(String.raw`journal\.bin was written by a newer SynChannel \(journal format 3; this is SynChannel ${V}, which reads formats up to 2\): this node leaves it as it is \(run the newer SynChannel that wrote it, with this data folder\)$`)],
  ] as const;
  for (const [what, before, name, change, words] of cases) {
    test(`(${what}) is listed as broken, NEWER_VERSION, and its ${name} is left as it is (it was ${before})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'synchannel-newer-'));
      const chain = await SandboxChain.create();
      const keys = { A: newKeyPair(), B: newKeyPair() };
      const { id } = await oldChannel(chain, dir, keys, 4);
      const file = join(dir, 'A', 'channels', id, name);
      const bytes = change(await readFile(file), file);
      await writeFile(file, bytes);
      const a = await createNode({ network: 'sandbox', chain, dataDir: join(dir, 'A'), key: { keyPair: keys.A }, challengePeriod: 60, pollMs: 100 });
      try {
        const broken = a.brokenChannels();
        assert.deepEqual(broken.map((b) => [b.id, b.code]), [[id, 'NEWER_VERSION']]);
        assert.match(broken[0]!.message, words);
        assert.match(broken[0]!.message, /[Rr]un (that|the newer) SynChannel/);
        assert.equal(a.channel(id), null);
        assert.deepEqual(await readFile(file), bytes);
      } finally {
        await a.stop();
        await chain.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

function recOf(n: Awaited<ReturnType<typeof createNode>>, id: string): { contractVersion?: number } {
  return (n as unknown as { node: { ctx: { channels: Map<string, { rec: { contractVersion?: number } }> } } }).node.ctx.channels.get(id)!.rec;
}

/**
 * An open channel as an earlier version left it: contract `version` deployed and funded (1 and 2 TON), and in each
 * data folder (dir/A, dir/B) a record (v2: without contractVersion) and a journal holding step 0 signed by both.
 */
async function oldChannel(chain: SandboxChain, dir: string, keys: { A: KeyPair; B: KeyPair }, version: ContractVersion): Promise<{ id: string; contract: string }> {
  const wallets = { A: await chain.openWallet(keys.A), B: await chain.openWallet(keys.B) };
  const terms = {
    channelId: 4242n,
    addressA: wallets.A.address.toRawString(),
    addressB: wallets.B.address.toRawString(),
    publicKeyA: keys.A.publicKey,
    publicKeyB: keys.B.publicKey,
    challengePeriod: 60,
    expectedDepositA: parseTon('1'),
    expectedDepositB: parseTon('2'),
  };
  const { address } = await chain.deployChannel(wallets.A, configOf(terms), terms.expectedDepositA, { version });
  await chain.deposit(wallets.B, address, terms.expectedDepositB);
  assert.equal((await chain.getChannelStatus(address)).status, 'open');
  const account = await chain.blockchain.getContract(address);
  assert.ok(account.accountState?.type === 'active' && account.accountState.state.code?.equals(channelCode(version)), 'the old code is deployed');
  const contract = address.toRawString();
  assert.equal(contractOf(configOf(terms), version), contract);
  const state: ChannelState = { tag: 'state', channel: address, step: 0n, balanceA: terms.expectedDepositA, balanceB: terms.expectedDepositB };
  const h = stateHash(state);
  const journal = Buffer.concat([FILE_MAGIC, encodeEntry({ kind: 'committed', state: { state, sigA: sign(h, keys.A.secretKey), sigB: sign(h, keys.B.secretKey) } })]);
  for (const me of ['A', 'B'] as const) {
    const rec: ChannelRecord = {
      v: RECORD_VERSION, ...terms, me, network: 'sandbox', contract, life: 'open', depositA: terms.expectedDepositA, depositB: terms.expectedDepositB,
      close: null, payout: null, restorePending: false, legacy: false, lockedAt: Date.now(), ...(version === 2 ? {} : { contractVersion: version }),
    };
    const folder = join(dir, me, 'channels', String(terms.channelId));
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFile(join(folder, 'journal.bin'), journal, { mode: 0o600 });
    await writeFile(join(folder, 'record.json'), encodeRecordFile(rec), { mode: 0o600 });
  }
  return { id: String(terms.channelId), contract };
}
