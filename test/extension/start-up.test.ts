// The start-up's start of the user's node (startUp.ts, what NodeHost.startIfLive runs): a window that closes
// (deactivate) while the start-up reads the data folder and the keys never gets a node started after its stop; B's
// acceptance waiting for a deployment (hasLiveChannels false for it) starts nothing and is said, with what to do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DECLINE, START_NODE, startIfLive, waitingWords, type StartUpSteps } from '../../src/extension/startUp.js';

/** Steps whose reads wait until released, so a test can close the window in the middle of one. */
function steps(o: { live?: boolean | null; waiting?: boolean } = {}) {
  let closed = false;
  let busy = false;
  const started: string[] = [];
  const gates: { ready?: () => void; live?: () => void } = {};
  const s: StartUpSteps = {
    closed: () => closed,
    busy: () => busy,
    ready: () => new Promise<boolean>((r) => (gates.ready = () => r(true))),
    live: () => new Promise<boolean | null>((r) => (gates.live = () => r(o.live === undefined ? true : o.live))),
    locked: () => started.push('locked'),
    start: async () => void started.push('start'),
    waiting: async () => (started.push('waiting'), o.waiting ?? false),
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { s, started, gates, tick, close: () => (closed = true), startElsewhere: () => (busy = true) };
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

  test("a node this window starts while the folder is read (a command's start) is not said to be another's", async () => {
    const t = steps({ live: null });
    const r = startIfLive(t.s);
    await t.tick();
    t.gates.ready!();
    await t.tick();
    t.startElsewhere();
    t.gates.live!();
    assert.equal(await r, 'nothing');
    assert.deepEqual(t.started, []);
  });

  test('a closed window starts nothing at all', async () => {
    const t = steps();
    t.close();
    assert.equal(await startIfLive(t.s), 'nothing');
    assert.equal(t.gates.ready, undefined, 'not even read');
  });
});

describe("B's acceptance waiting for its partner's deployment", () => {
  test('starts no node at start-up: it is said instead', async () => {
    const t = steps({ live: false, waiting: true });
    const r = startIfLive(t.s);
    await t.tick();
    t.gates.ready!();
    await t.tick();
    t.gates.live!();
    assert.equal(await r, 'waiting');
    assert.deepEqual(t.started, ['waiting']);
  });

  test('its words: nothing on chain, the node not started, Start the Node or Decline It', () => {
    const partner = '0QCJ-bFcqR0daizfyZsoT8JXpHa0o8WAHD4foFo4qK8Dd6PH';
    const one = waitingWords([{ contract: 'kQC1', partner }], 'testnet')!;
    assert.match(one.text, /^you accepted a channel from 0QCJ-b…d6PH on testnet, and its contract was not deployed when your node last looked: nothing of yours is on chain\. The node was not started for it: Start the Node to deposit once your partner deploys, or Decline It to drop the acceptance/);
    assert.deepEqual(one.buttons, [START_NODE, DECLINE]);
    assert.equal(one.decline, 'kQC1');
    const two = waitingWords([{ contract: 'kQC1', partner }, { contract: 'kQC2', partner: null }], 'sandbox')!;
    assert.match(two.text, /^you accepted 2 channels on sandbox, and their contracts were not deployed when your node last looked/);
    assert.match(two.text, /decline the ones you no longer want in the SynChannel view/);
    assert.deepEqual(two.buttons, [START_NODE], 'Decline names one channel');
    assert.equal(waitingWords([], 'sandbox'), null);
  });
});
