// A careless-operator review of the CLI: a `deposit` under way was told to "deposit" again by the event of the
// partner's deployment; `withdraw -h` with --json answered as the `help` command (a script waiting for withdraw's
// line never got one); a restarted node's events (a restored listener, recovery logs) came before `ready`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import type { ChannelView, NodeEvent } from '../../src/node/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, openPair, TON } from '../helpers/nodes.js';

function io(json: boolean) {
  const out: string[] = [];
  const emitted: Record<string, unknown>[] = [];
  const it: Io = { say: (t) => out.push(t), emit: (o) => (emitted.push(o), out.push(JSON.stringify(o))), ask: async () => null, json, interactive: false };
  return { it, out, emitted };
}

/** A started node: `on` hands the first listener the events of its start (as ChannelNode does), `early`. */
function startedNode(early: NodeEvent[], more: Partial<StartedNode> = {}): StartedNode & { fire(e: NodeEvent): void } {
  const listeners: ((e: NodeEvent) => void)[] = [];
  return {
    keyCreated: false,
    network: 'sandbox',
    getAccount: () => '0QAlice',
    served: () => ({ lan: ['/ip4/127.0.0.1/tcp/3000/p2p/12D3KooW'], wan: [] }),
    channels: () => [],
    on: (l: (e: NodeEvent) => void) => {
      listeners.push(l);
      if (listeners.length === 1) for (const e of early.splice(0)) l(e);
      return () => undefined;
    },
    fire: (e: NodeEvent) => listeners.forEach((l) => l(e)),
    ...more,
  } as unknown as StartedNode & { fire(e: NodeEvent): void };
}

