// The status bar names the channel whose balance it shows (its partner), and shows the channel selected in the
// SynChannel view when there are several: it showed a bare "4 TON · your turn" of whichever channel the node
// found most pressing. Read from real nodes on a SandboxChain; the host around them gives only what statusText reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import type { ChannelView } from '../../src/node/types.js';
import type { Model } from '../../src/extension/model.js';
import { statusText, type StatusHost } from '../../src/extension/statusText.js';
import { shortAddress } from '../../src/extension/util.js';
import { TON, closePair, fund, openPair, type Pair } from '../helpers/nodes.js';

function picture(p: Pair): { host: StatusHost; model: Model } {
  const me = { id: 'me' as const, label: 'you', api: p.bob, served: null };
  const host = {
    nodes: () => [me],
    mainNode: me,
    runningNetwork: 'testnet',
    network: 'testnet',
    demos: { session: null },
    status: 'running',
    elsewhere: [],
    lastError: null,
    unwatchedMoney: null,
    unwatchedWords: () => null,
  } as unknown as StatusHost;
  const entry = (view: ChannelView) => ({ view, steps: [], earlier: 0n });
  const model = {
    version: 1,
    nodes: [{ node: me, account: p.bob.getAccount(), network: 'sandbox', served: null, partners: [], channels: p.bob.channels().map(entry), broken: [] }],
  } as unknown as Model;
  return { host, model };
}

/** What the status bar takes of its width: a $(icon) is about two characters wide. */
const width = (text: string) => text.replace(/\$\([a-z~-]+\)/g, 'xx').length;

test('the status bar names the channel it shows, within a status bar\'s width', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const { host, model } = picture(p);
    const s = statusText(host, model);
    const partner = shortAddress(p.alice.getAccount());
    assert.match(s.text, new RegExp(`· 4 TON with ${partner.replace('…', '.')}( ·|$)`), s.text);
    assert.ok(s.tooltip.includes(`your channel with ${p.alice.getAccount()}`), s.tooltip);
    assert.ok(width(s.text) <= 80, `${width(s.text)} characters: ${s.text}`);

    // a second channel: the one selected in the view is shown, and the tooltip says how to show another
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('2'), partnerDeposit: TON('1') });
    const second = (await proposed).channel as ChannelView;
    const two = picture(p);
    const open = p.bob.channels().find((c) => c.id !== second.id)!;
    const picked = statusText(two.host, two.model, open.id);
    assert.match(picked.text, / 4 TON with /, picked.text);
    assert.match(picked.tooltip, /1 more: select one in the SynChannel view/, picked.tooltip);
    const other = statusText(two.host, two.model, second.id);
    assert.match(other.text, / · proposed channel with /, other.text);
    assert.ok(other.tooltip.includes(`contract ${second.contract}`), other.tooltip);
  } finally {
    await closePair(p);
  }
});
