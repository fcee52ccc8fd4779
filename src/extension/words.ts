// The words the views use for channels and steps: who is who ("you", the partner's name or short address), what a
// step did, how a phase reads. Plain text from the node's views (ChannelView, StateView): no protocol rule here.
import { durationText } from '../core/duration.js';
import type { Action, BalanceView, ChannelNodeApi, ChannelView, NodeEvent, Party, PayoutView, StateView, WalletLowView } from '../node/types.js';
import { type NoSignedStateCode, balanceText, closeToSend, depositFeesText, depositRoom, dueCounted, dueWords, exitGoesOn, fundsShort, noSignedState, signedDuringExit, receivedText, WINDOW_OVER, HELD_IN_MEMORY } from '../node/uiRules.js';
import { inVsCode } from './cliWords.js';
import { formatTon, shortAddress, stateLine } from './util.js';

/** How long until a unix time, in words ("9 min", "2 h 5 min", "40 s"); "now" when past. */
export function timeLeft(deadline: number, now = Date.now() / 1000): string {
  const s = Math.max(0, Math.round(deadline - now));
  return s === 0 ? 'now' : durationText(s);
}

/**
 * The time left in a close's challenge window, in words, from the node's view (chain time: its secondsLeft when
 * the view was read; the model reads it again every 20 s while a channel closes), or `fallback` without a close.
 */
export function windowLeft(ch: Pick<ChannelView, 'close'> | undefined, fallback = 'the challenge window'): string {
  if (ch?.close?.secondsLeft === null) return 'a time not known yet';
  return ch?.close ? timeLeft(ch.close.secondsLeft, 0) : fallback;
}

/** A close's window before the node's first read of the chain's time: no figure (never one of the local clock). */
export const WINDOW_READ = "the challenge window's end is being read: the node reads the chain's time first";

/**
 * A close's challenge window in a sentence: `running` of the time left while it runs ("pays out in 9 min"), the
 * node's words once it is over (WINDOW_OVER: either node finishes the close), `running` of the fallback without a close.
 */
export function windowWords(ch: Pick<ChannelView, 'close'> | undefined, running: (left: string) => string): string {
  const left = ch?.close?.secondsLeft;
  if (left === null) return WINDOW_READ;
  return left !== undefined && Math.round(left) <= 0 ? WINDOW_OVER : running(windowLeft(ch));
}

/**
 * A challenge of a close, as a toast says it: by this node, or by the partner (`partner`: its name). The partner's
 * challenge of this node's own close says that the payout follows their state now, not the one sent, as the CLI's
 * "Your partner challenged your close" does. One a restart tells again (`earlier`) happened before it: said as past,
 * with the window's end, never as new.
 */
export function challengedWords(e: Extract<NodeEvent, { type: 'challenged' }>, partner = 'your partner'): string {
  const own = e.channel.close?.byMe;
  const window = windowWords(e.channel, (left) => `the challenge window ends in ${left}`);
  if (!e.byMe) return partnerChallengeWords(e, own === true, partner, window);
  if (!e.earlier) return own ? `your close used an older state than the latest both signed: your watcher challenged it with Step ${e.step}, which pays you more` : `your watcher challenged a stale close with Step ${e.step}`;
  const what = own ? `your watcher challenged your own close (an older state than the latest both signed) with Step ${e.step}, which pays you more` : `your watcher challenged your partner's stale close with Step ${e.step}`;
  return `before the restart, ${what}; ${window}`;
}

