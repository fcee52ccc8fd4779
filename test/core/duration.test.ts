// Lengths of time in words: the form every UI shows for challenge windows and waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockText, durationText } from '../../src/core/duration.js';

test('short lengths read in seconds, minutes and hours', () => {
  assert.equal(durationText(0), '0 s');
  assert.equal(durationText(-5), '0 s');
  assert.equal(durationText(59.4), '59 s');
  assert.equal(durationText(60), '1 min');
  assert.equal(durationText(3599), '59 min');
  assert.equal(durationText(3600), '1 h');
  assert.equal(durationText(2 * 3600 + 5 * 60), '2 h 5 min');
  assert.equal(durationText(24 * 3600), '24 h');
  assert.equal(durationText(47 * 3600 + 59 * 60), '47 h 59 min');
});

test('two days and more read in days and hours, not thousands of hours', () => {
  assert.equal(durationText(48 * 3600), '2 d');
  assert.equal(durationText(7 * 86400 + 3 * 3600 + 20 * 60), '7 d 3 h');
  assert.equal(durationText(365 * 86400), '365 d');
});

test('a moment reads in the local time zone with its offset, to the second', () => {
  const was = process.env.TZ;
  try {
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(clockText(1_800_000_000), '2027-01-15 13:30:00 UTC+05:30');
    process.env.TZ = 'America/St_Johns';
    assert.equal(clockText(1_800_000_000), '2027-01-15 04:30:00 UTC-03:30');
    process.env.TZ = 'UTC';
    assert.equal(clockText(1_800_000_001), '2027-01-15 08:00:01 UTC');
  } finally {
    if (was === undefined) delete process.env.TZ;
    else process.env.TZ = was;
  }
});
