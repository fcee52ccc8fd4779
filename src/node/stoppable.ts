// The node's chain: every wallet send of the node ends when the node stops. One still waiting for its wallet is
// dropped unsigned (CANCELLED, nothing sent); one on its way stops waiting (CANCELLED with `sent`: it may still
// land, and the watch reads it after the next start). A stopped node never sends from its wallet again.
import { nodeStop } from '../chain/sent.js';
import type { Chain, OpOptions } from '../chain/types.js';

/** The wallet sends of a Chain, and the position of their options. */
export const SENDS: Partial<Record<keyof Chain, number>> = {
  deployChannel: 3,
  deposit: 3,
  refund: 2,
  cooperativeClose: 3,
  startClose: 3,
  startExit: 2,
  challenge: 3,
  finishClose: 2,
};

export interface StoppableChain {
  chain: Chain;
  /** Ends every send: resolves once each has settled, or after STOP_WAIT_MS (a stop never hangs on the chain). */
  stop(): Promise<void>;
}

/** How long a stop waits for the ended sends to settle (they end at once when their signal fires). */
const STOP_WAIT_MS = 2_000;

export function stoppable(chain: Chain): StoppableChain {
  const stopper = new AbortController();
  const running = new Set<Promise<unknown>>();
  const wrapped = new Proxy(chain, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const at = SENDS[prop as keyof Chain];
      if (at === undefined) return (v as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        const o = (args[at] ?? {}) as OpOptions;
        args[at] = { ...o, signal: o.signal ? AbortSignal.any([o.signal, stopper.signal]) : stopper.signal };
        const p = (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        running.add(p);
        void p.catch(() => undefined).finally(() => running.delete(p));
        return p;
      };
    },
  });
  return {
    chain: wrapped,
    async stop() {
      stopper.abort(nodeStop());
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((r) => (timer = setTimeout(r, STOP_WAIT_MS)));
      await Promise.race([Promise.allSettled([...running]), late]);
      clearTimeout(timer);
    },
  };
}