/** A challenge not by this node: of its own close (the partner's, the payout follows it), or of the partner's close. */
function partnerChallengeWords(e: Extract<NodeEvent, { type: 'challenged' }>, own: boolean, partner: string, window: string): string {
  const answer = e.channel.close?.challengeWith != null ? ` Your watcher challenges it with Step ${e.channel.close.challengeWith}.` : '';
  if (!own) return `${e.earlier ? 'before the restart, ' : ''}the close was challenged with Step ${e.step} (not by your node): the contract holds Step ${e.step} now; ${window}.${answer}`;
  const what = `${partner} challenged your close with Step ${e.step}`;
  const pays = `the payout follows Step ${e.step} now, not what you submitted`;
  return e.earlier ? `before the restart, ${what}: ${pays}; ${window}.${answer}` : `❗ ${what}❗ ${capital(pays)}; ${window}.${answer}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A challenge as a notification: a warning when the partner challenged this node's own close (money at stake). */
export function challengedNotice(e: Extract<NodeEvent, { type: 'challenged' }>, partner: string): { level: 'info' | 'warning'; text: string } {
  return { level: !e.byMe && e.channel.close?.byMe ? 'warning' : 'info', text: challengedWords(e, partner) };
}

/**
 * When the node pays out a close (Leave, Close): in the time left while its window runs, WINDOW_OVER once over, and
 * "after the challenge window" with no close in the view (never "pays out in the challenge window").
 */
export function payoutWords(ch: Pick<ChannelView, 'close'> | undefined): string {
  return ch?.close ? windowWords(ch, (left) => `the node pays out in ${left}`) : 'the node pays out after the challenge window';
}

/** A period in seconds, in words ("10 min", "24 h"). */
export function period(seconds: number): string {
  return timeLeft(seconds, 0);
}

/**
 * What Sign says it signed: the step and its balances; the initial state signed during an exit with the deposits
 * says, in the node's words, that the exit goes on and pays the same (`ch`: the channel as the node sees it now).
 */
export function signedWords(ch: ChannelView | null, s: StateView): string {
  const window = (close: { secondsLeft: number | null }) =>
    close.secondsLeft === null ? "end is being read: the node reads the chain's time first" : close.secondsLeft > 0 ? `ends in ${timeLeft(close.secondsLeft, 0)}` : 'has ended';
  const note = ch ? signedDuringExit(ch, s.step, window) : null;
  return `signed Step ${s.step}: ${stateLine(s)}${note ? `. ${note}` : ''}`;
}

/**
 * The initial state both signed during an exit with the deposits, as its stateSigned event tells it: who signed it last
 * (B countersigns A's state 0: the partner, or this node) and, in the node's words, that the exit goes on. null otherwise.
 */
export function exitSignedWords(ch: Pick<ChannelView, 'phase' | 'close' | 'me'>, s: StateView, partner: string): string | null {
  const note = exitGoesOn(ch, s.step);
  if (!note) return null;
  return `${ch.me === s.sender ? partner : 'your node'} signed the initial state (${stateLine(s)}) during the exit. ${note}`;
}

/**
 * Why Balance in the Channel has no state both signed to show, in the node's words (noSignedState) and its code: whose
 * signature the initial state awaits, a close under way, a declined channel, a closed one with no payout read, the deposits.
 */
export function noStateWords(ch: Pick<ChannelView, 'phase' | 'close' | 'depositA' | 'depositB' | 'pending'>): { code: NoSignedStateCode; message: string } {
  return noSignedState(ch, inVsCode('`sign`'));
}

/**
 * What Show Last and Balance in the Channel say of a channel with no state both signed (and none pending): what an
 * exit with the deposits paid (`info`), else why none is signed, in the node's words with its code (noStateWords).
 */
export function noStateShown(ch: Pick<ChannelView, 'phase' | 'close' | 'depositA' | 'depositB' | 'pending' | 'me' | 'contract' | 'payout'>): { info: string } | { code: NoSignedStateCode; message: string } {
  return ch.payout ? { info: `no state both signed: ${finishWords(ch)}` } : noStateWords(ch);
}

/** Names of the two parties of a channel from one node's side. */
export interface Names {
  me: Party;
  /** the partner's name ("Bob") or short address */
  partner: string;
}

export function partyName(names: Names, party: Party): string {
  return party === names.me ? 'you' : names.partner;
}

/** What a state did compared with the one before it: "Bob pays 0.5 TON", "you pass the turn", "deposits". */
export function stepAction(s: StateView, previous: StateView | null, names: Names): string {
  const who = partyName(names, s.sender);
  if (s.tag === 'close') return 'close';
  if (s.step === 0n) return 'deposits';
  if (s.empty) return `${who} ${who === 'you' ? 'pass' : 'passes'} the turn`;
  if (!previous || previous.step !== s.step - 1n) return `by ${who}`;
  const paid = s.sender === 'A' ? previous.balanceA - s.balanceA : previous.balanceB - s.balanceB;
  if (paid <= 0n) return `by ${who}`;
  return `${who} ${who === 'you' ? 'pay' : 'pays'} ${formatTon(paid)} TON`;
}

/** A step row's description: what it did and the balances; a state whose journal write failed says it is held in memory only. */
export function stepDescription(s: StateView, previous: StateView | null, names: Names): string {
  return `${stepAction(s, previous, names)} · ${stateLine(s)}${s.unsaved ? ` · ${HELD_IN_MEMORY}` : ''}`;
}

const PHASE: Record<string, string> = {
  proposed: 'proposed',
  accepted: 'accepted',
  deploying: 'deploying',
  funding: 'funding',
  locked: 'locked',
  open: 'open',
  closing: 'closing',
  closed: 'closed',
  rejected: 'declined',
};

export function phaseWord(phase: string): string {
  return PHASE[phase] ?? phase;
}

/** Whose move it is, in a few words, from the node's view. */
export function turnWords(ch: ChannelView): string | null {
  if (ch.phase !== 'open') return null;
  // a close state both signed ends the turns: on its way, or (the node's rule) a withdraw pays it out
  if (ch.closeUnsent) return closeToSend(ch) ? 'close signed: withdraw' : 'close on its way';
  if (ch.pending?.awaiting === 'me') return signsNow(ch) ? `sign Step ${ch.pending.step}` : `Step ${ch.pending.step} received`;
  if (ch.pending) return 'awaiting partner';
  return ch.myTurn ? 'your turn' : "partner's turn";
}

/** A close state both signed and not on chain, in the node's words (a channel's hover): withdraw sends it. */
export function closeToSendWords(ch: Pick<ChannelView, 'closeUnsent'>): string | null {
  const w = closeToSend(ch);
  return w ? `${w.charAt(0).toUpperCase()}${w.slice(1)}` : null;
}

/** Whether the partner's state awaits this user's signature and the node would sign it now (else its why says). */
export function signsNow(ch: Pick<ChannelView, 'pending' | 'actions'>): boolean {
  return ch.pending?.awaiting === 'me' && ch.actions.sign.ok;
}

/** Whether a state both signed is a payment to this party worth a toast (not a pass, the initial state or a close). */
export function paysMe(s: Pick<StateView, 'sender' | 'empty' | 'step' | 'tag'>, me: Party): boolean {
  return s.sender !== me && !s.empty && s.step !== 0n && s.tag !== 'close';
}

/**
 * "9 min left before the deadline", or that it has passed (a challenge that failed at the deadline); null: the node
 * has not read the chain's time yet.
 */
export function beforeDeadline(secondsLeft: number | null): string {
  if (secondsLeft === null) return "the time left before the deadline is being read (the node reads the chain's time first)";
  return secondsLeft > 0 ? `${timeLeft(Date.now() / 1000 + secondsLeft)} left before the deadline` : 'the deadline has passed';
}

/** A channel row's description: "open · 3.5 TON · your turn", "closing · 9 min left", "closed · paid 3.2 TON". */
export function channelDescription(ch: ChannelView, now = Date.now() / 1000): string {
  const parts = [phaseWord(ch.phase)];
  // a channel the partner declined that could not end here (a deposit of ours is, or may be, in its contract)
  if (!ch.actions.deposit.ok && ch.actions.deposit.code === 'PARTNER_DECLINED') parts.push('partner declined');
  // imported from a backup: no payment in it (the partner may hold newer states); close it
  if (ch.restored && (ch.phase === 'open' || ch.phase === 'locked')) parts.push('restored: close it');
  if (ch.legacy && ch.phase !== 'closed' && ch.phase !== 'rejected') parts.push('contract v1: close it with SynChannel 0.1');
  if (ch.phase === 'closed' && ch.payout) {
    const mine = ch.me === 'A' ? ch.payout.paidA : ch.payout.paidB;
    parts.push(mine === null ? `paid by the state's ${formatTon(ch.me === 'A' ? ch.payout.balanceA : ch.payout.balanceB)} TON` : `paid ${formatTon(mine)} TON`);
  } else if (ch.phase === 'proposed' || ch.phase === 'accepted' || ch.phase === 'deploying' || ch.phase === 'funding') {
    // Before the lock the channel holds deposits, not balances: what each side puts in (so far, of the proposal).
    const [mine, myDue, theirs, theirDue] = ch.me === 'A' ? [ch.depositA, ch.expectedDepositA, ch.depositB, ch.expectedDepositB] : [ch.depositB, ch.expectedDepositB, ch.depositA, ch.expectedDepositA];
    if (ch.phase === 'funding') parts.push(`in: you ${formatTon(mine)} of ${formatTon(myDue)}, them ${formatTon(theirs)} of ${formatTon(theirDue)} TON`);
    else parts.push(`you deposit ${formatTon(myDue)}, them ${formatTon(theirDue)} TON`);
  } else if (ch.phase === 'closing' && ch.close) {
    // The node measures the time left in chain time (the sandbox and the devnet move the chain clock).
    const left = ch.close.secondsLeft;
    parts.push(`${formatTon(ch.myBalance)} TON`, left === null ? 'window end being read' : left > 0 ? `${timeLeft(now + left, now)} left` : 'window over');
  } else {
    parts.push(`${formatTon(ch.myBalance)} TON`);
    const turn = turnWords(ch);
    if (turn) parts.push(turn);
  }
  return parts.join(' · ');
}

