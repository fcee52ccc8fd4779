// Text the CLI prints: the original tool's layout and messages, with exact amounts.
import { formatTon } from '../core/amounts.js';
import { balancesLine } from '../core/format.js';
import { nextStep } from '../core/errors.js';
import { clockText, durationText } from '../core/duration.js';
import type { Action, ChannelView, NodeEvent, PayoutView, StateView } from '../node/types.js';
import { SHARES_UNREAD, exitGoesOn, payoutBeyond, signedDuringExit, unwatched, heldNote } from '../node/uiRules.js';

/** The original `showAll` block: Sender, `A [x y] B`, Step, Signs. */
export function formatState(s: StateView): string {
  const sig = (x: string | null) => (x ? x.slice(0, 8) : '-');
  return [
    `Sender ${s.sender}${s.tag === 'close' ? ' (close)' : ''}${s.committed ? '' : ' (awaiting signature)'}`,
    balancesLine(s),
    `Step ${s.step}${heldNote(s)}`,
    `Signs A [${sig(s.sigA)} ${sig(s.sigB)}] B`,
  ].join('\n');
}

/** The original withdrawal summary (before "Are you sure"). */
export function formatWithdrawal(s: StateView, extra: { accountSignature: string; partnerSignature: string | null; contractSeqno: bigint | null }): string[] {
  return [
    `Signature A: ${s.sigA}`,
    `Signature B: ${s.sigB}`,
    `Balance A: ${formatTon(s.balanceA)}`,
    `Balance B: ${formatTon(s.balanceB)}`,
    `Account signature: ${extra.accountSignature}`,
    `Partner signature: ${extra.partnerSignature ?? '(partner not connected)'}`,
    `Step: ${s.step}`,
    `Contract seqno: ${extra.contractSeqno ?? 'none (no close on chain yet)'}`,
  ];
}

/**
 * A challenge window's end in the operator's local time, to the second with its UTC offset (exact: --json keeps
 * the unix time), and the time left in words: by the chain's clock when the view's close has that deadline, not
 * known yet while the node reads the chain's time (never a figure of the local clock then).
 */
export function windowEnd(deadline: number, close?: { deadline: number; secondsLeft?: number | null } | null): string {
  const left = windowLeft(deadline, close);
  if (left === null) return `${clockText(deadline)}, the time left is being read (the node reads the chain's time first)`;
  return `${clockText(deadline)}, ${left > 0 ? `${durationText(left)} from now` : 'already past'}`;
}

/** A challenge a restart tells again (told in the run that made it): said as done before, with the window's end. */
function challengedBefore(e: Extract<NodeEvent, { type: 'challenged' }>): string {
  const c = e.channel.close;
  const what = e.byMe
    ? c?.byMe
      ? `your node challenged your own close (an older state than the latest both signed) with step ${e.step}, which pays you more`
      : `your node challenged your partner's old state with step ${e.step}`
    : c?.byMe
      ? `your partner challenged your close with step ${e.step}`
      : `the close was challenged with step ${e.step}`;
  return `Before the restart, ${what}${c ? `; the challenge window ends at ${windowEnd(c.deadline, c)}` : ''}`;
}

/**
 * Seconds left in a challenge window (0 or less: over), by the chain's clock when the view's close has that deadline;
 * null: not known yet (the node has not read the chain's time).
 */
function windowLeft(deadline: number, close?: { deadline: number; secondsLeft?: number | null } | null): number | null {
  if (close?.deadline !== deadline || close.secondsLeft === undefined) return Math.round(deadline - Date.now() / 1000);
  return close.secondsLeft === null ? null : Math.round(close.secondsLeft);
}

/**
 * A state signed while the channel is closing: the initial state during an exit (signedDuringExit, its window's end in
 * the operator's time), or a state above the step of the close on chain. null for anything else.
 */
export function signedWhileClosing(c: ChannelView, signed: Pick<StateView, 'step' | 'tag'>): string | null {
  if (c.phase !== 'closing' || !c.close) return null;
  if (c.close.step !== null) return signed.step > c.close.step ? signedAboveClose(c.close, signed) : null;
  return signedDuringExit(c, signed.step, (close) => `until ${windowEnd(close.deadline, close)}`);
}

