// A chain endpoint that lags behind a channel's lock (a load-balanced endpoint), for the nodes' tests.
import type { Chain, ChannelData, ChannelEvent, ChannelStatus, WatchOptions } from '../../src/chain/types.js';

/** A chain whose reads show a locked contract as still funding, and whose watches hold the lock back, while `lag`. */
export function laggingChain(real: Chain) {
  const held: { e: ChannelEvent; deliver: (e: ChannelEvent) => void }[] = [];
  const self = {
    lag: true,
    held,
    /** the endpoint caught up: reads show the chain as it is, the held lock goes to the watches */
    catchUp(): void {
      self.lag = false;
      for (const h of held.splice(0)) h.deliver(h.e);
    },
  };
  const funding = (d: ChannelData): ChannelData => (self.lag && d.phase === 'open' ? { ...d, phase: 'funding' } : d);
  const chain = new Proxy(real, {
    get(target, prop) {
      if (prop === 'getChannelData') {
        return async (...a: Parameters<Chain['getChannelData']>) => {
          const d = await target.getChannelData(...a);
          return d ? funding(d) : d;
        };
      }
      if (prop === 'getChannelStatus') {
        return async (...a: Parameters<Chain['getChannelStatus']>): Promise<ChannelStatus> => {
          const st = await target.getChannelStatus(...a);
          return self.lag && st.status === 'open' ? { ...st, status: 'funding', data: funding(st.data) } : st;
        };
      }
      if (prop === 'watchChannel') {
        return (channel: Parameters<Chain['watchChannel']>[0], o: WatchOptions) =>
          target.watchChannel(channel, {
            ...o,
            onEvent: (e) => (self.lag && e.type === 'locked' ? held.push({ e, deliver: o.onEvent }) : o.onEvent(e)),
          });
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  return Object.assign(self, { chain });
}
