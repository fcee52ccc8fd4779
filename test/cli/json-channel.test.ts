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
  balanceContractDue: async () => ({ balance: 5n, storageDue: 0n }),
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

test("balanceChan without a signed state during a close or after a decline: a code whose hint fits (NOT_OPEN's said to wait for the deposits)", async () => {
  const cases = [
    [{ phase: 'closing', close: { step: null }, depositA: 1n, depositB: 2n }, 'ALREADY_CLOSING', /a close with the deposits is under way/],
    [{ phase: 'closing', close: { step: 0n } }, 'ALREADY_CLOSING', /a close with step 0 is under way/],
    [{ phase: 'rejected' }, 'INVALID_TRANSITION', /the channel was declined/],
    [{ phase: 'funding' }, 'NOT_OPEN', /opens when both deposits are in/],
  ] as const;
  for (const [extra, code, words] of cases) {
    const ch = { ...c1, latest: null, ...extra } as unknown as ChannelView;
    const n = { ...node, channels: () => [ch], currentChannel: () => ch, balanceChan: () => null } as unknown as ChannelNodeApi;
    const emitted: { error?: { code: string; message: string; hint?: string } }[] = [];
    await runLine('balanceChan', n, { say: () => undefined, emit: (x) => emitted.push(x), ask: async () => null, json: true, interactive: false });
    const e = emitted[0]!.error!;
    assert.equal(e.code, code, `${extra.phase}: ${e.message}`);
    assert.match(e.message, words);
    if (code !== 'NOT_OPEN') assert.doesNotMatch(e.hint ?? '', /deposits are in/);
  }
});

test('balanceTon and balanceContract say a storage fee due from 0.001 TON, and nothing when the endpoint does not say it', async () => {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  const due = (storageDue: bigint | null) => ({ ...node, balanceTonDue: async () => ({ balance: 3_000_000_000n, storageDue }), balanceContractDue: async () => ({ balance: 7_000_000_000n, storageDue }) }) as unknown as ChannelNodeApi;
  await runLine('balanceTon', due(2_000_000n), io);
  await runLine('balanceContract --channel kQtwo', due(2_000_000n), io);
  await runLine('balanceTon', due(0n), io);
  await runLine('balanceTon', due(999_999n), io);
  await runLine('balanceTon', due(null), io);
  assert.deepEqual(out, [
    'Your account balance now: 3 TON (0.002 TON storage fee due)',
    'Smart contract balance: 7 TON (0.002 TON storage fee due)',
    'Your account balance now: 3 TON',
    'Your account balance now: 3 TON',
    'Your account balance now: 3 TON',
  ]);
});
