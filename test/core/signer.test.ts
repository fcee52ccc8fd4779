import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyPairFromSeed as tonKeyPairFromSeed, sign as tonSign, signVerify as tonVerify } from '@ton/crypto';
import { keyPairFromSeed, sign, verify } from '../../src/core/signer.js';

test('node:crypto signer gives the same keys and byte-identical signatures as @ton/crypto', () => {
  for (let i = 0; i < 20; i++) {
    const seed = Buffer.alloc(32, i * 7 + 1);
    seed[0] = i;
    const ours = keyPairFromSeed(seed);
    const theirs = tonKeyPairFromSeed(seed);
    assert.deepEqual(ours.publicKey, theirs.publicKey);
    assert.deepEqual(ours.secretKey, theirs.secretKey);
    const msg = Buffer.alloc(32, 255 - i);
    const sig = sign(msg, ours.secretKey);
    assert.deepEqual(sig, tonSign(msg, theirs.secretKey));
    assert.ok(verify(msg, sig, ours.publicKey));
    assert.ok(tonVerify(msg, sig, theirs.publicKey));
  }
});

test('verify rejects a flipped bit, a wrong key and malformed input without throwing', () => {
  const kp = keyPairFromSeed(Buffer.alloc(32, 3));
  const other = keyPairFromSeed(Buffer.alloc(32, 4));
  const msg = Buffer.alloc(32, 9);
  const sig = sign(msg, kp.secretKey);
  const flipped = Buffer.from(sig);
  flipped[10]! ^= 1;
  assert.equal(verify(msg, flipped, kp.publicKey), false);
  assert.equal(verify(msg, sig, other.publicKey), false);
  assert.equal(verify(msg, sig.subarray(0, 63), kp.publicKey), false);
  assert.equal(verify(msg, sig, Buffer.alloc(31)), false);
  assert.throws(() => keyPairFromSeed(Buffer.alloc(31)), /seed is 32 bytes/);
});

test('sign accepts a 32-byte seed or the 64-byte secret key alike; bad key sizes are typed errors', async () => {
  const { newKeyPair, SignerError } = await import('../../src/core/signer.js');
  const kp = newKeyPair();
  assert.equal(kp.publicKey.length, 32);
  assert.equal(kp.secretKey.length, 64);
  assert.deepEqual(kp.secretKey.subarray(32), kp.publicKey);
  const msg = Buffer.from('state hash');
  assert.deepEqual(sign(msg, kp.secretKey.subarray(0, 32)), sign(msg, kp.secretKey));
  assert.notDeepEqual(newKeyPair().publicKey, kp.publicKey);
  assert.throws(() => sign(msg, Buffer.alloc(16)), (e: unknown) => e instanceof SignerError && e.code === 'BAD_KEY' && /32 \(seed\) or 64 bytes/.test(e.message));
  assert.equal(verify(msg, sign(msg, kp.secretKey), Buffer.alloc(33)), false);
  assert.equal(verify(Buffer.alloc(0), sign(Buffer.alloc(0), kp.secretKey), kp.publicKey), true);
});
