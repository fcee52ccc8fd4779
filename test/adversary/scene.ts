// The stage every attack plays on: a victim node (Vic) that serves on 127.0.0.1; an honest partner (Hal) with an
// open channel with Vic; and Mallory, who opens a channel with Vic as an honest node, pays a few times, then
// stops that node and comes back as the scripted adversary with the same wallet and channel key.
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import { learn, Mallory, type Known } from './mallory.js';
import { World, assertSameHistory, until, type NodeHandle } from './world.js';

export const TON = parseTon;

export interface Scene {
  world: World;
  vic: NodeHandle;
  hal: NodeHandle;
  /** Vic's channel with Hal (Hal is A) */
  withHal: string;
  /** Vic's multiaddr */
  vicAddr: string;
  /** Mallory's channel with Vic (Mallory is A, or B when Vic proposed it), as Mallory knows it */
  known: Known;
  withMal: string;
  mallory: Mallory;
}

/**
 * Builds the stage. `payments`: how many payments Mallory makes before she turns (each adds her payment and
 * Vic's automatic pass: two states). `vicProposes`: Vic proposes the channel with Mallory (Vic is A, Mallory B).
 */
export async function scene(o: { payments?: number; vicProposes?: boolean } = {}): Promise<Scene> {
  const world = await World.create();
  try {
    const vic = await world.node('vic');
    const hal = await world.node('hal');
    const vicAddr = await world.link(vic, hal);
    const withHal = (await world.open(hal, vic, TON('5'), TON('5'))).channelId;
    const mal = await world.node('mallory');
    await world.link(vic, mal);
    const withMal = (o.vicProposes ? await world.open(vic, mal, TON('5'), TON('5')) : await world.open(mal, vic, TON('5'), TON('5'))).channelId;
    for (let i = 0; i < (o.payments ?? 2); i++) await world.pay(mal, withMal, TON('0.01'));
    await assertSameHistory(mal.node, vic.node, withMal);
    const known = await learn(mal.node, withMal);
    const malKey = mal.keyPair;
    const malAddress = mal.node.getAccount();
    await world.stop(mal);
    const mallory = await Mallory.connect(malKey, malAddress, vicAddr);
    return { world, vic, hal, withHal, vicAddr, known, withMal, mallory };
  } catch (e) {
    await world.close();
    throw e;
  }
}

export async function endScene(s: Scene): Promise<void> {
  await s.mallory.stop();
  await s.world.close();
}

/**
 * What an honest partner must still experience: Hal pays Vic, Vic pays Hal, both hold the same history.
 * Returns the number of states both signed it took.
 */
export async function honestStillPays(s: Scene): Promise<number> {
  const before = World.step(s.hal.node, s.withHal);
  await s.world.pay(s.hal, s.withHal, TON('0.1'));
  await s.world.pay(s.vic, s.withHal, TON('0.05'));
  await assertSameHistory(s.hal.node, s.vic.node, s.withHal);
  const after = World.step(s.hal.node, s.withHal);
  assert.ok(after > before, 'the honest channel moved on');
  return Number(after - before);
}

/**
 * Mallory passes the turn to Vic with an empty state he countersigns (he keeps the turn: no pass back). Returns its
 * step once Vic holds the turn with nothing pending.
 */
export async function malloryPasses(s: Scene): Promise<bigint> {
  const { vic, mallory, known, withMal } = s;
  const st = mallory.next(known);
  mallory.say(mallory.propose(known, st));
  const cs = await mallory.nextOf('state.countersign', (m) => m.step === st.step);
  known.states.push({ state: st, sigA: mallory.sig(st), sigB: Buffer.from(cs.signature, 'hex') });
  const view = () => vic.node.channel(withMal)!;
  await until(() => view().latest?.step === st.step && view().myTurn && !view().pending, `Vic to hold the turn at step ${st.step}`);
  return st.step;
}
