// The .vsix as `npm run package` makes it (production bundles, then vsce package), listed with unzip: it carries
// exactly what the extension loads (its bundles, media/, the README and the pictures it shows, the license), an
// icon, and a repository; no CLI, sourcemaps, sources or tests.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../vscode/common.js';

/** Files of a folder, relative to the repo root, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)));
}

/** Every repo path a manifest value names (walkthrough media, view icons, the extension icon, main). */
function pathsInManifest(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && /^(\.\/)?(media|dist)\/[^\s]+\.\w+$/.test(value)) out.push(value.replace(/^\.\//, ''));
  else if (Array.isArray(value)) value.forEach((v) => pathsInManifest(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => pathsInManifest(v, out));
  return out;
}

describe('the .vsix (npm run package)', () => {
  let dir = '';
  let vsix = '';
  let entries: string[] = [];
  let manifest: { icon?: string; repository?: { url?: string } | string; main?: string } = {};

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `node esbuild.mjs --production failed:\n${build.stdout}\n${build.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'synchannel-vsix-'));
    vsix = join(dir, 'synchannel.vsix');
    const vsce = join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
    const pack = spawnSync(vsce, ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, `vsce package failed:\n${pack.stdout}\n${pack.stderr}`);
    const list = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
    assert.equal(list.status, 0, `unzip -Z1 failed (is unzip installed?): ${list.stderr}`);
    entries = list.stdout.split('\n').filter(Boolean).sort();
    manifest = JSON.parse(spawnSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }).stdout) as typeof manifest;
    const files = entries.filter((e) => e.startsWith('extension/')).map((e) => `${e.slice('extension/'.length)}`);
    console.log(`${vsix}: ${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB, ${entries.length} entries:\n  ${files.join('\n  ')}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds exactly the bundles the extension loads, media/, the README, its pictures and the license', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((p) => !/^https?:/.test(p));
    const expected = [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/readme.md',
      'extension/LICENSE.txt',
      ...['extension', 'node', 'heavy', 'webview'].map((b) => `extension/dist/${b}.js`),
      ...filesUnder('media').map((f) => `extension/${f}`),
      ...pictures.map((p) => `extension/${p}`),
    ].sort();
    assert.deepEqual(entries, expected);
  });

  it('carries no CLI, sourcemaps, sources or tests', () => {
    const unwanted = entries.filter((e) => /(^|\/)dist\/cli\.js$|\.map$|\.ts$|^extension\/(src|test|webview|scripts|bench|node_modules)\//.test(e));
    assert.deepEqual(unwanted, []);
  });

  it('carries every file its manifest names for VS Code (main, icons, walkthrough media)', () => {
    // `bin` is npm's (the CLI, dist/cli.js), not VS Code's: the .vsix leaves the CLI out.
    const { bin: _bin, ...forVsCode } = manifest as Record<string, unknown>;
    const named = [...new Set(pathsInManifest(forVsCode))];
    assert.ok(named.includes('dist/extension.js') && named.includes('media/icon.png'), `manifest paths: ${named.join(', ')}`);
    const missing = named.filter((p) => !entries.includes(`extension/${p}`));
    assert.deepEqual(missing, []);
  });

  it('has a 128x128 PNG icon and a repository', () => {
    assert.equal(manifest.icon, 'media/icon.png');
    const png = readFileSync(join(REPO_ROOT, 'media', 'icon.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', 'media/icon.png is not a PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'icon size (IHDR width, height)');
    const repo = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
    assert.match(repo ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  });
});
