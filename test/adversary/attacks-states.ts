// The state attacks (audit item 6): forgeries, tampering, replays, equivocation, the close messages, short
// challenge periods, a false close notice and a stale close on chain.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { newKeyPair, sign, verify } from '../../src/core/signer.js';
import { stateFromBase64, stateHash } from '../../src/core/state.js';
import type { AppMessage } from '../../src/core/wire.js';
import { waitForEvent } from '../../src/node/index.js';
import { decodeJournal } from '../../src/node/store/index.js';
import { rejected, sig, type Attack } from './attacks.js';
import { TON, honestStillPays } from './scene.js';
import { World } from './world.js';

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
    const n = await honestStillPays(s);
    return `close.accept with a valid signature; the contract paid A ${r.payoutA} / B ${r.payoutB} by the close state; Hal signed ${n} states`;
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
    const n = await honestStillPays(s);
    return `state.countersign for a close refused (UNEXPECTED_CLOSE); close.accept completed the cooperative close at step ${state.step}; Hal signed ${n} states`;
  },
};

/** Proposals with challenge periods a watcher could not act within. */
export const shortPeriod: Attack = {
  name: 'channel proposals with a 1 s (and 59 s) challenge period',
  async run(s) {
    const m = s.mallory;
    const base = { expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: m.address.toString(), addressB: s.vic.node.getAccount(), publicKeyA: m.keyPair.publicKey.toString('hex'), publicKeyB: s.vic.keyPair.publicKey.toString('hex') };
    const before = s.vic.node.channels().length;
    // answered as declined, with the window the victim takes (the proposer's node ends its proposal)
    for (const [channelId, challengePeriod] of [[77n, 1], [78n, 59]] as const) {
      m.say({ type: 'channel.propose', channelId, challengePeriod, ...base });
      const no = await m.nextOf('channel.reject', (x) => x.channelId === channelId);
      assert.match(no.reason, /their node takes challenge windows of 60\.\./);
    }
    assert.equal(m.errors('channel.propose').length, 0, 'a decline, not an error besides');
    assert.equal(s.vic.node.channels().length, before);
    const n = await honestStillPays(s);
    return `both declined (their node takes windows of 60 s and more); nothing listed; Hal signed ${n} states`;
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
    const n = await honestStillPays(s);
    return `the notice changed nothing; step 0 on chain was challenged with step ${c.step}; paid by the latest state; Hal signed ${n} states`;
  },
};
