// What a stranger or a partner can make a node spend, found by an attack review: every step-0 state for a
// proposal kept in memory read the chain (an operation, ahead of the watches' reads: on a paced testnet a stranger
// could hold every watch back past a challenge window); messages behind a slow handler queued without a bound;
// each resent equivocation wrote a journal record and raised an event; and a proposal made its sender a partner
// (never dropped, never counted against the guest limit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { MAX_WAITING } from '../../src/node/handlers.js';
import { STRANGER_REPORT_BURST, STRANGER_REPORTS_PER_SECOND } from '../../src/node/reports.js';
import { waitForEvent } from '../../src/node/index.js';
import { MAX_PROPOSALS_HELD } from '../../src/node/incoming.js';
import { contractOf, configOf } from '../../src/node/record.js';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { stranger, withVictim, type Mallory } from './mallory.js';
import { endScene, scene, TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

/** A stranger that proposes a channel to `vic`; returns what it needs to send states for it. */
async function proposer(vic: NodeHandle, addr: string) {
  const eve = await stranger(addr);
  const key = eve.keyPair;
  const terms = {
    channelId: BigInt('0x' + randomBytes(7).toString('hex')),
    challengePeriod: 600,
    expectedDepositA: TON('1'),
    expectedDepositB: TON('1'),
    addressA: eve.address.toRawString(),
    addressB: Address.parse(vic.node.getAccount()).toRawString(),
    publicKeyA: key.publicKey,
    publicKeyB: vic.keyPair.publicKey,
  };
  eve.say({ type: 'channel.propose', ...terms, publicKeyA: key.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
  await until(() => vic.node.channels().some((c) => c.channelId === terms.channelId.toString()), 'the proposal');
  const contract = contractOf(configOf(terms), CONTRACT_VERSION);
  const k = { channelId: terms.channelId, contract, me: 'A' as const, states: [] };
  const st0 = (i = 0) => ({ tag: 'state' as const, channel: Address.parse(contract), step: 0n, balanceA: TON('1') + BigInt(i), balanceB: TON('1') });
  return { eve, terms, k, st0 };
}

type Proposal = Awaited<ReturnType<typeof proposer>>;

/** A world with a victim that serves and a stranger that proposed it a channel; cleaned up after `fn`. */
function withProposal(fn: (world: World, vic: NodeHandle, p: Proposal) => Promise<void>): Promise<void> {
  return withVictim(async (world, vic, addr, eves) => {
    const p = await proposer(vic, addr);
    eves.push(p.eve);
    await world.chain.openWallet(p.eve.keyPair); // funded: a proposer pays the deployment, on the victim's chain
    await fn(world, vic, p);
  });
}

test("a stranger's initial states for a proposal not accepted read nothing on chain", () =>
  withProposal(async (_world, vic, p) => {
    const { eve } = p;
    const reads = vic.counter.reads;
    await eve.flood(200, (i) => eve.propose(p.k, p.st0(i)), 400);
    await eve.delivered();
    await until(() => eve.errors('state.propose').length >= 1, 'an answer');
    assert.equal(vic.counter.reads - reads, 0, 'no chain read for a proposal not accepted');
    assert.ok(eve.errors('state.propose').every((c) => c === 'NOT_LOCKED' || c === 'RATE_LIMITED' || c === 'QUOTA_EXCEEDED'), eve.errors().join());
  }));

test("behind a slow handler, at most MAX_WAITING of a peer's messages wait per channel; the rest are refused", () =>
  withProposal(async (world, vic, p) => {
    const { eve } = p;
    // Accepted (B deposits once A deploys: it never does), so an initial state makes the node read the chain.
    const stop = new AbortController();
    const accepting = vic.node.deposit(undefined, { channel: p.terms.channelId.toString(), signal: stop.signal }).catch(() => undefined);
    await until(() => vic.node.channels().some((c) => c.phase === 'accepted'), 'the acceptance');
    stop.abort();
    await accepting;
    const chain = world.chain as unknown as { getChannelData: (...a: unknown[]) => Promise<unknown> };
    const read = chain.getChannelData.bind(chain);
    let slow = true;
    chain.getChannelData = async (...a: unknown[]) => {
      if (slow) await new Promise((r) => setTimeout(r, 2_000));
      return read(...a);
    };
    // How deep the channel's queue gets (the node's own controller, watched from outside).
    type Ctl = { run<T>(fn: () => Promise<T>): Promise<T> };
    const ctl = (vic.node as unknown as { node: { ctx: { channels: Map<string, Ctl> } } }).node.ctx.channels.get(p.terms.channelId.toString())!;
    const run = ctl.run.bind(ctl);
    let depth = 0;
    let deepest = 0;
    ctl.run = <T>(fn: () => Promise<T>) => {
      deepest = Math.max(deepest, ++depth);
      return run(fn).finally(() => depth--);
    };
    await eve.flood(600, (i) => eve.propose(p.k, p.st0(i)), 2_000);
    await eve.delivered();
    assert.ok(deepest <= MAX_WAITING + 2, `the queue held ${deepest} messages at once`);
    assert.ok(eve.errors().includes('QUOTA_EXCEEDED'), `answers: ${[...new Set(eve.errors())].join()}`);
    slow = false; // the messages still queued are read at once: the close does not wait 2 s for each
  }));

test('a stranger that proposes stays a guest, and at most MAX_PROPOSALS_HELD proposals are kept in all', () =>
  withVictim(async (_world, vic, addr, eves) => {
    for (let i = 0; i < 12; i++) {
      const p = await proposer(vic, addr);
      eves.push(p.eve);
      for (let j = 0; j < 2; j++) {
        const id = BigInt('0x' + randomBytes(7).toString('hex'));
        p.eve.say({ type: 'channel.propose', ...p.terms, channelId: id, publicKeyA: p.terms.publicKeyA.toString('hex'), publicKeyB: p.terms.publicKeyB.toString('hex') });
      }
      await p.eve.delivered();
      assert.equal((vic.node as unknown as { isPartner(w: Address): boolean }).isPartner(p.eve.address), false, 'a proposal does not make a partner');
    }
    await until(() => vic.node.channels().length >= MAX_PROPOSALS_HELD, 'the proposals');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(vic.node.channels().length, MAX_PROPOSALS_HELD, `36 proposed, ${vic.node.channels().length} kept`);
  }));

test('a partner resending equivocations for one step: the evidence is kept and told once, the journal does not grow', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { mallory: m, known: k } = s;
    const latest = m.latest(k).state;
    const variant = (i: number) => m.propose(k, { ...latest, balanceA: latest.balanceA - BigInt(i + 1), balanceB: latest.balanceB + BigInt(i + 1) });
    m.say(variant(0));
    await until(() => s.vic.events.some((e) => e.type === 'equivocation'), 'the first equivocation');
    const bytes = await World.journalBytes(s.vic, s.withMal);
    await m.flood(300, (i) => variant(i + 1), 1000);
    await m.delivered();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.vic.events.filter((e) => e.type === 'equivocation').length, 1);
    assert.equal(await World.journalBytes(s.vic, s.withMal), bytes, 'no more evidence records for that step');
    assert.equal(World.step(s.vic.node, s.withMal), latest.step);
  } finally {
    await endScene(s);
  }
});

