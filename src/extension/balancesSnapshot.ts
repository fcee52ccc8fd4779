// What the balances panel shows, as plain data (webview/protocol.ts): for the selected channel, the balances both
// ways, the chain's balances (read through the node, cached a few seconds), the close or payout, the buttons the
// node allows now (ChannelView.actions) and the history for the chart; the demo's journal for Replay.
import type { Action, BalanceView, ChannelView, PayoutView } from '../node/types.js';
import { SHARES_UNREAD, dueNote } from '../node/uiRules.js';
import type { ActionButton, Amount, BalancesSnapshot, ChainFigure, ChannelBalances, NotRead, WalletAmount, WebviewAction } from '../../webview/protocol.js';
import type { NodeHost } from './host.js';
import type { HostedNode } from './hosted.js';
import { errorMessage, formatTon, shortAddress } from './util.js';
import { offers, partnerName, phaseWord, settling, staleOnChain, turnWords, walletLowLine } from './words.js';
import { onChainWords } from './closeWords.js';

const MILLI = 1_000_000n;

/** An amount for display: exact, and at most 3 decimals for reading at a glance ("≈" when rounded). */
export function amountOf(nano: bigint | null | undefined): Amount | null {
  if (nano === null || nano === undefined) return null;
  const ton = formatTon(nano);
  const rounded = ((nano + MILLI / 2n) / MILLI) * MILLI;
  const short = rounded === nano ? ton : `≈ ${formatTon(rounded)}`;
  return { nano: nano.toString(), ton, short };
}

/** A wallet (or the contract) for display: its balance, and the storage fee due in the words balanceText uses when worth saying. */
export function walletAmount(v: BalanceView | null): WalletAmount | null {
  return v === null ? null : { ...amountOf(v.balance)!, due: dueNote(v.storageDue) };
}

/** A chain read for display: the balance read, or why there is none. */
function figure(r: ReadResult<BalanceView>): ChainFigure {
  return 'value' in r ? walletAmount(r.value)! : r;
}

const BUTTONS: [Action, WebviewAction, (ch: ChannelView) => string][] = [
  ['sign', 'sign', (ch) => `Sign Step ${ch.pending?.step ?? ''}`.trim()],
  ['deposit', 'deposit', () => 'Deposit…'],
  ['finish', 'finish', () => 'Finish the Close'],
  ['challenge', 'challenge', () => 'Challenge Now'],
  ['send', 'send', () => 'Send…'],
  ['createEmpty', 'createEmpty', () => 'Pass the Turn'],
  ['requestEmpty', 'requestEmpty', () => 'Request the Turn'],
  ['withdraw', 'withdraw', () => 'Close the Channel…'],
  ['exit', 'leave', () => 'Leave with the Deposits…'],
  ['refund', 'refund', () => 'Refund…'],
  ['decline', 'decline', () => 'Decline'],
];

/** The buttons of a channel: exactly the actions the node offers now; the most pressing one is primary. */
export function actionButtons(ch: ChannelView): ActionButton[] {
  const list = BUTTONS.filter(([a]) => offers(ch, a)).map(([, action, label]) => ({ action, label: label(ch), primary: false }));
  const urgent: WebviewAction[] = ['sign', 'deposit', 'finish', ...(staleOnChain(ch) ? (['challenge'] as const) : []), 'send'];
  const first = list.find((b) => urgent.includes(b.action));
  if (first) first.primary = true;
  return list;
}

/** How long a snapshot waits for a chain read before it is posted without it (the read goes on). */
export const READ_WAIT_MS = 3_000;

/** A chain read's result for the panel: its answer, or why there is none (under way, failed). */
export type ReadResult<T> = { value: T } | NotRead;

const READING: NotRead = { notRead: 'reading' };

/** Why a read failed, in a few words for a cell: its first clause, an endpoint named by its host, at most 60 characters. */
export function shortReason(message: string): string {
  const line = (message.split('\n')[0] ?? '').replace(/https?:\/\/([^/\s:]+)\S*/g, '$1').trim();
  const cut = line.indexOf(': ');
  const clause = cut > 0 ? line.slice(0, cut) : line;
  if (!clause) return 'no reason given';
  return clause.length > 60 ? `${clause.slice(0, 59)}…` : clause;
}

function failed(e: unknown): NotRead {
  const message = errorMessage(e);
  const detail = (message.split('\n')[0] ?? '').trim().slice(0, 400).replace(/\.$/, '');
  return { notRead: 'failed', reason: shortReason(message), detail: detail || 'no reason given' };
}

