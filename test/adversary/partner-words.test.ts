// What a node answers a partner whose message it refused is read there as "your partner reports: …": several
// answers were written from this node's side ("your partner deployed …", "your partner's channel key is your own
// key", "ask your partner to propose again", "your partner signed two different states", "accept it with deposit")
// and so told the partner the opposite of what happened. The partner now reads its own side ("you deployed …"),
// and this node's user still reads this side's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { configOf, contractOf } from '../../src/node/record.js';
import type { AppMessage } from '../../src/core/wire.js';
import { stateFromBase64 } from '../../src/core/state.js';
import { stranger, withVictim, type Mallory } from './mallory.js';
import { endScene, malloryPasses, scene, TON } from './scene.js';
import { until, type NodeHandle } from './world.js';

/** The text of the victim's error answer to `ref` with `code`. */
async function answer(eve: Mallory, ref: AppMessage['type'], code: string): Promise<string> {
  return (await eve.nextOf('error', (m) => m.ref === ref && m.code === code)).message;
}

/** What this node's user was told of a refusal with `code` (from event `from` on). */
async function toldHere(vic: NodeHandle, code: string, from: number): Promise<string> {
  const find = () => vic.events.slice(from).find((e): e is Extract<typeof e, { type: 'error' }> => e.type === 'error' && e.code === code);
  await until(() => find() !== undefined, `the ${code} refusal told here`);
  return find()!.message;
}

/** A proposal of `eve` to the victim: its terms, as on the wire. */
function terms(eve: Mallory, vic: NodeHandle, o: { addressB?: string; deposits?: [bigint, bigint]; keyB?: Buffer } = {}) {
  return {
    type: 'channel.propose' as const,
    channelId: BigInt('0x' + randomBytes(7).toString('hex')),
    challengePeriod: 600,
    expectedDepositA: o.deposits?.[0] ?? TON('1'),
    expectedDepositB: o.deposits?.[1] ?? TON('1'),
    addressA: eve.address.toRawString(),
    addressB: o.addressB ?? Address.parse(vic.node.getAccount()).toRawString(),
    publicKeyA: eve.keyPair.publicKey.toString('hex'),
    publicKeyB: (o.keyB ?? vic.keyPair.publicKey).toString('hex'),
  };
}

