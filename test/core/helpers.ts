// Shared fixtures of the core tests: two parties' keys, a channel address, an opened channel pair.
import { Address } from '@ton/core';
import { Channel, type ChannelParams, type Party } from '../../src/core/channel.js';
import { keyPairFromSeed, type KeyPair } from '../../src/core/signer.js';

export const TON = 1_000_000_000n;
export const keysA: KeyPair = keyPairFromSeed(Buffer.alloc(32, 0xa1));
export const keysB: KeyPair = keyPairFromSeed(Buffer.alloc(32, 0xb2));
export const keysEve: KeyPair = keyPairFromSeed(Buffer.alloc(32, 0xee));
export const channelAddr = new Address(0, Buffer.alloc(32, 0x11));
export const otherAddr = new Address(0, Buffer.alloc(32, 0x22));
export const params: ChannelParams = { channel: channelAddr, publicKeyA: keysA.publicKey, publicKeyB: keysB.publicKey };

export function secretOf(p: Party): Buffer {
  return p === 'A' ? keysA.secretKey : keysB.secretKey;
}

/** A and B with the initial state (step 0) signed by both. */
export function openPair(depositA = 5n * TON, depositB = 3n * TON): { a: Channel; b: Channel } {
  const a = new Channel(params, 'A', keysA.secretKey);
  const b = new Channel(params, 'B', keysB.secretKey);
  b.receiveInitial(a.proposeInitial(depositA, depositB), { depositA, depositB });
  const full = b.countersign();
  a.acceptCountersignature(full.sigB!);
  return { a, b };
}
