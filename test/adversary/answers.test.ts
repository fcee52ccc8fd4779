// A partner's unusual answers to what the node asked for: a close proposal instead of the pass a waiting payment
// asked for, and a countersignature delivered as a resync answer instead of state.countersign. Neither leaves a
// payment waiting for ever nor a view that differs from what both signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateFromBase64 } from '../../src/core/state.js';
import { endScene, malloryPasses, scene, TON } from './scene.js';
import { until } from './world.js';

const outcome = (p: Promise<unknown>) => p.then((ok) => ({ ok }), (e: { code?: string }) => ({ code: e.code }));

test('a close proposal answering the turn request of a waiting payment: the payment is refused, withdraw pays the close state', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { vic, mallory: m, known: k, withMal } = s;
    const view = () => vic.node.channel(withMal)!;
    await until(() => view().partnerOnline, 'Vic to see Mallory online');
    assert.equal(view().myTurn, false, "Mallory holds the turn after the scene's payments");
    const paying = outcome(vic.node.pay(TON('0.5'), { channel: withMal }));
    await m.nextOf('turn.request');
    const close = m.next(k, { tag: 'close' });
    m.say(m.propose(k, close, { close: true }));
    await m.nextOf('close.accept', (x) => x.step === close.step);
    assert.deepEqual(await paying, { code: 'CHANNEL_CLOSING' }, 'the waiting payment is refused, not left waiting');
    assert.equal(view().latest!.step, close.step);
    assert.equal(view().latest!.tag, 'close');
    const r = await vic.node.withdraw({ channel: withMal });
    assert.equal(r.mode, 'cooperative');
    assert.deepEqual([r.payoutA, r.payoutB], [close.balanceA, close.balanceB], 'paid by the close state both signed');
    // A state after the payout is refused.
    await until(() => view().phase === 'closed', 'the payout to show');
    const from = vic.events.length;
    m.say(m.propose(k, m.next(k, { step: close.step + 1n })));
    await m.error('state.propose', 'ALREADY_CLOSED');
    // and her refusal of a state of ours after the payout: both expected then, told as info, not as errors
    m.say({ type: 'error', code: 'ALREADY_CLOSED', message: 'the channel is closed and paid out: no state is signed in it any more', ref: 'state.propose' });
    await until(() => vic.events.slice(from).filter((e) => e.type === 'log' && e.level === 'info' && /paid out/.test(e.message)).length >= 2, 'both told as info');
    const shown = vic.events.slice(from).filter((e) => (e.type === 'error' && e.code === 'ALREADY_CLOSED') || (e.type === 'log' && e.level !== 'info' && /paid out/.test(e.message)));
    assert.deepEqual(shown, [], 'a refusal after the payout is shown as an error');
  } finally {
    await endScene(s);
  }
});

test('a countersignature sent as a resync answer commits the payment: it resolves, and the next one goes', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { vic, mallory: m, known: k, withMal } = s;
    const view = () => vic.node.channel(withMal)!;
    await until(() => view().partnerOnline, 'Vic to see Mallory online');
    const passed = await malloryPasses(s);
    const before = view().myBalance;
    const paying = outcome(vic.node.pay(TON('0.5'), { channel: withMal }));
    const prop = await m.nextOf('state.propose', (x) => stateFromBase64(x.state).step === passed + 1n);
    const st = stateFromBase64(prop.state);
    m.say({ type: 'resync.response', contract: k.contract, states: [{ state: prop.state, sigA: m.sig(st).toString('hex'), sigB: prop.signature }] });
    const r = (await paying) as { ok?: { step: bigint; myBalance: bigint } };
    assert.equal(r.ok?.step, st.step, 'the payment resolved with the state both signed');
    assert.equal(r.ok?.myBalance, before - TON('0.5'));
    assert.equal(view().latest!.step, st.step);
    assert.equal(view().myBalance, before - TON('0.5'));
    assert.equal(view().pending, null);
    const all = await vic.node.showAll(withMal);
    const last = all.filter((x) => x.committed).at(-1)!;
    assert.deepEqual([last.step, last.balanceA, last.balanceB], [st.step, st.balanceA, st.balanceB], 'the journal holds the state both signed');
    // Mallory passes the turn back: a later payment is staged (the line is not stuck on the first).
    k.states.push({ state: st, sigA: m.sig(st), sigB: Buffer.from(prop.signature, 'hex') });
    const second = outcome(vic.node.pay(TON('0.25'), { channel: withMal }));
    m.say(m.propose(k, m.next(k)));
    const next = await m.nextOf('state.propose', (x) => stateFromBase64(x.state).step === st.step + 2n);
    m.say({ type: 'state.countersign', contract: k.contract, step: st.step + 2n, signature: m.sig(stateFromBase64(next.state)).toString('hex') });
    const r2 = (await second) as { ok?: { step: bigint } };
    assert.equal(r2.ok?.step, st.step + 2n);
  } finally {
    await endScene(s);
  }
});
