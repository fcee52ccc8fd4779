// The node's rules a UI needs before (or without) a node: plain functions of views and phases, no node code, so
// the extension's activation bundle may carry them. The node uses the same ones.
import { formatTon } from '../core/amounts.js';
import { topUpHow } from '../core/networks.js';
import type { BalanceView, ChannelNodeApi, ChannelView, CloseView, NetworkKind, Party, PayoutView } from './types.js';
// a withdraw's words (withdrawRules.ts): said here too, where the CLI and the node read a UI's rules
export { PARTNER_GRACE_MS, pendingAtWithdraw, withdrawModeProblem } from './withdrawRules.js';

/**
 * A close state both signed that the chain does not show yet and that is not on its way (its cooperative close
 * failed or was never sent, its sender gone: the node's view, closeUnsent): no payment can follow it, and withdraw
 * sends it (it pays out at once). Null otherwise.
 */
export function closeToSend(c: Pick<ChannelView, 'closeUnsent'>): string | null {
  const u = c.closeUnsent;
  if (!u || u.onWay) return null;
  return `${u.ours ? 'your' : "your partner's"} close state (step ${u.step}) is signed by both but not on chain: no payment can follow it. withdraw sends it to the contract, which pays out at once${u.ours ? '' : ' (your partner may send it first)'}`;
}

/** A channel that can hold no money of this node any more (paid out; a proposal declined, or a funding channel given up with nothing of it in). */
export function ended(phase: string): boolean {
  return phase === 'closed' || phase === 'rejected';
}

/** A channel whose money sits in its contract (deposited, not paid out): a node should watch it. */
export function inContract(phase: string): boolean {
  return phase === 'funding' || phase === 'locked' || phase === 'open' || phase === 'closing';
}

/**
 * A channel the node has work for as it starts: money in its contract, or a deployment or deposit under way (A's
 * deployment carries A's deposit; B's acceptance waits for it, and B hears when its deposit can go in).
 */
export function needsNode(phase: string): boolean {
  return inContract(phase) || phase === 'accepted' || phase === 'deploying';
}

/**
 * A channel the node starts for as a window opens (the extension's start-up): needsNode, but for B's acceptance
 * waiting for A's deployment. Nothing of B is on chain then (B deposits once the contract shows), and a partner
 * who vanished would start the node at every window: it starts when the user uses it (awaitsDeployment says so).
 */
export function startsNode(phase: string, me: Party | null): boolean {
  // a record that cannot be read may hold money: the node rebuilds it from the contract its journal names
  return (needsNode(phase) || phase === UNREADABLE) && !awaitsDeployment(phase, me);
}

/** A channel's phase read without a node when its record cannot be read (it may hold money: the node rebuilds it). */
export const UNREADABLE = 'unreadable';
/** When there is no record and no state to rebuild it from: a node can do nothing for it (a backup can). */
export const RECORD_LOST = 'record lost';

/** B's acceptance waiting for A's deployment: nothing of B's is on chain, B's deposit goes in once it shows. */
export function awaitsDeployment(phase: string, me: Party | null): boolean {
  return phase === 'accepted' && me === 'B';
}

/** A channel this node watches: money in its contract, and a contract this version reads (v1 is only listed). */
export function watchedHere(ch: Pick<ChannelView, 'phase' | 'legacy'>): boolean {
  return inContract(ch.phase) && !ch.legacy;
}

/**
 * What a payout added to the balances: `beyond` is what the contract held beyond them (its fee reserve, and any
 * top-up to it, split evenly whoever sent it; on contract v2 a plain transfer too), less storage fees; `even` is false when storage
 * fees took more than that and a share fell below its balance.
 */
export function payoutBeyond(p: Pick<PayoutView, 'paidA' | 'paidB' | 'balanceA' | 'balanceB'>): { beyond: bigint; even: boolean } {
  const paidA = p.paidA ?? p.balanceA;
  const paidB = p.paidB ?? p.balanceB;
  return { beyond: paidA + paidB - p.balanceA - p.balanceB, even: paidA >= p.balanceA && paidB >= p.balanceB };
}

