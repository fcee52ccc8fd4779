// The checked-in code (contracts/build/channel.compiled.json) is a fresh compile of contracts/channel.tolk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Cell } from '@ton/core';
import { COMPILED_PATH, compileChannel, compiledToJson } from '../../scripts/compile-contract.js';
import { CHANNEL_CODE, CHANNEL_CODE_HASH } from '../../src/contract/index.js';

test('contracts/build/channel.compiled.json equals a fresh compile of contracts/channel.tolk', async () => {
  const fresh = await compileChannel();
  assert.equal(readFileSync(COMPILED_PATH, 'utf8'), compiledToJson(fresh), 'stale: run npm run compile:contract and commit the result');
  const cell = Cell.fromBoc(Buffer.from(fresh.code, 'base64'))[0]!;
  assert.equal(cell.hash().toString('hex'), fresh.hash);
  assert.ok(CHANNEL_CODE.equals(cell), 'the wrapper loads the same code');
  assert.equal(CHANNEL_CODE_HASH, fresh.hash);
});
