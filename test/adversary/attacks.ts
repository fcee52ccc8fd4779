// The attacks, as data the tests and the soak share: each plays on a fresh scene (scene.ts), asserts what the
// victim did and what the honest partner still experiences, and returns a one-line summary of the counts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair, sign, verify } from '../../src/core/signer.js';
import { stateFromBase64, stateHash } from '../../src/core/state.js';
import { decodeJournal } from '../../src/node/store/index.js';
import type { AppMessage } from '../../src/core/wire.js';
import { MAX_RESYNC_STATES } from '../../src/core/wire.js';
import { waitForEvent } from '../../src/node/index.js';
import { Mallory } from './mallory.js';
import { RawPeer } from './raw.js';
import { TON, honestStillPays, type Scene } from './scene.js';
import { World, until } from './world.js';

export interface Attack {
  name: string;
  /** the audit item it replays, if any */
  item?: number;
  /** Mallory's payments before she turns */
  payments?: number;
  run(s: Scene, o: { scale: number }): Promise<string>;
}

/** A stranger: a wallet with no channel with the victim. */
export async function stranger(vicAddr: string): Promise<Mallory> {
  const key = newKeyPair();
  return Mallory.connect(key, walletAddress('v5r1', key.publicKey).toString(), vicAddr);
}

const sig = () => randomBytes(64).toString('hex');

/** Every message type, aimed at channel `contract`/`channelId`, as a stranger or a partner could send it. */
export function everyType(contract: string, channelId: bigint, step: bigint, state: string): AppMessage[] {
  return [
    { type: 'channel.accept', channelId },
    { type: 'channel.reject', channelId, reason: 'no' },
    { type: 'channel.deployed', channelId, contract },
    { type: 'deposit', contract, party: 'A', amount: 1n },
    { type: 'state.propose', contract, state, signature: sig() },
    { type: 'state.countersign', contract, step, signature: sig() },
    { type: 'turn.request', contract, step },
    { type: 'close.notice', contract, kind: 'unilateral', step },
    { type: 'close.propose', contract, state, signature: sig() },
    { type: 'close.accept', contract, step, signature: sig() },
    { type: 'resync.request', contract, latestStep: 0n },
    { type: 'resync.response', contract, states: [] },
  ];
}

/** Item 4: a third peer speaks of my channel with someone else. */
export const foreignChannel: Attack = {
  name: 'a stranger sends every message type about my channel with another partner',
  item: 4,
  async run(s) {
    const eve = await stranger(s.vicAddr);
    try {
      const view = () => s.vic.node.channel(s.withHal)!;
      const before = view();
      const from = s.vic.events.length;
      assert.equal(before.myTurn, true, 'Vic holds the turn in the channel with Hal (step 1 is B\'s)');
      const contract = Address.parse(before.contract).toRawString();
      const state = eve.propose({ channelId: 0n, contract, me: 'B', states: [] }, { tag: 'state', channel: Address.parse(contract), step: before.latest!.step + 1n, balanceA: TON('5'), balanceB: TON('5') }).state;
      const msgs = everyType(contract, BigInt(before.channelId), before.latest!.step, state);
      for (const m of msgs) eve.say(m);
      await until(() => eve.count('error') >= msgs.length, 'an error answer to each message');
      const codes = new Set(eve.errors());
      assert.deepEqual([...codes], ['UNKNOWN_CHANNEL'], `every answer says UNKNOWN_CHANNEL: ${[...codes].join(', ')}`);
      assert.deepEqual(eve.received.filter((m) => m.type !== 'error'), [], 'the stranger learns nothing (no resync.response, no state)');
      const after = view();
      assert.equal(after.phase, 'open', 'not marked closing or closed');
      assert.equal(after.myTurn, true, 'the turn was not passed');
      assert.equal(after.pending, null, 'nothing staged');
      assert.equal(after.latest!.step, before.latest!.step);
      assert.equal(s.vic.events.slice(from).filter((e) => e.type === 'turnRequested' || e.type === 'closeStarted' || e.type === 'stateReceived').length, 0);
      const n = await honestStillPays(s);
      return `${msgs.length} messages, ${eve.count('error')} UNKNOWN_CHANNEL answers, 0 states leaked; honest partner signed ${n} states after`;
    } finally {
      await eve.stop();
    }
  },
};