/** A payout whose transaction was not found (buried under later messages): only the state's balances are known. */
export const SHARES_UNREAD = 'its payout transaction was not found (later messages to the contract bury it), so what each wallet received is not shown: look the contract up in an explorer';

/**
 * What a party's wallet received from the channel, in words: its share; or, the payout transaction not found, the
 * state's balance and that the share (that plus half the fee reserve) is not known here.
 */
export function receivedText(p: Pick<PayoutView, 'paidA' | 'paidB' | 'balanceA' | 'balanceB'>, party: Party): string {
  const paid = party === 'A' ? p.paidA : p.paidB;
  if (paid !== null) return `${formatTon(paid)} TON`;
  return `the state's ${formatTon(party === 'A' ? p.balanceA : p.balanceB)} TON plus half the fee reserve (its payout transaction was not found: look the contract up in an explorer for the exact amount)`;
}

/**
 * What a refund gives back, in words (the confirmations of the CLI and the extension). From contract v4 the fee
 * reserve goes with the deposits: half of it to a refund while the partner's deposit stays, all to the last.
 */
export function refundTerms(ch: Pick<ChannelView, 'me' | 'depositA' | 'depositB' | 'contractVersion'>): string {
  if (ch.contractVersion < 4) return "your deposit, less what storage fees took (the fee it left in the contract's reserve, about 0.009 TON, stays there)";
  const theirs = ch.me === 'A' ? ch.depositB : ch.depositA;
  return theirs === 0n
    ? "your deposit and the contract's whole fee reserve (what deposits left of their fees), less what storage fees took"
    : "your deposit and half of the contract's fee reserve (the other half stays with your partner's deposit), less what storage fees took";
}

/** What an import did, in words (the CLI and the extension): a channel kept because the local copy is newer is said. */
export function importSummary(r: { imported: readonly string[]; kept: readonly string[]; left?: readonly { channel: string; network: string }[] }): string {
  const kept = r.kept.length ? `; kept ${r.kept.length} local one(s) as they are (as many states as the backup's, or more)` : '';
  const then = r.imported.length ? '. Restored channels wait for your partner before signing anything, then take no payment (your partner may hold newer states your node signed): close them with withdraw' : '';
  const left = (r.left ?? []).map((x) => `; left out ${x.channel}, a ${x.network} channel: import this file again on ${x.network}`).join('');
  return `restored ${r.imported.length} channel(s)${kept}${left}${then}`;
}

/**
 * Whether a deposit must be exactly what is due: while a proposal is being accepted (the proposal says it), and for
 * B once the contract exists (its deposit locks the channel). A tops up in parts, each above 0.
 */
export function depositExact(phase: string, me: 'A' | 'B'): boolean {
  return phase === 'proposed' || phase === 'accepted' || (me === 'B' && phase === 'funding');
}

/**
 * After a start, how long a proposal of ours (a send, an empty or close state) waits for an offline partner to
 * connect and answer (the nodes redial by themselves) before it is made and kept unsent (unsynced.ts).
 */
export const SYNC_OFFLINE_GRACE_MS = 5_000;

/** A close's challenge window that is over, as the UIs say it: the close waits only for a finish, which pays out. */
export const WINDOW_OVER = 'the challenge window is over: either node finishes the close, which pays both wallets';

/** A withdraw's step with no state both signed (a typo, a step not reached): what to pick instead. The node, the CLI and the extension. */
export function noSuchStep(step: bigint, latest: bigint): string {
  return `no state both signed at step ${step}: withdraw with a step showAll lists, or with the latest (step ${latest})`;
}

/** Opening a channel: either deposit may be 0 (a party that only receives), not both. */
export function depositsProblem(mine: bigint, theirs: bigint): string | undefined {
  return mine + theirs > 0n ? undefined : "a channel needs money in it: give your deposit, your partner's, or both";
}

