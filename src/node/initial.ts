// B's check of A's initial state against the deposits of the locked contract, with a mismatch told to each side in
// its own words. A locked contract's deposits never change (it takes deposits only while funding), so A's node
// sends no other initial state: the way out is to leave with the deposits. Also the wait for it after the lock.
import { formatTon } from '../core/amounts.js';
import type { Channel } from '../core/channel.js';
import { isChannelError } from '../core/errors.js';
import type { SignedState } from '../core/signed.js';
import { NodeError, saidHere } from './errors.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { INITIAL_TIMEOUT_MS } from './policy.js';

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

/** The arbiter's timer after the lock: no initial state both signed in time is the `initialTimeout` event. */
export function armInitialTimer(ctx: NodeContext, w: { initialTimer: ReturnType<typeof setTimeout> | null } | undefined, ctl: ChannelController): void {
  if (!w || w.initialTimer || ctl.life !== 'locked') return;
  const timeout = ctx.o.initialTimeoutMs ?? INITIAL_TIMEOUT_MS[ctx.o.network];
  const since = ctl.rec.lockedAt ?? Date.now();
  w.initialTimer = setTimeout(() => {
    w.initialTimer = null;
    if (ctl.life !== 'locked') return;
    void ctx.transition(ctl, 'initialTimeout');
  }, Math.max(0, since + timeout - Date.now()));
  w.initialTimer.unref?.();
}
