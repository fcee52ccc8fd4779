// Data folders written by the first store (src/node/store.ts: params.json + states.jsonl) are migrated once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignedState } from '../../src/core/channel.js';
import { stateToBase64 } from '../../src/core/state.js';
import { ChannelStore } from './fixtures/old-store.js';
import { DataDir, type StoreError } from '../../src/node/store/index.js';
import { show, signedAt, tempDir } from './helpers.js';
import { channelKeys } from '../../src/node/index.js';

/** As the node stored a state: base64 BOC, hex signatures. */
function toStored(s: SignedState) {
  return { state: stateToBase64(s.state), sigA: s.sigA ? s.sigA.toString('hex') : null, sigB: s.sigB ? s.sigB.toString('hex') : null };
}

const record = { channelId: 77n, me: 'A', contract: '0:' + '11'.repeat(32), publicKeyA: Buffer.alloc(32, 1), depositA: 5_000_000_000n, deadline: null, phase: 'open' };

async function oldChannel(root: string, id: string, steps: number, stagedMine: boolean | null): Promise<ChannelStore> {
  const old = await ChannelStore.open(root, id);
  await old.writeParams(record);
  for (let i = 0; i < steps; i++) await old.appendState(toStored(signedAt(BigInt(i))));
  if (stagedMine !== null) await old.writeStaged({ ...toStored(signedAt(BigInt(steps), { only: steps % 2 ? 'B' : 'A' })), mine: stagedMine });
  await old.close();
  return old;
}

test('an old channel folder is migrated once: record, states, staged state; the old files kept in legacy/', async () => {
  await using d = await tempDir();
  await oldChannel(d.path, '77', 5, true);
  for (let round = 0; round < 2; round++) {
    const dd = await DataDir.open(d.path);
    assert.deepEqual((await dd.list()).map((l) => [l.id, l.error]), [['77', null]]);
    const ch = await dd.channel('77');
    assert.deepEqual(await ch.readRecord(), record);
    const head = await ch.loadHead();
    assert.equal(head.count, 5n);
    assert.equal(head.staged?.mine, true);
    assert.equal(show(head.staged?.state), show(signedAt(5n, { only: 'B' })));
    assert.deepEqual((await ch.readStates(0n, 5n)).map(show), [0n, 1n, 2n, 3n, 4n].map((s) => show(signedAt(s))));
    await dd.close();
  }
  const dir = join(d.path, 'channels', '77');
  assert.deepEqual((await readdir(dir)).sort(), ['journal.bin', 'legacy', 'record.json']);
  assert.deepEqual((await readdir(join(dir, 'legacy'))).sort(), ['params.json', 'states.jsonl']);
});

test("a look at a folder (channelKeys) migrates an old channel as a node's open would, and says nothing of a held folder", async () => {
  await using d = await tempDir();
  await oldChannel(d.path, '77', 2, null);
  assert.deepEqual((await channelKeys(d.path))?.map((k) => [k.phase, k.me]), [['open', 'A']]);
  assert.deepEqual((await readdir(join(d.path, 'channels', '77'))).sort(), ['journal.bin', 'legacy', 'record.json']);
  const dd = await DataDir.open(d.path);
  assert.equal(await channelKeys(d.path), null, 'held by a node: null, as when another window holds it');
  await dd.close();
  assert.deepEqual((await channelKeys(d.path))?.map((k) => k.phase), ['open']);
});

test('an old journal with a torn last line migrates without it, and reports the bytes dropped', async () => {
  await using d = await tempDir();
  await oldChannel(d.path, '1', 3, null);
  const file = join(d.path, 'channels', '1', 'states.jsonl');
  await truncate(file, (await readFile(file)).length - 20);
  const dd = await DataDir.open(d.path);
  const head = await (await dd.channel('1')).loadHead();
  assert.equal(head.count, 2n);
  assert.ok(head.repaired && head.repaired.bytesDropped > 0);
  await dd.close();
});

test('an old journal the old store glued (torn line + next append) breaks the old store; migration recovers the channel', async () => {
  await using d = await tempDir();
  const old = await oldChannel(d.path, '1', 3, null);
  const file = join(d.path, 'channels', '1', 'states.jsonl');
  await truncate(file, (await readFile(file)).length - 20); // killed mid-append
  assert.equal((await old.read()).states.length, 2, 'the old store skips the torn line');
  await old.appendState(toStored(signedAt(2n))); // pays again after the restart: glued onto the torn line
  await old.appendState(toStored(signedAt(3n)));
  await old.close();
  await assert.rejects(old.read(), /line 3 is corrupted/, 'the old store loses the channel');
  const dd = await DataDir.open(d.path);
  assert.deepEqual((await dd.list()).map((l) => l.error), [null]);
  const ch = await dd.channel('1');
  assert.deepEqual((await ch.readStates(0n, 10n)).map(show), [0n, 1n, 2n, 3n].map((s) => show(signedAt(s))));
  await dd.close();
});

test('an old journal corrupted in the middle stays in the list with JOURNAL_CORRUPT, its files untouched', async () => {
  await using d = await tempDir();
  await oldChannel(d.path, '1', 3, null);
  await oldChannel(d.path, '2', 2, false);
  const file = join(d.path, 'channels', '1', 'states.jsonl');
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines[1] = 'garbage';
  await writeFile(file, lines.join('\n'));
  const dd = await DataDir.open(d.path);
  const list = await dd.list();
  assert.deepEqual(list.map((l) => [l.id, (l.error as StoreError | null)?.code ?? null]), [['1', 'JOURNAL_CORRUPT'], ['2', null]]);
  assert.match(list[0]!.error!.message, /states\.jsonl is corrupted at byte \d+ \(line 2 is not a journal line\)$/);
  assert.deepEqual((await readdir(join(d.path, 'channels', '1'))).sort(), ['params.json', 'states.jsonl']);
  assert.equal((await (await dd.channel('2')).loadHead()).staged?.mine, false);
  await dd.close();
});

test('a backup restores an old channel whose migration failed; its old files move into legacy/', async () => {
  await using d = await tempDir();
  const data = join(d.path, 'data');
  await oldChannel(data, '1', 3, null);
  await writeFile(join(data, 'channels', '1', 'states.jsonl'), 'garbage\n{}\n');
  const other = await DataDir.open(join(d.path, 'other'));
  const ch = await other.channel('1');
  await ch.writeRecord(record);
  await ch.append([0n, 1n, 2n].map((s) => ({ kind: 'committed' as const, state: signedAt(s) })));
  await other.exportTo(join(d.path, 'b.scb'));
  await other.close();
  const dd = await DataDir.open(data);
  assert.equal((await dd.list())[0]!.error?.code, 'JOURNAL_CORRUPT');
  assert.deepEqual(await dd.importFrom(join(d.path, 'b.scb')), { imported: ['1'], kept: [], left: [], closed: ['1'] });
  assert.deepEqual((await dd.list()).map((l) => l.error), [null]);
  assert.equal((await (await dd.channel('1')).loadHead()).count, 3n);
  assert.deepEqual((await readdir(join(data, 'channels', '1', 'legacy'))).sort(), ['params.json', 'states.jsonl']);
  await dd.close();
});
