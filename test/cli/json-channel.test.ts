// With several channels, the --json results of the commands that read one channel name it (id and contract): a
// script could not tell which channel a balanceChan, showLast, showAll or balanceContract answered for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLine, runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

const latest = { step: 2n, sender: 'A', tag: 'state', balanceA: 1n, balanceB: 2n, sigA: 'AA', sigB: 'BB', committed: true, empty: false };
const view = (id: string) => ({ id, contract: id, channelId: '7', phase: 'open', me: 'A', latest, count: 3n, payout: null }) as unknown as ChannelView;
const [c1, c2] = [view('kQone'), view('kQtwo')];

/** Two open channels, the second the default. */
const node = {
  channels: () => [c1, c2],
  currentChannel: () => c2,
  channel: (id: string) => [c1, c2].find((c) => c.id === id) ?? null,
  balanceChan: () => ({ balanceA: 1n, balanceB: 2n, step: 2n }),
  balanceContract: async () => 5n,
  showLast: () => latest,
  showAll: async () => [latest],
} as unknown as ChannelNodeApi;

async function result(line: string): Promise<Record<string, unknown>> {
  const emitted: Record<string, unknown>[] = [];
  const io: Io = { say: () => undefined, emit: (x) => emitted.push(x), ask: async () => null, json: true, interactive: false };
  await runLine(line, node, io);
  const r = emitted[0] as { ok: boolean; result: Record<string, unknown> };
  assert.equal(r.ok, true, jsonLine(emitted));
  return r.result;
}

test('balanceChan, showLast, showAll and balanceContract name the channel they read', async () => {
  for (const cmd of ['balanceChan', 'showLast', 'showAll', 'balanceContract']) {
    const r = await result(cmd);
    assert.equal(r.id, 'kQtwo', `${cmd}: ${jsonLine(r)}`);
    assert.equal(r.contract, 'kQtwo', cmd);
    assert.equal((await result(`${cmd} --channel kQone`)).id, 'kQone', cmd);
  }
});
