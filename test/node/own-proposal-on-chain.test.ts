// A partner who, instead of countersigning our proposal, sends it to the contract with our signature (the contract
// takes the sender's message as its consent): the contract pays as we proposed. The node says so, and a withdraw
// whose close state was paid out that way succeeds at once (it waited 15 s, then tried a close of its own and
// failed ALREADY_CLOSED; the payout was blamed on a backup "signed by both").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { World, until, type NodeHandle as WorldNode } from '../adversary/world.js';
import { waitForEvent } from '../../src/node/index.js';
import { TON } from '../helpers/nodes.js';

/** Alice (automatic) and Bob (by hand) at step 1 both signed, Alice to move. */
async function atStepOne(w: World): Promise<{ a: WorldNode; b: WorldNode; ch: string; contract: Address }> {
  const a = await w.node('alice', { period: 60 });
  const b = await w.node('bob', { autoMode: false, period: 60 });
  await w.link(a, b);
  const proposed = waitForEvent(b.node, 'channelProposed');
  const view = await a.node.open({ myDeposit: TON('3'), partnerDeposit: TON('4'), partner: b.node.getAccount() });
  await proposed;
  const ch = view.channelId;
  await b.node.deposit(undefined, { channel: ch });
  await until(() => b.node.channel(ch)?.pending?.step === 0n, 'Bob holds step 0', 60_000);
  await b.node.sign({ channel: ch });
  await until(() => a.node.channel(ch)?.latest?.step === 0n, 'Alice has step 0', 60_000);
  await b.node.createEmpty({ channel: ch });
  await until(() => a.node.channel(ch)?.latest?.step === 1n && a.node.channel(ch)!.myTurn, 'Alice has the turn', 30_000);
  return { a, b, ch, contract: Address.parse(view.contract) };
}

/** Bob's copy of Alice's proposal, as the contract takes it from Bob: Alice's signature (Bob's own is not read). */
function aliceOnly(b: WorldNode, ch: string, contract: Address) {
  const p = b.node.channel(ch)!.pending!;
  return { state: { tag: p.tag, channel: contract, step: p.step, balanceA: p.balanceA, balanceB: p.balanceB }, sigA: Buffer.from(p.sigA!, 'hex'), sigB: Buffer.alloc(64) };
}

test('a payment proposal of ours that the partner sent to the contract is told as ours, paid as proposed (not a backup "signed by both")', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const { a, b, ch, contract } = await atStepOne(w);
    await a.node.send(TON('1'), { channel: ch });
    await until(() => b.node.channel(ch)?.pending?.step === 2n, 'Bob holds step 2', 30_000);
    await w.chain.startClose(await w.chain.openWallet(b.keyPair), contract, aliceOnly(b, ch, contract));
    await until(() => a.node.channel(ch)?.phase === 'closing', 'Alice sees the close', 30_000);
    w.chain.advanceTime(61);
    const closed = await waitForEvent(a.node, 'closed', () => true, 60_000);
    assert.equal(closed.payout.step, 2n);
    assert.equal(closed.payout.balanceA, TON('2'));
    const said = a.events.filter((e: { type: string }) => e.type === 'log').map((e: unknown) => (e as { message: string }).message);
    assert.ok(said.some((m: string) => m.startsWith('the contract paid by step 2, a state you proposed: your partner sent it to the contract with your signature instead of signing it, so it paid as you proposed (you got 2 TON')), said.join('\n'));
    assert.ok(!said.some((m: string) => /restored from an older backup/.test(m)), said.join('\n'));
  } finally {
    await w.close();
  }
});

test('a withdraw whose close state the partner sent to the contract instead of signing it succeeds: paid out by it', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const { a, b, ch, contract } = await atStepOne(w);
    const progress: string[] = [];
    const withdraw = a.node.withdraw({ channel: ch, onProgress: (m: string) => void progress.push(m) });
    await until(() => b.node.channel(ch)?.pending?.tag === 'close', 'Bob holds the close state', 30_000);
    await w.chain.cooperativeClose(await w.chain.openWallet(b.keyPair), contract, aliceOnly(b, ch, contract));
    const r = await withdraw;
    assert.deepEqual({ mode: r.mode, step: r.step, payoutA: r.payoutA, payoutB: r.payoutB, fellBack: r.fellBack }, { mode: 'cooperative', step: 2n, payoutA: TON('3'), payoutB: TON('4'), fellBack: false });
    assert.ok(progress.includes('your partner sent your close state to the contract instead of signing it: the contract has paid out by it'), progress.join('\n'));
    assert.ok(!progress.some((m) => /not possible/.test(m)), progress.join('\n'));
  } finally {
    await w.close();
  }
});
