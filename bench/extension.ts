// The extension: the production bundles' sizes, the .vsix (its size, and whether it carries anything the extension
// does not load), and, in the real VS Code host (code-server, as test/extension runs it; skipped when the host is
// not set up), the activation time and the time from "Open Teaching Demo" to the first tree rows (Alice, Bob).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from './lib/report.js';
import { median } from './lib/stats.js';
import { ROOT } from './lib/procs.js';

const KB = 1024;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** What the .vsix may carry: the bundles VS Code loads, media/, the README and its pictures, the license. */
function allowed(entry: string): boolean {
  if (['[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md', 'extension/LICENSE.txt'].includes(entry)) return true;
  if (/^extension\/dist\/(extension|node|heavy|webview)\.js$/.test(entry)) return true;
  if (entry.startsWith('extension/media/')) return true;
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].some((m) => entry === `extension/${m[1]}`);
}

function packageFigures(): { sizes: Record<string, number>; vsixBytes: number; entries: number; extra: string[] } {
  sh(process.execPath, ['esbuild.mjs', '--production']);
  const sizes: Record<string, number> = {};
  for (const b of ['extension', 'node', 'heavy', 'webview', 'cli']) sizes[b] = statSync(join(ROOT, 'dist', `${b}.js`)).size;
  const dir = mkdtempSync(join(tmpdir(), 'synchannel-bench-vsix-'));
  try {
    const vsix = join(dir, 'synchannel.vsix');
    sh(join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix]);
    const entries = sh('unzip', ['-Z1', vsix]).split('\n').filter(Boolean);
    return { sizes, vsixBytes: statSync(vsix).size, entries: entries.length, extra: entries.filter((e) => !allowed(e)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const hostInstalled = (): boolean => existsSync(join(ROOT, '.vscode-test', 'host', '.setup-complete')) && existsSync('/usr/bin/chromium');

/** `runs` fresh windows: activation (in-host and as VS Code reports it) and the first tree after the demo opens. */
async function inHost(runs: number): Promise<{ inHost: number[]; workbench: number[]; firstTree: number[] }> {
  const { VsCodeHost } = await import('../test/vscode/harness.js');
  const out = { inHost: [] as number[], workbench: [] as number[], firstTree: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const host = await VsCodeHost.start({ skipBuild: true, install: false, env: { SYNCHANNEL_VSCODE_GREP: '^SynChannel extension activates$' } });
    try {
      const run = await host.runSuite({ timeoutMs: 60_000 });
      const ms = run.report.metrics?.activationMs;
      if (ms !== undefined) out.inHost.push(ms);
      const wb = await host.openWorkbench();
      await wb.openViewContainer('SynChannel');
      out.workbench.push(await wb.activationTime('synchannel.synchannel'));
      await wb.runCommand('SynChannel: Open Teaching Demo', { timeoutMs: 20_000 });
      const t0 = performance.now();
      const tree = wb.page.locator('.part.sidebar');
      await wb.openViewContainer('SynChannel');
      await tree.locator('.monaco-list-row', { hasText: /Alice/ }).first().waitFor({ timeout: 60_000 });
      await tree.locator('.monaco-list-row', { hasText: /Bob/ }).first().waitFor({ timeout: 60_000 });
      out.firstTree.push(performance.now() - t0);
    } finally {
      await host.dispose();
    }
  }
  return out;
}

export async function extensionSection(o: { runs: number; host: boolean }): Promise<{ rows: Row[]; detail: unknown; notes?: string[] }> {
  const p = packageFigures();
  const section = 'extension';
  const rows: Row[] = [
    { section, figure: 'dist/extension.js (production, what activation loads)', value: p.sizes.extension! / KB, unit: 'KB', target: '<= 500 KB', met: p.sizes.extension! <= 500 * KB },
    { section, figure: 'dist/node.js (the node, loaded on first use)', value: p.sizes.node! / KB, unit: 'KB' },
    { section, figure: 'dist/heavy.js (the sandbox emulator, loaded when a sandbox starts)', value: p.sizes.heavy! / KB, unit: 'KB' },
    { section, figure: 'dist/webview.js (the balances webview)', value: p.sizes.webview! / KB, unit: 'KB' },
    { section, figure: 'dist/cli.js (not in the .vsix)', value: p.sizes.cli! / KB, unit: 'KB' },
    { section, figure: `.vsix (${p.entries} entries; files it need not carry: ${p.extra.length ? p.extra.join(', ') : 'none'})`, value: p.vsixBytes / KB, unit: 'KB', target: 'only what it loads', met: p.extra.length === 0 },
  ];
  const notes: string[] = [];
  if (o.host && hostInstalled()) {
    const h = await inHost(o.runs);
    rows.push({ section, figure: `activation in VS Code, as Running Extensions reports it (${h.workbench.length} windows)`, value: median(h.workbench), unit: 'ms', target: '< 100 ms', met: median(h.workbench) < 100 });
    rows.push({ section, figure: 'activation in VS Code, getExtension().activate() in the host', value: median(h.inHost), unit: 'ms', target: '< 100 ms', met: median(h.inHost) < 100 });
    rows.push({ section, figure: '"Open Teaching Demo" to the first tree rows (Alice, Bob)', value: median(h.firstTree), unit: 'ms' });
    return { rows, detail: { package: p, host: h }, notes };
  }
  notes.push('The VS Code host figures were not measured in this run (no host set up, or --quick): scripts/setup-vscode-host.sh sets it up.');
  return { rows, detail: { package: p }, notes };
}
