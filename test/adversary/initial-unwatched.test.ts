// A partner (A) that funds a channel alone (nothing for B to deposit) and never says the contract is deployed
// (no channel.deployed): B, having accepted, reads the lock when A's initial state comes and signs it. B must then
// follow the contract as any open channel: it is paid in it, and a close with an older state is challenged.
// Real nodes over loopback libp2p on one SandboxChain; A is an honest node whose channel.deployed never leaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import type { AppMessage } from '../../src/core/wire.js';
import { learn } from './mallory.js';
import { failOneSave } from '../helpers/lagging.js';
import type { Chain, WatchOptions } from '../../src/chain/types.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

/** `from`'s session to `to` drops every message of `type` (the partner that never sends it). */
function withhold(from: NodeHandle, to: NodeHandle, type: AppMessage['type']): void {
  type Session = { send(m: AppMessage): Promise<void> };
  const inner = from.node.node as unknown as { sessions: { get(wallet: string): Session | null } };
  const s = inner.sessions.get(Address.parse(to.node.getAccount()).toRawString())!;
  const send = s.send.bind(s);
  s.send = (m) => (m.type === type ? Promise.resolve() : send(m));
}

test('a channel funded by A alone whose deployment A never announces: B follows it once it signs step 0, and challenges an old close', async () => {
  const world = await World.create();
  try {
    const vic = await world.node('vic');
    const mal = await world.node('mal');
    await world.link(vic, mal);
    withhold(mal, vic, 'channel.deployed');
    const proposed = waitForEvent(vic.node, 'channelProposed');
    const view = await mal.node.open({ myDeposit: TON('2'), partnerDeposit: 0n, partner: vic.node.getAccount() });
    await proposed;
    const id = view.channelId;
    const initial = waitForEvent(vic.node, 'stateSigned', (e) => e.channel.channelId === id && e.state.step === 0n, 60_000);
    const countersigned = waitForEvent(mal.node, 'stateSigned', (e) => e.channel.channelId === id && e.state.step === 0n, 60_000);
    // B accepts (nothing to deposit); its wait for the deployment is not what this test follows
    void vic.node.deposit(undefined, { channel: id }).catch(() => undefined);
    await initial;
    await countersigned;
    // Open on B's side too (not left 'accepted', unwatched, where B passes no turn and A cannot pay)
    await until(() => vic.node.channel(id)!.phase === 'open', "Vic's channel to be open once Vic signed step 0");
    // A pays B: B holds a state that pays it 0.5 TON
    const step = await world.pay(mal, id, TON('0.5'));
    await until(() => World.step(vic.node, id) >= step, 'Vic to hold the payment');

    // A closes on chain with step 0 (which paid B nothing): B challenges with the payment
    const k = await learn(mal.node, id);
    const old = k.states[0]!;
    const challenged = waitForEvent(vic.node, 'challenged', (e) => e.byMe && e.channel.channelId === id, 60_000);
    await world.stop(mal);
    const wallet = await world.chain.openWallet(mal.keyPair);
    await world.chain.startClose(wallet, Address.parse(k.contract), { state: old.state, sigA: old.sigA!, sigB: old.sigB! });
    const c = await challenged;
    assert.ok(c.step >= step, `challenged with step ${c.step}`);
    const closed = waitForEvent(vic.node, 'closed', (e) => e.channel.channelId === id, 60_000);
    world.chain.advanceTime(121);
    const e = await closed;
    assert.equal(e.payout.balanceB, TON('0.5'));
  } finally {
    await world.close();
  }
});

/** A chain whose status reads never answer and whose watches report nothing once `stuck.on` (an endpoint stuck for this node). */
const stuck = { on: false };
function stuckChain(real: Chain): Chain {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'getChannelStatus') return (...a: Parameters<Chain['getChannelStatus']>) => (stuck.on ? new Promise<never>(() => undefined) : target.getChannelStatus(...a));
      if (prop === 'watchChannel') return (c: Parameters<Chain['watchChannel']>[0], o: WatchOptions) => target.watchChannel(c, { ...o, onEvent: (e) => void (stuck.on || o.onEvent(e)) });
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
}

test("B's step 0 signed while 'accepted', its record's save failing (a full disk): after a restart the channel is open", async () => {
  const world = await World.create();
  try {
    let vic = await world.node('vic', { wrap: stuckChain });
    const mal = await world.node('mal');
    await world.link(vic, mal);
    withhold(mal, vic, 'channel.deployed');
    const proposed = waitForEvent(vic.node, 'channelProposed');
    const id = (await mal.node.open({ myDeposit: TON('2'), partnerDeposit: 0n, partner: vic.node.getAccount() })).channelId;
    await proposed;
    void vic.node.deposit(undefined, { channel: id }).catch(() => undefined);
    await until(() => vic.node.channel(id)?.phase === 'accepted', "Vic's acceptance");
    stuck.on = true; // from now on nothing Vic reads saves its record again before the stop
    const failed = failOneSave(vic.node, (r) => r.life === 'open');
    await waitForEvent(mal.node, 'stateSigned', (e) => e.channel.channelId === id && e.state.step === 0n, 60_000);
    await until(failed, "the failed save of Vic's record");
    await world.stop(vic);
    stuck.on = false;
    vic = await world.node('vic', { keyPair: vic.keyPair });
    assert.equal(vic.node.channel(id)!.latest?.step, 0n, 'step 0 is in the journal');
    await until(() => vic.node.channel(id)!.phase === 'open', "Vic's channel open after the restart (not 'locked' with step 0 signed by both)");
  } finally {
    await world.close();
  }
});
