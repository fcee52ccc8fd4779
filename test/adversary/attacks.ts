// The attacks, as data the tests and the soak share: each plays on a fresh scene (scene.ts), asserts what the
// victim did and what the honest partner still experiences, and returns a one-line summary of the counts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import type { AppMessage } from '../../src/core/wire.js';
import { stranger, type Mallory } from './mallory.js';
import { RawPeer } from './raw.js';
import { TON, honestStillPays, type Scene } from './scene.js';
import { until } from './world.js';

export interface Attack {
  name: string;
  /** the audit item it replays, if any */
  item?: number;
  /** Mallory's payments before she turns */
  payments?: number;
  run(s: Scene, o: { scale: number }): Promise<string>;
}

export const sig = () => randomBytes(64).toString('hex');

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

/** Sends `msg` and waits for the victim's error answer to it; asserts the code. */
export async function rejected(m: Mallory, msg: AppMessage, code: string): Promise<void> {
  const seen = m.received.length;
  m.say(msg);
  await until(() => m.received.slice(seen).some((x) => x.type === 'error' && x.ref === msg.type), `an answer to ${msg.type} (${code})`);
  const got = m.received.slice(seen).find((x): x is Extract<AppMessage, { type: 'error' }> => x.type === 'error' && x.ref === msg.type)!;
  assert.equal(got.code, code, `${msg.type}: ${got.message}`);
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
    // Mallory's session would redial and take her wallet's link back (and ack everything): she leaves first.
    await s.mallory.stop();
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

/** Item 1: resync requests from a peer that never acknowledges: each answer (a window of states) stayed in its outbox. */
export const unackedResync: Attack = {
  name: 'a peer asks for the history again and again and never acks: one answer waits unacknowledged, the next follows the ack',
  item: 1,
  payments: 10,
  async run(s) {
    await s.mallory.stop();
    const raw = await RawPeer.dial(s.vicAddr);
    const answers = () => raw.dataIn().filter((m) => m.type === 'resync.response').length;
    const ask = () => raw.data({ type: 'resync.request', contract: s.known.contract, latestStep: 0n });
    try {
      await raw.handshake(s.mallory.keyPair, s.mallory.address);
      raw.resume();
      // 40 requests over 2 s: the rate allows 8 at once and 4 a second, about 16 answers
      for (let i = 0; i < 40; i++) {
        ask();
        await new Promise((r) => setTimeout(r, 50));
      }
      await until(() => answers() >= 1, 'the first answer');
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(answers(), 1, 'one answer waits for its acknowledgement; the newest request waits behind it');
      raw.ackAll();
      await until(() => answers() === 2, 'the newest request answered once the first answer is acknowledged');
      const n = await honestStillPays(s);
      return `40 resync requests without an ack -> 1 answer, 1 more after the ack; Hal signed ${n} states`;
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
