// The short soak of `npm test` (the long one is `npm run soak`, scripts/soak.ts): 20 runs of kill -9 at protocol
// points and random moments, torn journal tails, a hostile TCP proxy, devnet restarts and a failing RPC, with a
// close and a new channel half-way. Nothing either node reported as signed by both is lost; each channel
// closes paid by its latest state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOnce } from '../e2e/cli-harness.js';
import { runSoak } from './soak.js';

test('short soak: 20 runs of kill -9, torn tails, a hostile proxy, devnet restarts and RPC faults lose no state both signed', async (t) => {
  buildOnce();
  const seed = Number(process.env.SYNCHANNEL_SOAK_SEED ?? Date.now() % 100_000);
  t.diagnostic(`seed ${seed} (SYNCHANNEL_SOAK_SEED=${seed} replays the plan)`);
  const r = await runSoak({ runs: 20, seed, devnetEvery: 7, channelEvery: 10, checkEvery: 5 });
  t.diagnostic(`${r.runs} runs in ${r.seconds} s: ${r.kills} kills, ${r.tornTails} torn tails, ${r.proxy.cuts} cuts, ${r.devnetRestarts} devnet restarts, ${r.rpc.errors + r.rpc.hangs + r.rpc.timeouts + r.rpc.resets} RPC faults; ${r.statesSigned} states, ${r.statesLost} lost`);
  assert.equal(r.error, null);
  assert.equal(r.runs, 20);
  assert.ok(r.kills >= 10, `${r.kills} kills`);
  assert.equal(r.statesLost, 0);
  assert.equal(r.channels, 2);
  assert.equal(r.closes.length, 2);
});