test('proposals a stranger withdraws still count against its cap (they stay in memory as declined)', () =>
  withProposal(async (_world, vic, p) => {
    const { eve, terms } = p;
    // 4 more: the rest of the proposals' burst (PROPOSE_BURST, then one each 5 s)
    for (let i = 0; i < 4; i++) {
      const channelId = BigInt('0x' + randomBytes(7).toString('hex'));
      eve.say({ type: 'channel.propose', ...terms, channelId, publicKeyA: terms.publicKeyA.toString('hex'), publicKeyB: terms.publicKeyB.toString('hex') });
      const id = channelId.toString();
      await until(() => vic.node.channels().some((c) => c.channelId === id), 'the proposal');
      eve.say({ type: 'channel.reject', channelId, reason: 'withdrawn' });
      await until(() => vic.node.channels().find((c) => c.channelId === id)?.phase !== 'proposed', 'the withdrawal');
    }
    await eve.delivered();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(vic.node.channels().length <= 3, `${vic.node.channels().length} proposals kept`);
  }));

test('a contract a proposer deploys before the proposal is agreed is not followed: no deposit, lock or payout is told for it', () =>
  withProposal(async (world, vic, p) => {
    const { eve, terms } = p;
    const id = terms.channelId.toString();
    const wallet = await world.chain.openWallet(eve.keyPair);
    const agreed = await world.chain.deployChannel(wallet, configOf(terms), TON('1'));
    eve.say({ type: 'channel.deployed', channelId: terms.channelId, contract: agreed.address.toRawString() });
    await until(() => vic.events.some((e) => e.type === 'log' && /the contract of channel .* was deployed before the proposal was agreed: the node follows it only once the proposal is accepted/.test(e.message)), 'the warning');
    const v = vic.node.channel(id)!;
    assert.equal(v.phase, 'proposed');
    assert.deepEqual([v.depositA, v.depositB], [0n, 0n]);
    assert.deepEqual(vic.events.filter((e) => e.type === 'depositSeen' || e.type === 'channelLocked' || e.type === 'closed'), []);
  }));

