// B's check of A's initial state against the deposits of the locked contract, with a mismatch told to each side in
// its own words. A locked contract's deposits never change (it takes deposits only while funding), so A's node
// sends no other initial state: the way out is to leave with the deposits.
import { formatTon } from '../core/amounts.js';
import type { Channel } from '../core/channel.js';
import { isChannelError } from '../core/errors.js';
import type { SignedState } from '../core/signed.js';
import { NodeError, saidHere } from './errors.js';

const LEAVE = 'leave with the deposits (leave): the contract pays them back after the challenge window';

/** B: takes A's initial state (Channel.receiveInitial); a mismatch is refused in A's words, told here in B's. */
export function receiveInitial(ch: Channel, signed: SignedState, d: { depositA: bigint; depositB: bigint }): void {
  try {
    ch.receiveInitial(signed, d);
  } catch (e) {
    if (!isChannelError(e, 'INITIAL_MISMATCH')) throw e;
    const st = signed.state;
    const gives = `gives A ${formatTon(st.balanceA)} TON and B ${formatTon(st.balanceB)} TON, but the locked contract holds A ${formatTon(d.depositA)} TON and B ${formatTon(d.depositB)} TON`;
    throw saidHere(
      new NodeError('INITIAL_MISMATCH', `your initial state ${gives} as their node reads it: they did not sign it, and the channel cannot open with it (your node sends no other: a locked contract's deposits never change). Check the deposits on the contract; ${LEAVE}, and your node offers it once the initial state has stayed unsigned for a while after the lock`),
      `the initial state ${gives} as this node reads it: it was not signed, and no other initial state comes (a locked contract's deposits never change). Check the deposits on the contract; ${LEAVE}, and your node offers it once the initial state has stayed unsigned for a while after the lock`,
    );
  }
}
