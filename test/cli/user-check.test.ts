// A careless operator's session on a devnet: three proposals answered `deposit` with each address twice and nothing
// to tell them apart; `--perod` got no "did you mean"; `send 1 TON` was "too many arguments" and `open 1 TON` said
// "TON" is not a valid amount; a v4 payout's text spoke of contracts before v3 inside nested parentheses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { EventFormatter } from '../../src/cli/format.js';
import { parseTon } from '../../src/core/amounts.js';
import type { ChannelNodeApi, ChannelView, NodeEvent } from '../../src/node/types.js';

const TON = 1_000_000_000n;

/** Runs one line with --json; returns its error message (or null when it succeeded). */
async function errorOf(line: string, node: ChannelNodeApi = {} as ChannelNodeApi): Promise<{ code: string; message: string } | null> {
  const out: Record<string, unknown>[] = [];
  const io: Io = { say: () => undefined, emit: (x) => out.push(x), ask: async () => null, json: true, interactive: false };
  await runLine(line, node, io);
  const r = out[0] as { ok: boolean; error?: { code: string; message: string } };
  return r.ok ? null : r.error!;
}

test('several proposals that allow deposit are named once each, with their deposits to tell them apart', async () => {
  const proposal = (contract: string, a: bigint, b: bigint) =>
    ({ id: contract, contract, me: 'B', phase: 'proposed', latest: null, expectedDepositA: a, expectedDepositB: b, actions: { deposit: { ok: true } } }) as unknown as ChannelView;
  const open = { ...proposal('kQOpen', 5n * TON, 5n * TON), phase: 'open', latest: { step: 9n, balanceA: 4n * TON, balanceB: 6n * TON }, actions: { deposit: { ok: true } } } as unknown as ChannelView;
  const channels = [proposal('kQ20', 20n * TON, 0n), proposal('kQ3', 3n * TON, 999n * TON), open];
  const node = { currentChannel: () => channels[0], channel: () => null, channels: () => channels } as unknown as ChannelNodeApi;
  const e = await errorOf('deposit', node);
  assert.equal(e?.code, 'MANY_CHANNELS');
  assert.equal(e!.message, '3 channels allow deposit now: name one with --channel <contract>: kQ20 (you are B, proposed, deposits A 20 / B 0 TON); kQ3 (you are B, proposed, deposits A 3 / B 999 TON); kQOpen (you are B, step 9: A [4 6] B)');
});

test('a mistyped flag is answered with the closest flag the command takes', async () => {
  assert.equal((await errorOf('open 3 4 --perod 600'))!.message, 'unknown flag --perod: did you mean --period? (open takes --period, --partner)');
  assert.match((await errorOf('deposit --chanel kQA'))!.message, /^unknown flag --chanel: did you mean --channel\?/);
  assert.match((await errorOf('showAll --form 3'))!.message, /did you mean --from\?/);
  // nothing near: the list alone
  assert.equal((await errorOf('withdraw --force'))!.message, 'unknown flag --force: withdraw takes --yes, --unilateral, --cooperative, --channel');
});

test('an amount typed with its unit says to leave the unit out', async () => {
  for (const [line, fixed] of [['send 1 TON', 'send 1'], ['faucet 20 ton', 'faucet 20'], ['open 1 TON', 'open 1'], ['open 3 TON 4 TON', 'open 3 4'], ['deposit 2 Ton', 'deposit 2']]) {
    const e = await errorOf(line!);
    assert.equal(e?.code, 'USAGE', line);
    assert.equal(e!.message, `amounts are in TON, with no unit: write \`${fixed}\``);
  }
  assert.throws(() => parseTon('1TON'), /"1TON" is not a valid amount: leave out the unit, amounts are in TON;/);
  assert.throws(() => parseTon('0.5 tons'), /leave out the unit/);
});

test("a payout's text names a plain transfer only for a contract that kept one (before v3)", () => {
  const payout = { step: 4n, balanceA: TON, balanceB: 2n * TON, paidA: TON + 10n, paidB: 2n * TON + 10n, matchesLatest: true, latestStep: 4n };
  const text = (contractVersion: number) => new EventFormatter().format({ type: 'closed', channel: { contract: 'kQc', contractVersion } as ChannelView, payout } as unknown as NodeEvent)!;
  assert.match(text(4), /the contract held beyond them: its fee reserve and any top-up sent to it; a wallet keeps/);
  assert.doesNotMatch(text(4), /v3|plain transfer/);
  assert.match(text(2), /its fee reserve and any top-up or plain transfer sent to it; a wallet keeps/);
});

// Seven open channels with the same partner answered `send 1` with "kQA… (you are B, step 0); kQB… (you are B,
// step 0); …": nothing told them apart but the address.
test('several open channels that allow a command are told apart by their balances', async () => {
  const open = (contract: string, a: bigint, b: bigint, step: bigint) =>
    ({ id: contract, contract, me: 'B', phase: 'open', latest: { step, balanceA: a, balanceB: b }, actions: { send: { ok: true } } }) as unknown as ChannelView;
  const channels = [open('kQ1', TON, TON, 0n), open('kQ2', TON, 2n * TON, 0n)];
  const node = { currentChannel: () => channels[0], channel: () => null, channels: () => channels } as unknown as ChannelNodeApi;
  const e = await errorOf('send 0.1', node);
  assert.equal(e?.code, 'MANY_CHANNELS');
  assert.equal(e!.message, '2 channels allow send now: name one with --channel <contract>: kQ1 (you are B, step 0: A [1 1] B); kQ2 (you are B, step 0: A [1 2] B)');
});

// A's node deploys the contract with A's deposit by itself once the partner accepts: the CLI said nothing between
// "Proposed channel … Waiting for your partner to accept" and "Your deposit of 3 TON (A) reached the contract" (on
// testnet, tens of seconds in which money left the wallet unannounced): the node's line for it was an info log.
test('the proposer is told when the partner accepted and the node deploys with its deposit, once', () => {
  const f = new EventFormatter();
  const view = (phase: string, depositing = false) => ({ contract: 'kQc', me: 'A', phase, depositing, expectedDepositA: 3n * TON, expectedDepositB: 4n * TON }) as unknown as ChannelView;
  const updated = (phase: string, depositing = false) => f.format({ type: 'channelUpdated', channel: view(phase, depositing) } as NodeEvent);
  assert.equal(updated('deploying'), 'Your partner accepted channel kQc: your node deploys its contract with your deposit of 3 TON…');
  assert.equal(updated('deploying'), null, 'told once');
  assert.equal(updated('funding'), null);
  // the deposit command of A (a retry) says it itself
  assert.equal(new EventFormatter().format({ type: 'channelUpdated', channel: view('deploying', true) } as NodeEvent), null);
  // B is told by channelDeployed
  assert.equal(new EventFormatter().format({ type: 'channelUpdated', channel: { ...view('deploying'), me: 'B' } } as NodeEvent), null);
});
