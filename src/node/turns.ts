// Turn requests and the automatic pass: in automatic mode the turn goes back to a partner who asks for it, held
// back (with a growing delay) when the partner cycles the turn for next to nothing.
import { creatorOf } from '../core/channel.js';
import { isChannelError } from '../core/errors.js';
import type { NodeContext } from './context.js';
import { DUST, type ChannelController } from './controller.js';
import { NodeError, quiet, saidHere } from './errors.js';
import type { Payments } from './payments.js';
import { shownContract } from './addresses.js';
import type { ChannelState } from '../core/state.js';

/** A partner's payment or turn request refused in a channel imported from a backup: read at both ends. */
export const RESTORED_FOR_PARTNER = 'this channel was restored from a backup at one end, which signs no payment in it and keeps the turn: the other end may hold states signed after that backup. Close the channel with withdraw and open a new one to pay again';

/**
 * A partner's state or turn request that came while the channel is closing here (made before its node saw the close,
 * or answering a request made before it): no new state counts, nothing is at stake. Refused quietly: told here once
 * as an info line (handlers.ts), and to the partner, whose node says it in its own words (reports.ts).
 */
export function closingRefusal(ctl: ChannelController, what: { here: string; there: string }): NodeError {
  const e = new NodeError('CHANNEL_CLOSING', `channel ${shownContract(ctl)} is closing (a close is under way on chain), so ${what.there} was not taken: nothing to do; your node sees the close on chain`);
  return quiet(saidHere(e, `your partner's node ${what.here} while the channel is closing: it was not taken, as no new state counts once a close is under way (nothing to do; their node is told)`));
}

/**
 * A partner's state or signature that came after the payout (sent before its node saw it): expected then, nothing
 * at stake. Refused quietly (closingRefusal): told here once as an info line, to the partner as it is.
 */
export function afterPayout(ctl: ChannelController, what: string): NodeError {
  const e = new NodeError('ALREADY_CLOSED', `the channel is closed and paid out${paidBy(ctl)}: no state is signed in it any more`);
  return quiet(saidHere(e, `your partner's node ${what} after the channel was paid out${paidBy(ctl)}: it was not taken, as no state counts after the payout (nothing to do; their node is told)`));
}

/** What the contract paid by, in words (empty before the payout is read). */
function paidBy(ctl: ChannelController): string {
  const p = ctl.rec.payout;
  return p ? ` by ${p.step === null ? 'the deposits (an exit)' : `step ${p.step}`}` : '';
}

/** A partner's proposal in words, from each side (closingRefusal). */
export function proposalWords(type: 'state.propose' | 'close.propose', st: ChannelState, latest: Readonly<ChannelState> | null): { here: string; there: string } {
  if (type === 'close.propose') return { here: `proposed a cooperative close (step ${st.step})`, there: `your close proposal (step ${st.step})` };
  const pass = latest !== null && st.balanceA === latest.balanceA && st.balanceB === latest.balanceB;
  return pass ? { here: `passed the turn (an empty state, step ${st.step})`, there: `your empty state passing the turn (step ${st.step})` } : { here: `sent a new state (step ${st.step})`, there: `your new state (step ${st.step})` };
}

/**
 * The idle run (controller.ts idleRun: states not paid for) past which the turn is passed back only on request and
 * with a delay: a partner that cycles the turn (empty, or paying 1 nanoton) makes this node sign and keep two states
 * a round for (next to) nothing. The delay doubles from IDLE_DELAY_MS with each further round, up to
 * MAX_IDLE_DELAY_MS; a real payment (two states taken back per DUST it moves) or a quiet spell ends it.
 */
export const FREE_IDLE_STATES = 32;
const IDLE_DELAY_MS = 500;
// Below the controller's IDLE_RUN_GAP_MS (10 s): a held pass never ends the run it belongs to by itself.
const MAX_IDLE_DELAY_MS = 8_000;

/**
 * Whether a turn request made at `step` was answered since: a state of ours after it is signed by both (our pass,
 * or the partner used the turn and it came back). A late one (resent, replayed after a refusal) is ignored: it would
 * make us pass a turn nobody asks for now. A step we do not hold yet counts (the resync brings those states).
 */
