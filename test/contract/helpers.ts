// Shared scenario helpers of the contract tests (not a test file itself).
import assert from 'node:assert/strict';
import { Blockchain, type BlockchainTransaction, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { Address, contractAddress, toNano, type Cell, type Transaction } from '@ton/core';
import { CHANNEL_CODE, CHANNEL_CODE_V2, CHANNEL_CODE_V3, ChannelContract, OP_CHANGE, OP_PAID_A, OP_PAID_B, type ChannelConfig, type ChannelStatus, type SignedStateInput, rawConfigToCell } from '../../src/contract/index.js';
import { keyPairFromSeed, sign, type KeyPair } from '../../src/core/signer.js';
import { stateHash, type ChannelState } from '../../src/core/state.js';

export const NOW = 1_700_000_000;
export const PERIOD = 3600;
export const DEP_A = toNano('5');
export const DEP_B = toNano('3');
export const TOTAL = DEP_A + DEP_B;

export interface World {
  bc: Blockchain;
  a: SandboxContract<TreasuryContract>;
  b: SandboxContract<TreasuryContract>;
  stranger: SandboxContract<TreasuryContract>;
  ka: KeyPair;
  kb: KeyPair;
  config: ChannelConfig;
  channel: SandboxContract<ChannelContract>;
}

let base: { bc: Blockchain; snapshot: ReturnType<Blockchain['snapshot']> } | undefined;

/** One blockchain per test file, restored to the same snapshot (treasuries funded, time NOW) for every world. */
export function makeWorld(overrides: Partial<ChannelConfig> = {}): Promise<World> {
  return worldWith(overrides, (config) => ChannelContract.createFromConfig(config));
}

/** As makeWorld with contract v2's code (the channels opened before v3 run it). */
export function v2World(overrides: Partial<ChannelConfig> = {}): Promise<World> {
  return worldWith(overrides, (config) => ChannelContract.createFromConfig(config, CHANNEL_CODE_V2));
}

/** As makeWorld with contract v3's code (the channels opened before v4 run it). */
export function v3World(overrides: Partial<ChannelConfig> = {}): Promise<World> {
  return worldWith(overrides, (config) => ChannelContract.createFromConfig(config, CHANNEL_CODE_V3));
}

/** As makeWorld for a config the wrapper refuses (the contract must refuse it too): built from raw storage. */
export function rawWorld(overrides: Partial<ChannelConfig>): Promise<World & { init: { code: Cell; data: Cell } }> {
  let init!: { code: Cell; data: Cell };
  return worldWith(overrides, (config) => {
    init = { code: CHANNEL_CODE, data: rawConfigToCell(config) };
    return new ChannelContract(contractAddress(0, init), init);
  }).then((w) => ({ ...w, init }));
}

async function worldWith(overrides: Partial<ChannelConfig>, make: (config: ChannelConfig) => ChannelContract): Promise<World> {
  if (!base) {
    const bc = await Blockchain.create();
    bc.now = NOW;
    for (const name of ['party-a', 'party-b', 'stranger']) await bc.treasury(name);
    base = { bc, snapshot: bc.snapshot() };
  }
  const bc = base.bc;
  await bc.loadFrom(base.snapshot);
  bc.now = NOW;
  const a = await bc.treasury('party-a');
  const b = await bc.treasury('party-b');
  const stranger = await bc.treasury('stranger');
  const ka = keyPairFromSeed(Buffer.alloc(32, 0xa1));
  const kb = keyPairFromSeed(Buffer.alloc(32, 0xb2));
  const config: ChannelConfig = {
    publicKeyA: ka.publicKey,
    publicKeyB: kb.publicKey,
    addressA: a.address,
    addressB: b.address,
    channelId: 0x1234_5678_9abc_def0n,
    challengePeriod: PERIOD,
    expectedDepositA: DEP_A,
    expectedDepositB: DEP_B,
    ...overrides,
  };
  const channel = bc.openContract(make(config));
  return { bc, a, b, stranger, ka, kb, config, channel };
}

/** Deploys with A's deposit, then B's deposit: the channel is OPEN. */
export async function openWorld(overrides: Partial<ChannelConfig> = {}): Promise<World> {
  const w = await makeWorld(overrides);
  expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: w.config.expectedDepositA + toNano('0.05'), deposit: w.config.expectedDepositA }), w.channel.address);
  expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: w.config.expectedDepositB }), w.channel.address);
  return w;
}

export function signBoth(w: Pick<World, 'ka' | 'kb'>, state: ChannelState): SignedStateInput {
  const h = stateHash(state);
  return { state, sigA: sign(h, w.ka.secretKey), sigB: sign(h, w.kb.secretKey) };
}

export function st(w: World, step: bigint, balanceA: bigint, balanceB: bigint, tag: 'state' | 'close' = 'state', channel?: Address): ChannelState {
  return { tag, channel: channel ?? w.channel.address, step, balanceA, balanceB };
}

