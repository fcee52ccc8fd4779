// What the node says about a contract that paid out, and which reads of a contract are older than what a channel
// saw (a lagging endpoint: a contract never goes back).
import { formatTon } from '../core/amounts.js';
import { creatorOf } from '../core/channel.js';
import type { Payout, PayoutBuried } from '../chain/types.js';
import type { ChannelData } from '../contract/index.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { PayoutView } from './types.js';
import { shownContract as shown } from './addresses.js';
import { keepTold } from './standin.js';

/** What a payout paid by: the state (or the deposits, step null) and its balances. */
type Paid = Pick<Payout, 'step' | 'stateBalanceA' | 'stateBalanceB'>;

/** Whether the channel's lock was seen: its deposits are the contract's for good (it takes them only while funding). */
export function lockSeen(life: ChannelController['life']): boolean {
  return ['locked', 'open', 'closing', 'closed'].includes(life);
}

/** A live read of a phase the channel has left (after the lock, a contract never funds again; after a close, never opens). */
export function readsBehind(life: ChannelController['life'], phase: string): boolean {
  return (phase === 'funding' && lockSeen(life)) || (phase === 'open' && (life === 'closing' || life === 'closed'));
}

/** The close a live read of a closing contract shows: its step (null: an exit) and what it pays. */
export function closeOf(d: ChannelData): { step: bigint | null; balances: { balanceA: bigint; balanceB: bigint } } {
  const s = d.exit ? null : d.storedState;
  return { step: s ? s.step : null, balances: s ? { balanceA: s.balanceA, balanceB: s.balanceB } : { balanceA: d.depositA, balanceB: d.depositB } };
}

/** A read of a close older than the close a channel saw: an exit after a state, or a lower step (the floor only rises). */
export function closeBehind(seen: { step: bigint | null } | null, step: bigint | null): boolean {
  return !!seen && seen.step !== null && (step === null || step < seen.step);
}

/**
 * The payout as the chain made it, beside the latest state both signed: a stale close that stood is told plainly.
 * Its transaction buried beyond the depth looked through: the contract's closed record (what it paid by, not the
 * shares), said so.
 */
export async function reportPayout(ctx: NodeContext, ctl: ChannelController, found: Payout | PayoutBuried): Promise<void> {
  if (ctl.life === 'closed') return;
  const latest = ctl.channel.latest?.state ?? null;
  const buried = 'buried' in found ? found : null;
  const read = 'buried' in found ? null : found;
  const p: Paid = read ?? { step: buried!.record.step, stateBalanceA: buried!.record.balanceA, stateBalanceB: buried!.record.balanceB };
  // buried: no share, no change, no transaction is known (only what the closed record says)
  const tx = read ? { paidA: read.paidA, paidB: read.paidB, closer: read.closer, changeBack: read.changeBack, txHash: read.txHash, lt: read.lt } : { paidA: null, paidB: null, txHash: null };
  const payout: PayoutView = {
    step: p.step,
    balanceA: p.stateBalanceA,
    balanceB: p.stateBalanceB,
    ...tx,
    latestStep: latest?.step ?? null,
    latestBalanceA: latest?.balanceA ?? null,
    latestBalanceB: latest?.balanceB ?? null,
    matchesLatest: comparedToLatest(ctl, p),
  };
  ctl.rec.payout = payout;
  delete ctl.rec.payoutTold; // the record holds the payout now
  // The payout happened whether or not the record could be saved (a full disk): it is told, then the failure.
  const unsaved = await ctx.transition(ctl, 'paidOut').then(() => null, (e: unknown) => e);
  // Told by the stand-in before this channel loaded (standin.ts; a contract pays out once): told twice, it would
  // read as a second payout.
  if (ctl.payoutTold) {
    if (unsaved) throw unsaved;
    return;
  }
  ctx.emit({ type: 'closed', channel: ctx.view(ctl), payoutA: payout.balanceA, payoutB: payout.balanceB, payout });
  if (ctl.standIn) await keepTold(ctx, ctl, payout); // told, then kept: a crash between tells it twice, never not at all
  if (buried) {
    const by = p.step === null ? 'the deposits (an exit)' : `step ${p.step}`;
    const why = buried.incomplete
      ? `is not in the contract's history at this endpoint: the history it gives ends after ${buried.depth} transactions, before the contract's first (the endpoint keeps no older ones, so the payout will not show there)`
      : `was not found among the contract's latest ${buried.depth} transactions (later messages bury it)`;
    const todo = `look up the contract ${shown(ctl)} in an explorer${buried.incomplete ? ', or use an archival endpoint' : ' for it'}`;
    ctx.log(`the contract ${shown(ctl)} has paid out by ${by} (A ${formatTon(p.stateBalanceA)} TON, B ${formatTon(p.stateBalanceB)} TON, as its closed record says): the channel is closed. Its payout transaction itself ${why}, so what each wallet received (that balance plus half the fee reserve) is not shown: ${todo}`, 'warn');
  }
  if (p.step !== null && latest && p.step > latest.step && ownProposal(ctl, p)) {
    // The contract takes a state signed by the other party from the party that sends it: our proposal, sent by them.
    ctx.log(`the contract paid by step ${p.step}, a state you proposed: your partner sent it to the contract with your signature instead of signing it, so it paid as you proposed (you got ${formatTon(ctl.rec.me === 'A' ? p.stateBalanceA : p.stateBalanceB)} TON of the channel)`);
  } else if (payout.matchesLatest === null) {
    const held = latest ? `newer than the latest state this node holds (step ${latest.step})` : 'and this node holds no state both signed';
    ctx.log(`the contract paid by ${p.step === null ? 'the deposits (an exit)' : `step ${p.step}`}, ${held}: restored from an older copy? Whether a later state both signed exists, this node cannot tell`, 'warn');
  } else if (payout.matchesLatest === false) {
    const mine = (x: { balanceA: bigint; balanceB: bigint }) => formatTon(ctl.rec.me === 'A' ? x.balanceA : x.balanceB);
    ctx.log(
      `the contract paid by ${p.step === null ? 'the deposits (an exit)' : `step ${p.step}`}, not by the latest state both signed (step ${latest!.step}): you got ${mine(payout)} TON of the channel where the latest state gave you ${mine(latest!)} TON`,
      'warn',
    );
  }
  if (unsaved) throw unsaved;
}