/** Item 1: a peer resumes, asks for the impossible, and never acknowledges anything. */
export const withheldAck: Attack = {
  name: 'a peer sends session.resume, a countersign for step 1000000 and resync requests, and never acks',
  item: 1,
  async run(s) {
    const raw = await RawPeer.dial(s.vicAddr);
    const hana = await s.world.node(`hana-${randomBytes(2).toString('hex')}`);
    try {
      await raw.handshake(s.mallory.keyPair, s.mallory.address);
      raw.resume();
      raw.data({ type: 'state.countersign', contract: s.known.contract, step: 1_000_000n, signature: sig() });
      for (let i = 0; i < 5; i++) raw.data({ type: 'resync.request', contract: s.known.contract, latestStep: 0n });
      raw.data({ type: 'turn.request', contract: s.known.contract, step: 1_000_000n });
      // Another partner connects, opens a channel, deposits and pays while the raw peer withholds every ack.
      await s.world.link(s.vic, hana);
      const ch = (await s.world.open(hana, s.vic, TON('2'), TON('1'))).channelId;
      await s.world.pay(hana, ch, TON('0.5'));
      const n = await honestStillPays(s);
      await until(() => raw.dataIn().some((m) => m.type === 'error' && m.ref === 'state.countersign'), 'the answer to the countersign');
      assert.equal(s.vic.node.channel(s.withMal)!.latest!.step, s.mallory.latest(s.known).state.step, "Mallory's channel did not move");
      return `while ${raw.dataIn().length} messages to the peer stayed unacknowledged, a new partner opened, deposited and paid; Hal signed ${n} states`;
    } finally {
      await raw.stop();
    }
  },
};

/** A peer that never finishes the handshake (and one that sends only hello). */
export const silentHandshake: Attack = {
  name: 'peers that never finish the handshake',
  async run(s) {
    const silent = await Promise.all([RawPeer.dial(s.vicAddr), RawPeer.dial(s.vicAddr)]);
    const key = newKeyPair();
    silent[1]!.send({ type: 'hello', v: 1, walletAddress: walletAddress('v5r1', key.publicKey).toString(), walletPublicKey: key.publicKey.toString('hex'), channelPublicKey: key.publicKey.toString('hex'), nonce: randomBytes(32).toString('hex') });
    try {
      const n = await honestStillPays(s);
      // The victim drops them by itself (its handshake timeout), whatever the peers do.
      await until(() => silent.every((p) => !p.open), 'the victim to drop the half-open streams', 30_000);
      assert.equal(s.vic.node.partners().length, 2, 'no partner was added');
      return `2 half-open streams dropped by the victim; Hal signed ${n} states meanwhile`;
    } finally {
      for (const p of silent) await p.stop();
    }
  },
};

/** Item 5: resync requests that would make the victim read and resend its whole history again and again. */
export const resyncFlood: Attack = {
  name: 'resync.request flood (amplification)',
  item: 5,
  payments: 70,
  async run(s, o) {
    const n = 2000 * o.scale;
    const bytesBefore = await World.journalBytes(s.vic, s.withMal);
    const t0 = Date.now();
    const flooding = s.mallory.flood(n, () => ({ type: 'resync.request', contract: s.known.contract, latestStep: 0n }));
    const honest = await honestStillPays(s);
    await flooding;
    await s.mallory.delivered();
    const seconds = (Date.now() - t0) / 1000;
    const responses = s.mallory.received.filter((m): m is Extract<AppMessage, { type: 'resync.response' }> => m.type === 'resync.response');
    const states = responses.reduce((k, r) => k + r.states.length, 0);
    // A burst of 8 answers, then 4 per second; each answer carries at most one window.
    const bound = 8 + Math.ceil(seconds * 4) + 1;
    assert.ok(responses.length <= bound, `${responses.length} answers to ${n} requests in ${seconds} s (at most ${bound})`);
    assert.ok(states <= bound * MAX_RESYNC_STATES);
    assert.equal(await World.journalBytes(s.vic, s.withMal), bytesBefore, 'no journal writes for requests');
    return `${n} requests -> ${responses.length} answers with ${states} states (history ${s.known.states.length}); journal unchanged; Hal signed ${honest} states`;
  },
};

