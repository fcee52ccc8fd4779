// The version a build names (CLI --version, the node's ready event, NEWER_VERSION's words) is package.json's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SYNCHANNEL_VERSION } from '../../src/core/version.js';

test("SYNCHANNEL_VERSION is package.json's version (bump both together)", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(SYNCHANNEL_VERSION, pkg.version);
  assert.match(SYNCHANNEL_VERSION, /^\d+\.\d+\.\d+$/);
});
