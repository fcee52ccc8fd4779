// A backup taken while the channel was only proposed, imported after the contract locked and payments ran: the
// restored node kept it a proposal, never watched the contract, and offered no way out (withdraw NOT_OPEN, exit
// NOT_LOCKED, refund NO_CONTRACT) while the contract held both deposits. Real nodes over libp2p on a SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, until, type NodeHandle } from '../adversary/world.js';

/** Vic proposes 3 / 4 TON to Hal and backs up the proposal; Hal accepts, the channel locks, `payer` pays 1 TON. */
async function proposalBackup(w: World, payer: 'vic' | 'hal'): Promise<{ vic: NodeHandle; hal: NodeHandle; ch: string; backup: string }> {
  const vic = await w.node('vic');
  const hal = await w.node('hal');
  await w.link(vic, hal);
  const proposed = waitForEvent(hal.node, 'channelProposed');
  const ch = (await vic.node.open({ myDeposit: TON('3'), partnerDeposit: TON('4'), partner: hal.node.getAccount() })).channelId;
  await proposed;
  const backup = join(w.dir, 'vic.backup');
  await vic.node.exportBackup(backup);
  const locked = waitForEvent(vic.node, 'stateSigned', (e) => e.state.step === 0n, 60_000);
  await hal.node.deposit(undefined, { channel: ch });
  await locked;
  await w.pay(payer === 'vic' ? vic : hal, ch, TON('1'));
  await assertSameHistory(vic.node, hal.node, ch);
  return { vic, hal, ch, backup };
}

/** Vic loses its channels and starts again on the same folder (its chain wrapped by `wrap`), then imports `backup`. */
async function restoreVic(w: World, vic: NodeHandle, backup: string, wrap?: (c: Chain) => Chain): Promise<NodeHandle> {
  await w.stop(vic);
  await rm(join(vic.dataDir, 'channels'), { recursive: true, force: true });
  const again = await w.node('vic', { keyPair: vic.keyPair, ...(wrap ? { wrap } : {}) });
  await again.node.importBackup(backup);
  return again;
}

test('a backup of a proposal imported after the contract locked follows the contract, gets the states signed since, and can close', { timeout: 180_000 }, async () => {
  const w = await World.create();
  try {
    const { vic: before, hal, ch, backup } = await proposalBackup(w, 'vic');
    const last = hal.node.channel(ch)!.latest!;
    const vic = await restoreVic(w, before, backup);
    assert.notEqual(vic.node.channel(ch)!.phase, 'proposed', 'followed from the contract');
    await w.link(hal, vic);
    await until(() => vic.node.channel(ch)?.latest?.step === last.step && !vic.node.channel(ch)!.restorePending, 'the states signed since', 60_000);
    assert.equal(await vic.node.balanceContract(ch), await hal.node.balanceContract(ch));
    const closed = waitForEvent(vic.node, 'closed', () => true, 60_000);
    await vic.node.withdraw({ channel: ch });
    const e = await closed;
    assert.deepEqual([e.payout.step !== null && e.payout.step >= last.step, e.payout.balanceA, e.payout.matchesLatest], [true, last.balanceA, true]);
  } finally {
    await w.close();
  }
});

test('a backup of a proposal imported while the chain cannot be read is followed from the contract at the next start', { timeout: 180_000 }, async () => {
  const w = await World.create();
  try {
    const { vic: before, hal, ch, backup } = await proposalBackup(w, 'vic');
    await w.stop(hal);
    const down = (c: Chain) =>
      new Proxy(c, {
        get: (t, k) => (k === 'getChannelStatus' ? () => Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'cannot reach the chain (test)')) : (Reflect.get(t, k) as unknown)),
      });
    let vic = await restoreVic(w, before, backup, down);
    assert.equal(vic.node.channel(ch)!.phase, 'proposed', 'nothing read: kept as it came');
    assert.ok(vic.events.some((e) => e.type === 'log' && /restored as a proposal, and its contract could not be read/.test(e.message)));
    await w.stop(vic);
    vic = await w.node('vic', { keyPair: vic.keyPair });
    assert.equal(vic.node.channel(ch)!.phase, 'locked', 'followed from the contract once read');
    assert.ok(vic.node.channel(ch)!.restorePending);
  } finally {
    await w.close();
  }
});

test('a restored channel that waits for its partner leaves with the deposits only when confirmed, as withdraw asks', { timeout: 180_000 }, async () => {
  const w = await World.create();
  try {
    const { vic: before, hal, ch, backup } = await proposalBackup(w, 'hal'); // Vic gained 1 TON since the backup
    await w.stop(hal);
    const vic = await restoreVic(w, before, backup);
    assert.equal(vic.node.channel(ch)!.phase, 'locked');
    assert.ok(vic.node.channel(ch)!.restorePending);
    await assert.rejects(vic.node.exit({ channel: ch }), (e: Error & { code?: string }) => e.code === 'RESTORE_PENDING' && /may hold states signed since it/.test(e.message));
    assert.equal(vic.node.channel(ch)!.phase, 'locked', 'nothing sent');
    await vic.node.exit({ channel: ch, confirmStale: true });
    assert.equal(vic.node.channel(ch)!.phase, 'closing');
  } finally {
    await w.close();
  }
});