/** Item 5: unsolicited proposals: no folders, and the default channel stays the real one. */
export const proposalFlood: Attack = {
  name: 'channel.propose flood to a node with only a real proposal',
  item: 5,
  async run(s, o) {
    const n = 2000 * o.scale;
    const vera = await s.world.node(`vera-${randomBytes(2).toString('hex')}`);
    const addr = (await vera.node.serve(0, '127.0.0.1')).lan[0]!;
    await s.world.link(vera, s.hal);
    const real = waitForEvent(vera.node, 'channelProposed');
    const proposal = await s.hal.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vera.node.getAccount() });
    await real;
    const junk = await stranger(addr);
    try {
      const me = vera.node.getAccount();
      const base = { challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: junk.address.toString(), addressB: me, publicKeyA: junk.keyPair.publicKey.toString('hex'), publicKeyB: vera.keyPair.publicKey.toString('hex') };
      await junk.flood(n, (i) => ({ type: 'channel.propose', channelId: BigInt(1_000_000 + i), ...base }));
      await junk.delivered();
      await until(() => vera.node.channels().length >= 2, 'a junk proposal to show');
      assert.equal(await World.folders(vera), 0, 'no folder for proposals not accepted');
      assert.ok(vera.node.channels().length <= 4, `${vera.node.channels().length} channels listed`);
      assert.equal(vera.node.currentChannel()!.channelId, proposal.channelId, 'the default channel is the real proposal');
      const shown = vera.events.filter((e) => e.type === 'channelProposed').length;
      assert.ok(shown < n / 10, `${shown} proposals shown to the user`);
      return `${n} proposals -> 0 folders, ${vera.node.channels().length} listed, ${shown} shown; the default channel is the real one`;
    } finally {
      await junk.stop();
    }
  },
};

/** Item 5: deposit notices make the victim read the chain; another partner's whole flow still goes through. */
export const depositFlood: Attack = {
  name: 'deposit notice flood while another partner connects, opens, deposits and pays',
  item: 5,
  async run(s, o) {
    const n = 2000 * o.scale;
    const reads0 = s.vic.counter.reads;
    const flooding = s.mallory.flood(n, () => ({ type: 'deposit', contract: s.known.contract, party: 'A', amount: 1n }));
    const hana = await s.world.node(`hana-${randomBytes(2).toString('hex')}`);
    await s.world.link(s.vic, hana);
    const ch = (await s.world.open(hana, s.vic, TON('2'), TON('1'))).channelId;
    await s.world.pay(hana, ch, TON('0.5'));
    await flooding;
    await s.mallory.delivered();
    const reads = s.vic.counter.reads - reads0;
    assert.ok(reads < n / 10, `${reads} chain reads for ${n} notices`);
    return `${n} notices -> ${reads} chain reads; a new partner connected, opened, deposited and paid`;
  },
};

/** Floods of every message type from a partner, about its own channel: bounded answers, events and writes. */
export const typeFloods: Attack = {
  name: 'floods of every message type from a partner',
  item: 5,
  async run(s, o) {
    const per = 150 * o.scale;
    const k = s.known;
    const m = s.mallory;
    const latest = m.latest(k);
    const bytesBefore = await World.journalBytes(s.vic, s.withMal);
    const from = s.vic.events.length;
    const stepBefore = World.step(s.vic.node, s.withMal);
    const replay = m.propose(k, latest.state, { signature: (k.me === 'A' ? latest.sigA : latest.sigB)! });
    const me = s.vic.node.getAccount();
    const flood: [string, (i: number) => AppMessage][] = [
      ['channel.propose', (i) => ({ type: 'channel.propose', channelId: BigInt(5_000_000 + i), challengePeriod: 600, expectedDepositA: 1n, expectedDepositB: 1n, addressA: m.address.toString(), addressB: me, publicKeyA: m.keyPair.publicKey.toString('hex'), publicKeyB: s.vic.keyPair.publicKey.toString('hex') })],
      ...everyType(k.contract, k.channelId, latest.state.step, replay.state).map((msg): [string, (i: number) => AppMessage] => [msg.type, () => msg]),
      ['state.propose (replay)', () => replay],
      ['error', (i) => ({ type: 'error', code: 'WIRE_INVALID', message: `noise ${i}` })],
    ];
    const t0 = Date.now();
    for (const [, make] of flood) await m.flood(per, make);
    await m.delivered();
    const n = await honestStillPays(s);
    const seconds = (Date.now() - t0) / 1000;
    const sent = per * flood.length;
    const events = s.vic.events.slice(from).filter((e) => e.type !== 'channelUpdated' && e.type !== 'stateSigned' && e.type !== 'stateReceived');
    const answers = m.received.filter((x) => x.type === 'error').length;
    const bound = 20 + Math.ceil(seconds * 2) + 1;
    assert.ok(answers <= bound, `${answers} error answers (at most ${bound})`);
    const kinds = (list: typeof events) => [...new Set(list.map((e) => e.type))].map((t) => `${t} ${list.filter((e) => e.type === t).length}`).join(', ');
    assert.ok(events.length <= bound + 20, `${events.length} events shown: ${kinds(events)}; ${events.filter((e) => e.type === 'log').slice(0, 3).map((e) => (e as { message: string }).message).join(' / ')}`);
    assert.equal(World.step(s.vic.node, s.withMal), stepBefore, "Mallory's channel did not move");
    assert.equal(await World.journalBytes(s.vic, s.withMal), bytesBefore, 'nothing written');
    assert.equal(await World.folders(s.vic), 2, 'no folder for the proposals');
    return `${sent} messages of ${flood.length} kinds -> ${answers} error answers, ${events.length} events, 0 bytes written; Hal signed ${n} states`;
  },
};

