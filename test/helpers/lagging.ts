// A chain endpoint that lags behind a channel's lock (a load-balanced endpoint), and a record save that fails (a full
// disk), for the nodes' tests.
import { join } from 'node:path';
import type { Address, ContractProvider, ContractState, StateInit } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { connect, TON, type Pair, type TestNode } from './nodes.js';
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

/** `who` restarted on a chain (`real`, else the pair's) whose reads lag behind the lock, and connected again. */
export async function restartLagging(p: Pair, who: 'alice' | 'bob', real: Chain = p.chain): Promise<ReturnType<typeof laggingChain>> {
  const lagging = laggingChain(real);
  await p[who].stop();
  p[who] = await createNode({ ...p.common, chain: lagging.chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });
  await connect(p.alice, p.bob);
  return lagging;
}

/**
 * Bob restarted on a chain whose reads lag behind the lock (laggingChain) and connected to Alice again; `reconnects`
 * counts the partnerConnected events on either side from now on.
 */
export async function bobLagging(p: Pair): Promise<{ lagging: ReturnType<typeof laggingChain>; reconnects: () => number }> {
  const lagging = await restartLagging(p, 'bob');
  let reconnects = 0;
  p.alice.on((e) => void (e.type === 'partnerConnected' && reconnects++));
  p.bob.on((e) => void (e.type === 'partnerConnected' && reconnects++));
  reconnects = 0; // a first listener gets the start-up's events replayed (the connection above among them)
  return { lagging, reconnects: () => reconnects };
}

/**
 * The next save of `node`'s (first) channel record that `when` picks fails as on a full disk, once. Returns whether
 * it failed yet.
 */
export function failOneSave(node: TestNode, when: (r: { life: string }) => boolean): () => boolean {
  type Storage = { writeRecord(r: { life: string }): Promise<void> };
  const inner = node.node as unknown as { ctx: { channels: Map<string, { storage: Storage | null }> } };
  const storage = [...inner.ctx.channels.values()][0]!.storage!;
  const write = storage.writeRecord.bind(storage);
  let failed = false;
  storage.writeRecord = async (r) => {
    if (when(r) && !failed) {
      failed = true;
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'DISK_WRITE_FAILED' });
    }
    return write(r);
  };
  return () => failed;
}

/** Alice opens (3 TON and 4 TON), Bob deposits, and Bob's lagging node refuses her initial state (NOT_LOCKED). */
export async function bobRefusesInitial(p: Pair): Promise<Extract<NodeEvent, { type: 'error' }>> {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const refused = waitForEvent(p.bob, 'error', (e) => e.code === 'NOT_LOCKED', 60_000);
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await p.bob.deposit();
  return refused;
}

/**
 * The account-state reads of `contract` that `chain` makes through a provider (what a wrapper's submitterOf reads)
 * show it as never deployed while `lag`: a replica that has not seen the deployment yet. Only this chain object's
 * reads lag (another object over the same Blockchain reads it as it is). `reads` counts the lagging answers.
 */
export function laggingState(chain: SandboxChain, contract: Address): { lag: boolean; reads: number } {
  const self = { lag: true, reads: 0 };
  type Providing = { provider(address: Address, init?: StateInit | null): ContractProvider };
  const c = chain as unknown as Providing;
  const provider = c.provider.bind(chain);
  c.provider = (address, init) => {
    const real = provider(address, init);
    if (!address.equals(contract)) return real;
    return new Proxy(real, {
      get(target, prop) {
        if (prop === 'getState' && self.lag) {
          return async (): Promise<ContractState> => {
            self.reads++;
            return { balance: 0n, extracurrency: null, last: null, state: { type: 'uninit' } };
          };
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  return self;
}
