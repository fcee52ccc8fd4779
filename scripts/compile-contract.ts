// Compiles contracts/channel.tolk with @ton/tolk-js (offline, wasm) and writes
// contracts/build/channel.compiled.json: the code BOC (base64) and its hash. src/contract/ loads that
// file, so nothing needs the compiler at run time. test/contract/compiled.test.ts proves the checked-in
// file equals a fresh compile.
//
// One step after the compiler (entryRoot): the contract has no get-methods, so the compiler's prologue
// (SETCP0, a method dictionary holding only onInternalMessage, DICTIGETJMPZ, 11 THROWARG) and the
// bounced-message filter it puts first (INMSG_BOUNCED, 0 THROWIF: the contract sends only non-bounceable
// messages, so no bounce can reach it) are replaced by one `11 THROWIF` in front of onInternalMessage's
// code: selector 0 (an internal message) runs it, any other selector (an external message, a get-method)
// ends with exit code 11 as before. This saves 212 gas on every message.
// Usage: node --import tsx scripts/compile-contract.ts [--check]
//   --check: compile and compare with the checked-in file; exit 1 when they differ (writes nothing).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beginCell, Cell, Dictionary, type Slice } from '@ton/core';
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

const SETCP0 = 0xff00;
const DICTPUSHCONST_14 = 0xf4a4 >> 2; // its first 14 bits; then 10 bits of key length and the dict in a ref
const DICTIGETJMPZ = 0xf4bc;
const THROWARG_11 = 0xf2c80b; // 11 THROWARG
const BOUNCED_FILTER = 0xf891f240; // INMSG_BOUNCED, 0 THROWIF
const THROWIF_11 = 0xf24b; // 11 THROWIF

/** The compiled root with its prologue and bounced filter replaced by `11 THROWIF` (see the top of this file). */
export function entryRoot(root: Cell): Cell {
  const s = root.beginParse();
  const expect = (bits: number, value: number, what: string) => {
    if (s.remainingBits < bits || s.loadUint(bits) !== value) throw new Error(`unexpected compiled code: no ${what} in the prologue`);
  };
  expect(16, SETCP0, 'SETCP0');
  expect(14, DICTPUSHCONST_14, 'DICTPUSHCONST');
  const keyLen = s.loadUint(10);
  const dictCell = s.loadRef();
  expect(16, DICTIGETJMPZ, 'DICTIGETJMPZ');
  expect(24, THROWARG_11, '11 THROWARG');
  if (s.remainingBits !== 0 || s.remainingRefs !== 0) throw new Error('unexpected compiled code: the prologue is followed by more code');
  const methods = Dictionary.loadDirect(Dictionary.Keys.Int(keyLen), { serialize: () => undefined, parse: (x: Slice) => x }, dictCell);
  if (methods.size !== 1 || !methods.has(0)) throw new Error(`the contract must have onInternalMessage only (no get-methods), found method ids ${methods.keys().join(', ')}`);
  const body = methods.get(0) as Slice;
  if (body.remainingBits < 32 || body.loadUint(32) !== BOUNCED_FILTER) throw new Error('unexpected compiled code: onInternalMessage does not start with the bounced filter');
  return beginCell().storeUint(THROWIF_11, 16).storeSlice(body).endCell();
}

export async function compileChannel(): Promise<CompiledContract> {
  const result = await runTolkCompiler({
    entrypointFileName: CONTRACT_SOURCE,
    fsReadCallback: (path) => readFileSync(path, 'utf8'),
    optimizationLevel: 2,
  });
  if (result.status !== 'ok') throw new Error(`Tolk compile of ${CONTRACT_SOURCE} failed:\n${result.message}`);
  const root = entryRoot(Cell.fromBoc(Buffer.from(result.codeBoc64, 'base64'))[0] as Cell);
  return { name: 'channel', tolkVersion: result.tolkVersion, hash: root.hash().toString('hex'), code: root.toBoc().toString('base64') };
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