/**
 * Chain reads, kept a few seconds from their answer (the panel redraws on every node event; testnet endpoints limit
 * requests). A snapshot waits for a read at most `waitMs`: an endpoint that does not answer (retried for minutes)
 * must not keep the panel on what it showed before; the read is then said to be under way. Meanwhile a read made
 * again (its answer older than 5 s) gives that answer, of the same key (the same on-chain state), not an empty row.
 * A read that answers later is kept, and `landed` says so (the panel builds a snapshot again). A read that failed
 * says why, and is read again by itself after retryDelay (`retry` says when: the panel builds a snapshot again);
 * Refresh reads it at once. stop() ends the reads planned (a panel hidden or closed).
 */
export class ChainReads {
  private readonly cache = new Map<string, { started: number; at: number | null; value: Promise<ReadResult<unknown>>; prior: Promise<ReadResult<unknown>> | null }>();
  private readonly waitMs: number;
  private readonly landed: () => void;
  private readonly retry: () => void;
  private readonly retryMs: number;
  /** the failures in a row of each key, and the read again planned for it */
  private readonly failures = new Map<string, { count: number; timer: ReturnType<typeof setTimeout> | null }>();

  constructor(
    private readonly log: (line: string) => void,
    o: { waitMs?: number; landed?: () => void; retry?: () => void; retryMs?: number } = {},
  ) {
    this.waitMs = o.waitMs ?? READ_WAIT_MS;
    this.landed = o.landed ?? (() => undefined);
    this.retry = o.retry ?? (() => undefined);
    this.retryMs = o.retryMs ?? RETRY_MS;
  }

  /** Test mode: each read answers this much later (a slow endpoint), in ms. */
  slowMs = 0;

  /** How many failed reads are planned to be read again. */
  get retrying(): number {
    return [...this.failures.values()].filter((f) => f.timer).length;
  }

  read<T>(key: string, fn: () => Promise<T>): Promise<ReadResult<T>> {
    for (const [k, v] of this.cache) if (Date.now() - (v.at ?? v.started) > 60_000) this.cache.delete(k);
    const have = this.cache.get(key) as { at: number | null; value: Promise<ReadResult<T>>; prior: Promise<ReadResult<T>> | null } | undefined;
    // a read under way is waited for again; an answer is kept 5 s
    if (have && (have.at === null || Date.now() - have.at < 5_000)) return this.bounded(have.value, have.at === null, have.prior);
    // the answer before, of the same key (the same on-chain state), is shown while it is read again
    const prior = have?.value ?? null;
    const entry: { started: number; at: number | null; value: Promise<ReadResult<T>>; prior: Promise<ReadResult<T>> | null } = { started: Date.now(), at: null, value: Promise.resolve(READING), prior };
    const slow = this.slowMs;
    entry.value = (slow ? new Promise((r) => setTimeout(r, slow)).then(fn) : fn())
      .then(
        (value): ReadResult<T> => (this.answered(key), { value }),
        (e: unknown) => {
          this.log(`balances: ${key}: ${errorMessage(e)}`);
          this.failedAgain(key, entry.value);
          return failed(e);
        },
      )
      .finally(() => (entry.at = Date.now()));
    this.cache.set(key, entry);
    return this.bounded(entry.value, true, prior);
  }

  /**
   * `value` within waitMs, else the answer before (`prior`: the same key's, kept; not a failure, the read being
   * made again) or "reading" now, and `landed` once it answers, if it is still kept.
   */
  private bounded<T>(value: Promise<ReadResult<T>>, pending: boolean, prior: Promise<ReadResult<T>> | null): Promise<ReadResult<T>> {
    if (!pending) return value;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const before = (prior ?? Promise.resolve(READING)).then((r) => ('value' in r ? r : READING));
    const late = new Promise<void>((r) => (timer = setTimeout(r, this.waitMs))).then(() => before);
    let waited = false;
    void late.then(() => (waited = true));
    void value.then(() => {
      if (waited && [...this.cache.values()].some((v) => v.value === value)) this.landed();
    });
    return Promise.race([value, late]).finally(() => clearTimeout(timer));
  }

  private answered(key: string): void {
    const f = this.failures.get(key);
    if (f?.timer) clearTimeout(f.timer);
    this.failures.delete(key);
  }

  /** A read of `key` failed: read again after retryDelay (its answer dropped then, the panel told). */
  private failedAgain(key: string, value: Promise<ReadResult<unknown>>): void {
    const f = this.failures.get(key) ?? { count: 0, timer: null };
    if (f.timer) clearTimeout(f.timer);
    f.count++;
    f.timer = setTimeout(() => {
      f.timer = null;
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
      this.retry();
    }, retryDelay(f.count, this.retryMs));
    this.failures.set(key, f);
    // at most a few keys are shown at once; the oldest failures are forgotten
    for (const [k, old] of this.failures) if (this.failures.size > 50 && !old.timer) this.failures.delete(k);
  }

