// Fixtures of the store tests: temp folders, and chains of signed states of one channel.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import type { SignedState } from '../../src/core/channel.js';
import { keyPairFromSeed, sign } from '../../src/core/signer.js';
import { stateHash, type ChannelState } from '../../src/core/state.js';
import type { JournalEntry } from '../../src/node/store/index.js';

export const keysA = keyPairFromSeed(Buffer.alloc(32, 0xa1));
export const keysB = keyPairFromSeed(Buffer.alloc(32, 0xb2));
export const channelAddr = new Address(0, Buffer.alloc(32, 0x11));
const TON = 1_000_000_000n;

export async function tempDir(prefix = 'store-test-'): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

/** The state of `step`: A and B start with 5 and 3 TON; each step moves 1000 nanotons from its creator. */
export function stateAt(step: bigint, channel: Address = channelAddr): ChannelState {
  const moved = step * 1000n;
  return { tag: 'state', channel, step, balanceA: 5n * TON - moved, balanceB: 3n * TON + moved };
}

/** Signed by both (real signatures), or with fixed fake signatures when `fake` (the store does not verify). */
export function signedAt(step: bigint, opts: { fake?: boolean; channel?: Address; only?: 'A' | 'B' } = {}): SignedState {
  const state = stateAt(step, opts.channel);
  const h = opts.fake ? null : stateHash(state);
  const sig = (k: typeof keysA, fill: number) => (h ? sign(h, k.secretKey) : Buffer.alloc(64, fill ^ Number(step & 0xffn)));
  return {
    state,
    sigA: opts.only === 'B' ? null : sig(keysA, 0xaa),
    sigB: opts.only === 'A' ? null : sig(keysB, 0xbb),
  };
}

export function committed(from: number, to: number, fake = false): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let i = from; i < to; i++) out.push({ kind: 'committed', state: signedAt(BigInt(i), { fake }) });
  return out;
}

export function staged(step: number, mine = true): JournalEntry {
  const creator = step % 2 === 0 ? 'A' : 'B';
  return { kind: 'staged', state: signedAt(BigInt(step), { only: creator }), mine };
}

/** Comparable form of a signed state. */
export function show(s: SignedState | null | undefined): string | null {
  if (!s) return null;
  const st = s.state;
  return `${st.tag}:${st.channel.toRawString()}:${st.step}:${st.balanceA}:${st.balanceB}:${s.sigA?.toString('hex') ?? '-'}:${s.sigB?.toString('hex') ?? '-'}`;
}