export function dest(tx: Transaction): Address | undefined {
  const info = tx.inMessage?.info;
  return info?.type === 'internal' ? info.dest : undefined;
}

/** The transaction of `address` processing the message sent to it first in this result. */
export function txOn(txs: BlockchainTransaction[], address: Address): BlockchainTransaction {
  const tx = txs.find((t) => dest(t)?.equals(address));
  assert.ok(tx, `no transaction on ${address.toString()}`);
  return tx;
}

export function compute(tx: Transaction): { exitCode: number; gasUsed: bigint; success: boolean } | null {
  if (tx.description.type !== 'generic') return null;
  const c = tx.description.computePhase;
  if (c.type !== 'vm') return null;
  return { exitCode: c.exitCode, gasUsed: c.gasUsed, success: c.success };
}

export function expectOk(r: { transactions: BlockchainTransaction[] }, contract: Address): BlockchainTransaction {
  const tx = txOn(r.transactions, contract);
  const c = compute(tx);
  assert.ok(c, 'compute phase skipped');
  assert.equal(c.exitCode, 0, `expected success, got exit code ${c.exitCode}`);
  assert.equal(tx.description.type === 'generic' && tx.description.aborted, false, 'transaction aborted');
  return tx;
}

/** The contract's transaction failed with `exitCode`, changed nothing and bounced the value back to `from`. */
export function expectExit(r: { transactions: BlockchainTransaction[] }, contract: Address, exitCode: number, from: Address): void {
  const tx = txOn(r.transactions, contract);
  const c = compute(tx);
  assert.ok(c, 'compute phase skipped');
  assert.equal(c.exitCode, exitCode, `expected exit code ${exitCode}, got ${c.exitCode}`);
  assert.equal(tx.description.type === 'generic' && tx.description.aborted, true, 'a failed transaction must abort');
  const bounce = tx.outMessages.values().find((m) => m.info.type === 'internal' && m.info.bounced);
  assert.ok(bounce && bounce.info.type === 'internal' && bounce.info.dest.equals(from), 'the value must bounce back to the sender');
}

export function outValue(tx: Transaction, to: Address): bigint {
  let sum = 0n;
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal' && m.info.dest.equals(to)) sum += m.info.value.coins;
  return sum;
}

export function inValue(tx: Transaction): bigint {
  const info = tx.inMessage?.info;
  return info?.type === 'internal' ? info.value.coins : 0n;
}

/** Everything a transaction took from its account besides the values it sent: fees plus forward fees. */
export function costs(tx: Transaction): bigint {
  let fwd = 0n;
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal') fwd += m.info.forwardFee;
  return tx.totalFees.coins + fwd;
}

export async function balance(w: World, address: Address): Promise<bigint> {
  return (await w.bc.getContract(address)).balance;
}

/** Net change of `address`'s balance over these transactions, computed from the transactions alone. */
export function netChange(txs: Transaction[], address: Address): bigint {
  let d = 0n;
  for (const tx of txs) {
    if (!dest(tx)?.equals(address) && !(tx.inMessage?.info.type === 'external-in' && tx.inMessage.info.dest.equals(address))) continue;
    d += inValue(tx);
    for (const m of tx.outMessages.values()) if (m.info.type === 'internal') d -= m.info.value.coins;
    d -= costs(tx);
  }
  return d;
}

export async function accountType(w: World): Promise<string> {
  return (await w.bc.getContract(w.channel.address)).accountState?.type ?? 'none';
}

/** The storage cell's hash (the whole live state of the channel). */
export async function dataHash(w: World): Promise<string> {
  const acc = (await w.bc.getContract(w.channel.address)).accountState;
  assert.ok(acc?.type === 'active' && acc.state.data);
  return acc.state.data.hash().toString('hex');
}

/** Storage fees the transaction collected from its account. */
export function storageFee(tx: Transaction): bigint {
  const d = tx.description;
  return d.type === 'generic' && d.storagePhase ? d.storagePhase.storageFeesCollected : 0n;
}

/** The 32-bit tag of an outgoing message's body (payA, payB, chng), or null. */
export function tagOf(body: import('@ton/core').Cell): number | null {
  const s = body.beginParse();
  return s.remainingBits >= 32 ? s.preloadUint(32) : null;
}

/** A payout transaction's messages by tag: values sent as payA, payB and chng, with their destinations. */
export function payouts(tx: Transaction): { paidA: bigint; paidB: bigint; change: bigint; changeTo: Address | null; count: number } {
  let paidA = 0n;
  let paidB = 0n;
  let change = 0n;
  let changeTo: Address | null = null;
  for (const m of tx.outMessages.values()) {
    if (m.info.type !== 'internal') continue;
    const tag = tagOf(m.body);
    if (tag === OP_PAID_A) paidA += m.info.value.coins;
    else if (tag === OP_PAID_B) paidB += m.info.value.coins;
    else if (tag === OP_CHANGE) {
      change += m.info.value.coins;
      changeTo = m.info.dest;
    }
  }
  return { paidA, paidB, change, changeTo, count: tx.outMessages.size };
}