/** The partner's name: a hosted node's label when the partner runs here too (the demo), else the short address. */
export function partnerName(ch: ChannelView, hosted: readonly { label: string; account: string }[]): string {
  return hosted.find((h) => h.account === ch.partnerAddress)?.label ?? shortAddress(ch.partnerAddress);
}

/** The node's watcher challenges the close on chain (it decides: an older step that pays us more is left alone). */
export function staleOnChain(ch: ChannelView): boolean {
  return ch.phase === 'closing' && ch.close !== null && ch.close.challengeWith !== null;
}

/**
 * A view read while the node records a state both signed: its count (from the channel machine) is already ahead
 * of its latest state (updated once the journal write is done), so its balance and turn disagree. Such a read is
 * read again a moment later instead of being shown (the tree showed a channel's old balance with its new turn).
 */
export function settling(v: ChannelView): boolean {
  return (v.latest ? v.latest.step + 1n : 0n) !== v.count;
}

const FILLER = new Set(['the', 'and', 'for', 'with', 'your', 'you', 'its', 'are', 'was', 'has', 'not', 'then', 'wait', 'first', 'nothing', 'already']);
const wordsOf = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !FILLER.has(w))
    .map((w) => w.replace(/(es|s)$/, ''));

/** Whether a message already says what a next-step hint says (in other words): then the hint is not repeated. */
export function saysAlready(message: string, hint: string): boolean {
  const said = new Set(wordsOf(message));
  const h = wordsOf(hint);
  if (!h.length || message.includes(hint)) return true;
  return h.filter((w) => said.has(w)).length / h.length >= 0.75;
}

