// The leftovers of a CLI user check, on real nodes (one sandbox chain, p2p on 127.0.0.1): --channel took only the
// whole contract; "Are you sure" cancelled silently on any answer but y/yes; `sign` after the partner's exit said
// nothing of the exit, and its "Last state signed successful" read as if the channel went on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shortAddress } from '../../src/core/format.js';
import { EventFormatter } from '../../src/cli/format.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, openPair, TON, until, type Pair, type TestNode } from '../helpers/nodes.js';

let p: Pair;
/** the locked channel (Bob, manual, has not signed its initial state) and a proposal beside it */
let locked: string;
let proposal: string;

before(async () => {
  p = await openPair({ bob: { autoMode: false } });
  const first = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  locked = (await first).channel.contract;
  const initial = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 0n, 60_000);
  await p.bob.deposit(undefined, { channel: locked });
  await initial;
  const second = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
  proposal = (await second).channel.contract;
});
after(async () => {
  await closePair(p);
});

/** What one line prints (text mode), with the answers given to its questions and the questions asked. */
async function run(line: string, node: TestNode, answers: string[] = []): Promise<{ said: string[]; asked: string[] }> {
  const said: string[] = [];
  const asked: string[] = [];
  const io: Io = {
    say: (t) => said.push(t),
    emit: () => undefined,
    ask: async (q) => (asked.push(q), answers.shift() ?? null),
    json: false,
    interactive: answers.length > 0,
  };
  await runLine(line, node, io);
  return { said, asked };
}

test('--channel takes a unique start or end of a contract, or its short form; a part that fits several names them', async () => {
  assert.notEqual(locked.slice(0, 10), proposal.slice(0, 10));
  for (const part of [locked, locked.slice(0, 10), locked.slice(-6), shortAddress(locked), `${locked.slice(0, 6)}...${locked.slice(-4)}`]) {
    const { said } = await run(`getSmartContractAccount --channel ${part}`, p.bob);
    assert.deepEqual(said, [locked], part);
  }
  // both contracts start alike (kQ… at least): the part is refused, naming both
  let common = 0;
  while (locked[common] === proposal[common]) common++;
  const shared = locked.slice(0, common);
  const { said: many } = await run(`getSmartContractAccount --channel ${shared}`, p.bob);
  assert.equal(many.length, 1, many.join('\n'));
  assert.match(many[0]!, new RegExp(`^getSmartContractAccount failed: ${shared} matches 2 channels: `));
  assert.ok(many[0]!.includes(locked) && many[0]!.includes(proposal), many[0]);
  // a few characters that happen to fit one channel do not pick it
  const end = locked.slice(-3);
  assert.ok(!proposal.endsWith(end));
  const { said: short } = await run(`getSmartContractAccount --channel ${end}`, p.bob);
  assert.match(short[0]!, new RegExp(`${end} is too short to name a channel: give at least 4 characters of its contract`), short[0]);
  // a second … is no part of a contract: kQAb…x…wxyz named the channel by kQAb and x, dropping the rest
  const twice = `${locked.slice(0, 6)}…${locked.slice(-2)}…zzzz`;
  const { said: typo } = await run(`getSmartContractAccount --channel ${twice}`, p.bob);
  assert.deepEqual(typo, [`getSmartContractAccount failed: no channel ${twice} (see channels)`]);
  const { said: none } = await run('getSmartContractAccount --channel zzzz9', p.bob);
  assert.deepEqual(none, ['getSmartContractAccount failed: no channel zzzz9 (see channels)']);
});

test('"Are you sure" takes y/yes/n/no in any case and asks again, saying what to type, on anything else', async () => {
  const line = `leave --channel ${locked}`;
  const no = await run(line, p.bob, ['maybe', 'NO']);
  assert.equal(no.asked.length, 2, no.said.join('\n'));
  assert.ok(no.said.includes('"maybe" is neither yes nor no: type y (yes) to go on, or n (no) to cancel'), no.said.join('\n'));
  assert.equal(no.said.at(-1), 'leave: cancelled');
  // asked a bounded number of times
  const lost = await run(line, p.bob, ['maybe', 'hm', '', 'y']);
  assert.equal(lost.asked.length, 3, lost.said.join('\n'));
  assert.equal(lost.said.at(-1), 'leave: cancelled');
  assert.equal(p.bob.channel(locked)!.phase, 'locked', 'nothing was done');
  // from a pipe: --yes, as before
  const piped = await run(line, p.bob);
  assert.match(piped.said.at(-1)!, /add --yes to confirm/);
});

test("sign of the initial state after the partner's exit was seen says the exit pays the deposits all the same", async () => {
  await p.alice.exit({ channel: locked });
  await until('Bob sees the exit', () => p.bob.channel(locked)!.phase === 'closing');
  // the event lines as the CLI prints them, on both sides
  const lines = (n: TestNode) => {
    const f = new EventFormatter();
    const out: string[] = [];
    n.on((e) => e.type === 'stateSigned' && out.push(f.format(e)!));
    return out;
  };
  const [bobSaw, aliceSaw] = [lines(p.bob), lines(p.alice)];
  const { said } = await run(`sign --channel ${locked}`, p.bob);
  // it did sign: both hold state 0 signed by both; the banner says so, and that the exit still pays (it said only "signed successful")
  await until('Alice holds the signature', () => p.alice.channel(locked)!.latest?.committed === true && aliceSaw.length > 0);
  assert.equal(p.bob.channel(locked)!.latest?.committed, true);
  assert.equal(p.alice.channel(locked)!.phase, 'closing');
  for (const saw of [bobSaw, aliceSaw]) {
    assert.deepEqual(saw, ['❗ Last state signed successful❗\nStep 0: A [3 4] B\nThe exit with the deposits goes on: it pays them back, as this state does; no payment follows in this channel.']);
  }
  // the note is said once: by the event line above, not again by sign (it said it twice, in near the same words)
  assert.deepEqual(said, ['Signed step 0']);
});