test('the partner deploying while your deposit waits for it does not tell you to run deposit', async () => {
  const TON = 1_000_000_000n;
  const funding = { id: 'c1', me: 'B', contract: 'kQContract', phase: 'funding', expectedDepositB: 2n * TON, depositB: 0n, actions: { deposit: { ok: true } } } as unknown as ChannelView;
  const node = startedNode([], {
    currentChannel: () => funding,
    channel: () => funding,
    channels: () => [funding],
    deposit: async (_amount: bigint | undefined, o: { onProgress?: (m: string) => void }) => {
      o.onProgress?.('waiting for the channel contract to be deployed…');
      node.fire({ type: 'channelDeployed', channel: { ...funding, depositing: true } });
      return { ...funding, depositA: 3n * TON, expectedDepositA: 3n * TON, depositB: 2n * TON };
    },
  } as Partial<StartedNode>);
  const x = io(false);
  printEvents(node, 'sandbox', '/data', x.it);
  await runLine('deposit', node, x.it);
  const said = x.out.join('\n');
  assert.match(said, /Your partner deployed the channel contract kQContract: your deposit goes on, paying your 2 TON/);
  assert.doesNotMatch(said, /deposit pays it|run `?deposit/i);
  // once no deposit runs, the same event says what to run
  node.fire({ type: 'channelDeployed', channel: funding });
  assert.match(x.out.at(-1)!, /your 2 TON can go in now \(deposit pays it\)/);
});

test('two real nodes: Bob\'s deposit that waits for Alice\'s deployment is not told to run deposit', async () => {
  const p = await openPair();
  try {
    const x = io(false);
    printEvents(p.bob, 'sandbox', '/data', x.it);
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await runLine('deposit', p.bob, x.it);
    const said = x.out.join('\n');
    assert.match(said, /Your partner deployed the channel contract \S+: your deposit goes on, paying your 4 TON/);
    assert.match(said, /Deposit done/);
    assert.doesNotMatch(said, /deposit pays it/);
  } finally {
    await closePair(p);
  }
});

test('`withdraw -h` and `send --help` with --json answer as that command, marked help, with its usage', async () => {
  const node = startedNode([]);
  for (const [line, name] of [['withdraw -h', 'withdraw'], ['send --help', 'send'], ['open 1 -h', 'open']] as const) {
    const x = io(true);
    await runLine(line, node, x.it);
    assert.equal(x.emitted.length, 1, JSON.stringify(x.emitted));
    const r = x.emitted[0] as { command: string; ok: boolean; help?: boolean; result: { command: string; usage: string } };
    assert.equal(r.command, name, JSON.stringify(r));
    assert.equal(r.ok, true);
    assert.equal(r.help, true, 'marked as help: nothing ran');
    assert.equal(r.result.command, name);
    assert.match(r.result.usage, new RegExp(`^${name} `));
    assert.equal(x.it.failed, undefined);
  }
  // text mode prints the command's usage line, as `help withdraw`
  const t = io(false);
  await runLine('withdraw -h', node, t.it);
  assert.match(t.out[0]!, /^withdraw \[step\] .*push actual state/);
});

test('with --json, ready is the first line; the events of the start follow it, none lost', () => {
  const early: NodeEvent[] = [
    { type: 'served', lan: ['/ip4/127.0.0.1/tcp/3000/p2p/12D3KooW'], wan: [] } as unknown as NodeEvent,
    { type: 'log', level: 'info', message: 'recovered 1 channel' } as NodeEvent,
  ];
  const x = io(true);
  printEvents(startedNode(early), 'sandbox', '/data', x.it);
  assert.deepEqual(x.emitted.map((o) => o.event), ['ready', 'served', 'log']);
  // in words, the greeting first too (a warning of the start follows it)
  const t = io(false);
  printEvents(startedNode([{ type: 'log', level: 'warn', message: 'a torn tail was cut' } as NodeEvent]), 'sandbox', '/data', t.it);
  assert.match(t.out[0]!, /^Your account: 0QAlice/);
  assert.equal(t.out.at(-1), 'warn: a torn tail was cut');
});

/** A node with two closed channels whose balances `balanceTonDue` reads, its events printed: fire() tells a close. */
function twoClosed(balance: (who?: string) => Promise<bigint>) {
  const balanceTonDue = async (who?: string) => ({ balance: await balance(who), storageDue: null });
  const closed = (n: number) => ({ id: `c${n}`, contract: `kQContract${n}`, partnerAddress: `0QPartner${n}` }) as unknown as ChannelView;
  const tick = () => new Promise((r) => setTimeout(r, 5));
  const node = startedNode([], { channels: () => [closed(1), closed(2)], payoutLanded: async () => (await tick(), true), balanceTonDue } as Partial<StartedNode>);
  const x = io(false);
  printEvents(node, 'sandbox', '/data', x.it);
  const from = x.out.length;
  const payout = { step: 3, balanceA: 1n, balanceB: 1n, paidA: 1n, paidB: 1n, matchesLatest: true, latestStep: 3 };
  return { out: x.out, from, tick, close: (n: number) => node.fire({ type: 'closed', channel: closed(n), payout } as unknown as NodeEvent) };
}

test('two closes finishing together print their balances one after the other, each naming its channel', async () => {
  const t = twoClosed(async (who?: string) => (await new Promise((r) => setTimeout(r, 5)), (who ?? '').endsWith('2') ? 2n : 1n));
  const { tick, from } = t;
  const x = { out: t.out };
  t.close(1);
  t.close(2);
  for (let i = 0; i < 40 && x.out.filter((l) => /^Smart contract balance/.test(l)).length < 2; i++) await tick();
  const said = x.out.slice(from);
  // each close's own lines name its contract
  assert.match(said[0]!, /^Success withdrawal!\nThe contract kQContract1 paid by step 3/);
  assert.match(said[1]!, /^Success withdrawal!\nThe contract kQContract2 paid by step 3/);
  const lines = said.slice(2);
  assert.deepEqual(lines.map((l) => l.replace(/:.*/, '')), [
    'Balances after the close of channel kQContract1', 'Your balance in workchain now', 'Partner balance in workchain now', 'Smart contract balance in workchain now',
    'Balances after the close of channel kQContract2', 'Your balance in workchain now', 'Partner balance in workchain now', 'Smart contract balance in workchain now',
  ], lines.join('\n'));
});

test('a node stopping while the balances after a close are read prints none of them, not a heading alone', async () => {
  const stopped = Object.assign(new Error('the node stopped'), { code: 'CLOSED' });
  const t = twoClosed(async () => Promise.reject(stopped));
  t.close(1);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(t.out.slice(t.from).filter((l) => /balance|Balances/i.test(l) && !/^Success/.test(l)), []);
});