/** A declined channel (the hover): nothing of this node is in it, and it is not watched any more. */
export function declinedWords(ch: Pick<ChannelView, 'phase'>): string | null {
  return ch.phase === 'rejected' ? 'Declined: nothing of yours is in it, and the node no longer follows it (the amounts are as last read).' : null;
}

/** What a finished close paid, from the node's view after Finish the Close (the payout when the node has read it). */
export function finishWords(ch: Pick<ChannelView, 'me' | 'contract' | 'payout'>): string {
  const p = ch.payout;
  if (!p) return `the close on ${ch.contract} is finished: the node shows the payout once the chain does.`;
  const by = p.step === null ? 'the deposits (an exit)' : `Step ${p.step}`;
  return `the close is finished: the contract paid out by ${by} (${stateLine(p)}); your wallet received ${receivedText(p, ch.me)} from the channel${changeWords(ch.me, p)}.`;
}

/** The closer's change (what came back of its payout message), told apart from the channel's share. */
export function changeWords(me: Party, p: Pick<PayoutView, 'closer' | 'changeBack'>): string {
  return p.closer === me && p.changeBack ? `, and ${formatTon(p.changeBack)} TON came back of your close message` : '';
}

/**
 * The most a deposit prompt takes: the node's room in the wallet (depositRoom: its balance less the storage fee due
 * and the node's fee figure; null: the wallet was not read), and never more than what is due (null: Open, nothing
 * due yet). An exact deposit keeps what is due: the node then says what the wallet lacks.
 */
export function depositMax(due: bigint, wallet: BalanceView | null, fees: bigint, exact: boolean): { nano: bigint; what: string };
export function depositMax(due: null, wallet: BalanceView | null, fees: bigint, exact: false): { nano: bigint; what: string } | null;
export function depositMax(due: bigint | null, wallet: BalanceView | null, fees: bigint, exact: boolean): { nano: bigint; what: string } | null {
  const room = wallet === null ? null : depositRoom(wallet, fees);
  const most = room === null ? null : room > 0n ? room : 0n;
  if (due !== null && (exact || most === null || most >= due)) return { nano: due, what: 'what the contract still expects from you' };
  if (most === null || wallet === null) return null;
  const storage = dueCounted(wallet.storageDue);
  return { nano: most, what: `your wallet balance less ${storage > 0n ? `the storage fee due of ${formatTon(storage)} TON and ` : ''}${depositFeesText(fees)}` };
}

/**
 * Accepting a proposal (a deposit while it is proposed): the node's funds check (fundsShort, with the node's fees for
 * this side and amount) on the wallet read before the prompt, so the prompt says what the node would refuse (in VS
 * Code's words) before anything is asked or sent. undefined when the wallet can pay, was not read, or the deposit is no acceptance.
 */
