// A partner's node that will not take a proposal for its terms (a challenge window under its minimum) answers it
// as declined, with why in the proposer's words: the proposal ends on the proposer's side. It stayed "proposed",
// waiting for an answer that never came, beside a report worded for the refusing side ("your partner's …").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, openPair, TON, until } from '../helpers/nodes.js';

test("a proposal under the partner's minimum challenge window ends as declined, saying the window the partner takes", async () => {
  const p = await openPair({ bob: { minChallengePeriod: 600, challengePeriod: 600 } });
  try {
    const said: string[] = [];
    p.alice.on((e) => void (e.type === 'log' || e.type === 'error' ? said.push(e.message) : undefined));
    const refused = waitForEvent(p.bob, 'error', (e) => e.code === 'PERIOD_TOO_SHORT');
    const declined = waitForEvent(p.alice, 'proposalDeclined');
    const view = await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), challengePeriod: 120 });
    await refused;
    await until('the proposal declined', () => p.alice.channels().find((c) => c.channelId === view.channelId)?.phase === 'rejected');
    const line = await until('the reason', () => said.find((l) => l.includes('declined channel')));
    assert.match(line, /their node takes challenge windows of 600\.\.\d+ s on sandbox, and this proposal has 120 s: propose again with a longer window \(--period\)/);
    assert.ok(!said.some((l) => /your partner reports/.test(l)), said.join('\n'));
    // the event the extension shows: the channel, and their reason
    const e = await declined;
    assert.equal(e.channel.channelId, view.channelId);
    assert.match(e.reason ?? '', /^their node takes challenge windows of 600\.\./);
    assert.equal(p.bob.channels().length, 0);
  } finally {
    await closePair(p);
  }
});

test('proposals over the partner\'s rate end as declined on the proposer\'s side, each saying why: none stays "proposed" unheld', async () => {
  const p = await openPair();
  try {
    // the partner takes a burst of 5 proposals and keeps at most 3 per partner; 7 at once
    const views = await Promise.all(Array.from({ length: 7 }, () => p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') })));
    const held = () => new Set(p.bob.channels().map((c) => c.channelId));
    const phase = (id: string) => p.alice.channels().find((c) => c.channelId === id)?.phase;
    await until('every proposal the partner does not hold to end', () => held().size === 3 && views.every((v) => held().has(v.channelId) || phase(v.channelId) === 'rejected'), 10_000);
    assert.deepEqual(views.filter((v) => held().has(v.channelId)).map((v) => phase(v.channelId)), ['proposed', 'proposed', 'proposed']);
  } finally {
    await closePair(p);
  }
});
