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
  /** the network of the user's node it ran on (none: not known, a demo party's, or noted by an older version) */
  network?: NetworkKind;
}

function valid(x: unknown): x is UnderWayEntry {
  const e = x as Partial<UnderWayEntry> | null;
  return !!e && typeof e.id === 'string' && typeof e.command === 'string' && typeof e.at === 'number' && typeof e.pid === 'number';
}

/** An entry as read: a network that is not one of ours is dropped. */
function entryOf(e: UnderWayEntry): UnderWayEntry {
  const { network, ...rest } = e;
  return isNetwork(network) ? { ...rest, network } : rest;
}

export class UnderWay {
  private next = 0;

  constructor(
    private readonly state: StateStore,
    private readonly pid = process.pid,
  ) {}

  /**
   * Runs `fn`, noted as under way while it runs when `command` is a long one; `fn` notes the network of the node it
   * runs on with `on` once it has found it.
   */
  async run<T>(command: string, fn: (on: (network: NetworkKind) => void) => Promise<T>): Promise<T> {
    if (!Object.hasOwn(LONG, command)) return fn(() => undefined);
    const entry: UnderWayEntry = { id: `${this.pid}-${++this.next}`, command, at: Date.now(), pid: this.pid };
    this.save([...this.list(), entry].slice(-MAX));
    const on = (network: NetworkKind) => {
      const list = this.list();
      if (list.some((e) => e.id === entry.id && e.network !== network)) this.save(list.map((e) => (e.id === entry.id ? { ...e, network } : e)));
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

/**
 * What to say about commands cut short, and the switch to offer: each said with its network, and a network other
 * than this window's named with its switch (the SynChannel view shows this window's network only).
 * `nodeRuns`: the node runs again (it shows the channels as they are now).
 */
export function cutShortWords(left: readonly UnderWayEntry[], now: { nodeRuns: boolean; network: NetworkKind }): { text: string; actions: NextAction[] } {
  const what = [...new Set(left.map((e) => `${LONG[e.command] ?? e.command}${e.network ? ` on ${e.network}` : ''}`))];
  const one = what.length === 1;
  const list = one ? what[0]! : `${what.slice(0, -1).join(', ')} and ${what.at(-1)!}`;
  const when = new Date(Math.min(...left.map((e) => e.at))).toLocaleString();
  const away = [...new Set(left.flatMap((e) => (e.network && e.network !== now.network ? [e.network] : [])))];
  const asNow = now.nodeRuns ? 'as they are now' : 'as they are once the node runs again';
  const again = `look there before you run ${one ? 'it' : 'them'} again, since ${one ? 'it' : 'each'} may have gone through.`;
  let view = `The SynChannel view shows your channels ${asNow}: ${again}`;
  if (away.length) {
    const here = left.some((e) => !e.network || e.network === now.network) ? [`your ${now.network} channels ${now.nodeRuns ? 'as they are now' : 'once the node runs again'}`] : [];
    const shows = [...here, ...away.map((n) => `your ${n} channels once you Switch to ${n}`)].join(', ');
    view = `This window is on ${now.network} now: the SynChannel view shows ${shows}; ${again}`;
  }
  return {
    text: `the window was reloaded or closed while ${list} ${one ? 'was' : 'were'} under way (started ${when}), so ${one ? 'its result was' : 'their results were'} not shown. ${view}`,
    actions: away.map(switchBack),
  };
}
