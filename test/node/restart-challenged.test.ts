// A close this node had seen, challenged while the node was down: after the restart the watch's first read shows
// the close with the challenge's step. It was told as a new close of that step (the closer's stale step and the
// challenge never said): the record's close, with the same deadline and a lower step, makes it a challenge; the
// record's challenge sent (challengeSent) makes it the node's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';

/**
 * The real chain, except that `method` waits for `gate` first (held), or lands and then the node dies with it
 * ('dies'): the call never answers, and the node reads nothing more (its watch hears no event, its reads fail), so
 * its record keeps what it knew before the challenge.
 */
function holding(real: Chain, method: 'challenge' | 'startClose', how: { gate: Promise<void> } | 'dies'): Chain {
  let dead = false;
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (prop === 'watchChannel') {
        return (channel: unknown, o: { onEvent: (e: unknown) => void }) => fn(channel, { ...o, onEvent: (e: unknown) => void (dead || o.onEvent(e)) });
      }
      if (prop !== method) return dead && prop !== 'close' ? () => Promise.reject(new Error('injected: the node died')) : fn;
      return async (...args: unknown[]) => {
        if (how !== 'dies') await how.gate;
        const r = await fn(...args);
        if (how !== 'dies') return r;
        dead = true;
        return new Promise(() => undefined);
      };
    },
  });
}

