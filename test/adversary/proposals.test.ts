// What strangers' proposals (free wallets; held in memory until accepted) can make a node do, found by an attack
// review: hints about them (deposit, close.notice, channel.deployed) read the chain, in the queue the watches of real
// channels use: on a paced testnet endpoint, a stranger's hints delayed a challenge by half of a 60 s window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { contractOf, configOf } from '../../src/node/record.js';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { givesNextStep } from '../../src/core/codes.js';
import { MAX_PROPOSALS_HELD } from '../../src/node/incoming.js';
import { CHANNEL_ID_TAGS } from '../../src/node/policy.js';
import { STRANGER_REPORT_BURST, STRANGER_REPORTS_PER_SECOND } from '../../src/node/reports.js';
import { stranger, withVictim, type Mallory } from './mallory.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

/** A stranger that proposes `count` channels to `vic`; returns it and the proposals' contracts. */
async function proposer(vic: NodeHandle, addr: string, count: number): Promise<{ eve: Mallory; contracts: string[]; ids: bigint[] }> {
  const eve = await stranger(addr);
  const key = eve.keyPair;
  const contracts: string[] = [];
  const ids: bigint[] = [];
  for (let j = 0; j < count; j++) {
    const terms = { channelId: BigInt('0x' + randomBytes(7).toString('hex')), challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: eve.address.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString(), publicKeyA: key.publicKey, publicKeyB: vic.keyPair.publicKey };
    eve.say({ type: 'channel.propose', ...terms, publicKeyA: key.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
    contracts.push(contractOf(configOf(terms), CONTRACT_VERSION));
    ids.push(terms.channelId);
  }
  return { eve, contracts, ids };
}

/**
 * Dials a node that strangers just flooded from this same host (127.0.0.1): libp2p may refuse this host's new
 * connections for a moment (DIAL_FAILED says to try again in a few seconds), so a few tries, as a person would.
 */
async function dialBusy(from: NodeHandle, addr: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return void (await from.node.connect(addr));
    } catch (e) {
      if ((e as { code?: string }).code !== 'DIAL_FAILED' || i >= 4) throw e;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** `n` strangers (no proposal) connected to `vic`, added to `eves`. */
async function strangers(vic: NodeHandle, addr: string, n: number, eves: Mallory[]): Promise<void> {
  for (let i = 0; i < n; i++) eves.push(await stranger(addr));
  await until(() => vic.node.partners().length >= n, `the ${n} sessions`);
}

test("hints about a proposal nobody accepted read nothing from the chain", () =>
  withVictim(async (world, vic, addr, eves) => {
    const all: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await proposer(vic, addr, 2);
      eves.push(p.eve);
      all.push(...p.contracts.map((c, j) => `${eves.length - 1} ${c} ${p.ids[j]}`));
    }
    await until(() => vic.node.channels().length >= 8, 'the proposals');
    const before = vic.counter.statusReads;
    for (let round = 0; round < 6; round++) {
      for (const entry of all) {
        const [i, contract, id] = entry.split(' ') as [string, string, string];
        const eve = eves[Number(i)]!;
        eve.say({ type: 'deposit', contract, party: 'A', amount: 1n });
        eve.say({ type: 'close.notice', contract, kind: 'unilateral', step: 5n });
        eve.say({ type: 'channel.deployed', channelId: BigInt(id), contract });
      }
      await new Promise((r) => setTimeout(r, 400));
    }
    for (const e of eves) await e.delivered();
    await new Promise((r) => setTimeout(r, 1_200)); // a hint that waited for its interval would read now
    const reads = vic.counter.statusReads - before;
    assert.equal(reads, 0, `${reads} chain reads for hints about 8 proposals nobody accepted`);
  }));

test("strangers' proposals are all listed, but announced (channelProposed, a toast each) within each stranger's share and the strangers' cap", () =>
  withVictim(async (world, vic, addr, eves) => {
    const from = vic.events.length;
    const t0 = Date.now();
    for (let i = 0; i < 15; i++) eves.push((await proposer(vic, addr, 3)).eve);
    for (const e of eves) await e.delivered();
    await until(() => vic.node.channels().length >= MAX_PROPOSALS_HELD, 'the proposals listed');
    const seconds = (Date.now() - t0) / 1000;
    const bound = STRANGER_REPORT_BURST + Math.ceil(seconds * STRANGER_REPORTS_PER_SECOND) + 1;
    const events = vic.events.slice(from);
    const announced = events.filter((e) => e.type === 'channelProposed').length;
    const warned = events.filter((e) => e.type === 'log' && e.level !== 'info').length;
    assert.ok(announced >= 1 && announced <= bound, `${announced} of 45 proposals announced in ${seconds.toFixed(1)} s (at most ${bound})`);
    assert.ok(warned <= bound, `${warned} warnings (the dropped proposals: 13)`);
  }));

test("strangers' connections are told within the same budget; a session this node dialled always is", () =>
  withVictim(async (world, vic, addr, eves) => {
    const from = vic.events.length;
    const t0 = Date.now();
    await strangers(vic, addr, 30, eves);
    for (const e of eves.splice(0)) await e.stop();
    await until(() => vic.node.partners().every((p) => !p.online), 'the strangers gone');
    const seconds = (Date.now() - t0) / 1000;
    const bound = STRANGER_REPORT_BURST + Math.ceil(seconds * STRANGER_REPORTS_PER_SECOND) + 1;
    const events = vic.events.slice(from);
    const told = events.filter((e) => e.type === 'partnerConnected').length;
    const gone = events.filter((e) => e.type === 'partnerDisconnected').length;
    assert.ok(told >= 1 && told <= bound, `${told} of 30 strangers' connections told in ${seconds.toFixed(1)} s (at most ${bound})`);
    assert.ok(gone <= told, `${gone} disconnections told, of ${told} connections told`);
    // this node's own connect is told whatever strangers did
    const hal = await world.node('hal');
    const halAddr = (await hal.node.serve(0, '127.0.0.1')).lan[0]!;
    const mark = vic.events.length;
    await vic.node.connect(halAddr);
    await until(() => vic.events.slice(mark).some((e) => e.type === 'partnerConnected' && e.partner.address === hal.node.getAccount()), 'the connection to Hal told');
  }));

test('with the strangers\' budget spent, a partner this node dialled has its proposal announced, and a stranger accepted meanwhile has its disconnection told', () =>
  withVictim(async (world, vic, addr, eves) => {
    await strangers(vic, addr, 30, eves);
    // Vic dials Hal: Hal's proposal is announced whatever strangers did
    const hal = await world.node('hal');
    const mark = vic.events.length;
    await vic.node.connect((await hal.node.serve(0, '127.0.0.1')).lan[0]!);
    const fromHal = await hal.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await until(() => vic.events.slice(mark).some((e) => e.type === 'channelProposed' && e.channel.channelId === fromHal.channelId), "Hal's proposal announced");
    // Ivy dials Vic while the budget is spent: not told; once Vic accepts her proposal, her disconnection is
    const ivy = await world.node('ivy');
    await dialBusy(ivy, addr);
    const fromIvy = await ivy.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await until(() => vic.node.channel(fromIvy.channelId) !== null, "Ivy's proposal listed");
    await vic.node.deposit(undefined, { channel: fromIvy.channelId });
    await until(() => vic.node.channel(fromIvy.channelId)?.phase === 'open', "Ivy's channel open", 60_000);
    const gone = vic.events.length;
    await ivy.node.stop();
    await until(() => vic.events.slice(gone).some((e) => e.type === 'partnerDisconnected' && e.partner.address === ivy.node.getAccount()), "Ivy's disconnection told");
  }));

test('a proposal on another channel contract version (a newer SynChannel) is refused at once, naming both versions; nothing is listed', () =>
  withVictim(async (_world, vic, addr, eves) => {
    const eve = await stranger(addr);
    const key = eve.keyPair;
    eves.push(eve);
    const propose = (channelId: bigint, contractVersion?: number) =>
      eve.say({
        type: 'channel.propose',
        channelId,
        challengePeriod: 600,
        expectedDepositA: TON('1'),
        expectedDepositB: TON('1'),
        addressA: eve.address.toRawString(),
        addressB: Address.parse(vic.node.getAccount()).toRawString(),
        publicKeyA: key.publicKey.toString('hex'),
        publicKeyB: vic.keyPair.publicKey.toString('hex'),
        ...(contractVersion === undefined ? {} : { contractVersion }),
      });
    const reported = until(() => vic.events.some((e) => e.type === 'error' && e.code === 'BAD_CONTRACT'), 'the refusal reported at the victim');
    propose(11n, CONTRACT_VERSION + 1);
    // the proposer is answered with a decline that says why in its words (its node ends the proposal)
    const no = await eve.nextOf('channel.reject', (m) => m.channelId === 11n);
    assert.match(no.reason, new RegExp(`opens new channels on contract v${CONTRACT_VERSION} only, and this proposal is for v${CONTRACT_VERSION + 1}: update`));
    await reported;
    const shown = vic.events.find((e): e is Extract<typeof e, { type: 'error' }> => e.type === 'error' && e.code === 'BAD_CONTRACT')!;
    assert.ok(givesNextStep(shown.message), 'it says what to do: no code hint beside it (BAD_CONTRACT\'s is about a deployment)');
    assert.equal(vic.node.channel("11"), null);
    // the version this node opens, said or not (a node from before the field says nothing), is a proposal like any
    propose(12n, CONTRACT_VERSION);
    propose(13n);
    await until(() => vic.node.channel("12") !== null && vic.node.channel("13") !== null, 'both proposals listed');
  }));

test("a stranger's proposal that reuses the id of another partner's channel is answered as a new one is (not at all), and costs what a new one does", async () => {
  const world = await World.create();
  try {
    const vic = await world.node('vic');
    const hal = await world.node('hal');
    const addr = await world.link(vic, hal);
    const hals = await world.open(hal, vic, TON('1'), TON('1'));
    const eve = await stranger(addr);
    try {
      const vicAddress = Address.parse(vic.node.getAccount()).toRawString();
      const ask = (id: bigint) => eve.say({ type: 'channel.propose', channelId: id, challengePeriod: 3600, expectedDepositA: TON('1'), expectedDepositB: 0n, addressA: eve.address.toRawString(), addressB: vicAddress, publicKeyA: eve.keyPair.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
      const told = vic.events.length;
      ask(BigInt(hals.channelId));
      ask(123456789n); // a new id, held: both go unanswered, so nothing tells them apart
      await until(() => vic.node.channel('123456789') !== null, 'the new proposal held');
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(eve.errors(), []);
      assert.equal(eve.count('channel.reject'), 0, 'no answer names the id');
      assert.deepEqual(vic.events.slice(told).filter((e) => e.type === 'error').map((e) => (e as { code: string }).code), [], "nothing shown to the victim's user");
      // probes of it take the proposal budget: the refusal over the rate comes, as for new ids (a decline that
      // names the id asked about, whatever it is)
      for (let i = 0; i < 30; i++) ask(BigInt(hals.channelId));
      await until(() => eve.received.some((m) => m.type === 'channel.reject' && /too many channel proposals from you/.test(m.reason)), 'the proposal budget spent');
    } finally {
      await eve.stop();
    }
  } finally {
    await world.close();
  }
});

// A channel's address is the hash of its code and terms, and the same key gives the same wallet address on every
// network: a proposer that repeats, on testnet, the id and terms of a channel the victim signed states for on the
// sandbox or a devnet made the same contract address there, and those states (worthless coins) would pay out the
// victim's testnet deposit. Ids are bound to the network: testnet's carry its tag, other networks refuse that tag.
test('a proposal whose channel id is made for testnet is refused on the sandbox (its states could be replayed there); the proposer is told why', () =>
  withVictim(async (_world, vic, addr, eves) => {
    const eve = await stranger(addr);
    eves.push(eve);
    const id = (CHANNEL_ID_TAGS.testnet! << 48n) | 0x1234n;
    eve.say({ type: 'channel.propose', channelId: id, challengePeriod: 3600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: eve.address.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString(), publicKeyA: eve.keyPair.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
    const no = await eve.nextOf('channel.reject', (m) => m.channelId === id);
    assert.match(no.reason, /channel id is made for testnet, not for sandbox, .*Propose again/);
    await until(() => vic.events.some((e) => e.type === 'error' && e.code === 'BAD_PROPOSAL'), 'the refusal told here');
    assert.equal(vic.node.channel(id.toString()), null, 'nothing listed');
  }));

test("a few strangers flooding the node spend their own shares, not the cap: a genuine partner's first proposal is still announced", () =>
  withVictim(async (_world, vic, addr, eves) => {
    const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
    const bad = () => ({ type: 'deposit' as const, contract: fake, party: 'A' as const, amount: 1n });
    // five hostile wallets: each proposes channels and floods bad messages (each refusal is a report to show)
    for (let i = 0; i < 5; i++) {
      const { eve } = await proposer(vic, addr, 3);
      eves.push(eve);
      for (let j = 0; j < 20; j++) eve.say(bad());
    }
    for (const e of eves) await e.delivered();
    // they go on while a genuine partner proposes its first channel
    const flooding = Promise.all(eves.map((e) => e.flood(40, bad, 20)));
    const from = vic.events.length;
    const genuine = await proposer(vic, addr, 1);
    eves.push(genuine.eve);
    const id = genuine.ids[0]!.toString();
    await until(() => vic.node.channel(id) !== null, "the genuine partner's proposal listed");
    await flooding;
    assert.ok(vic.events.slice(from).some((e) => e.type === 'channelProposed' && e.channel.channelId === id), "the genuine partner's first proposal is listed but not announced");
  }));

test("strangers' claims that they deployed the contracts of their proposals are told as their claims, within the strangers' budget", () =>
  withVictim(async (_world, vic, addr, eves) => {
    const from = vic.events.length;
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) {
      const p = await proposer(vic, addr, 3);
      eves.push(p.eve);
      await until(() => p.ids.every((id) => vic.node.channel(id.toString()) !== null), 'the proposals listed');
      p.ids.forEach((id, j) => p.eve.say({ type: 'channel.deployed', channelId: id, contract: p.contracts[j]! }));
    }
    for (const e of eves) await e.delivered();
    const seconds = (Date.now() - t0) / 1000;
    const bound = STRANGER_REPORT_BURST + Math.ceil(seconds * STRANGER_REPORTS_PER_SECOND) + 1;
    const told = vic.events.slice(from).flatMap((e) => (e.type === 'log' && /was deployed before the proposal was agreed/.test(e.message) ? [e] : []));
    assert.ok(told.length >= 1 && told.length <= bound, `${told.length} of 30 claims told in ${seconds.toFixed(1)} s (at most ${bound})`);
    for (const e of told) assert.doesNotMatch(e.message, /your partner/, 'a stranger is called "your partner"');
  }));

test("a flood of proposals from many new wallets neither drops nor hides a genuine new proposer's first one", () =>
  withVictim(async (_world, vic, addr, eves) => {
    // 12 hostile wallets, 3 proposals each: more than the strangers' global announcements (10) and the proposals kept (32)
    for (let i = 0; i < 12; i++) eves.push((await proposer(vic, addr, 3)).eve);
    for (const e of eves) await e.delivered();
    const from = vic.events.length;
    const genuine = await proposer(vic, addr, 1);
    eves.push(genuine.eve);
    const id = genuine.ids[0]!.toString();
    await until(() => vic.node.channel(id) !== null, "the genuine proposal listed");
    // the flood goes on after it: more than the proposals kept
    for (let i = 0; i < 11; i++) eves.push((await proposer(vic, addr, 3)).eve);
    for (const e of eves) await e.delivered();
    assert.equal(genuine.eve.count('channel.reject'), 0, 'the genuine proposal was dropped for the flood');
    assert.notEqual(vic.node.channel(id), null, 'the genuine proposal is still listed');
    assert.ok(vic.node.channels().length <= MAX_PROPOSALS_HELD, `${vic.node.channels().length} proposals kept`);
    // the person is told of it: announced, or in a line that says proposals came unannounced and where they are
    const told = () => vic.events.slice(from).some((e) => (e.type === 'channelProposed' && e.channel.channelId === id) || (e.type === 'log' && e.level === 'warn' && /proposals? from wallets with no channel here .*listed/.test(e.message)));
    await until(told, "the genuine proposal told", 10_000);
  }));
