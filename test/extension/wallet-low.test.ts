// The extension shows the node's warning of a wallet short of what leaving its channels costs: a warning
// notification in VS Code's words with the top-up's button, and a line under the wallet in the balances panel.
// Real nodes on a SandboxChain; the host around them gives only what buildSnapshot reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainReads, buildSnapshot } from '../../src/extension/balancesSnapshot.js';
import { CLI_WORDS } from '../../src/extension/cliWords.js';
import type { NodeHost } from '../../src/extension/host.js';
import { walletReserveNotice } from '../../src/extension/words.js';
import type { NodeEvent } from '../../src/node/types.js';
import { drainWallet } from '../helpers/drain.js';
import { TON, closePair, fund, openPair } from '../helpers/nodes.js';

test("a wallet drained under the exit reserve: the panel's read finds it, the panel says what it lacks, and the notification says what to do in VS Code's words", async () => {
  const p = await openPair();
  try {
    await fund(p);
    const told: Extract<NodeEvent, { type: 'walletReserve' }>[] = [];
    p.bob.on((e) => void (e.type === 'walletReserve' && told.push(e)));
    const me = { id: 'me', label: 'you', api: p.bob, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    const before = await buildSnapshot(host, new ChainReads(() => undefined), null, 0);
    assert.equal(before.selected?.walletLow, null, 'a wallet that holds enough shows no warning');

    await drainWallet(p.chain, p.keys.bob, p.alice.getAccount(), TON('0.03'));
    const after = await buildSnapshot(host, new ChainReads(() => undefined), null, 0);
    assert.match(after.selected?.walletLow ?? '', /^⚠ [\d.]+ TON short of the 0\.05 TON kept to leave your channels alone: top it up$/);
    assert.equal(told.length, 1, 'the panel read the wallet, and the node told the fall');

    const notice = walletReserveNotice(told[0]!)!;
    assert.doesNotMatch(notice.text, CLI_WORDS, notice.text);
    assert.match(notice.text, /Top it up with at least [\d.]+ TON \(“Get Test Coins \(Faucet\)”\)$/);
    assert.deepEqual(notice.buttons, { 'Get Test Coins': 'synchannel.faucet' });
    assert.deepEqual(walletReserveNotice({ ...told[0]!, channels: told[0]!.channels.map((c) => ({ ...c, network: 'testnet' })) })?.buttons, { 'Copy Wallet Address': 'synchannel.copyAddress' });
    assert.equal(walletReserveNotice({ ...told[0]!, low: false }), null, 'a recovery is no notification');
  } finally {
    await closePair(p);
  }
});