/**
 * A state signed while a close with an older step is on chain. A close state both signed pays out at once, the
 * window not waited (the node sends it by itself, README); any other pays out only if a challenge puts it there in
 * the window: the node challenges a close that pays this side less than its latest state, the partner may too.
 */
function signedAboveClose(close: NonNullable<ChannelView['close']>, s: Pick<StateView, 'step' | 'tag'>): string {
  const whose = close.byMe ? 'your' : "your partner's";
  const head = `The channel is closing: ${whose} close on chain holds step ${close.step} (challenge window until ${windowEnd(close.deadline, close)}).`;
  if (s.tag === 'close') return `${head} Step ${s.step} is a close state signed by both: your node sends it to the contract, which pays out by it at once, without waiting for the window.`;
  return `${head} Step ${s.step} pays out only if a challenge puts it on chain before then: your node challenges with it if it pays you more than step ${close.step}, and your partner may.`;
}

/** A note on a line of its own, or nothing. */
function lineOf(note: string | null): string {
  return note ? `\n${note}` : '';
}

/** What a state from the partner does, against the state both signed it follows (`before`, step - 1). */
function received(s: StateView, before: StateView | null, me: 'A' | 'B'): string {
  const mine = (x: { balanceA: bigint; balanceB: bigint }) => (me === 'A' ? x.balanceA : x.balanceB);
  const paid = before && before.step === s.step - 1n ? mine(s) - mine(before) : 0n;
  const what = s.tag === 'close' ? 'a close at the latest balances' : paid > 0n ? `your partner pays you ${formatTon(paid)} TON` : paid === 0n ? 'your partner passes the turn' : `it takes ${formatTon(-paid)} TON from you`;
  return `Step ${s.step}: ${what}, ${balancesLine(s)}`;
}

/** Manual mode: a received state waits for the user's `sign` (the node says so), as the original's README told it. */
function bySign(e: Extract<NodeEvent, { type: 'stateReceived' }>): string {
  return e.bySign ? `\n${byHand(e.channel.actions.sign, 'sign signs it (showLast shows it; in manual mode your node does not countersign by itself)')}` : '';
}

/** What the user types in manual mode, or why it cannot be done now (the node's action). */
function byHand(can: ChannelView['actions'][Action], text: string): string {
  return can.ok ? text : `${text.split(' ')[0]}: ${can.why}`;
}

/** Why the shares differ from the balances (the even split of what the contract held beyond them, or storage fees). */
function sharesWhy(p: PayoutView, contractVersion = Infinity): string {
  const { beyond, even } = payoutBeyond(p);
  if (!even) return `storage fees took more than the contract held beyond the balances (${formatTon(-beyond)} TON less in all): the balances paid the rest`;
  return `each its balance and half of the ${formatTon(beyond)} TON the contract held beyond them: its fee reserve and any top-up${contractVersion < 3 ? ' or plain transfer' : ''} sent to it`;
}

/** The most wallets remembered as introduced (or offline): a long run meets many (the oldest is forgotten). */
const REMEMBERED = 1024;

function remember(set: Set<string>, address: string): void {
  set.add(address);
  if (set.size > REMEMBERED) set.delete(set.values().next().value!);
}

/** The payout, told as it lands: "Success" only when the contract paid by the latest state both signed. */
function closedText(e: Extract<NodeEvent, { type: 'closed' }>): string {
  const p = e.payout;
  const by = p.step === null ? 'the deposits (an exit)' : `step ${p.step}`;
  const stale = p.matchesLatest === false && p.latestStep !== null;
  const head = stale ? '❗ Withdrawal paid out, but not by the latest state❗' : p.matchesLatest === null ? 'Withdrawal paid out.' : 'Success withdrawal!';
  const shares =
    p.paidA === null || p.paidB === null
      ? SHARES_UNREAD
      : `A's share was ${formatTon(p.paidA)} TON and B's ${formatTon(p.paidB)} TON (${sharesWhy(p, e.channel.contractVersion)}; a wallet keeps that less the small fee of receiving it)${p.closer && p.changeBack ? `, and ${p.closer} got back ${formatTon(p.changeBack)} TON of its own message` : ''}`;
  const lines = [head, `The contract ${e.channel.contract} paid by ${by}: ${balancesLine(p)}; ${shares}.`];
  if (p.matchesLatest === null) lines.push(`❗ This node does not hold the latest state both signed (restored from an older copy?): whether a later one exists, it cannot tell.❗`);
  if (stale) {
    lines.push(`❗ That is not the latest state both signed: step ${p.latestStep} gave ${balancesLine({ balanceA: p.latestBalanceA ?? 0n, balanceB: p.latestBalanceB ?? 0n })}.❗`);
  }
  return lines.join('\n');
}

