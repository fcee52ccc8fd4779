// An error at the prompt is one line: the message, and the next step only when it says something the message does
// not (QA: "send failed: no channel yet: connect first … (connect to a partner, then open a channel …)"). And the
// channel list says what a funding channel holds (QA: a refunded channel looked unchanged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

/** A node without channels, that refuses what it is asked with the given error. */
function node(refuse: Error & { code: string }): ChannelNodeApi {
  const base: Partial<ChannelNodeApi> = { currentChannel: () => null, channel: () => null, channels: () => [], partners: () => [], otherNetworks: () => [], served: () => null };
  return new Proxy(base as ChannelNodeApi, {
    get: (t, k) => (k in t ? t[k as keyof ChannelNodeApi] : () => Promise.reject(refuse)),
  });
}

async function say(line: string, n: ChannelNodeApi): Promise<string[]> {
  const said: string[] = [];
  const io: Io = { say: (t) => said.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, n, io);
  return said;
}

const err = (code: string, message: string) => Object.assign(new Error(message), { code });

test('a hint that repeats the message in other words is left out; one that adds a step is kept', async () => {
  const [noChannel] = await say('send 1', node(err('X', 'unused')));
  assert.match(noChannel!, /^send failed: no channel yet: connect to your partner first/);
  assert.doesNotMatch(noChannel!, /\(connect to a partner, then open a channel/, 'the hint of NO_CHANNEL repeats it: left out');
  // NOT_YOUR_TURN's hint (ask for the turn with requestEmpty) repeats the message: left out
  const [turn] = await say('requestEmpty', node(err('NOT_YOUR_TURN', "it is your partner's turn: request it with requestEmpty")));
  assert.equal(turn!.match(/requestEmpty/g)!.length, 1, turn);
  // a bare message gets its hint
  const [timeout] = await say('balanceTon', node(err('INSUFFICIENT_FUNDS', 'not enough TON')));
  assert.match(timeout!, /^balanceTon failed: not enough TON\. Next: .+$/);
});

test('channels shows, before a signed state, what each side has deposited (0 of mine after a refund), and what to do with a channel the partner declined', async () => {
  const view = { contract: 'kQAAA', phase: 'funding', me: 'A', partnerAddress: '0QBBB', latest: null, legacy: false, depositA: 0n, expectedDepositA: 3_000_000_000n, depositB: 4_000_000_000n, expectedDepositB: 4_000_000_000n, actions: { deposit: { ok: true } } };
  // the partner declined it, and a deposit of ours is in: the line says what to do, as deposit would
  const why = 'your partner declined this channel: a deposit of yours would stay in a contract they will not fund, or lock it with nobody to sign its states. Take your deposit back with refund';
  const declined = { ...view, contract: 'kQCCC', depositA: 3_000_000_000n, depositB: 0n, actions: { deposit: { ok: false, code: 'PARTNER_DECLINED', why } } };
  const n = new Proxy({ channels: () => [view, declined], brokenChannels: () => [], otherNetworks: () => [] } as unknown as ChannelNodeApi, { get: (t, k) => (t as unknown as Record<string | symbol, unknown>)[k] });
  const [line, second] = await say('channels', n);
  assert.equal(line, 'kQAAA funding, you are A, partner 0QBBB: no signed state; deposited A 0 / 3 TON, B 4 / 4 TON');
  assert.equal(second, `kQCCC funding, you are A, partner 0QBBB: no signed state; deposited A 3 / 3 TON, B 0 / 4 TON (${why})`);
});

test('a declined channel says its deposits are as last read: the node follows it no more (the partner may have refunded since)', async () => {
  const view = { contract: 'kQDDD', phase: 'rejected', me: 'B', partnerAddress: '0QAAA', latest: null, legacy: false, depositA: 3_000_000_000n, expectedDepositA: 3_000_000_000n, depositB: 0n, expectedDepositB: 4_000_000_000n, actions: { deposit: { ok: false, code: 'INVALID_TRANSITION', why: 'declined' } } };
  const n = new Proxy({ channels: () => [view], brokenChannels: () => [], otherNetworks: () => [] } as unknown as ChannelNodeApi, { get: (t, k) => (t as unknown as Record<string | symbol, unknown>)[k] });
  const [line] = await say('channels', n);
  assert.equal(line, 'kQDDD rejected, you are B, partner 0QAAA: declined, nothing of yours in it; no longer followed: deposits when last read A 3 / 3 TON, B 0 / 4 TON');
});

test('with a partner connected and no channel, a channel command says to open one, not to connect', async () => {
  const n = node(err('X', 'unused'));
  const connected = new Proxy(n, { get: (t, k) => (k === 'partners' ? () => [{ address: '0Qx', online: true }] : t[k as keyof ChannelNodeApi]) });
  const [said] = await say('send 1', connected);
  assert.match(said!, /^send failed: no channel yet: open a channel/);
});

test('send 0 says once what to do: the core message names createEmpty, no hint repeats it', async () => {
  const { openPair } = await import('../core/helpers.js');
  const { b } = openPair();
  let refusal: Error & { code: string } = err('X', 'unused');
  try {
    b.proposePayment(0n);
  } catch (e) {
    refusal = e as Error & { code: string };
  }
  // one open channel where sending is allowed; the node refuses the amount as the core does
  const view = { id: 'kQx', contract: 'kQx', phase: 'open', me: 'B', actions: new Proxy({}, { get: () => ({ ok: true }) }) };
  const n = { currentChannel: () => view, channel: () => view, channels: () => [view], partners: () => [], on: () => () => undefined, send: () => Promise.reject(refusal) } as unknown as ChannelNodeApi;
  const [line] = await say('send 0', n);
  assert.match(line!, /^send failed: a payment must be more than zero, got 0 TON; .*createEmpty/);
  assert.doesNotMatch(line!, /\(enter an amount above zero\)$/, line);
});

test('no channel here but channels of another network in the data folder: says so and which --chain to restart with', async () => {
  const n = node(err('X', 'unused'));
  const others = { brokenChannels: () => [], otherNetworks: () => [{ network: 'devnet', channels: 2, contracts: ['kQAAA', 'kQBBB'] }], otherNetworkOf: (id: string) => (id === 'kQBBB' ? 'devnet' : null), network: 'sandbox' };
  const elsewhere = new Proxy(n, { get: (t, k) => (k in others ? others[k as keyof typeof others] : t[k as keyof ChannelNodeApi]) });
  for (const line of ['withdraw --yes', 'send 1', 'balanceChan', 'balanceContract']) {
    const [said] = await say(line, elsewhere);
    assert.match(said!, /2 channel\(s\) on devnet/, said);
    assert.match(said!, /restart .*--chain devnet/, said);
    assert.doesNotMatch(said!, /no channel yet/, said);
  }
  // the channel list names them (it said "No channels yet"), and a channel named by its address says where it is
  const listed = await say('channels', elsewhere);
  assert.deepEqual(listed, ['kQAAA, kQBBB on devnet: not run or watched by this node (on sandbox); restart it with --chain devnet to use them']);
  const [named] = await say('send 1 --channel kQBBB', elsewhere);
  assert.equal(named, 'send failed: channel kQBBB is on devnet, and this node runs on sandbox: start the node with --chain devnet to act on it');
  const [unknown] = await say('send 1 --channel kQCCC', elsewhere);
  assert.match(unknown!, /^send failed: no channel kQCCC \(see channels\)/);
});

test("finish asks the node even when the view says the window is open: the node reads the chain and answers (its failure, or 'still open')", async () => {
  const view = { id: 'kQx', contract: 'kQx', phase: 'closing', me: 'A', actions: new Proxy({}, { get: (_t, k) => (k === 'finish' ? { ok: false, code: 'TOO_EARLY', why: "the challenge window is still open until 2026-12-04 21:34:03 UTC (by the chain's clock)" } : { ok: false, code: 'X', why: 'no' }) }) };
  const refusal = err('ENDPOINT_UNREACHABLE', "the challenge window ended at 2026-12-04 21:34:03 UTC by this node's clock, but the chain could not be read to confirm it: cannot reach the devnet");
  const n = { currentChannel: () => view, channel: () => view, channels: () => [view], partners: () => [], finish: () => Promise.reject(refusal) } as unknown as ChannelNodeApi;
  const [line] = await say('finish', n);
  assert.match(line!, /^finish failed: the challenge window ended at .* but the chain could not be read to confirm it/);
  assert.doesNotMatch(line!, /still open/);
});

test('finish with one channel over its window and another still in it picks the one that allows it (not "2 channels allow finish")', async () => {
  const closing = (id: string, finish: unknown) => ({ id, contract: id, phase: 'closing', me: 'A', actions: new Proxy({}, { get: (_t, k) => (k === 'finish' ? finish : { ok: false, code: 'X', why: 'no' }) }) });
  const open = closing('kQopen', { ok: false, code: 'TOO_EARLY', why: 'the challenge window is still open' });
  const over = closing('kQover', { ok: true });
  const asked: string[] = [];
  const n = { currentChannel: () => open, channel: (id: string) => [open, over].find((v) => v.id === id), channels: () => [open, over], partners: () => [], finish: async (o: { channel: string }) => (asked.push(o.channel), { ...over, phase: 'closed' }) } as unknown as ChannelNodeApi;
  const said = await say('finish', n);
  assert.deepEqual(asked, ['kQover'], said.join('\n'));
});

/** The deepest nesting of parentheses in a line. */
function depth(line: string): number {
  let d = 0;
  let most = 0;
  for (const ch of line) {
    if (ch === '(') most = Math.max(most, ++d);
    else if (ch === ')') d--;
  }
  return most;
}

// The walk of a careless user: "(check the channel phase (showLast, channels))", a code's next step with its own
// parentheses put in parentheses. Every code's hint joins its message without nesting; --json keeps them apart.
test("every code's next step joins the message without nested parentheses; --json gives it apart, unchanged", async () => {
  const { CODES, nextStep } = await import('../../src/core/errors.js');
  for (const code of Object.keys(CODES).filter((c) => c !== 'USAGE' && c !== 'CANCELLED')) {
    const [line] = await say('balanceTon', node(err(code, 'it went wrong')));
    assert.ok(line!.startsWith('balanceTon failed: it went wrong'), line);
    assert.ok(line!.includes(nextStep(code)!), `${code}: the hint is shown: ${line}`);
    assert.ok(depth(line!) <= 1, `${code}: ${line}`);
    const lines: unknown[] = [];
    const io: Io = { say: () => undefined, emit: (v) => lines.push(v), ask: async () => null, json: true, interactive: false };
    await runLine('balanceTon', node(err(code, 'it went wrong')), io);
    assert.deepEqual(lines, [{ command: 'balanceTon', ok: false, error: { code, message: 'it went wrong', hint: nextStep(code) } }]);
  }
});

// A careless-user walk: `send --channel <unknown>` from a pipe said UNKNOWN_CHANNEL, and the missing amount only
// once that was fixed. What the line lacks is told first, as without --channel.
test('send from a pipe with --channel and no amount (or a bad one) says so before it looks the channel up', async () => {
  const n = node(err('X', 'unused'));
  const unknown = new Proxy(n, { get: (t, k) => (k === 'otherNetworkOf' ? () => null : t[k as keyof ChannelNodeApi]) });
  const lines: { error?: { code: string; message: string } }[] = [];
  const io: Io = { say: () => undefined, emit: (v) => lines.push(v as (typeof lines)[number]), ask: async () => null, json: true, interactive: false };
  await runLine('send --channel kQZZZZ', unknown, io);
  await runLine('send abc --channel kQZZZZ', unknown, io);
  await runLine('send 1 --channel kQZZZZ', unknown, io);
  assert.deepEqual(lines.map((l) => l.error?.code), ['USAGE', 'INVALID_AMOUNT', 'UNKNOWN_CHANNEL'], JSON.stringify(lines));
  assert.match(lines[0]!.error!.message, /^the amount is missing: type it on the same line/);
});
