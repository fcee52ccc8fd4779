// The p2p identity's read errors other than a missing file came out raw ("EISDIR: illegal operation on a directory,
// read", "EACCES: permission denied, open …"). They now say what is wrong and what to do (IDENTITY_UNREADABLE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IDENTITY_FILE, P2PError } from '../../src/p2p/index.js';
import { loadOrCreateIdentity } from '../../src/p2p/identity.js';
import { isRoot, NOBODY, ROOT } from '../store/child.js';
import { tempDir } from '../store/helpers.js';

const unreadable = (words: RegExp) => (e: unknown) => e instanceof P2PError && e.code === 'IDENTITY_UNREADABLE' && words.test(e.message);

test('a folder where the p2p identity file belongs, or a file where its folder belongs, is said so with what to do', async () => {
  await using d = await tempDir();
  await mkdir(join(d.path, IDENTITY_FILE));
  await assert.rejects(loadOrCreateIdentity(d.path), unreadable(/^the p2p identity .*p2p-identity\.key is a folder, not a key file: move it aside/));
  await writeFile(join(d.path, 'file'), 'x');
  await assert.rejects(loadOrCreateIdentity(join(d.path, 'file')), unreadable(/^the p2p identity .*file\/p2p-identity\.key cannot be read: a part of its path is a file, not a folder: point --data at a folder/));
});

test('a p2p identity file the node may not read says whose permission is missing and what to do', { skip: !isRoot && 'needs root (to run a child as nobody)' }, async () => {
  await using d = await tempDir();
  await chmod(d.path, 0o755);
  await writeFile(join(d.path, IDENTITY_FILE), 'x', { mode: 0o600 });
  const script = `const { loadOrCreateIdentity } = await import(${JSON.stringify(join(ROOT, 'src/p2p/identity.ts'))});
    await loadOrCreateIdentity(${JSON.stringify(d.path)}).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
  const probe = join(d.path, 'probe.mjs');
  await writeFile(probe, script, { mode: 0o644 });
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe], { cwd: ROOT, uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 60_000 });
  const out = JSON.parse(r.stdout.trim() || '{}') as { code?: string; message?: string };
  assert.equal(out.code, 'IDENTITY_UNREADABLE', r.stdout + r.stderr);
  assert.match(out.message!, /^no permission to read the p2p identity .*p2p-identity\.key: run the node as the user who owns it, or fix its permissions \(chmod 600, owned by you\)$/);
});
