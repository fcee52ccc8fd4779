// Channel.restoreAsync (a node's start-up: the latest state's signatures verified on the thread pool) accepts and
// refuses exactly what Channel.restore does, with the same words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel } from '../../src/core/channel.js';
import { ChannelError } from '../../src/core/errors.js';
import { sign, signAsync, verifyAsync } from '../../src/core/signer.js';
import { stateHash } from '../../src/core/state.js';
import { TON, keysA, keysB, openPair, params } from './helpers.js';

async function refusal(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  assert.ok(e instanceof ChannelError, `expected a ChannelError, got ${String(e)}`);
  return e;
}

test('restoreAsync: the same machine as restore; a bad signature of either party is CORRUPT_SNAPSHOT naming it', async () => {
  const { a, b } = openPair();
  b.proposePayment(TON);
  a.receiveProposal(b.staged!);
  b.acceptCountersignature(a.countersign().sigA!);
  const snap = a.toSnapshot();
  const latest = snap.latest!;
  const back = await Channel.restoreAsync(params, keysA.secretKey, snap);
  assert.deepEqual(back.toSnapshot(), Channel.restore(params, keysA.secretKey, snap).toSnapshot());
  assert.equal(back.phase, 'OPEN');
  for (const who of ['A', 'B'] as const) {
    const bad = Buffer.from(who === 'A' ? latest.sigA! : latest.sigB!);
    bad[7]! ^= 1;
    const e = await refusal(Channel.restoreAsync(params, keysA.secretKey, { ...snap, latest: { ...latest, [who === 'A' ? 'sigA' : 'sigB']: bad } }));
    assert.equal(e.code, 'CORRUPT_SNAPSHOT');
    assert.match(e.message, new RegExp(`${who}'s signature of step 1`));
  }
  const missing = await refusal(Channel.restoreAsync(params, keysA.secretKey, { ...snap, latest: { ...latest, sigB: null } }));
  assert.equal(missing.code, 'CORRUPT_SNAPSHOT');
  assert.equal((await refusal(Channel.restoreAsync(params, keysB.secretKey, snap))).code, 'WRONG_KEY');
});

test('verifyAsync agrees with the signature: true for it, false for another key, a flipped bit or a short signature', async () => {
  const { a } = openPair();
  const s = a.latest!;
  const h = stateHash(s.state);
  assert.equal(await verifyAsync(h, s.sigA!, keysA.publicKey), true);
  assert.equal(await verifyAsync(h, s.sigA!, keysB.publicKey), false);
  const flipped = Buffer.from(s.sigA!);
  flipped[0]! ^= 1;
  assert.equal(await verifyAsync(h, flipped, keysA.publicKey), false);
  assert.equal(await verifyAsync(h, s.sigA!.subarray(0, 63), keysA.publicKey), false);
});

test('signAsync gives the signature sign() gives (ed25519 is deterministic: restore compares our own that way)', async () => {
  const { a } = openPair();
  const h = stateHash(a.latest!.state);
  const again = await signAsync(h, keysA.secretKey);
  assert.deepEqual(again, sign(h, keysA.secretKey));
  assert.deepEqual(again, a.latest!.sigA);
  await assert.rejects(signAsync(h, Buffer.alloc(3)));
});