  /** No read again planned any more (the panel is hidden or closed): the failures are dropped, its next snapshot reads them again. */
  stop(): void {
    for (const [k, f] of this.failures) {
      if (f.timer) clearTimeout(f.timer);
      this.cache.delete(k);
    }
    this.failures.clear();
  }

  clear(): void {
    this.stop();
    this.cache.clear();
  }
}

/** How long after a failed read it is read again: 5 s, then twice as long after each failure in a row, at most a minute. */
const RETRY_MS = 5_000;
export function retryDelay(failures: number, first = RETRY_MS): number {
  return Math.min(first * 2 ** Math.min(Math.max(failures - 1, 0), 10), Math.max(first, 60_000));
}

/**
 * The order snapshots are posted in: each is numbered as it begins (its node, channel and selection are read then),
 * and one begun before a snapshot already posted is dropped. Its chain reads may end after a newer one's (a slow
 * testnet read, then a network switch or another channel selected): posted, it would show what is no longer current.
 */
export class SnapshotOrder {
  private begun = 0;
  private posted = 0;

  begin(): number {
    return ++this.begun;
  }

  /** Whether snapshot `n` may be posted (none begun after it was); notes it as posted. */
  mayPost(n: number): boolean {
    if (n < this.posted) return false;
    this.posted = n;
    return true;
  }
}

async function channelBalances(host: NodeHost, reads: ChainReads, key: string, node: HostedNode, ch: ChannelView): Promise<ChannelBalances> {
  const names = host.nodes().map((n) => ({ label: n.label, account: n.api.getAccount() }));
  const partner = partnerName(ch, names);
  const net = ch.network;
  // what moves money on chain (a deposit, a close, the payout) changes the phase, the deposits or the payout seen:
  // read again then (testnet, a devnet: the payout may be seen after the channel reads 'closed')
  const at = `${ch.phase}:${ch.depositA}:${ch.depositB}:${ch.payout ? (ch.payout.txHash ?? ch.payout.lt ?? 'paid') : ''}`;
  // the contract and the wallets with the storage fee each owes (the node's read), as the CLI's balances say them
  const [contractBalance, yourWallet, partnerWallet] = await Promise.all([
    reads.read(`${net}:${ch.contract}:${at}`, () => node.api.balanceContractDue(ch.id)),
    reads.read(`${net}:${ch.myAddress}:${at}`, () => node.api.balanceTonDue()),
    reads.read(`${net}:${ch.partnerAddress}:${at}`, () => node.api.balanceTonDue(ch.partnerAddress)),
  ]);
  const history = await node.api.history(ch.id, ch.count > 500n ? ch.count - 500n : 0n, ch.count).catch(() => []);
  const mine = (s: { balanceA: bigint; balanceB: bigint }) => (ch.me === 'A' ? s.balanceA : s.balanceB);
  const theirs = (s: { balanceA: bigint; balanceB: bigint }) => (ch.me === 'A' ? s.balanceB : s.balanceA);
  const p = ch.phase === 'closed' ? ch.payout : null;
  return {
    key,
    partyLabel: node.id === 'me' ? 'You' : node.label,
    partnerLabel: partner,
    me: ch.me,
    channelId: ch.id,
    network: net,
    contract: { full: ch.contract, short: shortAddress(ch.contract) },
    partnerAddress: { full: ch.partnerAddress, short: shortAddress(ch.partnerAddress) },
    partnerOnline: ch.partnerOnline,
    phase: phaseWord(ch.phase),
    turn: turnWords(ch),
    step: ch.latest ? ch.latest.step.toString() : null,
    you: amountOf(ch.myBalance),
    partner: amountOf(ch.partnerBalance),
    contractBalance: figure(contractBalance),
    yourWallet: figure(yourWallet),
    // judged by the node at each read of the wallet, this one included
    walletLow: walletLowLine(node.api.walletLow()),
    partnerWallet: figure(partnerWallet),
    close:
      ch.phase === 'closing' && ch.close
        ? { step: ch.close.step?.toString() ?? null, deadline: ch.close.secondsLeft === null ? null : Math.round(Date.now() / 1000) + ch.close.secondsLeft, stale: staleOnChain(ch), onChain: onChainWords(ch.close, partner) }
        : null,
    payout: p
      ? {
          step: p.step?.toString() ?? null,
          you: amountOf(ch.me === 'A' ? p.paidA : p.paidB),
          partner: amountOf(ch.me === 'A' ? p.paidB : p.paidA),
          unknown: sharesUnknown(p, ch.me, partner),
          matchesLatest: p.matchesLatest,
          latestStep: p.latestStep?.toString() ?? null,
        }
      : null,
    payoutPending: ch.phase === 'closed' && !ch.payout ? PAYOUT_PENDING : null,
    pendingAwaitingMe: ch.actions.sign.ok,
    pendingStep: ch.pending?.awaiting === 'me' ? ch.pending.step.toString() : null,
    actions: actionButtons(ch),
    history: history.map((s) => ({ step: s.step.toString(), you: mine(s).toString(), partner: theirs(s).toString() })),
  };
}

