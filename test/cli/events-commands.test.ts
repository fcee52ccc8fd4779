// What the CLI's commands and the node's later events say about money (events.test.ts has the first): which
// channel an action goes to, challenge, withdraw, payouts, refunds, deposits, proposals, balanceChan --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFormatter, formatWithdrawal, startNotes } from '../../src/cli/format.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView, NodeEvent, StateView } from '../../src/node/types.js';
import { parseTon } from '../../src/core/amounts.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';
import { withdrawNode } from './withdraw-node.js';

test('without --channel an action goes to the one channel that allows it, and several such channels must be named', async () => {
  const yes = { ok: true };
  const no = (code: string) => ({ ok: false, code, why: `not now (${code})` });
  const open = (id: string, send: unknown) => ({ id, contract: `kQ${id}`, me: 'A', phase: 'open', latest: { step: 3n, balanceA: 1n, balanceB: 2n }, actions: { deposit: no('NOT_FUNDING'), send } });
  const proposal = { id: 'p', contract: 'kQp', me: 'B', phase: 'proposed', latest: null, actions: { deposit: yes, send: no('NOT_OPEN') } };
  const calls: string[] = [];
  const nodeOf = (channels: unknown[]) =>
    ({
      currentChannel: () => channels[0],
      channel: (id: string) => channels.find((c) => (c as { id: string }).id === id) ?? null,
      channels: () => channels,
      deposit: async (_amount: unknown, o: { channel: string }) => (calls.push(`deposit ${o.channel}`), { contract: 'kQp', depositA: 0n, depositB: 0n, expectedDepositA: 0n, expectedDepositB: 0n }),
      send: async (_amount: unknown, o: { channel: string }) => (calls.push(`send ${o.channel}`), { step: 4n, balanceA: 1n, balanceB: 1n }),
      partners: () => [],
      on: () => () => undefined,
    }) as unknown as ChannelNodeApi;
  const json = async (node: ChannelNodeApi, line: string) => {
    const out: Record<string, unknown>[] = [];
    await runLine(line, node, { say: () => undefined, emit: (x) => out.push(x), ask: async () => null, json: true, interactive: false });
    return out[0] as { ok: boolean; error?: { code: string; message: string } };
  };
  // deposit while an open channel is the default: the proposal is the only channel that takes a deposit
  assert.equal((await json(nodeOf([open('o', yes), proposal]), 'deposit')).ok, true);
  assert.deepEqual(calls, ['deposit p']);
  // two open channels where a payment is possible: nothing is sent, the user names one
  const two = await json(nodeOf([open('o', yes), open('n', yes), proposal]), 'send 0.1');
  assert.equal(two.error?.code, 'MANY_CHANNELS');
  assert.match(two.error!.message, /2 channels allow send now: name one with --channel <contract>: o \(you are A, step 3: A \[0.000000001 0.000000002\] B\); n/);
  assert.deepEqual(calls, ['deposit p']);
  // named: it goes there; the result says whether the partner could be reached now (else it waits for them)
  const sent = (await json(nodeOf([open('o', yes), open('n', yes)]), 'send 0.1 --channel n')) as { ok: boolean; result?: { partnerOnline?: boolean } };
  assert.equal(sent.ok, true);
  assert.equal(sent.result?.partnerOnline, false);
  assert.deepEqual(calls, ['deposit p', 'send n']);
  // no channel allows it: the default's reason names that channel when there are several
  const closed = { id: 'c', contract: 'kQc', me: 'B', phase: 'closed', latest: { step: 9n }, actions: { deposit: no('ALREADY_CLOSED'), send: no('ALREADY_CLOSED') } };
  const declined = { id: 'd', contract: 'kQd', me: 'B', phase: 'rejected', latest: null, actions: { deposit: no('DECLINED'), send: no('DECLINED') } };
  const none = await json(nodeOf([closed, declined]), 'send 1');
  assert.equal(none.error?.code, 'ALREADY_CLOSED');
  // no other channel allows it either: the answer names the channel it is about, and sends nobody to another
  assert.match(none.error!.message, /^not now \(ALREADY_CLOSED\) \(channel kQc, closed; none of your 2 channels allows send now: see channels\)$/);
  assert.equal((await json(nodeOf([closed]), 'send 1')).error?.message, 'not now (ALREADY_CLOSED)');
  // deposit with every channel finished: no proposal came (deposit-after-close.test.ts)
  assert.equal((await json(nodeOf([closed, declined]), 'deposit')).error?.code, 'NO_CHANNEL');
  // some of them open: counted as "channels not closed" are elsewhere (7 channels next to "you have 2" read as a contradiction)
  const funding = { ...declined, id: 'f', contract: 'kQf', phase: 'funding' };
  const mixed = await json(nodeOf([closed, declined, funding]), 'deposit');
  assert.match(mixed.error!.message, /none of your 3 channels, 1 not closed, allows deposit now/);
  // named as typed: the action `exit` is the command `leave` (`exit` stops the node)
  const leaving = await json(nodeOf([{ ...closed, actions: { ...closed.actions, exit: no('ALREADY_CLOSED') } }, { ...declined, actions: { ...declined.actions, exit: no('DECLINED') } }]), 'leave');
  assert.match(leaving.error!.message, /none of your 2 channels allows leave now/);
});

