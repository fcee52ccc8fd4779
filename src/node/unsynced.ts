// Right after a start a channel's data folder may be an older copy put back by hand (not through import): the
// partner may hold states signed by both after it. A state of ours at one of those steps would be a second state
// of that step with our signature, and the partner would close with the one that pays it more. So until the
// partner's resync answer is in (ctl.unsynced, set at load, cleared by Sync.onResponse) no proposal of ours leaves
// the node: a send or empty state waits for the answer and is then made from the latest state; one made while the
// partner is offline is kept on disk unsent (as today), and sent after the answer, or made again at the then-latest
// step when the answer superseded it.
import { formatTon } from '../core/amounts.js';
import { balanceOf, type SignedState } from '../core/signed.js';
import { statesEqual, type ChannelState } from '../core/state.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import type { Payments } from './payments.js';
import { shownContract as shown } from './addresses.js';
import { messageWords } from './views.js';
import { SYNC_OFFLINE_GRACE_MS } from './uiRules.js';

/** How long a proposal of ours waits for the answer of a connected partner before it is refused (nothing signed). */
export const SYNC_WAIT_MS = 20_000;
// How long it waits for an offline partner to connect before it is kept unsent (uiRules.ts: the help says it).
export { SYNC_OFFLINE_GRACE_MS } from './uiRules.js';

/** The answer of a partner connected that does not come: nothing was signed. */
export function noAnswer(): NodeError {
  const s = Math.round(SYNC_WAIT_MS / 1000);
  return new NodeError('RESTORE_PENDING', `your partner is connected but has not sent its latest states within ${s} s (after each start your node asks for them before it signs a new state: this data folder may be older than what they hold): nothing was signed; try again in a moment, or restart your node if it goes on`);
}

/** Payments `send` made while unsynced and the partner offline: kept unsent, made again if the answer supersedes them. */
const held = new WeakMap<ChannelController, { state: SignedState; amount: bigint }>();

/**
 * Our proposal staged when the partner's answer began (made in this run or loaded from disk, where its amount is
 * not kept), with the state it follows, and the state both signed the answer brought at its step.
 */
const noted = new WeakMap<ChannelController, { state: SignedState; prev: ChannelState; theirs?: ChannelState }>();

/** Before the answer's states are taken in: notes our staged proposal (once per start). */
export function noteStaged(ctl: ChannelController): void {
  const ch = ctl.channel;
  const s = ch.staged;
  if (!ctl.unsynced || noted.has(ctl) || !s || ch.stagedBy !== ctl.rec.me || !ch.latest) return;
  noted.set(ctl, { state: s, prev: ch.latest.state });
}

/** After they are taken in: the state both signed at the step of our noted proposal, if they brought it. */
export function seenStates(ctl: ChannelController, fresh: readonly SignedState[]): void {
  const n = noted.get(ctl);
  const at = n && fresh.find((s) => s.state.step === n.state.state.step);
  if (n && at) n.theirs = at.state;
}

/**
 * A payment of ours from before this start (kept on disk unsent) that the answer superseded: it is not made
 * again (the person may have paid otherwise since), so they are told, with the amount it moved.
 */
function toldDropped(ctx: NodeContext, ctl: ChannelController): void {
  const n = noted.get(ctl);
  noted.delete(ctl);
  if (!n?.theirs || statesEqual(n.theirs, n.state.state) || n.state.state.tag !== 'state') return;
  const amount = balanceOf(n.prev, ctl.rec.me) - balanceOf(n.state.state, ctl.rec.me);
  if (amount <= 0n) return;
  const step = n.state.state.step;
  ctx.log(`channel ${shown(ctl)}: your payment of ${formatTon(amount)} TON in state ${step}, made before your node's last start while your partner was offline, was dropped: they already held step ${step} signed by both with other balances (this data folder was older). It was not sent and not made again, nothing was paid: send it again if you still mean to pay`, 'warn');
}

/**
 * A proposal of ours staged while unsynced (inside the queue): kept unsent until the answer, with the `amount` it
 * pays (0: an empty or close state). An offline partner is told, as for any state of ours sent while they are away.
 */
export function keepUnsent(ctx: NodeContext, ctl: ChannelController, state: SignedState, amount: bigint, online: boolean): void {
  held.set(ctl, { state, amount });
  if (online) return;
  const message = `partner offline: ${messageWords(state.state.tag === 'close' ? 'close.propose' : 'state.propose')} reaches them when they reconnect`;
  ctx.emit({ type: 'log', level: 'warn', code: 'PARTNER_OFFLINE', message, channel: ctx.view(ctl) });
}

