// How many journal write handles a process keeps open: a quarter of its open-file limit, from 256 to 4,096.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { keptHandleLimit } from '../../src/node/store/journalfile.js';

const limits = (soft: string, hard = soft): string =>
  `Limit                     Soft Limit           Hard Limit           Units     \n` +
  `Max processes             94603                94603                processes \n` +
  `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     \n`;

test('a quarter of the soft open-file limit, between 256 and 4,096', () => {
  assert.equal(keptHandleLimit(limits('1024', '524288')), 256);
  assert.equal(keptHandleLimit(limits('4096')), 1_024);
  assert.equal(keptHandleLimit(limits('20000')), 4_096);
  assert.equal(keptHandleLimit(limits('8000')), 2_000);
  assert.equal(keptHandleLimit(limits('256')), 256);
  assert.equal(keptHandleLimit(limits('unlimited')), 4_096);
});

test('256 when the limit cannot be read (no /proc, or text without the line)', () => {
  assert.equal(keptHandleLimit(null), 256);
  assert.equal(keptHandleLimit('Max processes 100 100 processes\n'), 256);
});

test("this process's own limits parse (Linux)", { skip: process.platform !== 'linux' }, () => {
  const n = keptHandleLimit(readFileSync('/proc/self/limits', 'utf8'));
  assert.ok(n >= 256 && n <= 4_096, String(n));
});
