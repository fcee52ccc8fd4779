import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatNano, formatTon, MAX_COINS, parseNano, parsePositiveTon, parseTon } from '../../src/core/amounts.js';
import { AmountError, errorCode } from '../../src/core/errors.js';

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseTon(text),
    (e: unknown) => {
      assert.ok(e instanceof AmountError, `expected AmountError for ${JSON.stringify(text)}`);
      assert.equal(e.code, 'INVALID_AMOUNT');
      assert.match(e.message, pattern);
      assert.match(e.message, /such as 1, 0\.5/, 'the message shows what a valid amount looks like');
      return true;
    },
  );
}

describe('parseTon', () => {
  test('accepts the documented forms', () => {
    assert.equal(parseTon('1'), 1_000_000_000n);
    assert.equal(parseTon('.1'), 100_000_000n);
    assert.equal(parseTon('0.1'), 100_000_000n);
    assert.equal(parseTon('1.000000001'), 1_000_000_001n);
    assert.equal(parseTon('  2.5 \n'), 2_500_000_000n);
    assert.equal(parseTon('0'), 0n);
    assert.equal(parseTon('0.000000001'), 1n);
    assert.equal(parseTon('1.10'), 1_100_000_000n);
  });

  test('accepts exactly the Coins maximum and rejects one nanoton more', () => {
    const max = formatTon(MAX_COINS);
    assert.equal(parseTon(max), MAX_COINS);
    rejects(formatTon(MAX_COINS + 1n), /larger than any amount TON can carry/);
    rejects('9'.repeat(500), /larger than any amount TON can carry/);
  });

  test('rejects each kind of wrong input with a message that says what is wrong', () => {
    rejects('', /it is empty/);
    rejects('   ', /it is empty/);
    rejects('-1', /negative/);
    rejects('-0.5', /negative/);
    rejects('+1', /plus sign/);
    rejects('NaN', /not a number/);
    rejects('Infinity', /not a number/);
    rejects('1e9', /exponents/);
    rejects('1.5E3', /exponents/);
    rejects('1.', /digits must follow the decimal dot/);
    rejects('1,5', /dot, not a comma/);
    rejects('0x10', /hexadecimal/);
    rejects('1.0000000001', /at most 9 decimals.*this has 10/);
    rejects('1.0000000001000', /at most 9 decimals.*this has 10/);
    rejects('.', /digits must follow/);
    rejects('1.2.3', /only digits and one decimal dot/);
    rejects('1 000', /only digits/);
    rejects('abc', /only digits/);
    rejects('١', /only digits/); // a non-ASCII digit
    rejects('1_000', /only digits/);
  });

  test('a comma that may group thousands says both readings: "1,500" is 1500 or 1.5, never only the smaller', () => {
    rejects('1,500', /the comma could mean 1500 or 1\.5: write the one you mean, without a comma/);
    rejects('1,000', /the comma could mean 1000 or 1: /);
    rejects('12,345,678', /leave out the thousands separators: 12345678/);
    rejects('1,000.5', /leave out the thousands separators: 1000\.5/);
    rejects('1,5', /use a dot, not a comma, as the decimal separator/);
    rejects('0,500', /dot, not a comma/);
  });

  test('a thousands comma before a bare dot ("1,500.") is told as thousands too: "use a dot" would steer 1500 to 1.5', () => {
    rejects('1,500.', /leave out the thousands separators: 1500\./);
    rejects('12,345,678.', /leave out the thousands separators: 12345678\./);
  });

  test('a leading zero before other digits is refused: "open 1 000" was read as a partner deposit of 0', () => {
    rejects('000', /leading zero/);
    rejects('01', /leading zero/);
    rejects('007.5', /leading zero/);
    assert.equal(parseTon('0'), 0n);
    assert.equal(parseTon('0.5'), 500_000_000n);
    assert.equal(parseTon('10'), 10_000_000_000n);
  });

  test('zeros after the ninth decimal change nothing: the amount is exact', () => {
    assert.equal(parseTon('3.8999999990'), 3_899_999_999n);
    assert.equal(parseTon('2.0000000000'), 2_000_000_000n);
    assert.equal(parseTon('0.00000000100'), 1n);
  });

  test('round trips with formatTon for any Coins value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_COINS }), (n) => {
        assert.equal(parseTon(formatTon(n)), n);
        assert.equal(parseTon(formatTon(n, { decimals: 9 })), n);
        assert.equal(parseNano(formatNano(n)), n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parsePositiveTon', () => {
  test('rejects zero with a clear message and accepts the smallest positive amount', () => {
    assert.throws(() => parsePositiveTon('0'), (e: unknown) => e instanceof AmountError && /more than zero/.test(e.message));
    assert.throws(() => parsePositiveTon('0.000000000'), AmountError);
    assert.equal(parsePositiveTon('0.000000001'), 1n);
    assert.throws(() => parsePositiveTon('-1'), /negative/);
  });
});

describe('parseNano / formatNano', () => {
  test('whole nanotons only, bounded by the Coins maximum', () => {
    assert.equal(parseNano('1500000000'), 1_500_000_000n);
    assert.equal(parseNano(' 0 '), 0n);
    assert.equal(parseNano(MAX_COINS.toString()), MAX_COINS);
    for (const bad of ['', '1.5', '-1', '1e3', 'abc', (MAX_COINS + 1n).toString(), '9'.repeat(200)]) {
      assert.throws(() => parseNano(bad), (e: unknown) => e instanceof AmountError && errorCode(e) === 'INVALID_AMOUNT', bad);
    }
    assert.equal(formatNano(123n), '123');
  });
});

describe('formatTon', () => {
  test('is exact and drops trailing zeros', () => {
    assert.equal(formatTon(3_000_000_000n), '3');
    assert.equal(formatTon(3_200_000_000n), '3.2');
    assert.equal(formatTon(1n), '0.000000001');
    assert.equal(formatTon(0n), '0');
    assert.equal(formatTon(123_456_789_012n), '123.456789012');
    assert.equal(formatTon(-1_500_000_000n), '-1.5');
    assert.equal(formatTon(MAX_COINS), '1329227995784915872903807060.280344575');
  });

  test('decimals pads to a minimum but never rounds', () => {
    assert.equal(formatTon(3_000_000_000n, { decimals: 6 }), '3.000000');
    assert.equal(formatTon(3_200_000_000n, { decimals: 6 }), '3.200000');
    assert.equal(formatTon(1n, { decimals: 6 }), '0.000000001');
    assert.equal(formatTon(1_234_567n, { decimals: 2 }), '0.001234567');
    assert.equal(formatTon(5n * 1_000_000_000n, { decimals: 9 }), '5.000000000');
    assert.equal(formatTon(5n * 1_000_000_000n, { decimals: 0 }), '5');
    assert.throws(() => formatTon(1n, { decimals: 10 }), RangeError);
    assert.throws(() => formatTon(1n, { decimals: 1.5 }), RangeError);
  });
});