test('a node that starts with a state awaiting your signature says so (with --manual only showLast told)', () => {
  const view = (id: string, pending: unknown) => ({ id, contract: `kQ${id}`, pending }) as unknown as ChannelView;
  assert.deepEqual(startNotes([view('1', null), view('2', { step: 5n, awaiting: 'partner' })]), []);
  // named by its contract, as channels lists it (not the numeric id)
  assert.deepEqual(startNotes([view('3', { step: 8n, awaiting: 'me' })]), ['❗ Step 8 from your partner awaits your signature (channel kQ3): showLast shows it, sign signs it❗']);
});

test('challenge says whether it challenged (it printed only "The contract holds step 15")', async () => {
  const view = (closeStep: bigint) => ({ id: '1', me: 'A', phase: 'closing', closeStep, latest: { step: 15n }, actions: { challenge: { ok: true } } });
  const said = async (after: bigint) => {
    const out: string[] = [];
    const node = { currentChannel: () => view(12n), channels: () => [view(12n)], channel: () => view(12n), challenge: async () => view(after) } as unknown as ChannelNodeApi;
    await runLine('challenge', node, { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false });
    return out.join('\n');
  };
  assert.equal(await said(15n), 'Challenged. The contract holds step 15 now.');
  assert.equal(await said(12n), 'The contract holds step 12: nothing to challenge, it pays you no less than your latest state both signed (step 15).');
  // --json says it too: a script cannot tell "nothing to challenge" from a challenge by ok alone
  const emitted = async (after: bigint) => {
    const out: { result?: { challenged?: boolean; closeStep?: bigint } }[] = [];
    const node = { currentChannel: () => view(12n), channels: () => [view(12n)], channel: () => view(12n), challenge: async () => view(after) } as unknown as ChannelNodeApi;
    await runLine('challenge', node, { say: () => undefined, emit: (o) => out.push(o as never), ask: async () => null, json: true, interactive: false });
    return out[0]?.result;
  };
  assert.deepEqual([(await emitted(15n))?.challenged, (await emitted(15n))?.closeStep], [true, 15n]);
  assert.deepEqual([(await emitted(12n))?.challenged, (await emitted(12n))?.closeStep], [false, 12n]);
});

test('withdraw of the latest step leaves the step to the node: a payment that arrives meanwhile is never closed over with an older one', async () => {
  const asked: { step?: bigint; confirmStale?: boolean }[] = [];
  const node = withdrawNode((o) => asked.push({ step: o.step, confirmStale: o.confirmStale }));
  const io: Io = { say: () => undefined, emit: () => undefined, ask: async () => '', json: false, interactive: true };
  await runLine('withdraw --yes', node, io); // Enter at the step prompt: the latest
  await runLine('withdraw 4 --yes', node, io);
  await runLine('withdraw 1 --yes', node, io);
  assert.deepEqual(asked, [
    { step: undefined, confirmStale: false },
    { step: undefined, confirmStale: false },
    { step: 1n, confirmStale: true },
  ]);
});