function answered(ctl: ChannelController, step: bigint): boolean {
  const latest = ctl.channel.latest?.state.step;
  if (latest === undefined || latest <= step) return false;
  // latest = step + 1 may be the partner's own proposal, countersigned: then our pass is still owed.
  return latest > step + 1n || creatorOf(latest) === ctl.rec.me;
}

/** What the turn rules use of the payments: sending a staged state, the disk check, and a write's settling. */
type Out = Pick<Payments, 'sendStaged' | 'roomForState' | 'whenDurable'>;

export class Turns {
  constructor(
    private readonly ctx: NodeContext,
    private readonly out: Out,
  ) {}

  /** The partner asks for the turn, holding `step` as its latest state both signed. */
  async onTurnRequest(ctl: ChannelController, step: bigint): Promise<void> {
    const { ctx } = this;
    const ch = ctl.channel;
    // A channel imported from a backup keeps the turn: with it, the partner would propose payments it refuses.
    if (ctl.rec.restored) throw new NodeError('CHANNEL_RESTORED', RESTORED_FOR_PARTNER);
    if (answered(ctl, step)) return;
    const asked = ch.partnerWantsTurn;
    let fresh: boolean;
    try {
      fresh = ch.receiveTurnRequest();
    } catch (e) {
      if (isChannelError(e, 'CHANNEL_CLOSING')) throw closingRefusal(ctl, { here: 'asked for the turn', there: 'your request for the turn' });
      throw e;
    }
    // Shown once per request: repeats (resends, or a flood) change nothing.
    if (fresh && !asked) {
      ctx.emit({ type: 'turnRequested', channel: ctx.view(ctl), byHand: !ctx.autoMode });
      ctx.changed(ctl);
    }
    this.passIfAsked(ctl);
  }

  /**
   * Automatic mode: passes the turn to a partner who asked for it. Never while a restored channel waits for the
   * partner's answer (it signs nothing then: a proposal of ours the partner holds may be taken back for that step),
   * nor while our withdraw is about to propose a close state (the partner's withdraw signs that one).
   */
  passIfAsked(ctl: ChannelController): void {
    const { ctx } = this;
    const ch = ctl.channel;
    if (ctx.autoMode && ch.partnerWantsTurn && ch.isMyTurn && !ch.staged && ctl.liveOffChain && !ctl.rec.restorePending && !ctl.rec.restored && !ctl.unsynced && !ctl.agreeingClose && this.out.roomForState()) {
      if (this.holdPass(ctl)) return;
      const pass = ch.proposeEmpty();
      this.out.whenDurable(ctl, ctl.append([{ kind: 'staged', state: pass, mine: true }]), () => ctx.changed(ctl));
      this.out.sendStaged(ctl, pass); // leaves once durable (ctx.send)
    }
  }

  /** Past FREE_IDLE_STATES of idle run, holds the automatic pass back for a while (and makes it then). */
  private holdPass(ctl: ChannelController): boolean {
    const excess = ctl.idleRun - FREE_IDLE_STATES;
    if (excess < 0) {
      ctl.passNotBefore = null;
      return false;
    }
    const now = Date.now();
    if (ctl.passNotBefore === null) {
      const delay = Math.min(MAX_IDLE_DELAY_MS, IDLE_DELAY_MS * 2 ** Math.floor(excess / 2));
      ctl.passNotBefore = now + delay;
      if (!ctl.idleTold) this.ctx.log(`channel ${shownContract(ctl)}: your partner passes turns back and forth with little or no payment (over ${FREE_IDLE_STATES} states, under ${DUST} nanotons a round): the node now passes the turn only when asked and after a delay (up to ${MAX_IDLE_DELAY_MS / 1000} s), until a real payment is made or the channel rests`, 'warn');
      ctl.idleTold = true;
      const release = () => {
        ctl.passNotBefore = 0; // due: the next passIfAsked passes
        void ctl.run(async () => this.passIfAsked(ctl)).catch((e: unknown) => this.ctx.fail(e, ctl));
      };
      ctl.later(release, delay);
      return true;
    }
    if (now < ctl.passNotBefore) return true;
    ctl.passNotBefore = null;
    return false;
  }
}
