// `node --import tsx bench/vscode-activation.ts [--runs N] [--production]`: the extension's activation time in the
// real VS Code host (code-server, as test/extension runs it), N fresh windows, median and spread. Two views of it:
//   in-host    the in-host suite's `getExtension(id).activate()` (loading dist/extension.js + activate())
//   workbench  VS Code's own numbers from Developer: Show Running Extensions (codeLoadingTime + activateCallTime)
// --production measures the minified bundles (node esbuild.mjs --production) instead of the harness's dev build.
// Shared, noisy machines: compare runs of the same session, not against a fixed number.
import '../src/polyfill.js';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, VsCodeHost } from '../test/vscode/harness.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
const production = args.includes('--production');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}; ${xs.map((x) => x.toFixed(0)).join(', ')})`;

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('node esbuild.mjs failed');
  const size = (f: string) => `${(statSync(join(REPO_ROOT, 'dist', f)).size / 1024).toFixed(0)} KB`;
  console.log(`${production ? 'production' : 'dev'} build: dist/extension.js ${size('extension.js')}`);

  const inHost: number[] = [];
  const workbench: number[] = [];
  for (let i = 0; i < runs; i++) {
    const host = await VsCodeHost.start({ skipBuild: true, env: { SYNCHANNEL_VSCODE_GREP: '^SynChannel extension activates$' } });
    try {
      const run = await host.runSuite({ timeoutMs: 60_000 });
      const ms = run.report.metrics?.activationMs;
      if (ms !== undefined) inHost.push(ms);
      const wb = await host.openWorkbench();
      await wb.openViewContainer('SynChannel');
      workbench.push(await wb.activationTime('synchannel.synchannel'));
      console.log(`run ${i + 1}/${runs}: in-host ${ms?.toFixed(1) ?? '-'} ms, workbench ${workbench.at(-1)} ms`);
    } finally {
      await host.dispose();
    }
  }
  console.log(`in-host activate():             ${fmt(inHost)}`);
  console.log(`Running Extensions (VS Code):   ${fmt(workbench)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