/** Formats node events for people; remembers which partners were already introduced (printed once). */
export class EventFormatter {
  private readonly introduced = new Set<string>();
  private readonly offline = new Set<string>();
  /** per channel, the step of the close last told (null: an exit), and the step our node challenged with */
  private readonly closeTold = new Map<string, bigint | null>();
  private readonly ownChallenge = new Map<string, bigint>();
  /** the channels whose deployment by our node (A) was told, until they leave that phase */
  private readonly deployTold = new Set<string>();

  /**
   * A: the node deploys the contract with the deposit by itself once the partner accepts: said once as it starts
   * (a deposit command that deploys says it itself).
   */
  private deploying(c: ChannelView): string | null {
    if (c.phase !== 'deploying') {
      this.deployTold.delete(c.contract);
      return null;
    }
    if (c.me !== 'A' || c.depositing || this.deployTold.has(c.contract)) return null;
    this.deployTold.add(c.contract);
    return `Your partner accepted channel ${c.contract}: your node deploys its contract with your deposit of ${formatTon(c.expectedDepositA)} TON…`;
  }

  format(e: NodeEvent): string | null {
    switch (e.type) {
      case 'log':
        return e.level === 'info' ? null : `${e.level}: ${e.message}`;
      case 'served':
      case 'proposalDeclined': // its log line says it
      case 'partnerDeclined': // as does this one's
        return null;
      case 'partnerConnected':
        // Printed once per partner (the session reports each reconnection too).
        if (this.introduced.has(e.partner.address)) return this.offline.delete(e.partner.address) ? `Partner ${e.partner.address} is back online` : null;
        remember(this.introduced, e.partner.address);
        return `Partner signature: ${e.partner.signature}\nPartner address: ${e.partner.address}`;
      case 'partnerDisconnected':
        if (this.offline.has(e.partner.address)) return null;
        remember(this.offline, e.partner.address);
        return `Partner ${e.partner.address} disconnected (their node will resend what is missing when it reconnects)`;
      case 'channelProposed':
        return (
          `❗ Your partner proposes a channel❗\n` +
          `They deposit ${formatTon(e.channel.me === 'A' ? e.channel.expectedDepositB : e.channel.expectedDepositA)} TON, ` +
          `you deposit ${formatTon(e.channel.me === 'A' ? e.channel.expectedDepositA : e.channel.expectedDepositB)} TON, ` +
          `challenge period ${e.channel.challengePeriod} s.\nRun \`deposit\` to accept it (or \`decline\`); its contract, for --channel when you have several channels: ${e.channel.contract}.`
        );
      case 'channelUpdated':
        return this.deploying(e.channel);
      case 'depositSeen':
        return `${e.party === e.channel.me ? 'Your' : "Your partner's"} deposit of ${formatTon(e.amount)} TON (${e.party}) reached the contract`;
      case 'channelDeployed': {
        const c = e.channel;
        const missing = c.expectedDepositB - c.depositB;
        // while your deposit runs, the event does not tell you to run it
        const next = c.depositing ? `: your deposit goes on, paying your ${formatTon(missing)} TON` : `: your ${formatTon(missing)} TON can go in now (deposit pays it)`;
        return `Your partner deployed the channel contract ${c.contract}${missing > 0n ? next : ''}`;
      }
      case 'refundSeen': {
        const c = e.channel;
        const who = e.party === c.me ? 'You took back' : '❗ Your partner took back';
        return `${who} ${formatTon(e.amount)} TON of ${e.party}'s deposit (now A ${formatTon(c.depositA)} / ${formatTon(c.expectedDepositA)} TON, B ${formatTon(c.depositB)} / ${formatTon(c.expectedDepositB)} TON)${e.party === c.me ? '' : '❗'}`;
      }
      case 'channelLocked':
        return `Both deposits are in: the channel ${e.channel.contract} is locked`;
      case 'stateReceived':
        return `${e.state.step === 0n ? '❗ Received initial state❗' : `❗ Received new state❗\n${received(e.state, e.previous, e.channel.me)}`}${bySign(e)}`;
      case 'stateSigned':
        return `❗ Last state signed successful❗\nStep ${e.state.step}${e.state.tag === 'close' ? ' (close)' : e.state.empty ? ' (empty: the turn passes)' : ''}: ${balancesLine(e.state)}${lineOf(exitGoesOn(e.channel, e.state.step))}`;
      case 'turnRequested':
        return `❗ Your partner request empty state❗${e.byHand ? `\n${byHand(e.channel.actions.createEmpty, 'createEmpty passes the turn (an empty state)')}` : ''}`;
      case 'closeRequested':
        return `❗ Your partner proposes to close the channel cooperatively at ${balancesLine(e.state)}❗`;
      case 'closeStarted':
        return this.closeStarted(e);
      case 'challenged':
        this.closeTold.set(e.channel.id, e.step);
        if (e.byMe) this.ownChallenge.set(e.channel.id, e.step);
        if (e.earlier) return challengedBefore(e);
        if (!e.byMe) return e.channel.close?.byMe ? `❗ Your partner challenged your close with step ${e.step}❗` : `The close was challenged with step ${e.step}`;
        // Our node also corrects our own close with an older state when the latest pays us more.
        return e.channel.close?.byMe
          ? `Your close used an older state than the latest both signed: your node challenged it with step ${e.step}, which pays you more`
          : `❗ Your partner submitted an old state: challenged it with step ${e.step}❗`;
      case 'challengeFailed':
        return `❗ The challenge failed: ${e.message}❗ ${e.secondsLeft === null ? "The time left before the deadline is being read (the node reads the chain's time first)" : `${e.secondsLeft} s left before the deadline`}; ${retryText(e)}. ${nextStep(e.code) ?? ''}`.trim();
      case 'walletReserve':
        // the node tells each crossing once: falling under what leaving costs, and back above it
        return e.low ? `warn: ${e.message}` : e.message;
      case 'exitOffered': {
        const head = `❗ The initial state is still not signed by both after ${e.waitedSeconds} s.❗`;
        const leave = 'run `leave` to get the deposits back (after the challenge window)';
        // the partner's initial state waits for this side's signature (manual mode): it is not the partner who is gone
        const mine = e.channel.pending?.awaiting === 'me' && e.channel.pending.step === 0n;
        return mine ? `${head} Your partner's initial state awaits your signature: sign signs it and the channel opens; or ${leave}.` : `${head} Your partner may be gone: ${leave}.`;
      }
      case 'equivocation':
        return `❗ Your partner signed two different states for step ${e.step}❗ The evidence is kept; the state both of you signed stands.`;
      case 'closed':
        return closedText(e);
      case 'error':
        return `error [${e.code}]: ${e.message}`;
    }
  }

