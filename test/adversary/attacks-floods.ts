// The flood attacks (audit item 5): what a peer can make the victim read, write, answer and show is bounded,
// and another partner's whole flow still goes through.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AppMessage } from '../../src/core/wire.js';
import { MAX_RESYNC_STATES } from '../../src/core/wire.js';
import { waitForEvent } from '../../src/node/index.js';
import { RESYNC_ASK_MS } from '../../src/node/payments.js';
import { everyType, type Attack } from './attacks.js';
import { stranger } from './mallory.js';
import { TON, honestStillPays } from './scene.js';
import { World, until } from './world.js';

/** Item 5: proposals far ahead of the latest state: each one made the victim ask for a resync (its outbox filled). */
export const farAheadFlood: Attack = {
  name: 'far-ahead proposal flood: one resync.request per latest step every RESYNC_ASK_MS, not one per proposal',
  item: 5,
  async run(s, o) {
    const n = 2000 * o.scale;
    const far = s.mallory.propose(s.known, s.mallory.next(s.known, { step: s.mallory.latest(s.known).state.step + 1000n }));
    const from = s.mallory.received.length;
    const t0 = Date.now();
    await s.mallory.flood(n, () => far);
    await s.mallory.delivered();
    const seconds = (Date.now() - t0) / 1000;
    const asks = s.mallory.received.slice(from).filter((m) => m.type === 'resync.request').length;
    const bound = Math.ceil((seconds * 1000) / RESYNC_ASK_MS) + 2;
    assert.ok(asks >= 1, 'the partner is asked for what the victim lacks');
    assert.ok(asks <= bound, `${asks} resync requests for ${n} far-ahead proposals in ${seconds} s (at most ${bound})`);
    const honest = await honestStillPays(s);
    return `${n} far-ahead proposals -> ${asks} resync requests in ${seconds.toFixed(1)} s; Hal signed ${honest} states`;
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
    // An honest catch-up request right after the flood is still answered (it waits for a token, not dropped).
    const probe = s.mallory.latest(s.known).state.step - 3n;
    s.mallory.say({ type: 'resync.request', contract: s.known.contract, latestStep: probe });
    await s.mallory.nextOf('resync.response', (r) => r.states.length === 3);
    const seconds = (Date.now() - t0) / 1000;
    const responses = s.mallory.received.filter((m): m is Extract<AppMessage, { type: 'resync.response' }> => m.type === 'resync.response');
    const states = responses.reduce((k, r) => k + r.states.length, 0);
    // A burst of 8 answers, then 4 per second; each answer carries at most one window.
    const bound = 8 + Math.ceil(seconds * 4) + 1;
    assert.ok(responses.length <= bound, `${responses.length} answers to ${n} requests in ${seconds} s (at most ${bound})`);
    assert.ok(states <= bound * MAX_RESYNC_STATES);
    assert.equal(await World.journalBytes(s.vic, s.withMal), bytesBefore, 'no journal writes for requests');
    return `${n} requests -> ${responses.length} answers (a catch-up request after them answered) with ${states} states (history ${s.known.states.length}); journal unchanged; Hal signed ${honest} states`;
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
    // Rejections and the peer's own reports share one budget; proposals (and the oldest dropped) have theirs.
    assert.ok(events.length <= 2 * bound + 20, `${events.length} events shown: ${kinds(events)}; ${events.filter((e) => e.type === 'log').slice(0, 3).map((e) => (e as { message: string }).message).join(' / ')}`);
    assert.equal(World.step(s.vic.node, s.withMal), stepBefore, "Mallory's channel did not move");
    assert.equal(await World.journalBytes(s.vic, s.withMal), bytesBefore, 'nothing written');
    assert.equal(await World.folders(s.vic), 2, 'no folder for the proposals');
    return `${sent} messages of ${flood.length} kinds -> ${answers} error answers, ${events.length} events, 0 bytes written; Hal signed ${n} states`;
  },
};
