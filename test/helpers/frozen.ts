// A node "frozen" as by SIGSTOP while its process and connections stay up: nothing of its partner's is read, and
// its chain reads and watch events wait, until thawed. For the node tests (two real nodes on one SandboxChain).
import type { Chain, WatchOptions } from '../../src/chain/types.js';
import type { PeerSession } from '../../src/p2p/index.js';
import type { TestNode } from './nodes.js';

/** The chain calls that read (a frozen node's reads wait until it thaws). */
const READS = new Set(['getBalance', 'getBalanceDue', 'getSeqno', 'getChannelData', 'getChannelStatus', 'getPayout', 'received', 'now']);

/** A chain whose reads and watch callbacks wait while `frozen`, and go on, in order, once thawed. */
export function freezableChain(real: Chain) {
  let thawed: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const self = {
    frozen: false,
    freeze(): void {
      if (self.frozen) return;
      self.frozen = true;
      thawed = new Promise((r) => (open = r));
    },
    thaw(): void {
      self.frozen = false;
      open();
    },
  };
  /** `fn` now, or once thawed when frozen. */
  const gated = <A extends unknown[]>(fn: (...a: A) => unknown) => (...a: A) => (self.frozen ? void thawed.then(() => fn(...a)) : fn(...a));
  const chain = new Proxy(real, {
    get(target, prop) {
      if (prop === 'watchChannel') {
        return (channel: Parameters<Chain['watchChannel']>[0], o: WatchOptions) =>
          target.watchChannel(channel, {
            ...o,
            onEvent: gated(o.onEvent),
            ...(o.onError ? { onError: gated(o.onError) } : {}),
            ...(o.onReadAgain ? { onReadAgain: gated(o.onReadAgain) } : {}),
            ...(o.onNow ? { onNow: gated(o.onNow) } : {}),
          });
      }
      const v = Reflect.get(target, prop) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (!READS.has(String(prop))) return fn;
      return async (...a: unknown[]) => {
        if (self.frozen) await thawed;
        return fn(...a);
      };
    },
  }) as Chain;
  return Object.assign(self, { chain });
}

type Paused = { link?: { pause(reason: string): void; resume(reason: string): void; close(reason: string): void } };

/** `node`'s session with the partner `wallet` (raw): its link stops reading (`hold`) and reads again (`release`). */
export function heldSession(node: TestNode, wallet: string) {
  const session = () => (node.node as unknown as { sessions: { get(w: string): PeerSession | null } }).sessions.get(wallet) as unknown as Paused | null;
  const link = () => {
    const l = session()?.link;
    if (!l) throw new Error('no link to hold');
    return l;
  };
  return {
    hold: () => link().pause('test-frozen'),
    release: () => link().resume('test-frozen'),
    /** the connection dropped meanwhile (the partner's ping went unanswered): what was held is lost, the node redials */
    drop: () => link().close('the connection dropped while frozen'),
  };
}