test("the payer's own lines after a payment in automatic mode: the pass is a pass, the close a close (not a second debit, not 'empty')", async () => {
  const p = await openPair({});
  try {
    await fund(p);
    const f = new EventFormatter();
    const lines: string[] = [];
    p.bob.on((e) => {
      const t = f.format(e);
      if (t && (e.type === 'stateReceived' || e.type === 'stateSigned')) lines.push(t);
    });
    const back = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 2n);
    await p.bob.send(parseTon('0.5'));
    await back;
    const closeSigned = waitForEvent(p.bob, 'stateSigned', (e) => e.state.tag === 'close');
    const r = await p.alice.withdraw({});
    await closeSigned;
    assert.equal(r.mode, 'cooperative');
    const text = lines.join("\n");
    assert.doesNotMatch(text, /takes .* from you/, text);
    assert.match(text, /Step 2: your partner passes the turn/);
    assert.match(text, /Step 4 \(close\): /);
    assert.doesNotMatch(text, /Step 4 \(empty/);
  } finally {
    await closePair(p);
  }
});

test('channels shows a paid-out channel by the state the contract paid, not the latest; balanceChan of an exit says it paid the deposits', async () => {
  const out: string[] = [];
  const io = { say: (t: string) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  const stale = { step: 1n, balanceA: 4_000_000_000n, balanceB: 3_000_000_000n, matchesLatest: false };
  const exit = { step: null, balanceA: 1_500_000_000n, balanceB: 0n, matchesLatest: true };
  const unknown = { step: 9n, balanceA: 4_000_000_000n, balanceB: 3_000_000_000n, matchesLatest: null };
  const base = { me: 'B', partnerAddress: '0Qp', legacy: false, depositA: 0n, depositB: 0n, expectedDepositA: 0n, expectedDepositB: 0n, actions: { deposit: { ok: false, code: 'ALREADY_CLOSED', why: 'closed' } } };
  const views = [
    { ...base, id: 'kQs', contract: 'kQs', phase: 'closed', latest: { step: 5n, balanceA: 2_000_000_000n, balanceB: 5_000_000_000n }, payout: stale },
    { ...base, id: 'kQe', contract: 'kQe', phase: 'closed', latest: null, payout: exit },
    { ...base, id: 'kQu', contract: 'kQu', phase: 'closed', latest: { step: 5n, balanceA: 2_000_000_000n, balanceB: 5_000_000_000n }, payout: unknown },
  ];
  const node = { currentChannel: () => views[1], channel: (id: string) => views.find((v) => v.id === id), channels: () => views, brokenChannels: () => [], otherNetworks: () => [], balanceChan: () => null } as unknown as ChannelNodeApi;
  await runLine('channels', node, io);
  assert.match(out[0]!, /^kQs closed, you are B, partner 0Qp: paid out by step 1: A \[4 3\] B \(not the latest, step 5: A \[2 5\] B\)$/);
  assert.match(out[1]!, /^kQe closed, you are B, partner 0Qp: paid out by the deposits: A \[1\.5 0\] B$/);
  assert.match(out[2]!, /^kQu closed, you are B, partner 0Qp: paid out by step 9: A \[4 3\] B \(the latest state both signed is unknown to this node\)$/);
  out.length = 0;
  await runLine('balanceChan --channel kQe', node, io);
  assert.deepEqual(out, ['No signed state: the channel paid out by the deposits: A [1.5 0] B; nothing is in the channel any more']);
});

test("a payout's text gives each share, and apart what came back to the closer of its own message", () => {
  const f = new EventFormatter();
  const payout = { step: 4n, balanceA: 1_000_000_000n, balanceB: 2_000_000_000n, paidA: 1_010_000_000n, paidB: 2_010_000_001n, closer: 'B', changeBack: 17_000_000n, matchesLatest: true, latestStep: 4n };
  const text = f.format({ type: 'closed', channel: {} as ChannelView, payout } as unknown as NodeEvent)!;
  assert.match(text, /A's share was 1\.01 TON and B's 2\.010000001 TON \(each its balance and half of the 0\.020000001 TON the contract held beyond them: its fee reserve and any top-up sent to it; .*\), and B got back 0\.017 TON of its own message\.$/);
});

test('a payout says how much the contract held beyond the balances (a top-up is split evenly), and when storage fees took from the balances', () => {
  const f = new EventFormatter();
  const text = (paidA: bigint, paidB: bigint) => f.format({ type: 'closed', channel: {} as ChannelView, payout: { step: 3n, balanceA: 5_000_000_000n, balanceB: 3_000_000_000n, paidA, paidB, matchesLatest: true, latestStep: 3n } } as unknown as NodeEvent)!;
  // A sent 3 TON to the open contract without a body: half of it is B's share.
  assert.match(text(6_508_176_000n, 4_508_176_000n), /half of the 3\.016352 TON the contract held beyond them: its fee reserve and any top-up sent to it/);
  // Years of storage fees beyond the reserve: A's share is below its balance.
  assert.match(text(4_900_000_000n, 3_000_000_000n), /storage fees took more than the contract held beyond the balances \(0\.1 TON less in all\): the balances paid the rest/);
});

test("a partner's refund is told with the deposits now", () => {
  const f = new EventFormatter();
  const channel = { me: 'B', depositA: 0n, depositB: 0n, expectedDepositA: 3_000_000_000n, expectedDepositB: 4_000_000_000n } as ChannelView;
  const text = f.format({ type: 'refundSeen', channel, party: 'A', amount: 3_000_000_000n } as NodeEvent)!;
  assert.equal(text, "❗ Your partner took back 3 TON of A's deposit (now A 0 / 3 TON, B 0 / 4 TON)❗");
});

test('the withdrawal summary tells "no close on chain" apart from a close with step 0', () => {
  const s = { step: 2n, balanceA: 1n, balanceB: 2n, sigA: 'aa', sigB: 'bb' } as StateView;
  const line = (seqno: bigint | null) => formatWithdrawal(s, { accountSignature: 'x', partnerSignature: null, contractSeqno: seqno }).at(-1);
  assert.equal(line(null), 'Contract seqno: none (no close on chain yet)');
  assert.equal(line(0n), 'Contract seqno: 0');
});

test('balanceChan of a channel closing with a step on chain but no state held here says the close, not "opens when…"', async () => {
  const out: string[] = [];
  const io = { say: (t: string) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  const view = { id: 'kQc', contract: 'kQc', me: 'A', phase: 'closing', latest: null, payout: null, close: { step: 0n }, depositA: 3n, depositB: 4n };
  const node = { currentChannel: () => view, channel: () => view, channels: () => [view], balanceChan: () => null } as unknown as ChannelNodeApi;
  await runLine('balanceChan', node, io);
  assert.match(out[0]!, /a close with step 0 is under way: the node pays out after the window/);
});

test("the partner's deployment is told with what can go in now", () => {
  const f = new EventFormatter();
  const channel = { contract: 'kQc', me: 'B', depositB: 0n, expectedDepositB: 4_000_000_000n } as ChannelView;
  assert.equal(f.format({ type: 'channelDeployed', channel } as NodeEvent), 'Your partner deployed the channel contract kQc: your 4 TON can go in now (deposit pays it)');
});

test('open names the channel by its contract (as every other line does) and, when the node told its partner offline, says what a proposal needs', async () => {
  const out: string[] = [];
  const listeners = new Set<(e: NodeEvent) => void>();
  const view = { id: 'kQx', channelId: '6888612343158767594', contract: 'kQx', challengePeriod: 600, partnerOnline: false } as ChannelView;
  const node = {
    on: (l: (e: NodeEvent) => void) => (listeners.add(l), () => void listeners.delete(l)),
    // the node's own line (PARTNER_OFFLINE) says the partner is offline: the CLI does not say it again
    open: async () => {
      for (const l of listeners) l({ type: 'log', level: 'warn', code: 'PARTNER_OFFLINE', message: 'partner offline: the channel proposal reaches them when they reconnect', channel: view });
      return view;
    },
  } as unknown as ChannelNodeApi;
  await runLine('open 1 1', node, { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false });
  assert.match(out[0]!, /^Proposed channel kQx: you deposit 1 TON, your partner 1 TON/);
  assert.equal(out[1], 'The proposal reaches them once you are connected again (a node with no channel with you does not redial: connect to them, or ask them to connect).');
});

test('the wallets the CLI remembers as introduced (and offline) are bounded; each is introduced once', () => {
  const f = new EventFormatter();
  const partner = (i: number) => ({ address: `0QWallet${i}`, signature: 'AB', peerId: `p${i}`, online: true });
  assert.match(f.format({ type: 'partnerConnected', partner: partner(0) })!, /Partner address: 0QWallet0/);
  assert.equal(f.format({ type: 'partnerConnected', partner: partner(0) }), null, 'a reconnection is no news');
  for (let i = 1; i <= 5_000; i++) {
    f.format({ type: 'partnerConnected', partner: partner(i) });
    f.format({ type: 'partnerDisconnected', partner: { ...partner(i), online: false } });
  }
  const kept = f as unknown as { introduced: Set<string>; offline: Set<string> };
  assert.ok(kept.introduced.size <= 1024 && kept.offline.size <= 1024, `${kept.introduced.size} introduced, ${kept.offline.size} offline kept`);
});

test('a deposit seen says whose: yours, or your partner\'s (it said "by A" to A)', () => {
  const f = new EventFormatter();
  const channel = { id: '1', me: 'A', contract: 'kQc' } as unknown as ChannelView;
  assert.equal(f.format({ type: 'depositSeen', channel, party: 'A', amount: 3_000_000_000n } as NodeEvent), 'Your deposit of 3 TON (A) reached the contract');
  assert.equal(f.format({ type: 'depositSeen', channel, party: 'B', amount: 4_000_000_000n } as NodeEvent), "Your partner's deposit of 4 TON (B) reached the contract");
});

test('balanceChan --json says the phase, and during a close or after the payout what the contract holds or paid (as text mode)', async () => {
  const json = async (view: Record<string, unknown>, b: Record<string, unknown>) => {
    const out: { result: Record<string, unknown> }[] = [];
    const node = { currentChannel: () => ({ id: '1', me: 'A', ...view }), channels: () => [], balanceChan: () => b } as unknown as ChannelNodeApi;
    await runLine('balanceChan', node, { say: () => undefined, emit: (o) => out.push(o as { result: Record<string, unknown> }), ask: async () => null, json: true, interactive: false });
    return out[0]!.result;
  };
  const closing = await json({ phase: 'closing', closeStep: 1n, deadline: 1_800_000_000 }, { balanceA: 2_500_000_000n, balanceB: 1_500_000_000n, step: 2n });
  assert.deepEqual([closing.phase, closing.close], ['closing', { step: 1n, deadline: 1_800_000_000 }]);
  const payout = { step: 5n, balanceA: 2_500_000_000n, balanceB: 4_500_000_000n, paidA: 2_508_000_000n, paidB: 4_508_000_000n };
  const closed = await json({ phase: 'closed', payout }, { step: 5n, balanceA: 2_500_000_000n, balanceB: 4_500_000_000n });
  assert.deepEqual([closed.phase, closed.paidOut], ['closed', payout]);
  const open = await json({ phase: 'open' }, { step: 2n, balanceA: 1n, balanceB: 2n });
  assert.deepEqual([open.phase, 'close' in open, 'paidOut' in open], ['open', false, false]);
});

test("a partner's proposal names the channel by its contract, as channels lists it and --channel takes it (not its numeric id)", () => {
  const channel = { id: '5022007435907694242', contract: 'kQContract', me: 'B', expectedDepositA: parseTon('3'), expectedDepositB: parseTon('4'), challengePeriod: 600 } as unknown as ChannelView;
  const text = new EventFormatter().format({ type: 'channelProposed', channel } as NodeEvent)!;
  assert.match(text, /its contract, for --channel when you have several channels: kQContract\.$/);
  assert.doesNotMatch(text, /5022007435907694242/);
});