test('a partner on an older SynChannel deploys contract v2 for the agreed terms: the node says so and does not deposit', () =>
  withProposal(async (world, vic, p) => {
    const { eve, terms } = p;
    const id = terms.channelId.toString();
    const stop = new AbortController();
    const accepting = vic.node.deposit(undefined, { channel: id, signal: stop.signal }).catch((e: unknown) => e);
    await until(() => vic.node.channel(id)?.phase === 'accepted', 'the acceptance');
    const wallet = await world.chain.openWallet(eve.keyPair);
    const old = await world.chain.deployChannel(wallet, configOf(terms), TON('1'), { version: 2 });
    const told = new Promise<string>((r) => vic.node.on((e) => e.type === 'error' && e.code === 'BAD_CONTRACT' && r(e.message)));
    eve.say({ type: 'channel.deployed', channelId: terms.channelId, contract: old.address.toRawString() });
    await eve.error('channel.deployed', 'BAD_CONTRACT');
    assert.match(await told, new RegExp(`do not deposit: it is channel contract v2, and this channel was agreed here on v${CONTRACT_VERSION} .*Your partner takes its deposit back with refund; decline the channel`));
    stop.abort();
    await accepting;
    assert.equal(vic.node.channel(id)?.phase, 'accepted');
  }));

test("a peer claiming the node's own channel key gets no channel: neither its proposal nor one to it", () =>
  withVictim(async (_world, vic, addr, eves) => {
    const eve = await stranger(addr, { channelPublicKey: vic.keyPair.publicKey });
    eves.push(eve);
    const terms = { channelId: 77n, challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: eve.address.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString() };
    eve.say({ type: 'channel.propose', ...terms, publicKeyA: vic.keyPair.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
    await eve.error('channel.propose', 'BAD_PROPOSAL');
    assert.equal(vic.node.channel('77'), null);
    await assert.rejects(vic.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: eve.address.toString() }), (e: Error & { code?: string }) => e.code === 'BAD_PROPOSAL' && /your own key/.test(e.message));
  }));

test('a peer with no channel here is not heard in its error reports: no alarm about our key, no "your partner reports"', () =>
  withVictim(async (_world, vic, addr, eves) => {
    for (let i = 0; i < 3; i++) {
      const eve = await stranger(addr);
      eves.push(eve);
      eve.say({ type: 'error', code: 'EQUIVOCATION', message: 'you signed two states' });
      for (let j = 0; j < 5; j++) eve.say({ type: 'error', code: 'INTERNAL', message: `you are hacked ${j}` });
    }
    // A proposer (a proposal kept in memory only) is no partner either.
    const p = await proposer(vic, addr);
    eves.push(p.eve);
    p.eve.say({ type: 'error', code: 'EQUIVOCATION', message: 'you signed two states' });
    p.eve.say({ type: 'error', code: 'INTERNAL', message: 'you are hacked' });
    // The messages are acknowledged (handled) before the victim answers anything after them.
    await until(() => eves.every((e) => e.session.connected), 'connected');
    await new Promise((r) => setTimeout(r, 1000));
    const heard = vic.events.filter((e) => (e.type === 'error' && e.code === 'EQUIVOCATION') || ((e.type === 'error' || e.type === 'log') && /hacked|two different states/.test(e.message)));
    assert.deepEqual(heard, []);
  }));