/** Sends `msg` and waits for the victim's error answer to it; asserts the code. */
async function rejected(m: Mallory, msg: AppMessage, code: string): Promise<void> {
  const seen = m.received.length;
  m.say(msg);
  await until(() => m.received.slice(seen).some((x) => x.type === 'error' && x.ref === msg.type), `an answer to ${msg.type} (${code})`);
  const got = m.received.slice(seen).find((x): x is Extract<AppMessage, { type: 'error' }> => x.type === 'error' && x.ref === msg.type)!;
  assert.equal(got.code, code, `${msg.type}: ${got.message}`);
}

/** Forged, tampered, out-of-turn, skipped, cross-channel and replayed states: each rejected, nothing changes. */
export const forgedStates: Attack = {
  name: 'forged, tampered, out-of-turn, skipped, cross-channel and replayed states',
  item: 6,
  async run(s) {
    const { mallory: m, known: k } = s;
    const view = () => s.vic.node.channel(s.withMal)!;
    const latest = m.latest(k).state;
    assert.ok(m.ours(k, latest.step + 1n), "the next step is Mallory's");
    const bytes = await World.journalBytes(s.vic, s.withMal);
    const from = s.vic.events.length;
    const pay = m.next(k, { balanceA: latest.balanceA - TON('0.1'), balanceB: latest.balanceB + TON('0.1') });
    const other = newKeyPair();
    const cases: [string, AppMessage, string][] = [
      ['signed by another key', m.propose(k, pay, { signature: sign(stateHash(pay), other.secretKey) }), 'BAD_SIGNATURE'],
      ['tampered after signing', { ...m.propose(k, pay), signature: m.sig({ ...pay, balanceB: pay.balanceB + 1n }).toString('hex') }, 'BAD_SIGNATURE'],
      ['takes money', m.propose(k, m.next(k, { balanceA: latest.balanceA + TON('1'), balanceB: latest.balanceB - TON('1') })), 'BALANCE_TAKEN'],
      ['changes the total', m.propose(k, m.next(k, { balanceB: latest.balanceB + TON('1') })), 'TOTAL_CHANGED'],
      ['skips a step', m.propose(k, m.next(k, { step: latest.step + 2n })), 'STEP_GAP'],
      ['names another channel', m.propose(k, m.next(k, { channel: new Address(0, randomBytes(32)) })), 'WRONG_CHANNEL'],
      ['a close state as an ordinary proposal', m.propose(k, m.next(k, { tag: 'close' })), 'UNEXPECTED_CLOSE'],
      ['a close proposal that moves money', m.propose(k, m.next(k, { tag: 'close', balanceA: latest.balanceA - 1n, balanceB: latest.balanceB + 1n }), { close: true }), 'INVALID_TRANSITION'],
      ['a countersignature for a step never proposed', { type: 'state.countersign', contract: k.contract, step: latest.step + 1n, signature: sig() }, 'NOTHING_TO_SIGN'],
    ];
    for (const [, msg, code] of cases) await rejected(m, msg, code);
    // Replays of old states (Mallory's own step 2, and the latest) are no news: then a marker answers.
    const old = k.states[2]!;
    m.say(m.propose(k, old.state, { signature: (k.me === 'A' ? old.sigA : old.sigB)! }));
    m.say(m.propose(k, latest, { signature: m.sig(latest) }));
    await rejected(m, m.propose(k, m.next(k, { step: latest.step + 5n })), 'STEP_GAP');
    assert.equal(view().latest!.step, latest.step);
    assert.equal(view().pending, null);
    assert.equal(await World.journalBytes(s.vic, s.withMal), bytes, 'nothing written');
    // Out of turn: Mallory passes the turn (a valid empty state), then proposes the step that is Vic's.
    const signed = waitForEvent(s.vic.node, 'stateSigned', (e) => e.channel.channelId === s.withMal && e.state.step === latest.step + 1n);
    m.say(m.propose(k, m.next(k)));
    await signed;
    assert.equal(view().myTurn, true, 'Vic holds the turn after an empty state');
    await rejected(m, m.propose(k, { ...latest, step: latest.step + 2n }), 'NOT_YOUR_TURN');
    const shown = s.vic.events.slice(from).filter((e) => e.type === 'stateReceived').length;
    assert.equal(shown, 1, 'only the valid empty state reached the user');
    const n = await honestStillPays(s);
    return `${cases.length + 2} forgeries rejected with their codes, 2 replays ignored, 0 bytes written for them; Hal signed ${n} states`;
  },
};

