// State signatures: node:crypto's ed25519 (ours) against @ton/crypto's JS ed25519, on the same state hash.
import { Address } from '@ton/core';
import { keyPairFromSeed as tonKeyPair, sign as tonSign, signVerify as tonVerify } from '@ton/crypto';
import { keyPairFromSeed, sign, verify } from '../src/core/signer.js';
import { stateHash } from '../src/core/state.js';
import type { Row } from './lib/report.js';
import { over, perCall } from './lib/stats.js';

export async function cryptoSection(o: { runs: number }): Promise<{ rows: Row[]; detail: unknown }> {
  const seed = Buffer.alloc(32, 7);
  const ours = keyPairFromSeed(seed);
  const theirs = tonKeyPair(seed);
  const h = stateHash({ tag: 'state', channel: new Address(0, Buffer.alloc(32, 1)), step: 1n, balanceA: 1n, balanceB: 2n });
  const sig = sign(h, ours.secretKey);
  const runs = [];
  for (let r = 0; r < o.runs; r++) {
    const m = {
      sign: perCall(1000, () => sign(h, ours.secretKey)),
      tonSign: perCall(30, () => tonSign(h, theirs.secretKey)),
      verify: perCall(1000, () => verify(h, sig, ours.publicKey)),
      tonVerify: perCall(20, () => tonVerify(h, sig, theirs.publicKey)),
      stateHash: perCall(1000, () => stateHash({ tag: 'state', channel: new Address(0, Buffer.alloc(32, 1)), step: BigInt(r), balanceA: 1n, balanceB: 2n })),
    };
    runs.push({ ...m, signSpeedup: m.tonSign / m.sign, verifySpeedup: m.tonVerify / m.verify });
  }
  const d = over(runs);
  const m = d.median;
  const rows: Row[] = [
    { section: 'crypto', figure: 'ed25519 sign (node:crypto)', value: m.sign * 1000, unit: 'µs', versus: { what: '@ton/crypto', value: m.tonSign * 1000, unit: 'µs' }, ratio: m.sign / m.tonSign, target: '<= 0.05x (20x faster)', met: m.signSpeedup >= 20 },
    { section: 'crypto', figure: 'ed25519 verify (node:crypto)', value: m.verify * 1000, unit: 'µs', versus: { what: '@ton/crypto', value: m.tonVerify * 1000, unit: 'µs' }, ratio: m.verify / m.tonVerify, target: '<= 0.05x (20x faster)', met: m.verifySpeedup >= 20 },
    { section: 'crypto', figure: 'state cell hash', value: m.stateHash * 1000, unit: 'µs' },
  ];
  return { rows, detail: d };
}