test("strangers' proposals do not evict a partner's proposal while it is being accepted", async () => {
  const world = await World.create();
  const eves: Mallory[] = [];
  const real = world.chain.getChannelStatus.bind(world.chain);
  try {
    const vic = await world.node('vic');
    const hal = await world.node('hal');
    const addr = await world.link(vic, hal);
    const proposed = waitForEvent(vic.node, 'channelProposed');
    const { channelId: id } = await hal.node.open({ myDeposit: TON('2'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await proposed;
    // Vic's deposit reads the chain before it accepts (an endpoint that takes its time): the strangers come then.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    world.chain.getChannelStatus = async (...a) => (await gate, real(...a));
    const depositing = vic.node.deposit(undefined, { channel: id });
    for (let i = 0; i < 12; i++) {
      const p = await proposer(vic, addr);
      eves.push(p.eve);
      for (let j = 0; j < 2; j++) p.eve.say({ type: 'channel.propose', ...p.terms, channelId: BigInt('0x' + randomBytes(7).toString('hex')), publicKeyA: p.terms.publicKeyA.toString('hex'), publicKeyB: p.terms.publicKeyB.toString('hex') });
      await p.eve.delivered();
    }
    assert.ok(vic.node.channel(id), "Hal's proposal, being accepted, is kept");
    release();
    await depositing;
    await until(() => vic.node.channel(id)?.phase === 'open' && hal.node.channel(id)?.phase === 'open', 'the channel opens', 60_000);
  } finally {
    world.chain.getChannelStatus = real;
    for (const e of eves) await e.stop();
    await world.close();
  }
});

test("strangers' proposals do not evict a known partner's, and a proposer whose proposal is dropped is told", async () => {
  const world = await World.create();
  const eves: Mallory[] = [];
  try {
    const vic = await world.node('vic');
    const hal = await world.node('hal');
    const addr = await world.link(vic, hal);
    await world.open(hal, vic, TON('2'), TON('1')); // Hal is a partner here now
    const proposed = waitForEvent(vic.node, 'channelProposed', (e) => e.channel.partnerAddress === hal.node.getAccount());
    const { channelId: id } = await hal.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await proposed;
    for (let i = 0; i < 12; i++) {
      const p = await proposer(vic, addr);
      eves.push(p.eve);
      for (let j = 0; j < 2; j++) p.eve.say({ type: 'channel.propose', ...p.terms, channelId: BigInt('0x' + randomBytes(7).toString('hex')), publicKeyA: p.terms.publicKeyA.toString('hex'), publicKeyB: p.terms.publicKeyB.toString('hex') });
      await p.eve.delivered();
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(vic.node.channel(id)?.phase, 'proposed', "Hal's proposal is kept");
    assert.equal(hal.node.channel(id)?.phase, 'proposed');
    const told = eves.flatMap((e) => e.received.filter((m) => m.type === 'channel.reject' && /dropped, propose again/.test(m.reason)));
    assert.ok(told.length >= 1, 'the strangers whose proposals were dropped are told');
    await vic.node.deposit(undefined, { channel: id });
    await until(() => vic.node.channel(id)?.phase === 'open', 'the channel opens', 60_000);
  } finally {
    for (const e of eves) await e.stop();
    await world.close();
  }
});

test("strangers' bad messages are answered on the wire; the ones shown to the user share one budget, however many wallets", () =>
  withVictim(async (_world, vic, addr, eves) => {
    const from = vic.events.length;
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      const e = await stranger(addr);
      eves.push(e);
      const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
      for (let j = 0; j < 10; j++) e.say({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
      // and proposals that name another account for the victim (BAD_PROPOSAL): refused proposals are no exception
      const other = Address.parse(`0:${randomBytes(32).toString('hex')}`).toRawString();
      const key = e.keyPair.publicKey.toString('hex');
      for (let j = 0; j < 4; j++) e.say({ type: 'channel.propose', channelId: BigInt(j + 1), challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: e.address.toRawString(), addressB: other, publicKeyA: key, publicKeyB: key });
    }
    await until(() => eves.every((e) => e.received.filter((m) => m.type === 'error').length >= 14), 'the answers on the wire');
    const raised = vic.events.slice(from).filter((e) => e.type === 'error').length;
    const bound = STRANGER_REPORT_BURST + Math.ceil(((Date.now() - t0) / 1000) * STRANGER_REPORTS_PER_SECOND) + 1;
    assert.ok(raised >= 1 && raised <= bound, `${raised} error events for 70 bad messages of 5 strangers (at most ${bound})`);
    // told from this side: whose message was refused, and why
    const shown = vic.events.slice(from).flatMap((e) => (e.type === 'error' ? [e.message] : []));
    for (const m of shown) assert.match(m, /^refused (a notice of a deposit|a channel proposal) from \S+, who has no channel here: /);
    assert.ok(shown.some((m) => /^refused a notice of a deposit from .*: it names channel \S+, which is no channel of yours with them/.test(m)), shown.join('\n'));
    assert.ok(vic.events.slice(from).some((e) => e.type === 'log' && /refused a message of .* who has no channel here \(deposit\)/.test(e.message)));
  }));