/** Equivocation: a second, different state for the latest and for a past step, signed by the partner. */
export const equivocation: Attack = {
  name: 'equivocation: a different state for the latest step and for a past step',
  item: 6,
  async run(s) {
    const { mallory: m, known: k } = s;
    const latest = m.latest(k).state;
    const past = k.states[2]!.state;
    const seen = waitForEvent(s.vic.node, 'equivocation', (e) => e.step === past.step);
    await rejected(m, m.propose(k, { ...latest, balanceA: latest.balanceA - 1n, balanceB: latest.balanceB + 1n }), 'EQUIVOCATION');
    await rejected(m, m.propose(k, { ...past, balanceA: past.balanceA - TON('1'), balanceB: past.balanceB + TON('1') }), 'EQUIVOCATION');
    await seen;
    const shown = s.vic.events.filter((e) => e.type === 'equivocation').map((e) => (e as { step: bigint }).step);
    assert.deepEqual(shown, [latest.step, past.step]);
    const journal = await decodeJournal(await readFile(join(s.vic.dataDir, 'channels', s.withMal, 'journal.bin')));
    const evidence = journal.entries.filter((e) => e.entry.kind === 'evidence');
    assert.equal(evidence.length, 2, 'both pairs kept as evidence');
    assert.equal(World.step(s.vic.node, s.withMal), latest.step, 'the state both signed stands');
    const n = await honestStillPays(s);
    return `2 equivocations reported (steps ${latest.step}, ${past.step}) and kept as evidence; Hal signed ${n} states`;
  },
};

/** close.propose from the partner is countersigned with close.accept, and the close state pays out on chain. */
export const closeProposed: Attack = {
  name: 'the partner proposes a cooperative close (close.propose): answered with close.accept, paid out by it',
  item: 6,
  async run(s) {
    const { mallory: m, known: k } = s;
    const latest = m.latest(k).state;
    const close = m.next(k, { tag: 'close' });
    m.say(m.propose(k, close, { close: true }));
    const accept = await m.nextOf('close.accept', (x) => x.step === close.step);
    assert.ok(verify(stateHash(close), Buffer.from(accept.signature, 'hex'), s.vic.keyPair.publicKey), "Vic's signature of the close state");
    const view = s.vic.node.channel(s.withMal)!;
    assert.equal(view.latest!.tag, 'close');
    assert.equal(view.actions.send.ok, false);
    const r = await s.vic.node.withdraw({ channel: s.withMal });
    assert.equal(r.mode, 'cooperative');
    assert.deepEqual([r.payoutA, r.payoutB], [latest.balanceA, latest.balanceB]);
    return `close.accept with a valid signature; the contract paid A ${r.payoutA} / B ${r.payoutB} by the close state`;
  },
};

