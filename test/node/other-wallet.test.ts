// The same key, another wallet (a key folder naming the key's V4R2 wallet where the channels were opened with its
// V5R1 wallet): the node loaded the channels without a word and sent closes, deposits and refunds from a wallet
// that is not the channel's party (each refused by the contract, a fee each). Now it says so, refuses them, and
// still defends the channel (a challenge needs no particular wallet).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKeyFolder } from '../../src/chain/keys.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { withPair } from '../helpers/reads.js';
import { TON, connect, fund, until } from '../helpers/nodes.js';

withPair("channels opened with another wallet of this key are watched and defended, not operated from this wallet", async (p) => {
  await fund(p);
  // Bob pays Alice 1 TON (step 1; Alice passes the turn back: step 2): Bob's close with step 0 takes it back.
  const back = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 2n);
  await p.bob.send(TON('1'));
  await back;
  await until('Alice holds step 2', () => p.alice.currentChannel()?.latest?.step === 2n);
  const opened = p.alice.getAccount();
  await p.alice.stop();
  const kf = await mkdtemp(join(tmpdir(), 'synchannel-kf-'));
  try {
    await writeKeyFolder(kf, p.keys.alice, { version: 'v4r2' });
    const events: NodeEvent[] = [];
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyFolder: kf } });
    p.alice.on((e) => events.push(e));
    assert.notEqual(p.alice.getAccount(), opened);
    const c = p.alice.currentChannel()!;
    assert.equal(c.actions.withdraw.ok ? '' : c.actions.withdraw.code, 'OTHER_WALLET');
    assert.match(c.actions.withdraw.ok ? '' : c.actions.withdraw.why, /another wallet/);
    await assert.rejects(p.alice.withdraw({ mode: 'unilateral' }), (e: { code?: string }) => e.code === 'OTHER_WALLET');
    // Defended: Bob's stale close is challenged with the latest state.
    await connect(p.alice, p.bob).catch(() => undefined);
    const challenged = waitForEvent(p.alice, 'challenged', (e) => e.byMe, 30_000);
    await p.bob.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    assert.equal((await challenged).step, 2n);
    // Nothing of the channel goes to the partner, who knows this node by the other wallet.
    assert.deepEqual(events.filter((e) => e.type === 'error' && /no channel .* with you here/.test(e.message)), []);
  } finally {
    await rm(kf, { recursive: true, force: true });
  }
});