test('BAD_PROPOSAL: the proposer reads why from its side (your proposal, your key), this node in its words', () =>
  withVictim(async (_world, vic, addr, eves) => {
    const from = vic.events.length;
    // its channel key is the victim's own
    const twin = await stranger(addr, { channelPublicKey: vic.keyPair.publicKey });
    eves.push(twin);
    twin.say({ ...terms(twin, vic), publicKeyA: vic.keyPair.publicKey.toString('hex') });
    assert.equal(await answer(twin, 'channel.propose', 'BAD_PROPOSAL'), 'your channel key is their own key: a state one of you signs alone would count as signed by both; no channel is made with it (each side needs its own key)');
    assert.match(await toldHere(vic, 'BAD_PROPOSAL', from), /: your partner's channel key is your own key: a state you sign alone would count as signed by both; no channel is made with it$/);
    // it names another account for the victim
    const eve = await stranger(addr);
    eves.push(eve);
    eve.say(terms(eve, vic, { addressB: Address.parse(`0:${randomBytes(32).toString('hex')}`).toRawString() }));
    assert.equal(await answer(eve, 'channel.propose', 'BAD_PROPOSAL'), 'your proposal names another account or key for them than the ones their node proved on connect: propose again to the account you are connected to');
    // it names another account for the proposer than the one it proved
    const other = await stranger(addr);
    eves.push(other);
    other.say({ ...terms(other, vic), addressA: Address.parse(`0:${randomBytes(32).toString('hex')}`).toRawString() });
    assert.equal(await answer(other, 'channel.propose', 'BAD_PROPOSAL'), 'your proposal names another account or key for you than the ones your node proved on connect: propose again from the node that is connected to them');
    // no money in it
    const empty = await stranger(addr);
    eves.push(empty);
    empty.say(terms(empty, vic, { deposits: [0n, 0n] }));
    assert.equal(await answer(empty, 'channel.propose', 'BAD_PROPOSAL'), 'your proposal puts no money in the channel: propose again with a deposit for you, for them or for both');
    for (const e of [twin, eve, other, empty]) {
      for (const m of e.received) if (m.type === 'error') assert.doesNotMatch(m.message, /your partner|ask them/i, m.message);
    }
  }));

test('BAD_CONTRACT: a partner that deployed another contract reads "you deployed …", this node "your partner deployed …"', () =>
  withVictim(async (_world, vic, addr, eves) => {
    const eve = await stranger(addr);
    eves.push(eve);
    const t = terms(eve, vic);
    eve.say(t);
    await until(() => vic.node.channel(t.channelId.toString()) !== null, 'the proposal');
    const from = vic.events.length;
    const config = configOf({ ...t, publicKeyA: Buffer.from(t.publicKeyA, 'hex'), publicKeyB: Buffer.from(t.publicKeyB, 'hex') });
    const old = contractOf(config, 2);
    eve.say({ type: 'channel.deployed', channelId: t.channelId, contract: old });
    const theirs = await answer(eve, 'channel.deployed', 'BAD_CONTRACT');
    assert.match(theirs, new RegExp(`^you deployed \\S+, not the contract of the agreed channel \\(\\S+\\): they do not deposit in it: it is channel contract v2, and they agreed this channel on v${CONTRACT_VERSION} \\(your two nodes run different SynChannel versions\\)\\. Take your deposit back with refund, and open the channel again once both run the same version$`));
    assert.doesNotMatch(theirs, /your partner/i);
    assert.match(await toldHere(vic, 'BAD_CONTRACT', from), /: your partner deployed \S+, not the contract of the agreed channel \(\S+\): do not deposit: it is channel contract v2, .*Your partner takes its deposit back with refund; decline the channel/);
    // a contract of no version at all
    eve.say({ type: 'channel.deployed', channelId: t.channelId, contract: Address.parse(`0:${randomBytes(32).toString('hex')}`).toRawString() });
    await until(() => eve.errors('channel.deployed').length >= 2, 'the second answer');
    const second = eve.received.filter((m): m is Extract<AppMessage, { type: 'error' }> => m.type === 'error' && m.ref === 'channel.deployed')[1]!.message;
    assert.match(second, /^you deployed \S+, not the contract of the agreed channel \(\S+\): they do not deposit in it; decline the channel, and open it again with both nodes on the same SynChannel version$/);
  }));

test('NOT_LOCKED: an initial state too early reads from the proposer\'s side ("your initial state", not "accept it with deposit")', () =>
  withVictim(async (world, vic, addr, eves) => {
    const eve = await stranger(addr);
    eves.push(eve);
    const t = terms(eve, vic);
    eve.say(t);
    const id = t.channelId.toString();
    await until(() => vic.node.channel(id) !== null, 'the proposal');
    await world.chain.openWallet(eve.keyPair);
    const contract = contractOf(configOf({ ...t, publicKeyA: Buffer.from(t.publicKeyA, 'hex'), publicKeyB: Buffer.from(t.publicKeyB, 'hex') }), CONTRACT_VERSION);
    const k = { channelId: t.channelId, contract, me: 'A' as const, states: [] };
    const st0 = { tag: 'state' as const, channel: Address.parse(contract), step: 0n, balanceA: TON('1'), balanceB: TON('1') };
    const from = vic.events.length;
    eve.say(eve.propose(k, st0));
    assert.equal(await answer(eve, 'state.propose', 'NOT_LOCKED'), 'your initial state arrived for a channel they have not accepted: nothing changed (it counts only once they accept it and the contract locks)');
    assert.match(await toldHere(vic, 'NOT_LOCKED', from), /: an initial state arrived for a channel you have not accepted: accept it with deposit first$/);
    // accepted, the contract not deployed: the read shows no lock
    const stop = new AbortController();
    const accepting = vic.node.deposit(undefined, { channel: id, signal: stop.signal }).catch(() => undefined);
    await until(() => vic.node.channel(id)?.phase === 'accepted', 'the acceptance');
    stop.abort();
    await accepting;
    eve.say(eve.propose(k, { ...st0, balanceA: TON('1') + 1n }));
    await until(() => eve.errors('state.propose').length >= 2, 'the second answer');
    const later = eve.received.filter((m): m is Extract<AppMessage, { type: 'error' }> => m.type === 'error' && m.ref === 'state.propose').slice(1).map((m) => m.message);
    for (const m of later) assert.match(m, /^your initial state arrived before (their node saw the contract lock|the contract locked)/, m);
    for (const m of eve.received) if (m.type === 'error') assert.doesNotMatch(m.message, /your partner|accept it with deposit/, m.message);
  }));

test('EQUIVOCATION: the partner that signed two states for one step reads "you signed", this node "your partner signed"', async () => {
  const s = await scene();
  try {
    const from = s.vic.events.length;
    const latest = s.mallory.latest(s.known).state;
    s.mallory.say(s.mallory.propose(s.known, { ...latest, balanceA: latest.balanceA - 1n, balanceB: latest.balanceB + 1n }));
    assert.equal(await answer(s.mallory, 'state.propose', 'EQUIVOCATION'), `you signed two different states for step ${latest.step}: their node keeps the evidence; the state both of you signed stands`);
    assert.match(await toldHere(s.vic, 'EQUIVOCATION', from), new RegExp(`: your partner signed two different states for step ${latest.step}: the evidence is kept; the state both of you signed stands$`));
  } finally {
    await endScene(s);
  }
});

test("a state refused by the channel machine: the partner reads it from its side ('cannot take your proposed state'), this node from its own", async () => {
  const s = await scene();
  try {
    const { vic, mallory, known, withMal } = s;
    const latest = await malloryPasses(s);
    const from = vic.events.length;
    // Vic pays: his state awaits Mallory's signature (PROPOSED), and she proposes one of her own for that step
    void vic.node.send(TON('0.01'), { channel: withMal }).catch(() => undefined);
    await mallory.nextOf('state.propose', (m) => stateFromBase64(m.state).step === latest + 1n);
    mallory.say(mallory.propose(known, mallory.next(known, { step: latest + 1n })));
    assert.equal(await answer(mallory, 'state.propose', 'PENDING_STATE'), 'cannot take your proposed state now: our proposal awaits your countersignature: sign it before proposing your next state');
    assert.match(await toldHere(vic, 'PENDING_STATE', from), /: cannot take the partner's proposed state now: our proposal awaits the partner's countersignature: apply it before the partner's next state$/);
  } finally {
    await endScene(s);
  }
});
