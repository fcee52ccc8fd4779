// A key folder with only one of its two files (wallet.pk without wallet.addr, or the reverse) says which file is
// missing and how to fix it; it was taken for an empty folder, and creating a key there said wallet.pk "already
// exists" (or, with only wallet.addr, would have written a new key next to another wallet's address).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveKey } from '../../src/node/index.js';
import { writeKeyFolder } from '../../src/chain/keys.js';
import { newKeyPair } from '../../src/core/signer.js';

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-keyfolder-'));
  await resolveKey({ keyFolder: dir, create: true });
  return dir;
}

test('wallet.pk without wallet.addr: says wallet.addr is missing and where to get it, writes nothing', async () => {
  const dir = await folder();
  try {
    await unlink(join(dir, 'wallet.addr'));
    const e = (await resolveKey({ keyFolder: dir, create: true }).then(() => null, (x: unknown) => x)) as { code: string; message: string } | null;
    assert.ok(e, 'refused');
    assert.equal(e.code, 'KEY_FILE_BAD', e.message);
    assert.match(e.message, /wallet\.addr is missing next to .*wallet\.pk/);
    assert.match(e.message, /copy .*wallet\.addr.* from where the key came from/);
    assert.doesNotMatch(e.message, /already exists/);
    assert.deepEqual(await readdir(dir), ['wallet.pk']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('wallet.addr without wallet.pk: says wallet.pk is missing, and does not make a new key next to that address', async () => {
  const dir = await folder();
  try {
    await unlink(join(dir, 'wallet.pk'));
    const e = (await resolveKey({ keyFolder: dir, create: true }).then(() => null, (x: unknown) => x)) as { code: string; message: string } | null;
    assert.ok(e, 'refused');
    assert.match(e.message, /wallet\.pk is missing next to .*wallet\.addr/);
    assert.deepEqual(await readdir(dir), ['wallet.addr']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an empty folder still gets a new key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-keyfolder-'));
  try {
    await writeFile(join(dir, 'other'), '');
    assert.equal((await resolveKey({ keyFolder: dir, create: true })).created, true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a key creation cut between its two files never leaves a key without its address (wallet.addr is written first)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-keyfolder-'));
  try {
    await mkdir(join(dir, 'wallet.addr')); // the address cannot be written (as if the process died there)
    await assert.rejects(writeKeyFolder(dir, newKeyPair()));
    assert.deepEqual(await readdir(dir), ['wallet.addr'], 'no wallet.pk without its address');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