/** A closed channel whose payout the node has not found yet (a lagging endpoint): said instead of nothing. */
const PAYOUT_PENDING = 'Payout not read yet: the contract closed, and your node has not yet found the transaction that paid out. It reads the contract again by itself; the amounts show here once found.';

/** A payout whose transaction was not found (buried under later messages): what each gets by the state, and why. */
function sharesUnknown(p: PayoutView, me: 'A' | 'B', partner: string): string | null {
  if (p.paidA !== null && p.paidB !== null) return null;
  const by = p.step === null ? 'the deposits (an exit)' : `Step ${p.step}`;
  const [mine, theirs] = me === 'A' ? [p.balanceA, p.balanceB] : [p.balanceB, p.balanceA];
  return `Paid out by ${by}: your ${formatTon(mine)} TON in that ${p.step === null ? 'deposit' : 'state'} plus half the fee reserve, ${partner} ${formatTon(theirs)} TON plus half. The exact amounts are not known here: ${SHARES_UNREAD}.`;
}

/** A node's channels, read again (a few times, a moment apart) while one is between two writes (model.ts). */
async function settledChannels(node: HostedNode): Promise<ChannelView[]> {
  let views = node.api.channels();
  for (let i = 0; i < 20 && views.some(settling); i++) {
    await new Promise((r) => setTimeout(r, 25));
    views = node.api.channels();
  }
  return views;
}

/** The panel with no node, as the welcome view says it: a start that cannot work now is not offered. */
const NO_NODE: Partial<Record<string, string>> = {
  stopped: 'the node is not running: Serve, Connect or Start the Node, or open the teaching demo',
  starting: 'your node is starting…',
  locked: "another VS Code window (or a synchannel process) holds this network's data folder and watches its channels: use that window, or Switch Network",
  error: 'your node did not start: the notification and the log (Show Log) say why; Start the Node again once it is fixed, or Switch Network',
};

/** No channel on any node shown: the demo's next step while it runs (its story opens the channel), else Serve and Connect. */
function noChannelHint(host: NodeHost): string {
  const next = host.demos.session?.next();
  if (next) return `no channel yet: the teaching demo's next step is "${next.title}": run it from the walkthrough, or with Run a Teaching Demo Step`;
  return 'no channel yet: Serve on one side, Connect on the other, then open a channel';
}

export async function buildSnapshot(host: NodeHost, reads: ChainReads, selectedKey: string | null, replayRequest: number): Promise<BalancesSnapshot> {
  const nodes = host.nodes();
  const names = nodes.map((n) => ({ label: n.label, account: n.api.getAccount() }));
  const choices: { key: string; label: string; node: HostedNode; ch: ChannelView }[] = [];
  for (const node of nodes) {
    for (const ch of await settledChannels(node)) {
      const who = node.id === 'me' ? 'You' : node.label;
      choices.push({ key: `${node.id}:${ch.id}`, label: `${who} ⇄ ${partnerName(ch, names)} (${phaseWord(ch.phase)})`, node, ch });
    }
  }
  const chosen = choices.find((c) => c.key === selectedKey) ?? choices[0] ?? null;
  const hint = chosen ? null : nodes.length ? noChannelHint(host) : NO_NODE[host.status] ?? NO_NODE.stopped!;
  const journal = host.demos.session?.journal.list() ?? null;
  const selected = chosen ? await channelBalances(host, reads, chosen.key, chosen.node, chosen.ch) : null;
  // the header speaks of the channel shown (a demo channel is on the sandbox whatever your node runs on), else of your node
  return {
    network: selected?.network ?? host.runningNetwork ?? (host.demos.session ? 'sandbox' : host.network),
    nodeStatus: chosen ? (chosen.node.id === 'me' ? 'running' : 'demo') : host.mainNode ? 'running' : host.demos.session ? 'demo' : host.status,
    channels: choices.map(({ key, label }) => ({ key, label })),
    selected,
    hint,
    replay: journal && journal.length ? journal : null,
    replayRequest,
    generatedAt: Date.now(),
  };
}