/** What a wallet needs beyond a deposit (the node's depositFees()), in words. */
export function depositFeesText(fees: bigint): string {
  return `about ${formatTon(fees)} TON for fees and a close, kept in the wallet so you can always leave the channel alone`;
}

/** What a party that deposits nothing still needs in its wallet (`fees`, the node's depositFees(side, 0)), in words. */
export function leavingFeesText(fees: bigint, who: 'you' | 'they' = 'you'): string {
  return `about ${formatTon(fees)} TON in the wallet for the fees of a close, or of a challenge of a stale close and the finish: without it what ${who} receive is at risk`;
}

/**
 * The node's funds check (checks.ts): when this wallet (`read`) cannot pay `deposit` and its fees beyond the storage
 * fee counted (depositRoom), what it holds, what `what` needs and how to top it up; else null.
 */
export function fundsShort(read: BalanceView, fees: bigint, deposit: bigint, wallet: string, what: string, network: NetworkKind): string | null {
  if (depositRoom(read, fees) >= deposit) return null;
  const needs = deposit === 0n ? `needs, although you deposit nothing, ${leavingFeesText(fees)}` : `needs your deposit of ${formatTon(deposit)} TON plus ${depositFeesText(fees)}`;
  return `your wallet ${wallet} has ${formatTon(read.balance)} TON${dueWords(dueCounted(read.storageDue))}, but ${what} ${needs}: top it up first (${topUpHow(network)})`;
}

/**
 * Opening a channel at a terminal: the node's funds check of this wallet for `deposit` (read once, 3 s at most)
 * before the person is asked for more; null when it can pay, or when the read did not answer (the node checks again).
 */
export async function openShort(node: Pick<ChannelNodeApi, 'balanceTonDue' | 'depositFees' | 'getAccount' | 'network'>, deposit: bigint): Promise<string | null> {
  const read = await quickRead(() => node.balanceTonDue());
  return read && fundsShort(read, node.depositFees('A', deposit), deposit, node.getAccount(), 'this channel', node.network);
}

/**
 * After a proposal: when the partner's wallet (read once, 3 s at most) holds less than the deposit asked of them and
 * the deposit's fees (the node's figure), the note that they can accept only after a top-up; else null.
 */
export async function partnerShort(
  node: Pick<ChannelNodeApi, 'balanceTonDue' | 'depositFees'>,
  ch: Pick<ChannelView, 'me' | 'expectedDepositA' | 'expectedDepositB' | 'partnerAddress'>,
): Promise<string | null> {
  const partnerDeposit = ch.me === 'A' ? ch.expectedDepositB : ch.expectedDepositA;
  const short = await walletShort(node, ch.me === 'A' ? 'B' : 'A', partnerDeposit, ch.partnerAddress);
  if (!short) return null;
  if (partnerDeposit === 0n) return `your partner's wallet holds ${formatTon(short.wallet)} TON now${dueWords(short.due)}: they deposit nothing, but need ${leavingFeesText(short.fees, 'they')}. They can accept only once they fund it`;
  return `your partner's wallet holds ${formatTon(short.wallet)} TON now${dueWords(short.due)}, less than the ${formatTon(partnerDeposit)} TON you ask them to deposit and ${depositFeesText(short.fees)}: they can accept only once they top it up (or decline, and you propose a smaller deposit)`;
}

/**
 * A partner's proposal received: when this node's wallet (read once, 3 s at most) holds less than the deposit asked
 * of it and the deposit's fees, the note that accepting needs a top-up first; else null.
 */
