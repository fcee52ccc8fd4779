// After a failed journal write (a full disk) the views mark the newest state both signed `unsaved`: held in memory
// only. showLast, showAll, channels and balanceChan say so after that step (it is what a withdraw submits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView, StateView } from '../../src/node/types.js';

const state = (step: bigint, unsaved: boolean): StateView => ({
  step,
  sender: step % 2n ? 'B' : 'A',
  tag: 'state',
  balanceA: 4_000_000_000n,
  balanceB: 3_000_000_000n,
  sigA: 'AA'.repeat(32),
  sigB: 'BB'.repeat(32),
  committed: true,
  empty: false,
  ...(unsaved ? { unsaved: true as const } : {}),
});
const states = [state(0n, false), state(1n, true)];
const view = {
  id: 'kQC',
  contract: 'kQC',
  me: 'A',
  phase: 'open',
  partnerAddress: '0QB',
  latest: states[1],
  count: 2n,
  pending: null,
  payout: null,
  close: null,
  closeUnsent: null,
  restored: false,
  legacy: false,
  depositA: 4_000_000_000n,
  depositB: 3_000_000_000n,
  actions: { deposit: { ok: false, code: 'ALREADY_LOCKED', why: 'locked' } },
} as unknown as ChannelView;
const node = {
  network: 'sandbox',
  currentChannel: () => view,
  channel: () => view,
  channels: () => [view],
  brokenChannels: () => [],
  otherNetworks: () => [],
  showLast: () => states[1],
  showAll: async () => states,
  balanceChan: () => ({ balanceA: 4_000_000_000n, balanceB: 3_000_000_000n, step: 1n, unsaved: true }),
} as unknown as ChannelNodeApi;

async function said(line: string): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, node, io);
  return out.join('\n');
}

const NOTE = '(held in memory only: not saved on disk)';

test('a state held in memory only (its journal write failed) is said so after its step by showLast, showAll, channels and balanceChan', async () => {
  assert.match(await said('showLast'), new RegExp(`^Step 1 \\${NOTE.slice(0, -1)}\\)$`, 'm'));
  const all = await said('showAll');
  assert.match(all, /^Step 0$/m, 'a saved step says nothing more');
  assert.ok(all.includes(`Step 1 ${NOTE}`), all);
  assert.equal(all.split(NOTE).length, 2, 'said once, after the step held in memory only');
  assert.ok((await said('channels')).includes(`step 1 ${NOTE}`), 'channels');
  assert.ok((await said('balanceChan')).includes(`(step 1 ${NOTE}; you are A`), 'balanceChan');
});
