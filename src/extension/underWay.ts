// Commands under way when the window reloads or closes. VS Code takes the window's side away before the extension
// stops, so what an interrupted command says ("the node stopped, but …") is shown nowhere. Each long command is
// noted in the workspace's state while it runs; the next activation says which ones were cut short. Pure (a
// Memento is all it needs). Each is noted with the network of the node it ran on: the window may reopen on another.

import { isNetwork, type NetworkKind } from '../core/networks.js';
import { switchBack, type NextAction } from './nextSteps.js';

/** The workspace state it writes to (vscode.Memento's two methods). */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/** The commands that wait for the chain or the partner, in words. */
const LONG: Readonly<Record<string, string>> = {
  deposit: 'a deposit',
  refund: 'a refund',
  decline: 'declining a channel',
  withdraw: 'a close (withdraw)',
  withdrawStep: 'a close with an earlier state',
  leave: 'a close with the deposits (leave)',
  challenge: 'a challenge',
  finish: 'finishing a close',
  send: 'a payment',
  open: 'opening a channel',
};

const KEY = 'synchannel.underWay';
/** At most this many kept (one window runs a few at a time). */
const MAX = 20;

export interface UnderWayEntry {
  id: string;
  command: string;
  /** when it started (unix ms) */
  at: number;
  /** the extension host that ran it */
  pid: number;
  /** the network of the node it ran on (none: not known, or noted by an older version) */
  network?: NetworkKind;
  /** the teaching demo's party it ran as ("Bob"; none: the user's node) */
  demo?: string;
}

function valid(x: unknown): x is UnderWayEntry {
  const e = x as Partial<UnderWayEntry> | null;
  return !!e && typeof e.id === 'string' && typeof e.command === 'string' && typeof e.at === 'number' && typeof e.pid === 'number';
}

/** An entry as read: a network that is not one of ours, a demo party that is no name, is dropped. */
function entryOf(e: UnderWayEntry): UnderWayEntry {
  const { network, demo, ...rest } = e;
  return { ...rest, ...(isNetwork(network) ? { network } : {}), ...(typeof demo === 'string' && demo ? { demo: demo.slice(0, 40) } : {}) };
}

export class UnderWay {
  private next = 0;

  constructor(
    private readonly state: StateStore,
    private readonly pid = process.pid,
  ) {}

  /**
   * Runs `fn`, noted as under way while it runs when `command` is a long one; `fn` notes the network of the node it
   * runs on with `on` once it has found it (and the demo's party, when it runs as one).
   */
  async run<T>(command: string, fn: (on: (network: NetworkKind, demo?: string) => void) => Promise<T>): Promise<T> {
    if (!Object.hasOwn(LONG, command)) return fn(() => undefined);
    const entry: UnderWayEntry = { id: `${this.pid}-${++this.next}`, command, at: Date.now(), pid: this.pid };
    this.save([...this.list(), entry].slice(-MAX));
    const on = (network: NetworkKind, demo?: string) => {
      const list = this.list();
      const noted = (e: UnderWayEntry): UnderWayEntry => ({ ...e, network, ...(demo ? { demo } : {}) });
      if (list.some((e) => e.id === entry.id && (e.network !== network || e.demo !== demo))) this.save(list.map((e) => (e.id === entry.id ? noted(e) : e)));
    };
    try {
      return await fn(on);
    } finally {
      this.save(this.list().filter((e) => e.id !== entry.id));
    }
  }

  /** What an earlier extension host of this workspace left under way, taken (said once). */
  async taken(): Promise<UnderWayEntry[]> {
    const all = this.list();
    const left = all.filter((e) => e.pid !== this.pid);
    if (left.length) await this.state.update(KEY, all.filter((e) => e.pid === this.pid));
    return left;
  }

  /** Not awaited (a payment does not wait for the disk); a failure (the window closing) is dropped. */
  private save(list: UnderWayEntry[]): void {
    Promise.resolve(this.state.update(KEY, list)).catch(() => undefined);
  }

  private list(): UnderWayEntry[] {
    const v = this.state.get<unknown>(KEY);
    return Array.isArray(v) ? v.filter(valid).map(entryOf) : [];
  }
}

/** A command cut short, in words: what it did, as whom (a demo party), on which network. */
function cutShortOne(e: UnderWayEntry): string {
  const where = e.network ? ` on ${e.network}` : '';
  return `${LONG[e.command] ?? e.command}${e.demo ? ` by ${e.demo} in the teaching demo${where}` : where}`;
}

/**
 * What to say about commands cut short, and the switch to offer: each said with its network, and a network other
 * than this window's named with its switch (the SynChannel view shows this window's network only). A demo party's
 * is said as the demo's: its run ended with the window (no switch shows it). `nodeRuns`: the node runs again.
 */
export function cutShortWords(left: readonly UnderWayEntry[], now: { nodeRuns: boolean; network: NetworkKind }): { text: string; actions: NextAction[] } {
  const what = [...new Set(left.map(cutShortOne))];
  const one = what.length === 1;
  const list = one ? what[0]! : `${what.slice(0, -1).join(', ')} and ${what.at(-1)!}`;
  const when = new Date(Math.min(...left.map((e) => e.at))).toLocaleString();
  const mine = left.filter((e) => !e.demo);
  const away = [...new Set(mine.flatMap((e) => (e.network && e.network !== now.network ? [e.network] : [])))];
  const asNow = now.nodeRuns ? 'as they are now' : 'as they are once the node runs again';
  const again = `look there before you run ${one ? 'it' : 'them'} again, since ${one ? 'it' : 'each'} may have gone through.`;
  let view = mine.length ? `The SynChannel view shows your channels ${asNow}: ${again}` : '';
  if (away.length) {
    const here = mine.some((e) => !e.network || e.network === now.network) ? [`your ${now.network} channels ${now.nodeRuns ? 'as they are now' : 'once the node runs again'}`] : [];
    const shows = [...here, ...away.map((n) => `your ${n} channels once you Switch to ${n}`)].join(', ');
    view = `This window is on ${now.network} now: the SynChannel view shows ${shows}; ${again}`;
  }
  const demo = mine.length < left.length ? "The teaching demo's run ended with the window: open the demo again for a new run." : '';
  return {
    text: `the window was reloaded or closed while ${list} ${one ? 'was' : 'were'} under way (started ${when}), so ${one ? 'its result was' : 'their results were'} not shown. ${[view, demo].filter(Boolean).join(' ')}`,
    actions: away.map(switchBack),
  };
}