  /**
   * A close on chain, told once (the command that started it says nothing more). Your own close whose step changed
   * was challenged: by your partner, or by your node (already told by its challenged event).
   */
  private closeStarted(e: Extract<NodeEvent, { type: 'closeStarted' }>): string | null {
    const id = e.channel.id;
    const told = this.closeTold.has(id);
    const before = this.closeTold.get(id);
    this.closeTold.set(id, e.step);
    const until = windowEnd(e.deadline, e.channel.close);
    // told after its window (a restart): it ended, and the finish is now
    const left = windowLeft(e.deadline, e.channel.close);
    const over = left !== null && left <= 0;
    const window = over ? `The challenge window ended at ${clockText(e.deadline)}` : `The challenge window ends at ${until}`;
    const when = over ? 'now' : 'then';
    // a close a restart tells again: said as before the restart, without the ❗ of a new one
    const was = e.earlier ? 'Before the restart, ' : '';
    if (e.earlier && e.byPartner) return `${was}your partner ${e.step === null ? 'started an exit with the deposits' : `sent the state to the smart contract (step ${e.step})`}; the challenge window ${over ? 'ended' : 'ends'} at ${over ? clockText(e.deadline) : until}`;
    if (e.step === null) {
      return e.byPartner
        ? `❗ Your partner started an exit with the deposits❗ (challenge window until ${until}; the node challenges with any newer state both signed)`
        : `${was ? `${was}you started an exit` : 'Exit started'}. ${window}; the node finishes it ${when}.`;
    }
    if (e.byPartner) return `❗ Your partner sent the state to the smart contract❗ (step ${e.step}; challenge window until ${until})`;
    if (told) {
      if (before === e.step || this.ownChallenge.get(id) === e.step) return null; // told already
      return `❗ Your partner challenged your close with step ${e.step}❗ (the contract holds it now; challenge window until ${until})`;
    }
    return `${was ? `${was}you started a close` : 'Close started'} with step ${e.step}. ${window}; the node finishes the close ${when}.`;
  }
}

