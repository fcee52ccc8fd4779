// The teaching demo's steps go by what the nodes show, not by the events they expect: a learner who clicks a
// step's action in the tree (Bob's Deposit, a Sign, a payment or an empty state) does not break the story, and stopping the demo ends a step
// that waits at once, saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTon, parseTon } from '../../src/core/amounts.js';
import { DEMO_CHALLENGE_PERIOD, createTeachingDemo, type TeachingDemo } from '../../src/node/demo.js';
import { LOCK_FILE } from '../../src/node/store/lock.js';

async function withDemo(fn: (d: TeachingDemo) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-demo-'));
  const d = await createTeachingDemo({ dataDir: dir });
  try {
    await fn(d);
  } finally {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

test("Bob's Deposit and Sign clicked by hand before their steps: the story goes on to the payout", async () => {
  await withDemo(async (d) => {
    await d.runStep('connect');
    await d.runStep('deploy');
    await d.bob.deposit(); // the learner clicks Deposit on Bob's proposal
    await d.runStep('deposit');
    await d.bob.sign(); // and Sign on "Sign Step 0"
    await d.runStep('signInitial');
    let last = '';
    for (let s = await d.next(); s; s = await d.next()) last = s.text;
    const ch = d.alice.currentChannel()!;
    assert.equal(ch.phase, 'closed');
    // The payout step says the state's balances and what each got, with the same figures as the views.
    const p = ch.payout!;
    const fig = (x: bigint) => formatTon(x).replace('.', '\\.');
    assert.match(last, new RegExp(`A \\[${fig(p.balanceA)} ${fig(p.balanceB)}\\] B`));
    assert.match(last, new RegExp(`Alice got ${fig(p.paidA!)} TON and Bob ${fig(p.paidB!)} TON`));
    assert.match(last, new RegExp(`half of the fee reserve of ${fig(p.paidA! + p.paidB! - p.balanceA - p.balanceB)} TON`));
  });
});

test('payments and the empty state made by hand in the tree, before their steps: each step signs or goes on, and the story reaches the payout', async () => {
  await withDemo(async (d) => {
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial'] as const) await d.runStep(id);
    await d.bob.send(parseTon('0.5')); // what the next step says, done by hand; Alice has not signed it
    assert.match(await d.runStep('send'), /Step 1 signed by both/);
    await d.alice.send(parseTon('1.5')); // and again, this time signed by hand too
    await until(() => d.bob.currentChannel()?.pending?.awaiting === 'me', 'Bob has state 2 to sign');
    await d.bob.sign();
    assert.match(await d.runStep('requestTurn'), /asked for the turn/);
    await d.bob.createEmpty(); // half of the next step
    assert.match(await d.runStep('passTurn'), /Alice paid again/);
    let last = '';
    for (let s = await d.next(); s; s = await d.next()) last = s.text;
    assert.equal(d.alice.currentChannel()!.phase, 'closed');
    assert.match(last, /Alice got/);
    const p = d.alice.currentChannel()!.payout!;
    assert.equal(p.step, 4n, 'paid by the latest state: the stale close was challenged');
    assert.deepEqual([p.balanceA, p.balanceB], [parseTon('1.75'), parseTon('5.25')]);
  });
});

test("a step whose states are all signed already (run again after its wait timed out) goes on, not 'moved on by hand'", async () => {
  await withDemo(async (d) => {
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial', 'send', 'requestTurn'] as const) await d.runStep(id);
    // passTurn's two states, signed before the step reports (as after a wait of it that timed out)
    await until(() => d.bob.currentChannel()?.myTurn === true, 'Bob holds the turn');
    await d.bob.createEmpty();
    await until(() => d.alice.currentChannel()?.pending?.awaiting === 'me', 'Alice has state 3 to sign');
    await d.alice.sign();
    await d.alice.send(parseTon('0.25'));
    await until(() => d.bob.currentChannel()?.pending?.awaiting === 'me', 'Bob has state 4 to sign');
    await d.bob.sign();
    assert.match(await d.runStep('passTurn'), /Alice paid again/);
  });
});

test('a channel moved on by hand past a step: the step says so in demo words', async () => {
  await withDemo(async (d) => {
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial'] as const) await d.runStep(id);
    await d.bob.createEmpty(); // not the story's payment: state 1 is an empty state
    await until(() => d.alice.currentChannel()?.pending?.awaiting === 'me', 'Alice has state 1 to sign');
    await d.alice.sign();
    await d.alice.createEmpty();
    await until(() => d.bob.currentChannel()?.pending?.awaiting === 'me', 'Bob has state 2 to sign');
    await d.bob.sign();
    await assert.rejects(d.runStep('send'), (e: Error) => /moved on by hand.*Start Again/.test(e.message));
  });
});

/** Resolves once `cond()` holds, polling (the nodes' watchers act by themselves). */
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (const t0 = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting until ${what}`);
  }
}

test('the class waits past the challenge window: the watchers finish the close first, and the last steps still report it at once', async () => {
  await withDemo(async (d) => {
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial', 'send', 'requestTurn', 'passTurn', 'staleClose'] as const) await d.runStep(id);
    await until(() => (d.bob.currentChannel()?.close?.step ?? 0n) > 1n, "Bob's watcher challenged (at once)");
    // the sandbox clock follows real time: a long pause is the window passing by itself
    await d.advanceTime(DEMO_CHALLENGE_PERIOD + 5);
    await until(() => d.alice.currentChannel()?.phase === 'closed' && d.bob.currentChannel()?.phase === 'closed', 'both nodes saw the payout');
    const t0 = Date.now();
    const challenge = await d.runStep('challenge');
    assert.match(challenge, /challenged/);
    const last = await d.runStep('finishClose');
    assert.ok(Date.now() - t0 < 10_000, 'not after a timeout');
    const p = d.alice.currentChannel()!.payout!;
    assert.match(last, new RegExp(`Alice got ${formatTon(p.paidA!).replace('.', '\\.')} TON`));
  });
});

test("the story's texts: the true order of the deposits, what Bob's node reported, a numbered state as step N", async () => {
  await withDemo(async (d) => {
    const deposits: string[] = [];
    const off = d.alice.on((e) => {
      if (e.type === 'depositSeen') deposits.push(e.party === 'A' ? 'Alice deploys' : 'Bob deposits');
    });
    const texts: string[] = [];
    for (let s = await d.next(); s; s = await d.next()) texts.push(`${s.step.title}\n${s.text}`);
    off();
    // the title of the deposit step tells them in the order the chain saw them
    assert.deepEqual(deposits, ['Alice deploys', 'Bob deposits']);
    const title = d.steps.find((x) => x.id === 'deposit')!.title;
    assert.ok(title.indexOf(deposits[0]!) >= 0 && title.indexOf(deposits[0]!) < title.indexOf(deposits[1]!), title);
    const all = texts.join('\n');
    // messages no part of the demo shows are not claimed
    assert.doesNotMatch(all, /sees "|\("Your partner/);
    // a channel state is "step N", as the CLI and the tree say it; the demo's parts are never numbered
    assert.doesNotMatch(all, /\bstates? \d/i);
    assert.match(all, /Step 1 signed by both/);
    assert.match(all, /manual mode/);
    assert.match(all, /Bob.s node watches the contract \(its watcher\): it saw the close on chain and reacts at once; the next step reports its challenge/);
  });
});

test('a demo stopped while a step waits: the step ends at once with NODE_STOPPED', async () => {
  await withDemo(async (d) => {
    await d.runStep('connect');
    await d.runStep('deploy');
    await d.runStep('deposit');
    const t0 = Date.now();
    // Step 0 is Bob's to sign, and the story waits for Alice to see it signed: Bob's node goes away first.
    const step = d.runStep('signInitial').then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    await d.stop();
    assert.equal((await step)?.code, 'NODE_STOPPED');
    assert.ok(Date.now() - t0 < 10_000, 'not after a timeout');
  });
});

test("Bob's node failing to start leaves Alice's stopped: her folder's lock is released", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-demo-'));
  try {
    await writeFile(join(dir, 'bob'), 'not a folder');
    await assert.rejects(createTeachingDemo({ dataDir: dir }), (e: Error & { code?: string }) => e.code === 'DATA_DIR_NOT_A_FOLDER');
    assert.equal(existsSync(join(dir, 'alice', LOCK_FILE)), false, "Alice's node still holds her folder");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
