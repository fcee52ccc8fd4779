// A refund whose wait failed without saying whether it went out may still land: a second one sent meanwhile is
// refused by the contract once the first lands (nothing left to refund), and the wallet pays its fee for nothing.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { WALLET_MESSAGE_TTL } from '../../src/chain/base.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain, Wallet } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { aliceAloneIn, withPair } from '../helpers/reads.js';
import { TON, until, type Pair } from '../helpers/nodes.js';
import { latch, reloadAlice } from '../helpers/running-import.js';

type Refund = Chain['refund'];

/** Alice deploys with her 3 TON, Bob deposits nothing; her refund's first send is signed, then its wait times out. */
async function refundLost(p: Pair): Promise<{ sent: () => number; land: () => Promise<unknown> }> {
  await aliceAloneIn(p);
  const real = p.chain.refund.bind(p.chain);
  let sent = 0;
  let lost: Parameters<Refund> | undefined;
  (p.chain as { refund: Refund }).refund = async (...a) => {
    if (++sent > 1) return real(...a);
    await a[2]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    lost = [a[0], a[1]];
    throw new ChainError('TIMEOUT', 'injected: the refund was not seen on chain in time', { sent: true });
  };
  await assert.rejects(p.alice.refund(), (e: { code?: string }) => e.code === 'TIMEOUT');
  return { sent: () => sent, land: () => real(...lost!) };
}

const underWay = (e: { code?: string; message?: string }) => e.code === 'REFUND_UNDER_WAY' && /may still land: wait \d+ s/.test(e.message ?? '');

withPair('a refund whose send failed without saying whether it went out is not sent again while it may land', async (p) => {
  const r = await refundLost(p);
  const shown = p.alice.currentChannel()!.actions.refund;
  assert.equal(shown.ok ? 'ok' : shown.code, 'REFUND_UNDER_WAY', 'the view offers no second Refund');
  await assert.rejects(p.alice.refund(), underWay);
  assert.equal(r.sent(), 1, 'one refund sent');
  // It lands late: the node reads the deposit back, and nothing is offered to refund.
  await r.land();
  await until('Alice reads her refund', () => p.alice.currentChannel()?.depositA === 0n);
  assert.equal(p.alice.currentChannel()!.actions.refund.ok, false);
  assert.equal(r.sent(), 1, 'sent once');
  const data = await p.chain.getChannelData(Address.parse(p.alice.currentChannel()!.contract));
  assert.equal(data?.depositA, 0n);
});

withPair('a refund that may still land is not sent again after a restart', async (p) => {
  const r = await refundLost(p);
  await p.alice.stop();
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await until('Alice reads her channel', () => p.alice.currentChannel()?.phase === 'funding');
  await assert.rejects(p.alice.refund(), underWay);
  assert.equal(r.sent(), 1, 'one refund sent');
});

withPair('a refund that may still land is not sent again after an older backup is imported over its lost record', async (p) => {
  await aliceAloneIn(p);
  const backup = join(p.dir, 'alice.backup');
  await p.alice.exportBackup(backup); // before the refund: no mark of it
  const r = await refundLost(p);
  const id = p.alice.currentChannel()!.channelId;
  await rm(join(p.dir, 'alice', 'channels', id, 'record.json'));
  assert.deepEqual((await p.alice.importBackup(backup)).imported, [id]);
  await until('Alice loaded her channel again', () => p.alice.currentChannel()?.phase === 'funding');
  await assert.rejects(p.alice.refund(), underWay);
  assert.equal(r.sent(), 1, 'one refund sent (a second bounces off the empty deposit once the first lands: a wallet fee)');
});

withPair('a refund the endpoint refused before it left can be sent again at once', async (p) => {
  await aliceAloneIn(p);
  const real = p.chain.refund.bind(p.chain);
  let sent = 0;
  (p.chain as { refund: Refund }).refund = async (...a) => {
    if (++sent > 1) return real(...a);
    await a[2]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('WALLET_REJECTED', 'injected: the endpoint refused the external message (nothing was sent)');
  };
  await assert.rejects(p.alice.refund(), (e: { code?: string }) => e.code === 'WALLET_REJECTED');
  assert.equal(p.alice.currentChannel()!.actions.refund.ok, true, 'offered again');
  const v = await p.alice.refund();
  assert.equal(v.depositA, 0n);
  assert.equal(sent, 2);
});

withPair('a second refund while the first runs is refused: one refund goes out', async (p) => {
  await aliceAloneIn(p);
  const real = p.chain.refund.bind(p.chain);
  let sent = 0;
  (p.chain as { refund: Refund }).refund = (...a) => (sent++, real(...a));
  // a double click: both read the contract holding Alice's deposit before either is signed
  const [first, second] = await Promise.allSettled([p.alice.refund(), p.alice.refund()]);
  assert.equal(first.status, 'fulfilled');
  assert.equal(second.status === 'rejected' && (second.reason as { code?: string }).code, 'REFUND_UNDER_WAY');
  assert.match(second.status === 'rejected' ? (second.reason as Error).message : '', /already under way/);
  assert.equal(sent, 1, 'one refund sent (a second would bounce off the empty deposit: a wallet fee)');
  assert.equal(p.alice.currentChannel()!.depositA, 0n);
});