export async function ownShort(
  node: Pick<ChannelNodeApi, 'balanceTonDue' | 'depositFees' | 'network'>,
  ch: Pick<ChannelView, 'me' | 'expectedDepositA' | 'expectedDepositB'>,
): Promise<string | null> {
  const myDeposit = ch.me === 'A' ? ch.expectedDepositA : ch.expectedDepositB;
  const short = await walletShort(node, ch.me, myDeposit);
  if (!short) return null;
  if (myDeposit === 0n) return `your wallet holds ${formatTon(short.wallet)} TON now${dueWords(short.due)}: you deposit nothing in this proposal, but need ${leavingFeesText(short.fees)}. Fund it before you accept (${topUpHow(node.network)}), or decline it (\`decline\`)`;
  return `your wallet holds ${formatTon(short.wallet)} TON now${dueWords(short.due)}, less than the ${formatTon(myDeposit)} TON this proposal asks you to deposit and ${depositFeesText(short.fees)}: top it up before you accept it (${topUpHow(node.network)}), or decline it (\`decline\`)`;
}

/**
 * A partner's proposal received: the note it needs now, else null. A proposer's wallet that holds nothing on this
 * chain (read once, 3 s at most) means the nodes run on different chains, and `deposit` will refuse it
 * (PARTNER_OTHER_CHAIN, the node's check); else `ownShort`.
 */
export async function proposalNote(
  node: Pick<ChannelNodeApi, 'balanceTon' | 'balanceTonDue' | 'depositFees' | 'network'>,
  ch: Pick<ChannelView, 'me' | 'expectedDepositA' | 'expectedDepositB' | 'partnerAddress'>,
): Promise<string | null> {
  if ((await quickRead(() => node.balanceTon(ch.partnerAddress))) === 0n) {
    return `your partner's wallet ${ch.partnerAddress} holds nothing on ${node.network}: their node runs on another chain than yours (both must use the same --chain), or their wallet is empty and cannot deploy the contract. Accepting is refused until it holds coins here (PARTNER_OTHER_CHAIN): check with your partner`;
  }
  return ownShort(node, ch);
}

/**
 * A wallet (this node's without `address`) of `side` that cannot pay `deposit` and its fees (the node's, for that side
 * and deposit, even 0) beyond the storage fee its next transaction pays first (when the chain says it): what it holds,
 * and that fee when it is what leaves it short; else null.
 */
async function walletShort(node: Pick<ChannelNodeApi, 'balanceTonDue' | 'depositFees'>, side: Party, deposit: bigint, address?: string): Promise<{ wallet: bigint; due: bigint; fees: bigint } | null> {
  const read = await quickRead(() => node.balanceTonDue(address));
  const fees = node.depositFees(side, deposit);
  if (read === null) return null;
  if (depositRoom(read, fees) >= deposit) return null;
  const due = dueCounted(read.storageDue);
  return { wallet: read.balance, due: read.balance >= deposit + fees ? due : 0n, fees };
}

/** " (x TON of it is the storage fee due, …)" when a fee is due, else nothing. */
export function dueWords(due: bigint): string {
  return due > 0n ? ` (${formatTon(due)} TON of it is the storage fee due, which the chain takes first)` : '';
}

/**
 * `read`'s value, or null when it fails (a bad address throws at once) or takes longer than `ms`: for a note that is
 * not worth a long wait.
 */
export function quickRead<T>(read: () => Promise<T>, ms = 3_000): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  return Promise.race([Promise.resolve().then(read).catch(() => null), late]).finally(() => clearTimeout(timer));
}

// What a stopped node leaves unwatched: the CLI says it as it stops, the extension asks before it stops. Only
// a running node challenges a stale close and finishes a close, so these are the channels that need it.

export interface Unwatched {
  /** closing: the node must be back before the challenge window ends */
  closing: ChannelView[];
  /** locked or open: a close by the partner is challenged only while a node runs */
  guarded: ChannelView[];
  /** the shortest challenge window of `guarded` (seconds): how long the node may stay off; null when none */
  shortestPeriod: number | null;
  /** guarded channels whose latest state of ours waits for the partner's signature */
  waiting: ChannelView[];
}

