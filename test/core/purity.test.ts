// docs/architecture.md: src/core is pure. It may import @ton/core and its own files; only signer.ts may import
// node:crypto. This test reads every file under src/core and fails on any other import.
// One exception by issue 2: the wire schemas (src/core/wire.ts) are validated with valibot, a pure,
// dependency-free schema library, so wire.ts alone may import it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { specifiers } from '../helpers/imports.js';

const root = new URL('../..', import.meta.url).pathname;
const coreDir = join(root, 'src/core');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** `file` is relative to the repository root. */
export function violations(file: string, source: string): string[] {
  const isSigner = file === 'src/core/signer.ts';
  const isWire = file === 'src/core/wire.ts';
  return specifiers(source).filter((s) => {
    // A relative import must stay inside src/core.
    if (s.startsWith('.')) return !resolve(root, dirname(file), s).startsWith(coreDir + '/');
    if (s === '@ton/core') return false;
    if (isSigner && s === 'node:crypto') return false;
    if (isWire && s === 'valibot') return false;
    return true;
  });
}

test('the checker itself catches each forbidden kind of import', () => {
  const bad = [
    "import * as vscode from 'vscode';",
    "import { createLibp2p } from 'libp2p';",
    "import { tcp } from '@libp2p/tcp';",
    "import { noise } from '@chainsafe/libp2p-noise';",
    "import { Blockchain } from '@ton/sandbox';",
    "import { TonClient } from '@ton/ton';",
    "import { mnemonicToPrivateKey } from '@ton/crypto';",
    "import { readFileSync } from 'node:fs';",
    "import fs from 'fs';",
    "export { x } from 'valibot';",
    "import 'node:net';",
    "const m = await import('@ton/sandbox');",
    "const m = require('node:fs');",
    'const m = await import(name);',
    "import type { Foo } from '../p2p/wire.js';",
  ];
  for (const src of bad) assert.equal(violations('src/core/x.ts', src).length, 1, src);
  assert.deepEqual(violations('src/core/signer.ts', "import { sign } from 'node:crypto';"), []);
  assert.equal(violations('src/core/state.ts', "import { sign } from 'node:crypto';").length, 1);
  assert.deepEqual(violations('src/core/wire.ts', "import * as v from 'valibot';"), []);
  assert.equal(violations('src/core/channel.ts', "import * as v from 'valibot';").length, 1);
  assert.equal(violations('src/core/wire.ts', "import { x } from 'node:crypto';").length, 1);
  assert.deepEqual(violations('src/core/sub/y.ts', "import { a } from '../state.js';"), []);
  assert.equal(violations('src/core/sub/y.ts', "import { a } from '../../node/store.js';").length, 1);
  assert.deepEqual(violations('src/core/x.ts', "import { Cell } from '@ton/core';\nimport { a } from './state.js';\nimport type { B } from './b.js';"), []);
});

test('src/core imports only @ton/core, its own files, and node:crypto in signer.ts', () => {
  const all = files(coreDir);
  assert.ok(all.some((f) => f.endsWith('channel.ts')) && all.some((f) => f.endsWith('signer.ts')), 'found the core files');
  const problems: string[] = [];
  for (const f of all) {
    const rel = relative(root, f);
    for (const v of violations(rel, readFileSync(f, 'utf8'))) problems.push(`${rel} imports ${v}`);
  }
  assert.deepEqual(problems, [], `src/core must stay pure (docs/architecture.md):\n${problems.join('\n')}`);
});
