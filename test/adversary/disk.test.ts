// A partner can stream states as fast as the victim signs them (empty states, 1-nanoton payments): each is kept,
// so the victim's disk fills and every channel stops. Under a floor of free space the node signs no new payment
// state (its own or its partner's), says so once, and leaves the space to what a close writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learn, Mallory } from './mallory.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

test("under the free-space floor a partner's states are refused (DISK_LOW, told once), nothing is kept; above it they are signed again", async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    let vic = await w.node('vic');
    const mal = await w.node('mal');
    await w.link(vic, mal);
    const ch = (await w.open(mal, vic, TON('5'), TON('5'))).channelId;
    await w.pay(mal, ch, TON('0.5')); // the automatic pass follows: the next step is Mal's
    await until(() => World.step(mal.node, ch) === World.step(vic.node, ch), 'the pass');
    const known = await learn(mal.node, ch);
    await w.stop(mal);
    await w.stop(vic);
    vic = await w.node('vic', { keyPair: vic.keyPair, minFreeBytes: Number.MAX_SAFE_INTEGER }); // "the disk is nearly full"
    const k = World.step(vic.node, ch);
    const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    mallory = await Mallory.connect(mal.keyPair, mal.node.getAccount(), addr);
    assert.ok(mallory.ours(known, k + 1n));
    const last = mallory.latest(known).state;
    for (let i = 1n; i <= 2n; i++) mallory.say(mallory.propose(known, mallory.next(known, { balanceA: last.balanceA - i, balanceB: last.balanceB + i })));
    await until(() => mallory!.errors('state.propose').filter((c) => c === 'DISK_LOW').length === 2, 'both refused');
    const answer = mallory.received.find((m) => m.type === 'error' && m.code === 'DISK_LOW') as { message: string };
    assert.doesNotMatch(answer.message, /MiB|\//, 'the partner learns neither the folder nor the space');
    assert.equal(World.step(vic.node, ch), k);
    assert.equal(vic.node.channel(ch)!.pending, null, 'nothing kept');
    assert.equal((await vic.node.showAll(ch)).length, Number(k) + 1, 'the journal holds nothing new');
    const told = vic.events.filter((e) => e.type === 'error' && e.code === 'DISK_LOW');
    assert.equal(told.length, 1, 'the user is told once');
    assert.match((told[0] as { message: string }).message, /MiB free, under the node's floor of \d+ MiB: no new payment state is signed \(closes still are\)/);
    await mallory.stop();
    mallory = undefined;

    await w.stop(vic);
    vic = await w.node('vic', { keyPair: vic.keyPair }); // space freed
    const again = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    mallory = await Mallory.connect(mal.keyPair, mal.node.getAccount(), again);
    mallory.say(mallory.propose(known, mallory.next(known, { balanceA: last.balanceA - 1n, balanceB: last.balanceB + 1n })));
    await mallory.nextOf('state.countersign', (m) => m.step === k + 1n);
    assert.equal(World.step(vic.node, ch), k + 1n);
  } finally {
    await mallory?.stop();
    await w.close();
  }
});

/** The node's free-space reader (a test moves its floor to play a disk that fills and is freed). */
const space = (h: NodeHandle) => (h.node as unknown as { node: { ctx: { space: { floor: number; check(tell: () => void): void } } } }).node.ctx.space;

/** Vic and Mal in a channel, Mal holding the turn after a payment, and Vic's disk full (under the floor). */
async function fullAtMalsTurn(w: World): Promise<{ vic: NodeHandle; mal: NodeHandle; ch: string }> {
  const vic = await w.node('vic');
  const mal = await w.node('mal');
  await w.link(vic, mal);
  const ch = (await w.open(mal, vic, TON('5'), TON('5'))).channelId;
  await w.pay(mal, ch, TON('0.5'));
  await until(() => World.step(mal.node, ch) === World.step(vic.node, ch) && mal.node.channel(ch)!.myTurn, 'the pass');
  space(vic).floor = Number.MAX_SAFE_INTEGER; // the disk fills
  return { vic, mal, ch };
}

test('under the floor a cooperative close still goes through, and once space is back a refused payment is signed without a reconnect', async () => {
  const w = await World.create();
  try {
    const { vic, mal, ch } = await fullAtMalsTurn(w);
    const paid = mal.node.pay(TON('0.25'), { channel: ch });
    await until(() => mal.events.some((e) => e.type === 'error' && e.code === 'DISK_LOW'), "Mal told of Vic's refusal");
    await assert.rejects(vic.node.pay(TON('0.1'), { channel: ch }), (e: Error & { code?: string }) => e.code === 'DISK_LOW');
    const at = World.step(vic.node, ch);
    space(vic).floor = 0; // space freed: Mal's payment goes through without a reconnect
    await paid;
    assert.ok(World.step(vic.node, ch) > at);
    space(vic).floor = Number.MAX_SAFE_INTEGER;
    const r = await vic.node.withdraw({ mode: 'cooperative' });
    assert.equal(r.mode, 'cooperative');
  } finally {
    await w.close();
  }
});

test('space back while another channel checks it before the node looks again: a refused payment is still signed without a reconnect', async () => {
  const w = await World.create();
  try {
    const { vic, mal, ch } = await fullAtMalsTurn(w);
    void mal.node.pay(TON('0.25'), { channel: ch }).catch(() => undefined);
    await until(() => mal.events.some((e) => e.type === 'error' && e.code === 'DISK_LOW'), "Mal told of Vic's refusal");
    const at = World.step(vic.node, ch);
    space(vic).floor = 0; // space freed, and seen by a read of the disk
    space(vic).check(() => undefined); // a state of another channel is signed before the node looks at what it refused
    await until(() => World.step(vic.node, ch) > at, "Mal's refused payment signed without a reconnect", 15_000);
  } finally {
    await w.close();
  }
});
