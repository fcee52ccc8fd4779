// A close state both signed that the chain does not show yet (the views' closeUnsent; uiRules closeToSend words it):
// its creator's node sends it by itself (closing.ts payOutLate), and a withdraw of either party sends it. While it is
// on its way (ours being sent, or sent and may still land; the partner's just signed while they are connected, their
// node sending it) the views do not tell the user to send it.
import type { ChannelController } from './controller.js';
import { leaveAsked } from './leaving.js';
import { coopMayLandFor, viewNow } from './mayland.js';
import { PARTNER_CLOSE_GRACE_MS } from './policy.js';
import type { CloseUnsentView, StateView } from './types.js';

/** When (performance.now()) the channel's close state of `step` was signed by both in this run. */
const signedAt = new WeakMap<ChannelController, { step: bigint; at: number }>();

/** The latest state became `v` here: a close state both signed starts the partner's grace, its view told once it ends. */
export function closeSignedNow(ctl: ChannelController, v: StateView): void {
  if (v.tag !== 'close' || !v.committed) return;
  signedAt.set(ctl, { step: v.step, at: performance.now() });
  ctl.later(() => ctl.inFlightOver(), PARTNER_CLOSE_GRACE_MS + 100);
}

/** The channel's close state both signed and not on chain, with who sends it and whether it is on its way; else null. */
export function closeUnsentOf(ctl: ChannelController, partnerOnline: boolean): CloseUnsentView | null {
  const s = ctl.latestView;
  // (a contract read as paid out, its payout not found yet: nothing is left to send)
  if (ctl.rec.life !== 'open' || s?.tag !== 'close' || !s.committed || ctl.paidOutUnread) return null;
  const ours = s.sender === ctl.rec.me;
  const way = ctl.onWay.close;
  const sending = leaveAsked(ctl) === 'withdraw' || (!!way && !way.ended && way.step === s.step) || coopMayLandFor(ctl.rec, s.step, viewNow(ctl)) > 0;
  const signed = signedAt.get(ctl);
  const partnerSends = !ours && partnerOnline && signed?.step === s.step && performance.now() - signed.at < PARTNER_CLOSE_GRACE_MS;
  return { step: s.step, ours, onWay: sending || partnerSends };
}