/** What the node does after a failed challenge. */
function retryText(e: Extract<NodeEvent, { type: 'challengeFailed' }>): string {
  if (e.nextRetryMs !== null) return `retrying in ${Math.round(e.nextRetryMs / 1000)} s`;
  if (e.stopped === 'refused') return 'the contract refused it several times in a row: your node stops sending it by itself (each try costs a wallet fee); run `challenge` to try again';
  return 'no time left to retry';
}

/**
 * A node event as a --json line's object: `event` is its type; an error carries the next step as `hint`, except
 * a partner's report and a refusal of a partner's message (the hint of their code is for the partner's node).
 */
export function jsonEvent(e: NodeEvent): Record<string, unknown> {
  const hint = e.type === 'error' && !e.partner && !e.refused ? nextStep(e.code) : undefined;
  return { event: e.type, ...e, type: undefined, ...(hint ? { hint } : {}) };
}

/** JSON for --json: bigints as decimal strings, Buffers as hex. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString('hex');
    }
    return v;
  });
}

/**
 * What stopping the node leaves unwatched, said as it stops: a close in progress, channels with money in them
 * (a stale close by the partner is challenged only while a node runs), states that wait for the partner.
 */
export function stoppingNotes(channels: readonly ChannelView[]): string[] {
  const notes: string[] = channels.flatMap(closeNotOnChain);
  const u = unwatched(channels);
  notes.push(...u.closing.map(closingNote));
  if (u.shortestPeriod !== null) {
    const one = u.guarded.length === 1;
    notes.push(
      `Stopping with money in ${one ? 'channel' : 'channels'} ${u.guarded.map((c) => c.contract).join(', ')}: nothing watches the chain for a close by your partner until you start the node again. ` +
        `Start it at least once every ${durationText(u.shortestPeriod)} (the challenge window) to challenge a stale close in time.`,
    );
  }
  for (const c of u.waiting) notes.push(`Step ${c.pending!.step} of ${c.contract} still waits for your partner's signature: they can sign it while both nodes are online.`);
  for (const c of u.guarded) if (c.pending?.awaiting === 'me') notes.push(`Step ${c.pending.step} from your partner on ${c.contract} awaits your signature: start the node again and sign it.`);
  return notes;
}

/**
 * A closing channel the stop leaves unwatched: while its window is open a stale state may need a challenge; after it,
 * either node finishes the close (the payout goes to both wallets), so nothing needs this node but the finish.
 */