/** The close and challenge events `who` tells after a restart on its folder, once both are told (or a while passed). */
async function toldAfterRestart(p: Pair, who: 'alice' | 'bob'): Promise<string[]> {
  p[who] = await createNode({ ...p.common, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });
  const told: string[] = [];
  p[who].on((e: NodeEvent) => {
    if (e.type === 'closeStarted') told.push(`closeStarted ${e.step} byPartner=${e.byPartner}${e.earlier ? ' earlier' : ''}`);
    if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}${e.earlier ? ' earlier' : ''}`);
  });
  await until(`${who} to read the close`, () => told.length >= 2 || (p[who].currentChannel()?.phase === 'closing' && told.length > 0), 15_000);
  await new Promise((r) => setTimeout(r, 1_000)); // both reads (the watch's and the catch-up's) are in
  return told;
}

const stepOnChain = async (p: Pair) => {
  const st = await p.chain.getChannelStatus(Address.parse(p.alice.currentChannel()!.contract));
  return st.status === 'closing' ? st.data.storedState?.step : undefined;
};

test("the closer's stale close, seen and then challenged while its node was down, is told as challenged after the restart", async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const p = await openPair();
  try {
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: holding(p.chain, 'challenge', { gate }), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    await fund(p);
    await payOne(p);
    const head = latest(p.alice).step;
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    assert.equal(p.alice.currentChannel()?.close?.step, 0n, 'Alice saw her close land');
    await p.alice.stop();
    // Bob challenges only now, with Alice down.
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
    open();
    await challenged;
    assert.equal(await stepOnChain(p), head);
    // Her close was told in the run that saw it land: said again as one of before the restart ('earlier').
    assert.deepEqual(await toldAfterRestart(p, 'alice'), ['closeStarted 0 byPartner=false earlier', `challenged ${head} byMe=false`]);
    assert.deepEqual(p.alice.currentChannel()?.close?.challenged, { firstStep: 0n, byMe: false }, 'her view names the step her close started with');
  } finally {
    await closePair(p);
  }
});

test("the defender's challenge that landed as its node died is told after the restart as its own challenge of the partner's close", async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.bob).step;
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: holding(p.chain, 'challenge', 'dies'), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    await until('Bob to read his channel', () => p.bob.currentChannel()?.phase === 'open');
    const closing = waitForEvent(p.bob, 'closeStarted');
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await closing;
    await until('the challenge to land', async () => (await stepOnChain(p)) === head);
    await p.bob.stop();
    // Its record says it sent that challenge: told as its own (the CLI's 'you challenged', the extension's notice).
    assert.deepEqual(await toldAfterRestart(p, 'bob'), ['closeStarted 0 byPartner=true earlier', `challenged ${head} byMe=true`]);
  } finally {
    await closePair(p);
  }
});

test("a restart after the defender's record took its challenge tells the partner's close and the challenge, not one close of the challenge's step", async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.bob).step;
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await challenged;
    assert.equal(p.bob.currentChannel()?.close?.step, head, "Bob's record holds the challenge's step");
    assert.deepEqual(p.bob.currentChannel()?.close?.challenged, { firstStep: 0n, byMe: true }, "Bob's view names Alice's step and his challenge");
    await p.bob.stop();
    // Told as 'your partner closed with step 3' alone, the stale close and the challenge were never said. The
    // challenge was told in the run that made it: said again as one of before the restart ('earlier'), not as new.
    assert.deepEqual(await toldAfterRestart(p, 'bob'), ['closeStarted 0 byPartner=true earlier', `challenged ${head} byMe=true earlier`]);
    assert.deepEqual(p.bob.currentChannel()?.close?.challenged, { firstStep: 0n, byMe: true }, 'after the restart too');
  } finally {
    await closePair(p);
  }
});

test("the closer's close challenged before its node read it is told as its close and the challenge after a second restart too", async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.alice).step;
    await p.alice.stop();
    // Alice's close lands as her node dies: her record knows only that she sent it (closeSent).
    p.alice = await createNode({ ...p.common, chain: holding(p.chain, 'startClose', 'dies'), dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    await connect(p.alice, p.bob);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    void p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true }).catch(() => undefined);
    await until("Bob's challenge to land", async () => (await stepOnChain(p)) === head, 30_000);
    await p.alice.stop();
    // The first restart reads her close overtaken by the challenge (never told: new); the second has only its record to go by.
    assert.deepEqual(await toldAfterRestart(p, 'alice'), ['closeStarted 0 byPartner=false', `challenged ${head} byMe=false`]);
    assert.deepEqual(p.alice.currentChannel()?.close?.challenged, { firstStep: 0n, byMe: false }, 'her view names the step her close started with');
    await p.alice.stop();
    // the first restart told the challenge: the second says it as one of before the restart
    assert.deepEqual(await toldAfterRestart(p, 'alice'), ['closeStarted 0 byPartner=false earlier', `challenged ${head} byMe=false earlier`]);
  } finally {
    await closePair(p);
  }
});

test('a challenge whose record cannot be saved (a full disk) still goes, and the node says at once what the unsaved record means', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.bob).step;
    // Bob's disk is full from now on for every record that notes the challenge.
    const inner = p.bob.node as unknown as { ctx: { channels: Map<string, { storage: { writeRecord: (r: { challengeSent?: unknown }) => Promise<void> } | null }> } };
    const storage = inner.ctx.channels.get(p.bob.currentChannel()!.channelId)!.storage!;
    const write = storage.writeRecord.bind(storage);
    storage.writeRecord = async (r) => {
      if (r.challengeSent) throw Object.assign(new Error('the disk is full while writing record.json: free some space; nothing unwritten was reported as saved'), { code: 'DISK_WRITE_FAILED' });
      return write(r);
    };
    const told: string[] = [];
    p.bob.on((e: NodeEvent) => {
      if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}`);
      if (e.type === 'error' && e.code === 'DISK_WRITE_FAILED') told.push(`${e.code}: ${e.message}`);
    });
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    // The challenge guards the money: a record that cannot note it does not hold it back.
    await until('the challenge to land', async () => (await stepOnChain(p)) === head, 30_000);
    await until('Bob to tell his challenge', () => told.some((t) => t.startsWith('challenged')), 30_000);
    const warned = told.findIndex((t) => /DISK_WRITE_FAILED: .*challenge .*step \d+.*restart.*as your partner's/.test(t));
    assert.ok(warned >= 0, `told that a restart would not know the challenge as ours: ${told.join(' | ')}`);
    assert.ok(warned < told.indexOf(`challenged ${head} byMe=true`), 'before the challenge lands');
  } finally {
    await closePair(p);
  }
});

test('a close made and seen in this run is told as new on both sides (no earlier), then as earlier after a restart', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    const told: string[] = [];
    for (const who of ['alice', 'bob'] as const) p[who].on((e: NodeEvent) => void (e.type === 'closeStarted' && told.push(`${who} ${e.step}${e.earlier ? ' earlier' : ''}`)));
    await p.alice.withdraw({ mode: 'unilateral' });
    const head = latest(p.alice).step;
    await until('both told the close', () => told.length >= 2, 15_000);
    assert.deepEqual(told.sort(), [`alice ${head}`, `bob ${head}`]);
    await p.alice.stop();
    const again = await toldAfterRestart(p, 'alice');
    assert.equal(again[0], `closeStarted ${head} byPartner=false earlier`);
  } finally {
    await closePair(p);
  }
});