/** Vic proposes the close; a plain countersignature for it is refused, close.accept completes it. */
export const closeAccepted: Attack = {
  name: 'the partner answers a close proposal with state.countersign (refused), then close.accept',
  item: 6,
  async run(s) {
    const { mallory: m, known: k } = s;
    const latest = m.latest(k).state;
    // Mallory passes the turn, so Vic can propose the close.
    const passed = waitForEvent(s.vic.node, 'stateSigned', (e) => e.channel.channelId === s.withMal && e.state.step === latest.step + 1n);
    m.say(m.propose(k, m.next(k)));
    await passed;
    const withdrawing = s.vic.node.withdraw({ channel: s.withMal, mode: 'cooperative' });
    const proposal = await m.nextOf('close.propose');
    const state = stateFromBase64(proposal.state);
    assert.equal(state.tag, 'close');
    await rejected(m, { type: 'state.countersign', contract: k.contract, step: state.step, signature: m.sig(state).toString('hex') }, 'UNEXPECTED_CLOSE');
    m.say({ type: 'close.accept', contract: k.contract, step: state.step, signature: m.sig(state).toString('hex') });
    const r = await withdrawing;
    assert.equal(r.mode, 'cooperative');
    assert.deepEqual([r.payoutA, r.payoutB], [latest.balanceA, latest.balanceB]);
    return `state.countersign for a close refused (UNEXPECTED_CLOSE); close.accept completed the cooperative close at step ${state.step}`;
  },
};

/** Proposals with challenge periods a watcher could not act within. */
export const shortPeriod: Attack = {
  name: 'channel proposals with a 1 s (and 59 s) challenge period',
  async run(s) {
    const m = s.mallory;
    const base = { expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: m.address.toString(), addressB: s.vic.node.getAccount(), publicKeyA: m.keyPair.publicKey.toString('hex'), publicKeyB: s.vic.keyPair.publicKey.toString('hex') };
    const before = s.vic.node.channels().length;
    await rejected(m, { type: 'channel.propose', channelId: 77n, challengePeriod: 1, ...base }, 'PERIOD_TOO_SHORT');
    await rejected(m, { type: 'channel.propose', channelId: 78n, challengePeriod: 59, ...base }, 'PERIOD_TOO_SHORT');
    assert.equal(s.vic.node.channels().length, before);
    return 'both refused with PERIOD_TOO_SHORT; nothing listed';
  },
};

/** A false close notice, then a real close on chain with an old state that paid the cheat more. */
export const staleClose: Attack = {
  name: 'a false close.notice, then a close on chain with an old state (challenged; the latest state is paid)',
  item: 6,
  async run(s) {
    const { mallory: m, known: k } = s;
    m.say({ type: 'close.notice', contract: k.contract, kind: 'unilateral', step: 0n });
    await rejected(m, { type: 'state.countersign', contract: k.contract, step: 999n, signature: sig() }, 'NOTHING_TO_SIGN');
    assert.equal(s.vic.node.channel(s.withMal)!.phase, 'open', 'a notice is not a close: the chain is read');
    const old = k.states[0]!;
    const latest = m.latest(k);
    assert.ok(old.state.balanceA > latest.state.balanceA, 'the old state paid Mallory (A) more');
    const challenged = waitForEvent(s.vic.node, 'challenged', (e) => e.byMe && e.channel.channelId === s.withMal, 60_000);
    const wallet = await s.world.chain.openWallet(m.keyPair);
    await s.world.chain.startClose(wallet, Address.parse(k.contract), { state: old.state, sigA: old.sigA!, sigB: old.sigB! });
    const c = await challenged;
    assert.equal(c.step, latest.state.step);
    const closed = waitForEvent(s.vic.node, 'closed', (e) => e.channel.channelId === s.withMal, 60_000);
    s.world.chain.advanceTime(121);
    const e = await closed;
    assert.deepEqual([e.payout.balanceA, e.payout.balanceB], [latest.state.balanceA, latest.state.balanceB]);
    return `the notice changed nothing; step 0 on chain was challenged with step ${c.step}; paid by the latest state`;
  },
};
