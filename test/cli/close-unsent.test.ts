// An audit on a devnet: A's cooperative close failed to send (its wallet empty) and A left; B's `channels` said
// "open … step 4" and `showLast` showed the close state, with no word that it is signed by both but not on chain,
// nor that B's withdraw sends it. Both now say it (the node's rule, uiRules closeToSend).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { stoppingNotes } from '../../src/cli/format.js';
import type { ChannelNodeApi, ChannelView, StateView } from '../../src/node/types.js';

const close: StateView = { step: 4n, sender: 'A', tag: 'close', balanceA: 3n, balanceB: 4n, sigA: 'AA', sigB: 'BB', committed: true, empty: false };

/** Bob's view of Alice's close state both signed; `closeUnsent`: the node's (by default, as a node shows it in `phase`). */
function bobsView(phase: string, closeUnsent: ChannelView['closeUnsent'] = phase === 'open' ? { step: 4n, ours: false, onWay: false } : null): ChannelView {
  return { id: 'kQc', contract: 'kQc', phase, me: 'B', partnerAddress: '0QA', latest: close, closeUnsent, challengePeriod: 600, pending: null, payout: null, close: null, actions: { deposit: { ok: true } }, restored: false, legacy: false } as unknown as ChannelView;
}

function bob(phase: string): ChannelNodeApi {
  const view = bobsView(phase);
  return {
    network: 'devnet',
    currentChannel: () => view,
    channel: () => view,
    channels: () => [view],
    brokenChannels: () => [],
    otherNetworks: () => [],
    partners: () => [{ address: '0QA', online: false }],
    showLast: () => close,
  } as unknown as ChannelNodeApi;
}

async function said(line: string, node: ChannelNodeApi): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, node, io);
  return out.join('\n');
}

test('channels and showLast say that a close state both signed is not on chain and that withdraw sends it', async () => {
  const words = /your partner's close state \(step 4\) is signed by both but not on chain: no payment can follow it\. withdraw sends it to the contract, which pays out at once \(your partner may send it first\)/i;
  const list = await said('channels', bob('open'));
  assert.match(list, /^kQc open, you are B, partner 0QA: .*step 4/, list);
  assert.match(list, words, list);
  const last = await said('showLast', bob('open'));
  assert.match(last, /Sender A \(close\)[\s\S]*\nYour partner's close state \(step 4\) is signed by both/, last);
  // on chain (closing), or paid out: nothing waits to be sent
  for (const phase of ['closing', 'closed']) assert.doesNotMatch(await said('showLast', bob(phase)), words, phase);
});

test("the stop's note on a close state both signed says what the node's view says (closeUnsent), not the CLI's own reading of the state", () => {
  const note = (v: ChannelView) => stoppingNotes([v]).filter((n) => /cooperative close/.test(n));
  const next = 'The next start reads the contract and, if it has not paid out,';
  const [partners] = note(bobsView('open'));
  assert.match(partners ?? '', /^Stopping before the cooperative close of kQc \(step 4, signed by both\) is seen on chain: if it was sent, it may still land\./);
  assert.ok(partners?.endsWith(`${next} leaves it to your partner to send: run withdraw then to send it yourself.`), partners);
  // being sent as the node stops: the same note (it may land, or the next start sends it)
  assert.equal(note(bobsView('open', { step: 4n, ours: false, onWay: true }))[0], partners);
  // Alice's own, as her node says: the next start sends it
  const [ours] = note({ ...bobsView('open', { step: 4n, ours: true, onWay: false }), me: 'A' });
  assert.match(ours ?? '', new RegExp(`${next} sends it again \\(one signed before is waited for until it can no longer land`));
  // a close state the node does not show as unsent: no note of it (the rule is the node's, one place)
  assert.deepEqual(note(bobsView('open', null)), []);
});
