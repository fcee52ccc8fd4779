// A chain figure the balances panel has no answer for says why: its read is still under way ("reading…", the
// panel draws it again when the answer comes) or it failed ("not read: <short reason>", the whole reason on hover).
// Both showed "—". Real nodes on a SandboxChain; only the wallet reads are replaced; the host gives only what
// buildSnapshot reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainReads, buildSnapshot, shortReason } from '../../src/extension/balancesSnapshot.js';
import type { NodeHost } from '../../src/extension/host.js';
import { figureText } from '../../webview/figures.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';

const DOWN = 'https://testnet.example/api/v2/jsonRPC gave an unexpected answer: 503 Service Unavailable, the endpoint is overloaded right now and asks to be called again in a while';

test('a wallet read under way says "reading…", one that failed says "not read: <reason>": not the same "—"', { timeout: 20_000 }, async () => {
  const p = await openPair();
  try {
    await fund(p);
    // your wallet's read does not answer yet; the partner's fails (the endpoint down); the contract's is the node's
    const api = Object.create(p.bob, {
      balanceTonDue: { value: (address?: string) => (address ? Promise.reject(new Error(DOWN)) : new Promise(() => undefined)) },
    }) as typeof p.bob;
    const me = { id: 'me', label: 'you', api, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    const snap = await buildSnapshot(host, new ChainReads(() => undefined, { waitMs: 50 }), null, 0);
    const { yourWallet, partnerWallet, contractBalance } = snap.selected!;
    assert.deepEqual(yourWallet, { notRead: 'reading' }, JSON.stringify(yourWallet));
    assert.deepEqual(partnerWallet, { notRead: 'failed', reason: 'testnet.example gave an unexpected answer', detail: DOWN }, JSON.stringify(partnerWallet));
    assert.ok(contractBalance && 'nano' in contractBalance, `the read that answered is shown: ${JSON.stringify(contractBalance)}`);

    // what the cells say
    assert.deepEqual(figureText(yourWallet), { text: 'reading…', title: 'Reading this balance from the chain: it shows here once the chain answers.', tone: 'hint' });
    assert.deepEqual(figureText(partnerWallet), { text: 'not read: testnet.example gave an unexpected answer', title: `${DOWN}. It is read again by itself in a few seconds; Refresh reads it now.`, tone: 'warning' });
    assert.equal(figureText(contractBalance).text, `${(contractBalance as { short: string }).short} TON`);
  } finally {
    await closePair(p);
  }
});

test("a failed read's reason in the cell is short (its first clause, at most 60 characters, the rest on hover); a figure saved by an older panel still draws", () => {
  assert.equal(shortReason(DOWN), 'testnet.example gave an unexpected answer', 'an endpoint named by its host');
  assert.equal(shortReason('Timeout of 15000ms exceeded\n    at RetryLoop'), 'Timeout of 15000ms exceeded');
  const long = 'the wallet contract at kQAb12cd34ef56gh78ij90kl12mn34op56qr78st90uv12wx did not answer';
  assert.equal(shortReason(long), `${long.slice(0, 59)}…`);
  assert.equal(shortReason(''), 'no reason given');
  // a panel restored after an update draws the snapshot it saved (the protocol before) until the host answers
  assert.deepEqual(figureText(null), { text: '—', title: '' });
  assert.deepEqual(figureText({ nano: '1500000000', ton: '1.5', short: '1.5', due: '0.002 TON storage fee due' }), { text: '1.5 TON (0.002 TON storage fee due)', title: '' });
  assert.deepEqual(figureText({ nano: '1500000001', ton: '1.500000001', short: '≈ 1.5', due: null }), { text: '≈ 1.5 TON', title: '1.500000001 TON exactly' });
});
