// A state with its signatures, and its one JSON form (used by the wire's resync, snapshots and backups):
// the state as a base64 BOC (the exact bytes that were signed) and each signature as hex.
import { stateFromBase64, stateToBase64, type ChannelState } from './state.js';

export type Party = 'A' | 'B';

export function otherParty(p: Party): Party {
  return p === 'A' ? 'B' : 'A';
}

export interface SignedState {
  state: ChannelState;
  /** A's ed25519 signature over the state's cell hash, 64 bytes */
  sigA: Buffer | null;
  /** B's ed25519 signature over the state's cell hash, 64 bytes */
  sigB: Buffer | null;
}

export interface SignedStateJson {
  /** base64 BOC of the state cell */
  state: string;
  /** hex, 64 bytes, or null when that party has not signed */
  sigA: string | null;
  sigB: string | null;
}

export function signedToJson(s: SignedState): SignedStateJson {
  return {
    state: stateToBase64(s.state),
    sigA: s.sigA ? s.sigA.toString('hex') : null,
    sigB: s.sigB ? s.sigB.toString('hex') : null,
  };
}

/** Throws StateFormatError for a malformed BOC; signatures are decoded here, not verified. */
export function signedFromJson(j: SignedStateJson): SignedState {
  return {
    state: stateFromBase64(j.state),
    sigA: j.sigA === null ? null : Buffer.from(j.sigA, 'hex'),
    sigB: j.sigB === null ? null : Buffer.from(j.sigB, 'hex'),
  };
}

export function copySigned(s: SignedState): SignedState {
  return {
    state: { ...s.state },
    sigA: s.sigA ? Buffer.from(s.sigA) : null,
    sigB: s.sigB ? Buffer.from(s.sigB) : null,
  };
}

export function sigOf(s: SignedState, p: Party): Buffer | null {
  return p === 'A' ? s.sigA : s.sigB;
}

export function balanceOf(state: Pick<ChannelState, 'balanceA' | 'balanceB'>, p: Party): bigint {
  return p === 'A' ? state.balanceA : state.balanceB;
}