export function unwatched(channels: readonly ChannelView[]): Unwatched {
  // A v1 channel is watched by no node of this version: stopping changes nothing for it.
  const closing = channels.filter((c) => c.phase === 'closing' && !c.legacy);
  const guarded = channels.filter((c) => (c.phase === 'open' || c.phase === 'locked') && !c.legacy);
  return {
    closing,
    guarded,
    shortestPeriod: guarded.length ? Math.min(...guarded.map((c) => c.challengePeriod)) : null,
    waiting: guarded.filter((c) => c.pending?.awaiting === 'partner'),
  };
}

/** The exit with the deposits under way when the initial state (step 0) is signed, or null. */
function exitUnderWay(c: Pick<ChannelView, 'phase' | 'close'>, step: bigint): CloseView | null {
  return step === 0n && c.phase === 'closing' && c.close && c.close.step === null ? c.close : null;
}

/**
 * The initial state signed while an exit with the deposits is under way (the node takes signatures then; the exit
 * may have gone just before), as whoever signed reads it: it pays back the deposits, as the exit does, so no
 * payment follows. `window`: the challenge window's end in the UI's words ("until 12:00", "ends in 2 min"). null
 * for anything else (CLI sign, the extension's Sign).
 */
export function signedDuringExit(c: Pick<ChannelView, 'phase' | 'close' | 'depositA' | 'depositB'>, step: bigint, window: (close: CloseView) => string): string | null {
  const close = exitUnderWay(c, step);
  if (!close) return null;
  const who = close.byMe ? 'you' : 'your partner';
  return `The channel is closing: ${who} started an exit with the deposits (challenge window ${window(close)}). It pays back the deposits (A ${formatTon(c.depositA)} TON, B ${formatTon(c.depositB)} TON), as the initial state you signed does; no payment follows in this channel.`;
}

/** The initial state signed by both while an exit is under way, told on either side: the exit goes on and pays the same. null for anything else. */
export function exitGoesOn(c: Pick<ChannelView, 'phase' | 'close'>, step: bigint): string | null {
  return exitUnderWay(c, step) ? 'The exit with the deposits goes on: it pays them back, as this state does; no payment follows in this channel.' : null;
}

/** `A [3 4] B` (core/format's balancesLine, which this module cannot import: it loads @ton/core). */
function balancesLine(s: { balanceA: bigint; balanceB: bigint }): string {
  return `A [${formatTon(s.balanceA)} ${formatTon(s.balanceB)}] B`;
}

/** The codes noSignedState gives (the node's actions give the same for each case). */
export type NoSignedStateCode = 'INVALID_TRANSITION' | 'ALREADY_CLOSING' | 'ALREADY_CLOSED' | 'NOT_OPEN';

/**
 * Why a channel holds no state both signed yet (no paid-out one either: the UIs say what an exit paid), with the code
 * the node's actions give for it: a declined channel, a close under way, a closed one with no payout read, the initial state that awaits a signature
 * (whose: `sign` is how the UI names its Sign), or the deposits. The CLI's balanceChan, the extension's Balance in the Channel.
 */
export function noSignedState(view: Pick<ChannelView, 'phase' | 'close' | 'depositA' | 'depositB' | 'pending'>, sign: string): { code: NoSignedStateCode; message: string } {
  if (view.phase === 'rejected') return { code: 'INVALID_TRANSITION', message: 'no signed state: the channel was declined, so it never opened and nothing is signed in it; open a new channel if you still want one' };
  // closed with no payout read: deposits taken back with refund, or an exit whose payout record is still being read
  if (view.phase === 'closed') {
    return { code: 'ALREADY_CLOSED', message: 'no signed state: the channel is closed without one (its deposits taken back with refund, or an exit whose payout the node is still reading): nothing is signed in it any more; open a new channel to pay' };
  }
  if (view.phase === 'closing') {
    const onChain = view.close?.step ?? null;
    const closing = onChain === null ? `a close with the deposits is under way (A ${formatTon(view.depositA)}, B ${formatTon(view.depositB)} TON)` : `a close with step ${onChain} is under way`;
    return { code: 'ALREADY_CLOSING', message: `no signed state yet: ${closing}: the node pays out after the window` };
  }
  // the initial state on its way: who signs it next (a manual partner, or you in manual mode)
  const q = view.pending;
  const initial = !q
    ? 'the channel opens when both deposits are in and the initial state is signed'
    : q.awaiting === 'me'
      ? `the initial state (${balancesLine(q)}) from your partner awaits your signature: ${sign} signs it, and the channel opens`
      : `the initial state (${balancesLine(q)}) waits for your partner's signature; the channel opens once they sign`;
  return { code: 'NOT_OPEN', message: `no signed state yet: ${initial}` };
}

