// Compiles contracts/channel.tolk with @ton/tolk-js (offline, wasm) and writes
// contracts/build/channel.compiled.json: the code BOC (base64) and its hash. src/contract/ loads that
// file, so nothing needs the compiler at run time. test/contract/compiled.test.ts proves the checked-in
// file equals a fresh compile.
// Usage: node --import tsx scripts/compile-contract.ts [--check]
//   --check: compile and compare with the checked-in file; exit 1 when they differ (writes nothing).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTolkCompiler } from '@ton/tolk-js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CONTRACT_SOURCE = join(root, 'contracts', 'channel.tolk');
export const COMPILED_PATH = join(root, 'contracts', 'build', 'channel.compiled.json');

export interface CompiledContract {
  name: string;
  tolkVersion: string;
  /** hex of the code cell's representation hash */
  hash: string;
  /** base64 BOC of the code cell */
  code: string;
}

export async function compileChannel(): Promise<CompiledContract> {
  const result = await runTolkCompiler({
    entrypointFileName: CONTRACT_SOURCE,
    fsReadCallback: (path) => readFileSync(path, 'utf8'),
    optimizationLevel: 2,
  });
  if (result.status !== 'ok') throw new Error(`Tolk compile of ${CONTRACT_SOURCE} failed:\n${result.message}`);
  return { name: 'channel', tolkVersion: result.tolkVersion, hash: result.codeHashHex.toLowerCase(), code: result.codeBoc64 };
}

export function compiledToJson(c: CompiledContract): string {
  return JSON.stringify(c, null, 2) + '\n';
}

async function main(): Promise<void> {
  const compiled = await compileChannel();
  const text = compiledToJson(compiled);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(COMPILED_PATH, 'utf8');
    } catch {
      /* missing */
    }
    if (current !== text) {
      console.error(`${COMPILED_PATH} is stale: run npm run compile:contract`);
      process.exit(1);
    }
    console.log(`channel code ${compiled.hash} is up to date`);
    return;
  }
  mkdirSync(dirname(COMPILED_PATH), { recursive: true });
  writeFileSync(COMPILED_PATH, text);
  console.log(`channel.tolk -> ${COMPILED_PATH} (code hash ${compiled.hash}, tolk ${compiled.tolkVersion})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
