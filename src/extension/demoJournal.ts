// The journal of a teaching-demo run, for "Replay": per step, what the node said it did, what each party signed
// and what the chain saw, in the order the events came. Built from the demo nodes' events (NodeEvent), worded
// for people; the webview shows it step by step.
import type { NodeEvent, Party } from '../node/types.js';
import type { ReplayEntry, ReplayLine } from '../../webview/protocol.js';
import { formatTon, stateLine } from './util.js';
import { windowWords } from './words.js';
import { receivedText } from '../node/uiRules.js';

type Names = Record<Party, string>;

/** One line for an event seen by `who` (a demo party), or null when the other party's event says it already. */
export function journalLine(who: string, e: NodeEvent, names: Names): ReplayLine | null {
  const other = (p: Party) => names[p === 'A' ? 'B' : 'A'];
  switch (e.type) {
    case 'partnerConnected':
      return { source: who, text: `${who} is connected to ${e.partner.address} (its address proof checked)` };
    case 'channelProposed':
      return {
        source: who,
        text: `${other(e.channel.me)} proposed a channel: ${formatTon(e.channel.expectedDepositA)} TON from ${names.A}, ${formatTon(e.channel.expectedDepositB)} TON from ${names.B}`,
      };
    case 'depositSeen':
      // both nodes see every deposit: told once, by the node of the party it arrives for
      if (e.party === e.channel.me) return null;
      return { source: 'chain', text: `the contract received ${formatTon(e.amount)} TON from ${names[e.party]}` };
    case 'channelLocked':
      return { source: 'chain', text: 'both deposits are in: the contract is locked' };
    case 'stateReceived':
      return { source: other(e.channel.me), text: `${other(e.channel.me)} signed Step ${e.state.step} (${stateLine(e.state)}) and sent it to ${who}` };
    case 'stateSigned':
      // the countersigner's event; the sender's one says the same
      if (e.state.sender === e.channel.me) return null;
      return { source: who, text: `${who} countersigned Step ${e.state.step} (${stateLine(e.state)}): both signed it` };
    case 'turnRequested':
      return { source: other(e.channel.me), text: `${other(e.channel.me)} asked ${who} for the turn` };
    case 'closeRequested':
      return { source: other(e.channel.me), text: `${other(e.channel.me)} proposed a cooperative close at ${stateLine(e.state)}` };
    case 'closeStarted': {
      const by = e.byPartner ? other(e.channel.me) : who;
      const what = e.step === null ? 'the deposits (an exit)' : `Step ${e.step}`;
      return { source: 'chain', text: `${by} submitted ${what}: ${windowWords(e.channel, (left) => `the challenge window ends in ${left}`)}` };
    }
    case 'challenged':
      return { source: 'chain', text: `${e.byMe ? who : other(e.channel.me)} challenged the close with Step ${e.step}` };
    case 'challengeFailed':
      return { source: who, text: `${who}'s challenge failed (${e.message}); ${e.secondsLeft === null ? 'the time left is being read' : `${e.secondsLeft} s left`}` };
    case 'closed': {
      const p = e.payout;
      return {
        source: 'chain',
        text: `paid out by ${p.step === null ? 'the deposits' : `Step ${p.step}`} (${stateLine(p)}): ${names.A} received ${receivedText(p, 'A')}, ${names.B} ${receivedText(p, 'B')}`,
      };
    }
    case 'equivocation':
      return { source: who, text: `${other(e.channel.me)} signed two states for Step ${e.step}: the evidence is kept` };
    default:
      return null;
  }
}

/**
 * Events that come before the step that tells them, filed under that step: Bob's watcher challenges during the
 * stale close's step, and the watchers finish a close by themselves once the window passed in real time.
 */
const TOLD_BY: Partial<Record<NodeEvent['type'], string>> = { challenged: 'challenge', closed: 'finishClose' };

/** The journal of one demo run. */
export class DemoJournal {
  private readonly entries: ReplayEntry[] = [];
  private current: ReplayEntry | null = null;
  /** lines kept for a step that has not begun yet, by step id */
  private readonly early = new Map<string, ReplayLine[]>();

  constructor(private readonly names: Names) {}

  /** Starts the entry of a step; the events until end() belong to it (and those kept for it). */
  begin(step: string, title: string): void {
    this.current = { step, title, result: '', lines: this.early.get(step) ?? [] };
    this.early.delete(step);
  }

  /** An event of a demo node (`who` is its name); outside a step it goes to the last entry. */
  add(who: string, e: NodeEvent): void {
    const line = journalLine(who, e, this.names);
    if (!line) return;
    const later = TOLD_BY[e.type];
    // only in the story's close (a close by hand before it is told where it happens)
    if (later && this.began('staleClose') && !this.began(later)) {
      const kept = this.early.get(later) ?? [];
      if (!kept.some((l) => l.text === line.text)) kept.push(line);
      this.early.set(later, kept);
      return;
    }
    // Told by the other node after its step (the same challenge read later): under that step, once.
    const told = later && this.began('staleClose') ? (this.current?.step === later ? this.current : this.entries.find((x) => x.step === later)) : undefined;
    const entry = told ?? this.current ?? this.entries.at(-1);
    if (!entry) return;
    if (entry.lines.some((l) => l.text === line.text)) return;
    entry.lines.push(line);
  }

  private began(step: string): boolean {
    return this.current?.step === step || this.entries.some((x) => x.step === step);
  }

  end(result: string | null): void {
    const c = this.current;
    this.current = null;
    // a failed try of a step that tells earlier events keeps them for the next try
    if (c && result === null && Object.values(TOLD_BY).includes(c.step)) this.early.set(c.step, c.lines);
    if (!c || result === null) return;
    c.result = result;
    this.entries.push(c);
  }

  list(): ReplayEntry[] {
    return this.entries.map((e) => ({ ...e, lines: [...e.lines] }));
  }
}