withPair("a refund is not sent to a contract the partner's deposit locked while it waited for the wallet", async (p) => {
  await aliceAloneIn(p);
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const real = p.chain.refund.bind(p.chain);
  // Alice's checks are done; Bob's deposit lands before her refund is signed (her wallet was busy)
  (p.chain as { refund: Refund }).refund = async (...a) => (await p.chain.deposit(bobWallet, contract, TON('4')), real(...a));
  await assert.rejects(p.alice.refund(), (e: { code?: string; message?: string }) => e.code === 'NOT_FUNDING' && /nothing was sent/.test(e.message ?? ''));
  assert.equal((await p.chain.getChannelStatus(contract)).status, 'open', 'locked with both deposits');
});

withPair('a refund that may still land as an import loads its channel again from an older record is not sent again', async (p) => {
  await aliceAloneIn(p);
  const ch = p.alice.currentChannel()!.channelId;
  const backup = join(p.dir, 'alice.backup');
  await p.alice.exportBackup(backup); // before the refund: it holds no mark of it
  const r = await refundLost(p);
  // The backup is restored over the channel: its controller is dropped, and the channel loads again from it.
  await reloadAlice(p, ch, backup, 'funding');
  await assert.rejects(p.alice.refund(), underWay);
  assert.equal(r.sent(), 1, 'one refund sent');
});

/**
 * Alice's refund is past its checks and waits for her wallet (busy with another send: not signed, not marked yet)
 * when her backup is restored over the channel: its controller is dropped, and the channel loads again from it.
 */
async function refundOnItsWayAtImport(p: Pair): Promise<{ sent: () => number; wallet: () => void; first: Promise<unknown> }> {
  await aliceAloneIn(p);
  const ch = p.alice.currentChannel()!.channelId;
  const backup = join(p.dir, 'alice.backup');
  await p.alice.exportBackup(backup);
  const real = p.chain.refund.bind(p.chain);
  let sent = 0;
  const reached = latch();
  const wallet = latch();
  (p.chain as { refund: Refund }).refund = async (...a) => {
    if (++sent === 1) {
      reached.open();
      await wallet.wait;
    }
    return real(...a);
  };
  const first = p.alice.refund().catch((e: unknown) => e);
  await reached.wait;
  await reloadAlice(p, ch, backup, 'funding');
  return { sent: () => sent, wallet: wallet.open, first };
}

const handedOn = (e: { code?: string; message?: string }) => e.code === 'REFUND_UNDER_WAY' && /under way/.test(e.message ?? '');

withPair('a refund on its way as an import loads its channel again is not sent again by the channel loaded', async (p) => {
  const r = await refundOnItsWayAtImport(p);
  await assert.rejects(p.alice.refund(), handedOn);
  assert.equal(r.sent(), 1, 'one refund sent (a second bounces off the empty deposit once the first lands: a wallet fee)');
  r.wallet();
  await r.first;
  await until('Alice reads her refund', () => p.alice.currentChannel()?.depositA === 0n);
  assert.equal(r.sent(), 1, 'sent once');
});

withPair("while the refund of the channel's earlier controller is on its way, the channel loaded again offers no refund, and says why", async (p) => {
  const r = await refundOnItsWayAtImport(p);
  const shown = p.alice.currentChannel()!.actions.refund;
  assert.ok(!shown.ok && handedOn({ code: shown.code, message: shown.why }), `the view offers no Refund while one is on its way: ${JSON.stringify(shown)}`);
  r.wallet();
  await r.first;
  await until('Alice reads her refund', () => p.alice.currentChannel()?.depositA === 0n);
  const after = p.alice.currentChannel()!.actions.refund;
  assert.ok(!after.ok && after.code === 'NOTHING_DEPOSITED', JSON.stringify(after));
});

withPair('a refund is not sent to a contract where a refund of ours landed while it waited for the wallet', async (p) => {
  await aliceAloneIn(p);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const real = p.chain.refund.bind(p.chain);
  let sent = 0;
  // Alice's checks are done; a refund of hers unknown to this node (sent from another machine with her key, say)
  // lands before this one is signed
  (p.chain as { refund: Refund }).refund = async (...a) => (await real(a[0], a[1]), sent++, real(...a));
  await assert.rejects(p.alice.refund(), (e: { code?: string; message?: string }) => e.code === 'NOTHING_DEPOSITED' && /nothing was sent/.test(e.message ?? ''));
  assert.equal(sent, 1, 'the node sent none of its own');
  const st = await p.chain.getChannelStatus(contract);
  assert.ok(st.status !== 'funding' || st.data.depositA === 0n);
});
