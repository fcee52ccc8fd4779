// Builds what the host loads: the extension's bundles (esbuild.mjs) and the in-host mocha suite
// (test/vscode/suite bundled into one CommonJS file, the file VS Code's extensionTestsPath names).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { REPO_ROOT, VsCodeHostError, quiet, runProcess, tail, type Log } from './common.js';

const SUITE_DIR = join(REPO_ROOT, 'test', 'vscode', 'suite');

/** `node esbuild.mjs`: dist/extension.js (and the other bundles) as VS Code will load them. */
export async function buildExtension(log: Log = quiet): Promise<void> {
  const { code, output } = await runProcess(process.execPath, ['esbuild.mjs'], { log, timeoutMs: 180_000 });
  if (code !== 0) throw new VsCodeHostError('BUILD_FAILED', `node esbuild.mjs failed (exit ${code}):\n${tail(output)}`);
}

/** The suite's test files, in name order: test/vscode/suite/*.test.ts. */
export function suiteTestFiles(): string[] {
  return readdirSync(SUITE_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

/**
 * Bundles test/vscode/suite (index.ts's run() plus every *.test.ts, loaded lazily) into one CJS
 * file for the extension host; `vscode` and `mocha` stay external (mocha resolves from the repo's
 * node_modules, so the bundle is written inside the repo, under .vscode-test/).
 */
export async function bundleSuite(outFile = join(REPO_ROOT, '.vscode-test', 'suite', 'index.js')): Promise<string> {
  const files = suiteTestFiles();
  const testFilesModule = join(SUITE_DIR, 'test-files.ts');
  const listFiles: esbuild.Plugin = {
    name: 'suite-test-files',
    setup(build) {
      build.onLoad({ filter: /[\\/]test[\\/]vscode[\\/]suite[\\/]test-files\.ts$/ }, (args) => {
        if (args.path !== testFilesModule) return undefined;
        const entries = files.map((f) => `  { name: ${JSON.stringify(f)}, load: () => require(${JSON.stringify(join(SUITE_DIR, f))}) },`);
        return {
          contents: `export const testFiles = [\n${entries.join('\n')}\n];\n`,
          loader: 'ts',
          resolveDir: SUITE_DIR,
        };
      });
    },
  };
  try {
    await esbuild.build({
      entryPoints: [join(SUITE_DIR, 'index.ts')],
      outfile: outFile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'inline',
      external: ['vscode', 'mocha'],
      plugins: [listFiles],
      logLevel: 'silent',
    });
  } catch (err) {
    throw new VsCodeHostError('BUILD_FAILED', `bundling the in-host suite failed: ${(err as Error).message}`, { cause: err });
  }
  return outFile;
}