function closingNote(c: ChannelView): string {
  const close = c.close;
  const finish = 'either node finishes the close, which pays both wallets';
  if (close && close.secondsLeft !== null && close.secondsLeft <= 0) {
    return `Stopping while ${c.contract} is closing, its challenge window over: ${finish}; start this node again to finish it if your partner's has not.`;
  }
  const until = close ? ` (challenge window until ${windowEnd(close.deadline, close)})` : '';
  const planned = close && close.challengeWith !== null ? `; your node was about to challenge it with step ${close.challengeWith}` : '';
  return `Stopping while ${c.contract} is closing${until}${planned}: nothing watches it until you start the node again, and only a running node challenges a stale state on chain: start it before the window ends. After it, ${finish}.`;
}

/**
 * A close state both signed that the chain does not show yet (the node's view: closeUnsent, sent or not): what it
 * is in, and what the next start does with it (the node sends ours again unless the contract paid out).
 */
function closeNotOnChain(c: ChannelView): string[] {
  const u = c.closeUnsent;
  if (!u) return [];
  const next = u.ours ? 'sends it again (one signed before is waited for until it can no longer land, at most 3 minutes)' : 'leaves it to your partner to send: run withdraw then to send it yourself';
  return [`Stopping before the cooperative close of ${c.contract} (step ${u.step}, signed by both) is seen on chain: if it was sent, it may still land. The next start reads the contract and, if it has not paid out, ${next}.`];
}

/** What waits for the user when the node starts (a state to sign, kept from before the restart). */
export function startNotes(channels: readonly ChannelView[]): string[] {
  return channels
    .filter((c) => c.pending?.awaiting === 'me')
    .map((c) => `❗ Step ${c.pending!.step} from your partner awaits your signature (channel ${c.contract}): showLast shows it, sign signs it❗`);
}

/** What a paid-out channel paid by, in one phrase: "paid out by step 1: A [4 3] B (not the latest, step 5: …)". */
export function paidOutText(c: Pick<ChannelView, 'payout' | 'latest'>): string | null {
  const p = c.payout;
  if (!p) return null;
  const unknown = p.matchesLatest === null ? ' (the latest state both signed is unknown to this node)' : '';
  const stale = p.matchesLatest === false && c.latest && c.latest.step !== p.step ? ` (not the latest, step ${c.latest.step}: ${balancesLine(c.latest)})` : unknown;
  return `paid out by ${p.step === null ? 'the deposits' : `step ${p.step}`}: ${balancesLine(p)}${stale}`;
}

/** While closing with another state than the latest: what the contract holds, and whether the watcher answers it. */
function closeOnChainText(c: ChannelView): string {
  const close = c.phase === 'closing' ? c.close : null;
  if (!close || close.step === c.latest?.step) return '';
  const held = close.step === null ? 'an exit with the deposits' : `step ${close.step}`;
  const answer = close.challengeWith !== null ? `: your node challenges it with step ${close.challengeWith}` : '';
  return ` (the contract holds ${held}${answer})`;
}

/** A channel's balances for the list: what it paid by, else the latest state, else the deposits so far. */
export function channelBalancesText(c: ChannelView): string {
  const deposits = () => `A ${formatTon(c.depositA)} / ${formatTon(c.expectedDepositA)} TON, B ${formatTon(c.depositB)} / ${formatTon(c.expectedDepositB)} TON`;
  // declined: nothing of this node is in it, and it is not watched (the partner may have taken theirs back since)
  if (c.phase === 'rejected' && !c.latest) return `declined, nothing of yours in it; no longer followed: deposits when last read ${deposits()}`;
  // before a signed state, what each side has in the contract (0 of yours after a refund)
  return paidOutText(c) ?? (c.latest ? `${balancesLine(c.latest)} step ${c.latest.step}${heldNote(c.latest)}${closeOnChainText(c)}` : `no signed state; deposited ${deposits()}`);
}

/**
 * A deposit of ours on its way (under way now, or sent before a restart and not on chain yet): the node's words for
 * it (the deposit action's), in brackets after a channel's line; '' when there is none.
 */
export function depositOnItsWay(c: ChannelView): string {
  const d = c.actions?.deposit; // a partial view (no actions): none
  return !!d && !d.ok && (d.code === 'MAY_STILL_LAND' || d.code === 'DEPOSIT_UNDER_WAY') ? ` (${d.why})` : '';
}
