// The extension's bundles as `node esbuild.mjs --production` makes them (built into a temp dir, with esbuild's
// metafiles): what loads at activation (dist/extension.js) carries no TON, libp2p or valibot code and stays small;
// the node (dist/node.js) is loaded on first use and holds the process's one @ton/core, which dist/heavy.js borrows.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../vscode/common.js';

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }>; bytes: number }>;
}

/** Modules of src/node that hold no node code (see below). */
const PLAIN = ['src/node/catalogue.ts', 'src/node/uiRules.ts', 'src/node/periods.ts'];
/** Packages and repo paths esbuild put into extension.js: none may be loaded at activation. */
const NOT_AT_ACTIVATION: { what: string; test: (input: string) => boolean }[] = [
  { what: '@ton/*', test: (i) => /node_modules\/@ton\//.test(i) },
  { what: 'libp2p', test: (i) => /node_modules\/libp2p\//.test(i) },
  { what: '@libp2p/*', test: (i) => /node_modules\/@libp2p\//.test(i) },
  { what: '@chainsafe/*', test: (i) => /node_modules\/@chainsafe\//.test(i) },
  { what: '@multiformats/*', test: (i) => /node_modules\/@multiformats\//.test(i) },
  { what: 'valibot', test: (i) => /node_modules\/valibot\//.test(i) },
  // Plain data and functions of views the extension needs before a node runs (no node code in them): the command
  // catalogue it registers its commands from, what a stopped node leaves unwatched, the periods each network takes.
  { what: 'src/node, src/p2p, src/chain, src/contract', test: (i) => /^src\/(node|p2p|chain|contract)\//.test(i) && !PLAIN.includes(i) },
  { what: 'the heavy bundle', test: (i) => i.startsWith('heavy-shim:') },
];

/** What src/extension/nodeFactory.ts calls on the module dist/node.js exports. */
const NODE_EXPORTS = ['channelPhases', 'checkMnemonic', 'createNode', 'createTeachingDemo', 'explorerLink', 'hasLiveChannels', 'lockHeld', 'mnemonicNew', 'multiaddr', 'startDevnet'];

const MAX_EXTENSION_BYTES = 500 * 1024;

describe('bundles (node esbuild.mjs --production)', () => {
  let dir = '';
  const inputs = (bundle: string): string[] => {
    const meta = JSON.parse(readFileSync(join(dir, `${bundle}.meta.json`), 'utf8')) as Metafile;
    const out = Object.values(meta.outputs).find((o) => Object.keys(o.inputs).length > 0);
    assert.ok(out, `${bundle}.meta.json has no output`);
    return Object.entries(out.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path);
  };
  /** The package folders (…/node_modules/<pkg>) a bundle's inputs come from, for one package name. */
  const copiesOf = (bundle: string, pkg: string): Set<string> => {
    const re = new RegExp(`^(.*node_modules/${pkg.replace('/', '\\/')})/`);
    return new Set(inputs(bundle).flatMap((i) => re.exec(i)?.[1] ?? []));
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'synchannel-bundles-'));
    const r = spawnSync(process.execPath, ['esbuild.mjs', '--production', `--outdir=${dir}`, '--metafile'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `node esbuild.mjs failed:\n${r.stdout}\n${r.stderr}`);
    const kb = (f: string) => (existsSync(join(dir, f)) ? `${(statSync(join(dir, f)).size / 1024).toFixed(0)} KB` : 'missing');
    console.log(['extension', 'node', 'heavy', 'webview', 'cli'].map((b) => `dist/${b}.js ${kb(`${b}.js`)}`).join(', '));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('dist/extension.js (loaded at activation) bundles no @ton/*, libp2p, @libp2p/*, @chainsafe/*, @multiformats/*, valibot or node code', () => {
    const found = inputs('extension').flatMap((i) => NOT_AT_ACTIVATION.filter((r) => r.test(i)).map((r) => `${r.what}: ${i}`));
    assert.deepEqual(found.slice(0, 20), [], `extension.js bundles ${found.length} input(s) that belong in dist/node.js`);
  });

  it('dist/extension.js loads the node bundle with require("./node.js") and nothing else of dist/', () => {
    const text = readFileSync(join(dir, 'extension.js'), 'utf8');
    assert.ok(text.includes('require("./node.js")'), 'extension.js does not require("./node.js")');
    assert.ok(!text.includes('require("./heavy.js")'), 'extension.js requires ./heavy.js itself (only node.js may)');
  });

  it(`dist/extension.js is at most ${MAX_EXTENSION_BYTES / 1024} KB minified`, () => {
    const size = statSync(join(dir, 'extension.js')).size;
    assert.ok(size <= MAX_EXTENSION_BYTES, `dist/extension.js is ${(size / 1024).toFixed(0)} KB`);
  });

  it('one @ton/core per process: dist/node.js holds one copy, dist/heavy.js none (it borrows the loader\'s)', () => {
    assert.equal(copiesOf('node', '@ton/core').size, 1, `copies in node.js: ${[...copiesOf('node', '@ton/core')].join(', ')}`);
    assert.equal(copiesOf('heavy', '@ton/core').size, 0, `copies in heavy.js: ${[...copiesOf('heavy', '@ton/core')].join(', ')}`);
    assert.ok(inputs('node').some((i) => i.startsWith('heavy-shim:')), 'node.js does not load heavy.js through the shared-core shim');
    assert.ok(inputs('heavy').some((i) => i.startsWith('shared-ton-core:')), 'heavy.js does not take @ton/core from its loader');
  });

  it('dist/node.js loads in plain Node and exports what nodeFactory calls', () => {
    const script = `
      const m = require(${JSON.stringify(join(dir, 'node.js'))});
      const a = '0:' + '11'.repeat(32);
      console.log(JSON.stringify({
        keys: Object.keys(m).filter((k) => typeof m[k] === 'function').sort(),
        link: m.explorerLink(a, 'testnet'),
        addr: m.multiaddr('/ip4/127.0.0.1/tcp/3000').toString(),
      }));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { keys: string[]; link: string; addr: string };
    assert.deepEqual(NODE_EXPORTS.filter((k) => !out.keys.includes(k)), [], `missing exports; has ${out.keys.join(', ')}`);
    assert.match(out.link, /^https:\/\/testnet\.tonviewer\.com\/[A-Za-z0-9_-]{48}$/);
    assert.equal(out.addr, '/ip4/127.0.0.1/tcp/3000');
  });
});
