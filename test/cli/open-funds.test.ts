// `open 500` at a terminal asked for the partner's deposit first and only then said that the wallet cannot pay its
// own 500 TON: the user typed everything and then learned the channel could not be opened. The node's funds check of
// our deposit now comes before the question. Real nodes on a SandboxChain (a wallet there holds about 1,000 TON);
// the person at the terminal is the Io's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { closePair, openPair } from '../helpers/nodes.js';

function terminal(answer: string): { io: Io; asked: string[]; said: string[] } {
  const asked: string[] = [];
  const said: string[] = [];
  const io: Io = { json: false, interactive: true, say: (t) => void said.push(t), emit: () => undefined, ask: async (q) => (asked.push(q), answer) };
  return { io, asked, said };
}

test("open with more than the wallet holds says so before asking for the partner's deposit", { timeout: 120_000 }, async () => {
  const p = await openPair();
  try {
    const short = terminal('4');
    await runLine('open 5000', p.alice, short.io);
    assert.deepEqual(short.asked, [], `nothing asked: ${short.asked.join(' | ')}`);
    assert.match(short.said.join('\n'), /^open failed: your wallet \S+ has [\d.]+ TON, but this channel needs your deposit of 5000 TON plus about [\d.]+ TON for fees and a close, kept in the wallet so you can always leave the channel alone: top it up first \(`faucet`\)$/m, short.said.join('\n'));
    assert.equal(p.alice.channels().length, 0);
    // a deposit the wallet can pay: the partner's deposit is asked for, as before
    const fine = terminal('4');
    await runLine('open 3', p.alice, fine.io);
    assert.deepEqual(fine.asked, ["Enter your partner's deposit in TON (Enter for none): "]);
    assert.match(fine.said.join('\n'), /Proposed channel \S+: you deposit 3 TON, your partner 4 TON/, fine.said.join('\n'));
  } finally {
    await closePair(p);
  }
});

// A careless-user walk: a typo at the partner's-deposit prompt cancelled the whole open, and the person typed their
// own deposit again. It is asked again (three times at most), keeping the deposit typed before.
test("a wrong answer at open's partner-deposit prompt is asked again, keeping your deposit; three wrong ones stop", { timeout: 120_000 }, async () => {
  const p = await openPair();
  try {
    const answers = ['abc', '-1', '4'];
    const asked: string[] = [];
    const said: string[] = [];
    const io: Io = { json: false, interactive: true, say: (t) => void said.push(t), emit: () => undefined, ask: async (q) => (asked.push(q), answers.shift() ?? null) };
    await runLine('open 3', p.alice, io);
    assert.equal(asked.length, 3, asked.join(' | '));
    assert.ok(asked.every((q) => q === "Enter your partner's deposit in TON (Enter for none): "), asked.join(' | '));
    assert.match(said.join('\n'), /"abc" .*type the partner's deposit again/, said.join('\n'));
    assert.match(said.join('\n'), /Proposed channel \S+: you deposit 3 TON, your partner 4 TON/, said.join('\n'));
    const wrong = terminal('x');
    await runLine('open 2', p.alice, wrong.io);
    assert.equal(wrong.asked.length, 3);
    assert.match(wrong.said.at(-1)!, /^open failed: .*"x"/, wrong.said.join('\n'));
    assert.equal(p.alice.channels().length, 1, 'only the first open proposed a channel');
  } finally {
    await closePair(p);
  }
});
