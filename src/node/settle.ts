// A waiting send's wait for what stands in its way: our state in flight, the partner's pass, the turn in automatic mode.
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { SendWait } from './payments.js';
import { sendAsksTurn } from './views.js';

/** How long a waiting `send` gives the partner's pass after a state of ours (automatic mode sends it at once). */
const PASS_GRACE_MS = 3_000;
/** How long a waiting send gives a dropped connection to the partner to come back (the nodes redial by themselves). */
const RECONNECT_GRACE_MS = 5_000;

export interface SettleDeps {
  /** whether the partner is connected now */
  online: () => boolean;
  /** the step of the last payment `send` made on the channel */
  lastSent: () => bigint | undefined;
  /** asks the partner for the turn (Payments.requestEmpty) */
  requestEmpty: () => Promise<void>;
}

/**
 * While the partner is connected: waits up to `waitMs` for our state in flight to be signed, then up to
 * PASS_GRACE_MS for the pass a partner in automatic mode sends after a state of ours; in automatic mode, when the
 * turn is still the partner's, asks for it and waits up to `waitMs`. When the connection to the partner drops,
 * gives it RECONNECT_GRACE_MS to come back. Never throws: what still stands in the way is then
 * reported by the action's own check.
 */
export async function settleSend(ctx: NodeContext, ctl: ChannelController, waitMs: number, { onProgress, signal }: SendWait, d: SettleDeps): Promise<void> {
  const ch = ctl.channel;
  const { online } = d;
  const inFlight = () => ch.staged !== null && ch.stagedBy === ch.party;
  // the pass staged awaits our signature: by itself in automatic mode, by hand (`sign`) otherwise
  const notMyTurnYet = () => (ch.staged !== null ? ch.stagedBy === ch.party || ctx.autoMode : !ch.isMyTurn);
  const wait = async (busy: () => boolean, ms: number): Promise<void> => {
    if (!online()) return;
    const end = Date.now() + ms;
    while (busy() && Date.now() < end) {
      const connected = online();
      // connected: until done or the connection drops; dropped: RECONNECT_GRACE_MS for it to come back
      const left = connected ? end - Date.now() : Math.min(RECONNECT_GRACE_MS, end - Date.now());
      const back = await ctl.waitFor(() => !busy() || online() !== connected, left, signal, 'settled').then(() => true, () => false);
      // the node stopping ends every wait at once: looping would spin until `end`, the event loop starved
      if (signal?.aborted || ctl.isStopped) return;
      if (!back && !connected) return;
    }
  };
  await wait(inFlight, waitMs);
  // a pass follows only our payment (our countersignature of it may still be on its way to the disk)
  if (ch.latest !== null && ch.latest.state.step === d.lastSent()) await wait(notMyTurnYet, Math.min(waitMs, PASS_GRACE_MS));
  // Automatic mode takes the turn for a payment: it asks for it (once) and waits for the partner's pass.
  if (signal?.aborted || !sendAsksTurn(ctl.actions().send, ctx.autoMode, online())) return;
  if (!ch.turnRequested) await d.requestEmpty().catch(() => undefined);
  if (!ch.turnRequested) return;
  onProgress?.("it is your partner's turn: asked them for it (requestEmpty), waiting for their empty state…");
  await wait(notMyTurnYet, waitMs);
}