export function acceptShort(ch: Pick<ChannelView, 'phase' | 'me'>, amount: bigint, wallet: BalanceView | null, node: Pick<ChannelNodeApi, 'depositFees' | 'getAccount' | 'network'>): string | undefined {
  if (ch.phase !== 'proposed' || wallet === null) return undefined;
  const short = fundsShort(wallet, node.depositFees(ch.me, amount), amount, node.getAccount(), 'accepting this channel', node.network);
  return short === null ? undefined : inVsCode(short);
}

/** What a deposit prompt says of the wallet (the node's read; null: not read): its balance, and the storage fee due when worth saying. */
export function walletNote(wallet: BalanceView | null): string {
  if (wallet === null) return '';
  const due = dueCounted(wallet.storageDue);
  return due > 0n ? `; your wallet has ${formatTon(wallet.balance)} TON${dueWords(due)}` : ` (your wallet has ${formatTon(wallet.balance)} TON)`;
}

/**
 * What an imported key's toast says: the wallet the node opens with it. 24 words give the W5 wallet (v5r1, the
 * node's default): a wallet app may hold the coins of the same words in an older wallet, which this one is not.
 */
export function keyImportedWords(network: string, from: 'mnemonic' | string, account: string): string {
  if (from !== 'mnemonic') return `key folder imported for ${network} (${from}): its wallet here is ${account}.`;
  return (
    `mnemonic imported for ${network}: its wallet here is ${account} (a W5 wallet, v5r1). ` +
    `If your coins are in another wallet of these words (a v4 wallet of an older wallet app), they are not in this one: send them to ${account}.`
  );
}

/** What "Replace the key?" says of the wallet left behind (null: no key yet; a wallet not read: its address only). */
export function keyWalletWords(account: string | null | undefined, wallet: BalanceView | null): string {
  if (!account) return '';
  return wallet === null ? `Its wallet is ${account}. ` : `Its wallet ${account} holds ${balanceText(wallet)}. `;
}

/** Whether the views offer an action: what the node allows now, and Send when the node asks for the turn itself. */
export function offers(ch: ChannelView, action: Action): boolean {
  return ch.actions[action].ok || (action === 'send' && ch.sendAsksTurn);
}

/**
 * What a command that sent to the partner adds when the node told that it does not reach them now (PARTNER_OFFLINE
 * for its channel, sentOffline); '' otherwise. A proposal goes only once they are connected again: a node with no
 * channel with us does not redial (the CLI's open says the same).
 */
export function offlineWords(told: ReadonlySet<string>, ch: Pick<ChannelView, 'id'>, partner: string, what: 'state' | 'proposal' = 'state'): string {
  if (!told.has(ch.id)) return '';
  if (what === 'state') return ` ${partner} is offline: it is delivered when they reconnect.`;
  return ` ${partner} is offline: the proposal reaches them once you are connected again (a node with no channel with you does not redial: Connect to them, or ask them to connect).`;
}

/** The toast of Open: what was proposed, the partner offline if the node told so, and a partner's wallet short of its deposit. */
export function proposedWords(mine: bigint, theirs: bigint, offline: string, short: string | null): string {
  return `proposed a channel: you deposit ${formatTon(mine)} TON, your partner ${formatTon(theirs)} TON.${offline} Once they accept, your node deploys the contract with your deposit by itself (keep it running).${short ? ` Note: ${short}.` : ''}`;
}

/** The faucet's notice: what it sent and what the wallet holds now (after any storage fee the wallet owed). */
export function faucetWords(sent: bigint, balance: bigint): string {
  return `the faucet sent ${formatTon(sent)} test TON: your wallet now holds ${formatTon(balance)} TON`;
}

/**
 * The node's walletReserve event as a notification: a fall under what leaving costs is a warning in VS Code's words,
 * with the top-up's button (a command id: the faucet, or on testnet the address to give the giver); the recovery is
 * no notification (the balances panel stops showing the warning).
 */
export function walletReserveNotice(e: Extract<NodeEvent, { type: 'walletReserve' }>): { text: string; buttons: Record<string, string> } | null {
  if (!e.low) return null;
  const testnet = e.channels.some((c) => c.network === 'testnet');
  return { text: inVsCode(e.message), buttons: testnet ? { 'Copy Wallet Address': 'synchannel.copyAddress' } : { 'Get Test Coins': 'synchannel.faucet' } };
}

/** The balances panel's line under your wallet while the node's last read found it short of what leaving costs. */
export function walletLowLine(low: WalletLowView | null): string | null {
  return low ? `⚠ ${formatTon(low.short)} TON short of the ${formatTon(low.need)} TON kept to leave your channels alone: top it up` : null;
}