/**
 * Whether the payout paid what the latest state both signed that this node holds pays (true), paid an older state or
 * the deposits (false: a stale close stood), or cannot be compared (null): a state newer than any this node holds
 * (restored from an older copy: a later one may exist), or no state held in a restored channel. The node's own
 * proposal, which the partner sent, matches: it signs no later state without keeping it.
 */
function comparedToLatest(ctl: ChannelController, p: Paid): boolean | null {
  const latest = ctl.channel.latest?.state ?? null;
  if (ownProposal(ctl, p)) return true;
  // A newer state than any held paid, whatever it pays: a later one, lost with the restore, may have paid otherwise.
  if (latest && p.step !== null && p.step > latest.step) return null;
  if (latest) return latest.balanceA === p.stateBalanceA && latest.balanceB === p.stateBalanceB;
  return p.step === null && !ctl.rec.restored ? true : null;
}

/** Whether the contract paid by this node's own proposal (signed by us, not yet by the partner). */
function ownProposal(ctl: ChannelController, p: Paid): boolean {
  const staged = ctl.channel.staged?.state;
  return !!staged && creatorOf(staged.step) === ctl.rec.me && staged.step === p.step && staged.balanceA === p.stateBalanceA && staged.balanceB === p.stateBalanceB;
}

/**
 * The contract paid out but its payout transaction is not among the latest ones (later messages to the closed
 * contract bury it): no state is signed in this channel any more, and the user hears what the contract paid by,
 * unless a stand-in told the payout already.
 */
export async function reportPaidOutUnread(ctx: NodeContext, ctl: ChannelController, paid: { step: bigint | null; balanceA: bigint; balanceB: bigint }, noHistory = false): Promise<void> {
  if (ctl.life === 'closed') return;
  // Told by the stand-in before this channel loaded (standin.ts): the payout it read is this one (a contract pays
  // out once), not one to warn of as not found yet.
  if (ctl.payoutTold) {
    ctl.rec.payout = ctl.payoutTold;
    delete ctl.rec.payoutTold;
    return ctx.transition(ctl, 'paidOut');
  }
  // told once; a close state both signed (the machine closing already) is told too: nothing of it is to send
  if (ctl.paidOutUnread) return;
  ctl.paidOutUnread = true;
  await ctl.run(() => {
    if (!ctl.channel.isClosing) ctl.channel.markClosing();
  });
  const by = paid.step === null ? 'the deposits (an exit)' : `step ${paid.step}`;
  // An empty history: a closed contract has transactions, so the endpoint's history is behind its state or absent.
  const unread = noHistory
    ? `the endpoint shows no transaction of the contract at all, so what each wallet received is not known yet: its history is behind the contract's state (an indexer catching up: the payout shows once it has it, and the node keeps looking) or it keeps none (then the payout never shows there: look the contract up in an explorer, or use an endpoint that keeps the history)`
    : 'its payout transaction is not found yet, the node keeps looking';
  ctx.emit({ type: 'error', code: 'PENDING', level: 'warning', message: `the contract ${shown(ctl)} has paid out by ${by} (A ${formatTon(paid.balanceA)} TON, B ${formatTon(paid.balanceB)} TON): nothing more can be paid in this channel; ${unread}` });
  ctx.changed(ctl);
}
