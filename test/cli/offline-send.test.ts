// A send to a partner who is not connected (the user check of the CLI): after a restart, with the partner gone,
// the node's warning and the CLI's own line said it twice; and a one-shot piped send right after the start went
// before the node's redial of the saved partner (it waits a moment for it now). Real nodes on one sandbox chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runLine, type Io } from '../../src/cli/repl.js';
import { printEvents } from '../../src/cli/startup.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';

/** A piped run's Io (`startedAt`: the node's start) printing the node's events as the CLI does. */
function piped(p: Pair, startedAt: number): { io: Io; out: string[] } {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false, startedAt };
  printEvents(p.bob, 'sandbox', join(p.dir, 'bob'), io);
  return { io, out };
}

/** Bob (who dialled Alice) restarted on his data folder. */
async function restartBob(p: Pair): Promise<void> {
  await p.bob.stop();
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
}

test('a piped send right after the start waits for the redial of the saved partner, and the payment goes to them', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await restartBob(p);
    const { io, out } = piped(p, Date.now());
    const from = out.length;
    const signed = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 1n, 30_000);
    signed.catch(() => undefined); // awaited below, once the send's words are checked
    await runLine('send 0.1', p.bob, io);
    const said = out.slice(from).join('\n');
    assert.match(said, /Sent step 1: A \[3\.1 3\.9\] B/, said);
    assert.doesNotMatch(said, /offline|not connected|kept and goes/i, said);
    await signed; // Alice countersigned it in this run
    await until('Alice holds step 1', () => latest(p.alice).step >= 1n);
  } finally {
    await closePair(p);
  }
});

/** Bob's `send 0.1` in a funded channel, after `setup` made Alice gone and gave Bob's run its Io: what it said. */
async function sendSaid(setup: (p: Pair) => Promise<{ io: Io; out: string[] }>): Promise<string> {
  const p = await openPair();
  try {
    await fund(p);
    const { io, out } = await setup(p);
    const from = out.length;
    await runLine('send 0.1', p.bob, io);
    const said = out.slice(from).join('\n');
    assert.match(said, /Sent step 1: A \[3\.1 3\.9\] B/, said);
    return said;
  } finally {
    await closePair(p);
  }
}

/** Alice gone, Bob started again long before his piped `send` (no wait for the redial; `before` lines run first). */
function sendToGonePartner(before: string[]): Promise<string> {
  return sendSaid(async (p) => {
    await p.alice.stop();
    await restartBob(p);
    const run = piped(p, Date.now() - 60_000);
    for (const line of before) await runLine(line, p.bob, run.io);
    return run;
  });
}

test('a send to a partner the node has not reached since its start says once that they are offline, and what to do', async () => {
  const said = await sendToGonePartner([]);
  assert.equal(said.match(/offline/gi)?.length, 1, said);
  assert.match(said, /The state is kept and goes to them once both nodes run connected\. This piped run stops at the end of its input: start your node again while your partner's runs \(nothing is lost\)\./, said);
});

test('a piped send to an offline partner in a run that keeps serving says the state goes once they connect, not to start the node again', async () => {
  // this input asked to serve: the run does not stop at the end of its input
  const said = await sendToGonePartner(['serve 0']);
  assert.doesNotMatch(said, /stops at the end of its input|start your node again/, said);
  assert.match(said, /goes to them once they connect: this run keeps serving at the end of its input/, said);
});

/** Alice dropped the connection during Bob's run: what Bob's `send` said. */
function sendAfterDrop(interactive: boolean): Promise<string> {
  return sendSaid(async (p) => {
    const run = piped(p, Date.now() - 60_000);
    run.io.interactive = interactive;
    const gone = waitForEvent(p.bob, 'partnerDisconnected');
    await p.alice.stop();
    await gone;
    return run;
  });
}

test("a send to a partner whose connection dropped is said offline once, by the node's PARTNER_OFFLINE line; a piped run adds what happens to it", async () => {
  const said = await sendAfterDrop(false);
  assert.equal(said.match(/offline/gi)?.length, 1, said);
  assert.match(said, /^warn: partner offline: your new state reaches them when they reconnect$/m, said);
  assert.match(said, /^The state is kept and goes to them once both nodes run connected\. This piped run stops at the end of its input/m, said);
});

test("at a terminal, a send to a partner whose connection dropped is said offline by the node's line alone", async () => {
  const said = await sendAfterDrop(true);
  assert.equal(said.match(/offline/gi)?.length, 1, said);
  assert.match(said, /^warn: partner offline: your new state reaches them when they reconnect$/m, said);
  assert.doesNotMatch(said, /kept and goes/, said);
});
