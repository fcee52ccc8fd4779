// Helpers of the channel machine's tests (channel.test.ts, channel-safety.test.ts).
import assert from 'node:assert/strict';
import type { Channel, SignedState } from '../../src/core/channel.js';
import { ChannelError, type ChannelErrorCode } from '../../src/core/errors.js';
import { signedToJson } from '../../src/core/signed.js';
import { sign } from '../../src/core/signer.js';
import { stateHash, type ChannelState } from '../../src/core/state.js';
import { keysA, keysB } from './helpers.js';

export function expectCode(fn: () => unknown, code: ChannelErrorCode, message?: RegExp): ChannelError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ChannelError, `expected ChannelError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** A state signed by `secret` in the slot of `as` (for forged or hand-made proposals). */
export function signedBy(state: ChannelState, as: 'A' | 'B', secret: Buffer): SignedState {
  const sig = sign(stateHash(state), secret);
  return { state, sigA: as === 'A' ? sig : null, sigB: as === 'B' ? sig : null };
}

export function fingerprint(ch: Channel): string {
  const s = ch.toSnapshot();
  const j = (x: SignedState | null) => (x ? JSON.stringify(signedToJson(x)) : '-');
  return [ch.phase, j(s.latest), j(s.staged), s.closing, s.turnRequested, s.partnerWantsTurn].join('|');
}

/** A state signed by both parties. */
export function signedBoth(state: ChannelState): SignedState {
  const h = stateHash(state);
  return { state, sigA: sign(h, keysA.secretKey), sigB: sign(h, keysB.secretKey) };
}

