// A partner withholds its countersignature of Vic's payment, closes on chain with the state before it, and once
// the contract paid out sends the countersignature (or the payment as a resync answer): Vic took it as a state
// both signed, reported a payment that never happened, and showed it as the latest beside the payout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { stateFromBase64 } from '../../src/core/state.js';
import { waitForEvent } from '../../src/node/index.js';
import type { WireOf } from '../../src/core/wire.js';
import { endScene, scene, TON, type Scene } from './scene.js';
import { until } from './world.js';

/** Mallory passes the turn, Vic pays 1 TON (not countersigned), Mallory's close with the pass is paid out. */
async function paidOutBeforeVicsPayment(s: Scene): Promise<{ pass: bigint; prop: WireOf<'state.propose'> }> {
  const { mallory: m, known: k, vic } = s;
  const pass = m.next(k);
  const passSigned = waitForEvent(vic.node, 'stateSigned', (e) => e.channel.channelId === s.withMal && e.state.step === pass.step);
  m.say(m.propose(k, pass));
  await passSigned;
  const cs = await m.nextOf('state.countersign', (x) => x.step === pass.step);
  const passBoth = { state: pass, sigA: m.sig(pass), sigB: Buffer.from(cs.signature, 'hex') };
  await vic.node.send(TON('1'), { channel: s.withMal });
  const prop = await m.nextOf('state.propose', (x) => stateFromBase64(x.state).step === pass.step + 1n);
  const closed = waitForEvent(vic.node, 'closed', (e) => e.channel.channelId === s.withMal, 60_000);
  const wallet = await s.world.chain.openWallet(m.keyPair);
  await s.world.chain.startClose(wallet, Address.parse(k.contract), passBoth);
  await until(() => vic.node.channel(s.withMal)!.phase === 'closing', 'Vic to see the close');
  s.world.chain.advanceTime(121);
  assert.equal((await closed).payout.step, pass.step, 'paid out by the state before the payment');
  return { pass: pass.step, prop };
}

/** After `late` reached Vic: no state reported signed, the latest shown is the one paid by. */
async function nothingSignedAfter(s: Scene, pass: bigint, late: () => void): Promise<void> {
  const from = s.vic.events.length;
  late();
  await s.mallory.delivered();
  await new Promise((r) => setTimeout(r, 1_000));
  const signed = s.vic.events.slice(from).filter((e) => e.type === 'stateSigned' && e.channel.channelId === s.withMal);
  assert.equal(signed.length, 0, 'a payment reported as signed by both after the channel was paid out by an earlier step');
  assert.equal(s.vic.node.channel(s.withMal)!.latest!.step, pass, 'the latest state shown is the one paid by');
}

test('a countersignature sent after the payout is refused, not taken as a state both signed', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { pass, prop } = await paidOutBeforeVicsPayment(s);
    const pay = stateFromBase64(prop.state);
    const m = s.mallory;
    await nothingSignedAfter(s, pass, () => m.say({ type: 'state.countersign', contract: s.known.contract, step: pay.step, signature: m.sig(pay).toString('hex') }));
    assert.match(JSON.stringify(m.errors('state.countersign')), /ALREADY_CLOSED/);
  } finally {
    await endScene(s);
  }
});

test('a resync answer sent after the payout brings in no state above the one paid by', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { pass, prop } = await paidOutBeforeVicsPayment(s);
    const m = s.mallory;
    const both = { state: prop.state, sigA: m.sig(stateFromBase64(prop.state)).toString('hex'), sigB: prop.signature };
    await nothingSignedAfter(s, pass, () => m.say({ type: 'resync.response', contract: s.known.contract, states: [both] }));
  } finally {
    await endScene(s);
  }
});

test('the close state the partner sent to the contract before its close.accept reached us is taken: the latest is the state paid by', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { mallory: m, known: k, vic } = s;
    const latest = m.latest(k).state;
    const passed = waitForEvent(vic.node, 'stateSigned', (e) => e.channel.channelId === s.withMal && e.state.step === latest.step + 1n);
    m.say(m.propose(k, m.next(k)));
    await passed;
    // Vic proposes the close; Mallory signs it and sends it to the contract herself, answering only after the payout.
    const withdrawing = vic.node.withdraw({ channel: s.withMal, mode: 'cooperative' }).catch((e: Error) => e);
    const proposal = await m.nextOf('close.propose');
    const close = stateFromBase64(proposal.state);
    const closed = waitForEvent(vic.node, 'closed', (e) => e.channel.channelId === s.withMal, 60_000);
    const wallet = await s.world.chain.openWallet(m.keyPair);
    await s.world.chain.cooperativeClose(wallet, Address.parse(k.contract), { state: close, sigA: m.sig(close), sigB: Buffer.from(proposal.signature, 'hex') });
    assert.equal((await closed).payout.step, close.step);
    const signed = waitForEvent(vic.node, 'stateSigned', (e) => e.channel.channelId === s.withMal && e.state.step === close.step);
    m.say({ type: 'close.accept', contract: k.contract, step: close.step, signature: m.sig(close).toString('hex') });
    await signed;
    await m.delivered();
    assert.deepEqual(m.errors('close.accept'), []);
    assert.equal(vic.node.channel(s.withMal)!.latest!.step, close.step, 'the latest both signed is the state paid by');
    await withdrawing;
  } finally {
    await endScene(s);
  }
});