/** The documented shares: of B0 (the balance before the message, after storage), A gets balanceA + R/2 clamped, B the rest. */
export function expectedShares(b0: bigint, deposits: bigint, balanceA: bigint): { shareA: bigint; shareB: bigint } {
  const available = b0 < 0n ? 0n : b0;
  let shareA = balanceA + ((available - deposits) >> 1n);
  if (shareA < 0n) shareA = 0n;
  if (shareA > available) shareA = available;
  return { shareA, shareB: available - shareA };
}

export async function status(w: World): Promise<ChannelStatus> {
  return w.channel.getChannelStatus();
}

export interface Before {
  contract: bigint;
  a: bigint;
  b: bigint;
}

export async function balancesBefore(w: World): Promise<Before> {
  return { contract: await balance(w, w.channel.address), a: await balance(w, w.a.address), b: await balance(w, w.b.address) };
}

/**
 * Checks a payout transaction against the documented rule: of B0 (the contract's balance before the message,
 * after its storage fee) A's share is balanceA + R/2 clamped, B's the rest; the party that did not send gets
 * its share exactly, the sender everything else; nothing stays; the account stays active, CLOSED, with
 * `paid` as its record. `deposits` defaults to the expected ones. Returns the shares.
 */
export async function checkPayout(
  w: World,
  txs: BlockchainTransaction[],
  before: Before,
  paid: { step: bigint | null; balanceA: bigint; balanceB: bigint },
  sender: Address,
  deposits = TOTAL_OF(w),
): Promise<{ shareA: bigint; shareB: bigint }> {
  const ctx = txOn(txs, w.channel.address);
  const { shareA, shareB } = expectedShares(before.contract - storageFee(ctx), deposits, paid.balanceA);
  const p = payouts(ctx);
  const byA = sender.equals(w.a.address);
  const byB = sender.equals(w.b.address);
  // every coin leaves: the payouts plus the transaction's costs are the balance plus the message value
  let sent = 0n;
  for (const m of ctx.outMessages.values()) if (m.info.type === 'internal') sent += m.info.value.coins;
  assert.equal(sent + costs(ctx), before.contract + inValue(ctx), 'the whole balance leaves');
  assert.equal(await balance(w, w.channel.address), 0n);
  assert.ok(p.changeTo?.equals(sender), 'the rest goes to the sender');
  if (byA) {
    assert.equal(p.paidB, shareB, 'B (not the sender) gets exactly its share');
    assert.equal(p.paidA, 0n);
    assert.ok(p.change >= shareA - costs(ctx) && p.change <= shareA + inValue(ctx), 'A gets its share and its change');
  } else if (byB) {
    assert.equal(p.paidA, shareA, 'A (not the sender) gets exactly its share');
    assert.equal(p.paidB, 0n);
    assert.ok(p.change >= shareB - costs(ctx) && p.change <= shareB + inValue(ctx), 'B gets its share and its change');
  } else {
    assert.equal(p.paidA, shareA);
    assert.equal(p.paidB, shareB);
    assert.ok(p.change < inValue(ctx), 'a third party gets only its change');
  }
  assert.equal(await accountType(w), 'active', 'the account stays (CLOSED), so the address cannot be deployed again');
  const s = await w.channel.getChannelStatus();
  assert.equal(s.status, 'closed');
  if (s.status === 'closed') assert.deepEqual({ step: s.paid.step, balanceA: s.paid.balanceA, balanceB: s.paid.balanceB }, paid);
  // wallets: measured balances equal what the transactions say
  assert.equal((await balance(w, w.a.address)) - before.a, netChange(txs, w.a.address));
  assert.equal((await balance(w, w.b.address)) - before.b, netChange(txs, w.b.address));
  return { shareA, shareB };
}

function TOTAL_OF(w: World): bigint {
  return w.config.expectedDepositA + w.config.expectedDepositB;
}

/** The refund part of a refund's reply: its value less what came back of the message's own value. */
export async function refunded(w: World, who: SandboxContract<TreasuryContract>): Promise<bigint> {
  const r = await w.channel.sendRefund(who.getSender());
  const tx = expectOk(r, w.channel.address);
  const d = tx.description;
  assert.ok(d.type === 'generic' && d.actionPhase?.success && d.computePhase.type === 'vm', 'the refund is paid');
  const out = [...tx.outMessages.values()][0]!;
  const info = tx.inMessage?.info;
  assert.ok(out.info.type === 'internal' && info?.type === 'internal');
  // the message carries the refund and the rest of the incoming value (mode 64; the last deposit's, mode 128, all
  // the contract held), less the gas and the forward fee
  return out.info.value.coins + (d.actionPhase.totalFwdFees ?? 0n) + d.computePhase.gasFees - info.value.coins;
}