/** How long a send waits for the state before it to be signed by the partner and the turn passed back (CLI and extension). */
export const SEND_WAIT_MS = 15_000;

/** A storage fee due below this is not said beside a balance: a wallet used minutes ago owes a few nanotons. */
export const DUE_WORTH_SAYING = 1_000_000n;

/**
 * The storage fee due that a funds check counts (the node's and the proposal note's): one below DUE_WORTH_SAYING is
 * left to the margin in the fees kept beside a deposit (a wallet funded to the nanoton a moment ago owes a few), and
 * one the endpoint does not say is not guessed.
 */
export function dueCounted(storageDue: bigint | null): bigint {
  return storageDue !== null && storageDue >= DUE_WORTH_SAYING ? storageDue : 0n;
}

/**
 * The most a wallet can deposit (the node's funds check): its balance less the storage fee due that check counts
 * (dueCounted) and the deposit's fees (the node's depositFees()); below 0 when it cannot pay even those.
 */
export function depositRoom(v: BalanceView, fees: bigint): bigint {
  return v.balance - dueCounted(v.storageDue) - fees;
}

/**
 * A balance and the storage fee the chain takes from it first at the account's next transaction: "5 TON (0.002 TON
 * storage fee due)", said from 0.001 TON on (--json keeps the exact figure); null: the endpoint does not say it
 * (toncenter's v2 API gives no storage stat), and the balance is said as the endpoint gives it.
 */
export function balanceText(v: BalanceView): string {
  const due = dueNote(v.storageDue);
  return `${formatTon(v.balance)} TON${due ? ` (${due})` : ''}`;
}

/** balanceText's words for the storage fee due ("0.002 TON storage fee due"), or null when it says none. */
export function dueNote(storageDue: bigint | null): string | null {
  return storageDue !== null && storageDue >= DUE_WORTH_SAYING ? `${formatTon(storageDue)} TON storage fee due` : null;
}

/**
 * Runs `command`, which sends to a channel's partner (send, createEmpty, requestEmpty, open), with the channels (their
 * view ids) on which the node told meanwhile that what it sent does not reach the partner now (PARTNER_OFFLINE): the
 * UIs say what happens to it from that alone, not from a view of the partner taken before or after.
 */
export async function sentOffline<T>(node: Pick<ChannelNodeApi, 'on'>, command: () => PromiseLike<T>): Promise<{ result: T; offline: ReadonlySet<string> }> {
  const offline = new Set<string>();
  const off = node.on((e) => {
    if (e.type === 'log' && e.code === 'PARTNER_OFFLINE' && e.channel) offline.add(e.channel.id);
  });
  try {
    return { result: await command(), offline };
  } finally {
    off();
  }
}

/** What a state whose journal write failed (a full disk) is: what the views mark `unsaved`. */
export const HELD_IN_MEMORY = 'held in memory only: not saved on disk';

/** The note after a state's step: " (held in memory only: not saved on disk)" for one marked `unsaved`, else ''. */
export function heldNote(s: { unsaved?: true } | null | undefined): string {
  return s?.unsaved ? ` (${HELD_IN_MEMORY})` : '';
}
