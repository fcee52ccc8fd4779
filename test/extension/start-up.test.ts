// The start-up's start of the user's node (startUp.ts, what NodeHost.startIfLive runs): a window that closes
// (deactivate) while the start-up reads the data folder and the keys never gets a node started after its stop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIfLive, type StartUpSteps } from '../../src/extension/startUp.js';

/** Steps whose reads wait until released, so a test can close the window in the middle of one. */
function steps(o: { live?: boolean | null } = {}) {
  let closed = false;
  const started: string[] = [];
  const gates: { ready?: () => void; live?: () => void } = {};
  const s: StartUpSteps = {
    closed: () => closed,
    busy: () => false,
    ready: () => new Promise<boolean>((r) => (gates.ready = () => r(true))),
    live: () => new Promise<boolean | null>((r) => (gates.live = () => r(o.live === undefined ? true : o.live))),
    locked: () => started.push('locked'),
    start: async () => void started.push('start'),
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { s, started, gates, tick, close: () => (closed = true) };
}

describe('the start-up start of a node whose folder holds live channels', () => {
  test('starts it when the window stays open', async () => {
    const t = steps();
    const r = startIfLive(t.s);
    await t.tick();
    t.gates.ready!();
    await t.tick();
    t.gates.live!();
    assert.equal(await r, 'started');
    assert.deepEqual(t.started, ['start']);
  });

  test('a window closed while the keys are read: nothing starts after the stop', async () => {
    const t = steps();
    const r = startIfLive(t.s);
    await t.tick();
    t.close();
    t.gates.ready!();
    await t.tick();
    t.gates.live?.();
    assert.equal(await r, 'nothing');
    assert.deepEqual(t.started, []);
  });

  test('a window closed while the folder is read: nothing starts, nor is the folder said to be held', async () => {
    for (const live of [true, null]) {
      const t = steps({ live });
      const r = startIfLive(t.s);
      await t.tick();
      t.gates.ready!();
      await t.tick();
      t.close();
      t.gates.live!();
      assert.equal(await r, 'nothing');
      assert.deepEqual(t.started, []);
    }
  });

  test('a closed window starts nothing at all', async () => {
    const t = steps();
    t.close();
    assert.equal(await startIfLive(t.s), 'nothing');
    assert.equal(t.gates.ready, undefined, 'not even read');
  });
});