/**
 * Before we propose a state: waits for the partner's answer. An offline partner is given SYNC_OFFLINE_GRACE_MS to
 * connect (again, after a drop); still offline, the proposal may be made and kept unsent (returns). Connected:
 * SYNC_WAIT_MS in all for the answer, then refused (noAnswer). Called only while `ctl.unsynced`: an await when
 * synced would let a later command take the channel's queue ahead of this one.
 */
export async function awaitAnswer(ctl: ChannelController, online: () => boolean, signal?: AbortSignal): Promise<void> {
  const until = (ms: number, done: () => boolean) =>
    ctl.waitFor(() => !ctl.unsynced || done(), Math.max(1, ms), signal, "your partner's latest states").catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'TIMEOUT') throw e;
    });
  let end = 0;
  while (ctl.unsynced) {
    if (!online()) {
      await until(SYNC_OFFLINE_GRACE_MS, online);
      if (!online()) return;
    }
    end ||= Date.now() + SYNC_WAIT_MS;
    if (Date.now() >= end) throw noAnswer();
    await until(end - Date.now(), () => !online());
  }
}

/** The step of a partner's payment countersigned while unsynced, whose automatic pass is owed once the answer is in. */
const owed = new WeakMap<ChannelController, bigint>();

/** A partner's payment at `step` countersigned while unsynced (inside the queue): its automatic pass waits for the answer. */
export function owePass(ctl: ChannelController, step: bigint): void {
  owed.set(ctl, step);
}

/**
 * After the answer: the automatic pass owed (owePass) goes, as countersignIn makes it, if that payment is still the
 * latest state and the turn is ours with nothing staged, asked for, or waiting to be paid (those pass it in turn).
 */
function passOwed(ctx: NodeContext, payments: Payments, ctl: ChannelController): void {
  const at = owed.get(ctl);
  owed.delete(ctl);
  const ch = ctl.channel;
  if (at === undefined || ch.latest?.state.step !== at || !ctx.autoMode || ctl.rec.restorePending || ctl.rec.restored) return;
  if (!ch.isMyTurn || ch.staged || ch.turnRequested || !ctl.liveOffChain || payments.coalescer.waits(ctl) || !payments.roomForState()) return;
  const pass = ch.proposeEmpty();
  payments.whenDurable(ctl, ctl.append([{ kind: 'staged', state: pass, mine: true }]), () => ctx.changed(ctl));
  payments.sendStaged(ctl, pass); // leaves once durable (ctx.send)
}

/**
 * The partner's answer is complete (inside the queue): our proposals may go. `fresh`: the states both signed it
 * brought. Our proposal kept unsent goes now, or, superseded, is made again from the latest state when it was a
 * payment made in this run and the turn is ours (else the person is told it was not made).
 */
export function answered(ctx: NodeContext, payments: Payments, ctl: ChannelController, fresh: readonly SignedState[]): void {
  ctl.unsynced = false;
  const ch = ctl.channel;
  const mine = held.get(ctl);
  held.delete(ctl);
  if (mine) noted.delete(ctl);
  else toldDropped(ctx, ctl);
  const staged = ch.staged;
  if (staged && ch.stagedBy === ctl.rec.me && ch.phase !== 'CLOSING') payments.sendStaged(ctl, staged);
  const step = mine?.state.state.step;
  const same = fresh.find((s) => s.state.step === step);
  if (mine && mine.amount > 0n && !staged && same && !statesEqual(same.state, mine.state.state)) {
    const can = ctl.actions().send;
    const enough = ch.latest !== null && balanceOf(ch.latest.state, ctl.rec.me) >= mine.amount;
    if (can.ok && enough) {
      const s = payments.stage(ctl, (c) => c.proposePayment(mine.amount)).state;
      ctx.log(`channel ${shown(ctl)}: your payment of ${formatTon(mine.amount)} TON made while your partner was offline was at step ${step}, which they already held signed by both (this data folder was older): it was not sent there, and is made again as state ${s.step}`, 'warn');
    } else {
      ctx.log(`channel ${shown(ctl)}: your payment of ${formatTon(mine.amount)} TON made while your partner was offline was at step ${step}, which they already held signed by both (this data folder was older): it was not sent, nothing was paid; send it again`, 'error');
    }
  }
  ctx.changed(ctl);
  payments.coalescer.pump(ctl);
  passOwed(ctx, payments, ctl);
  payments.turns.passIfAsked(ctl);
}
