// A restarted node redials the partners of its open channels by itself, and keeps trying while they are
// unreachable: the partner (who serves and never dials) is reached again without anyone running connect.
import { test } from 'node:test';
import { Address } from '@ton/core';
import type { P2PNode } from '../../src/p2p/index.js';
import assert from 'node:assert/strict';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, openPair, type TestNode } from '../helpers/nodes.js';

test('a dialer restarted while its partner is down reconnects by itself once the partner is back', async () => {
  const w = await World.create();
  try {
    let vic = await w.node('vic');
    let hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    await w.pay(hal, ch, TON('0.1'));
    await w.stop(hal);
    await w.stop(vic);
    hal = await w.node('hal', { keyPair: hal.keyPair });
    // Vic is down: Hal's first redial fails. Vic comes back on the same address a moment later.
    await new Promise((r) => setTimeout(r, 1500));
    vic = await w.node('vic', { keyPair: vic.keyPair });
    assert.ok(vic.node.served(), 'Vic serves again where it served');
    await until(() => hal.node.partners().some((p) => p.online), 'Hal to reconnect by itself', 30_000);
    await w.pay(vic, ch, TON('0.2'));
    await w.pay(hal, ch, TON('0.1'));
  } finally {
    await w.close();
  }
});

test('a turn request made while the partner is offline is sent when it reconnects', async () => {
  const w = await World.create();
  try {
    let vic = await w.node('vic');
    let hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    await w.pay(hal, ch, TON('0.1'));
    await until(() => !vic.node.channel(ch)!.myTurn && !vic.node.channel(ch)!.pending, 'the turn to be Hal\'s');
    // Both stop; Vic comes back first and asks for the turn while Hal is still down.
    await w.stop(hal);
    await w.stop(vic);
    vic = await w.node('vic', { keyPair: vic.keyPair });
    await vic.node.requestEmpty({ channel: ch });
    hal = await w.node('hal', { keyPair: hal.keyPair });
    await until(() => vic.node.channel(ch)!.myTurn, 'the turn, without asking again', 30_000);
    await w.pay(vic, ch, TON('0.2'));
  } finally {
    await w.close();
  }
});

test('a session that stopped redialing (stuck on a dead link) is brought back by the node', async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    // Hal's p2p session gives up redialing (as one that took a link already closed under it does).
    const p2pOf = (h: typeof hal) => (h.node as unknown as { ctx: { o: { p2p: P2PNode } } }).ctx.o.p2p;
    const session = p2pOf(hal).session(Address.parse(vic.node.getAccount()))!;
    (session as unknown as { scheduleRedial(): void }).scheduleRedial = () => undefined;
    p2pOf(vic).dropConnections();
    await until(() => !hal.node.partners().some((p) => p.online), 'the connection to drop');
    await until(() => hal.node.partners().some((p) => p.online), 'Hal to be reconnected by its node', 30_000);
    await w.pay(vic, ch, TON('0.2'));
  } finally {
    await w.close();
  }
});

test('a connect to a wrong address of a partner already connected does not replace the address the node redials', async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    let hal = await w.node('hal');
    const addr = await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    // A typo in the port: libp2p answers on the live connection, so the typed address is never tried.
    const port = Number(addr.split('/')[4]);
    const wrong = addr.replace(`/tcp/${port}/`, `/tcp/${port === 1 ? 2 : port - 1}/`);
    const said = waitForEvent(hal.node, 'log', (e) => /already connected to this partner: .* was not tried/.test(e.message));
    await hal.node.connect(wrong);
    await said;
    await w.stop(hal);
    hal = await w.node('hal', { keyPair: hal.keyPair });
    await until(() => hal.node.partners().some((p) => p.online), 'Hal to redial the address that worked', 30_000);
    await w.pay(hal, ch, TON('0.1'));
  } finally {
    await w.close();
  }
});

test('a turn request made while our state awaits the partner is asked again when the partner restarts (it forgets it)', async () => {
  const w = await World.create();
  try {
    let hal = await w.node('hal', { autoMode: false }); // A, signs and passes by hand
    const vic = await w.node('vic'); // B, automatic
    await w.link(hal, vic);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    const got = waitForEvent(hal.node, 'stateReceived', (e) => e.state.step === 1n);
    const first = vic.node.pay(TON('0.1'), { channel: ch });
    await got;
    await vic.node.requestEmpty({ channel: ch }); // while its state awaits Hal's signature
    await until(() => hal.node.channel(ch)!.turnRequestedByPartner, 'Hal sees the request', 5000);
    const key = hal.keyPair;
    await w.stop(hal);
    hal = await w.node('hal', { keyPair: key, autoMode: false });
    await until(() => hal.node.channel(ch)?.pending?.awaiting === 'me', "Hal holds Vic's state again", 15_000);
    await hal.node.sign({ channel: ch });
    await first;
    // Hal, signing by hand, is told that the turn is wanted: he can pass it.
    await until(() => hal.node.channel(ch)!.turnRequestedByPartner, 'Hal is asked for the turn again', 10_000);
  } finally {
    await w.close();
  }
});

test('a proposal dropped for room whose resend crosses the reject (a reconnect): both sides end it; none is held on one side only', async () => {
  const p = await openPair({ bob: { deployWaitMs: 3000 } });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const seen = waitForEvent(p.bob, 'channelProposed');
      ids.push((await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') })).channelId);
      await seen;
    }
    // the 4th makes Bob drop the 1st; the link drops before the reject leaves (it waits in Bob's outbox)
    let dropped = false;
    p.bob.on((e) => {
      if (e.type === 'channelProposed' && !dropped) {
        dropped = true;
        (p.bob as unknown as { node: { ctx: { o: { p2p: P2PNode } } } }).node.ctx.o.p2p.dropConnections();
      }
    });
    ids.push((await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') })).channelId);
    await until(() => dropped, 'the drop');
    await until(() => p.alice.partners().some((x) => x.online) && p.bob.partners().some((x) => x.online), 'the reconnect', 30_000);
    const phase = (n: TestNode, id: string) => n.channel(id)?.phase ?? 'gone';
    await until(() => phase(p.alice, ids[0]!) === 'rejected', "Alice hears her first proposal was dropped", 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(ids.map((id) => phase(p.bob, id)), ['gone', 'proposed', 'proposed', 'proposed'], `Alice: ${ids.map((id) => phase(p.alice, id)).join()}`);
  } finally {
    await closePair(p);
  }
});
