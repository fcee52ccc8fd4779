// showAll --from/--to: both steps named are shown (`--from 1 --to 1` printed "No states yet" on a channel that
// has step 1: the node's range ends before its `to`, and the CLI passed --to through as that end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, StateView } from '../../src/node/types.js';

const states = [0n, 1n, 2n, 3n].map((step) => ({ step, balanceA: 5n - step, balanceB: step, sender: 'A', sigA: 'aa', sigB: 'bb', empty: false }) as unknown as StateView);

/** A node holding steps 0..3 of one channel: only what showAll uses. */
const node = {
  currentChannel: () => ({ id: 'C', contract: 'C', count: 4n }),
  channels: () => [],
  showAll: async (_c?: string, r: { from?: bigint; to?: bigint } = {}) => states.filter((s) => s.step >= (r.from ?? 0n) && s.step < (r.to ?? 4n)),
} as unknown as ChannelNodeApi;

async function run(line: string): Promise<{ ok: boolean; steps: bigint[]; error?: string }> {
  const emitted: { ok: boolean; result?: { states: StateView[] }; error?: { code: string } }[] = [];
  const io: Io = { say: () => undefined, emit: (x) => emitted.push(x as never), ask: async () => null, json: true, interactive: false };
  await runLine(line, node, io);
  const r = emitted[0]!;
  return { ok: r.ok, steps: r.result?.states.map((s) => s.step) ?? [], ...(r.error ? { error: r.error.code } : {}) };
}

test('showAll --from/--to shows both steps named', async () => {
  assert.deepEqual((await run('showAll --from 1 --to 1')).steps, [1n]);
  assert.deepEqual((await run('showAll --from 1 --to 2')).steps, [1n, 2n]);
  assert.deepEqual((await run('showAll --to 0')).steps, [0n]);
  assert.deepEqual((await run('showAll --from 2')).steps, [2n, 3n]);
  assert.deepEqual((await run('showAll --from 2 --to 1')).error, 'USAGE');
});

test('a range past the last step says which steps there are, not "No states yet"', async () => {
  const said: string[] = [];
  const io: Io = { say: (t) => said.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  const held = { ...node, currentChannel: () => ({ count: 4n }) } as unknown as ChannelNodeApi;
  await runLine('showAll --from 999', held, io);
  assert.deepEqual(said, ['No states in that range: the steps are 0 to 3']);
});
