// `npm run gas`: runs the channel's whole lifecycle in @ton/sandbox and writes docs/gas.md with the gas
// (compute phase) and fees of every operation, next to the targets of DESIGN.md §8.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Blockchain, type BlockchainTransaction, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { fromNano, toNano, type Address, type Cell, type Transaction } from '@ton/core';
import { CHANNEL_CODE, CHANNEL_CODE_HASH, CHANNEL_FEES, ChannelContract, type ChannelConfig } from '../src/contract/index.js';
import { keyPairFromSeed, sign } from '../src/core/signer.js';
import { stateHash, type ChannelState } from '../src/core/state.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'docs', 'gas.md');

interface Row {
  op: string;
  gas: bigint;
  /** the contract transaction's total fees (storage + gas + action fees) */
  fees: bigint;
  /** forward fees of the contract's outgoing messages (beyond the action fees) */
  fwd: bigint;
  outMsgs: number;
  target?: { best: number; goal: number; label: string };
}

const TARGETS: Record<string, { best: number; goal: number; label: string }> = {
  deposit: { best: 7272, goal: 4350, label: 'deposit / top-up' },
  lock: { best: 9454, goal: 5650, label: 'open / init' },
  coop: { best: 10587, goal: 6350, label: 'cooperative close' },
  start: { best: 13416, goal: 8050, label: 'start unilateral close' },
  challenge: { best: 15078, goal: 9050, label: 'challenge' },
  finish: { best: 10339, goal: 6200, label: 'finish close' },
};

function dest(tx: Transaction): Address | undefined {
  const info = tx.inMessage?.info;
  return info?.type === 'internal' ? info.dest : undefined;
}

function measure(op: string, txs: BlockchainTransaction[], contract: Address, target?: keyof typeof TARGETS): Row {
  const tx = txs.find((t) => dest(t)?.equals(contract));
  if (!tx || tx.description.type !== 'generic' || tx.description.computePhase.type !== 'vm') throw new Error(`${op}: no compute phase on the contract`);
  const c = tx.description.computePhase;
  if (c.exitCode !== 0 || tx.description.aborted) throw new Error(`${op}: failed with exit code ${c.exitCode}`);
  let fwd = 0n;
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal') fwd += m.info.forwardFee;
  return { op, gas: c.gasUsed, fees: tx.totalFees.coins, fwd, outMsgs: tx.outMessages.size, target: target ? TARGETS[target] : undefined };
}

function codeSize(cell: Cell): { cells: number; bits: number } {
  const seen = new Set<string>();
  let bits = 0;
  const walk = (c: Cell) => {
    const h = c.hash().toString('hex');
    if (seen.has(h)) return;
    seen.add(h);
    bits += c.bits.length;
    c.refs.forEach(walk);
  };
  walk(cell);
  return { cells: seen.size, bits };
}

async function main(): Promise<void> {
  const bc = await Blockchain.create();
  const now = 1_700_000_000;
  bc.now = now;
  const a: SandboxContract<TreasuryContract> = await bc.treasury('a');
  const b = await bc.treasury('b');
  const ka = keyPairFromSeed(Buffer.alloc(32, 1));
  const kb = keyPairFromSeed(Buffer.alloc(32, 2));
  const period = 3600;
  const config = (channelId: bigint): ChannelConfig => ({
    publicKeyA: ka.publicKey, publicKeyB: kb.publicKey, addressA: a.address, addressB: b.address,
    channelId, challengePeriod: period, expectedDepositA: toNano('10'), expectedDepositB: toNano('10'),
  });
  const signed = (state: ChannelState) => {
    const h = stateHash(state);
    return { state, sigA: sign(h, ka.secretKey), sigB: sign(h, kb.secretKey) };
  };
  const rows: Row[] = [];

  // channel 1: deploy, deposits in parts, refund, lock, start close, challenge, finish
  const ch = bc.openContract(ChannelContract.createFromConfig(config(1n)));
  rows.push(measure('deploy (empty body, gas reserve only)', (await ch.sendDeploy(a.getSender(), { value: CHANNEL_FEES.deploy })).transactions, ch.address));
  rows.push(measure('deposit (A, partial)', (await ch.sendDeposit(a.getSender(), { amount: toNano('4') })).transactions, ch.address, 'deposit'));
  rows.push(measure('refund (A)', (await ch.sendRefund(a.getSender())).transactions, ch.address));
  rows.push(measure('deposit (A, full)', (await ch.sendDeposit(a.getSender(), { amount: toNano('10') })).transactions, ch.address, 'deposit'));
  rows.push(measure('deposit (B) that locks the channel (OPEN)', (await ch.sendDeposit(b.getSender(), { amount: toNano('10') })).transactions, ch.address, 'lock'));
  const s1: ChannelState = { tag: 'state', channel: ch.address, step: 10n, balanceA: toNano('12'), balanceB: toNano('8') };
  rows.push(measure('start_close (B, old state)', (await ch.sendStartClose(b.getSender(), signed(s1))).transactions, ch.address, 'start'));
  const s2: ChannelState = { ...s1, step: 20n, balanceA: toNano('15'), balanceB: toNano('5') };
  rows.push(measure('challenge (A, newer state)', (await ch.sendChallenge(a.getSender(), signed(s2))).transactions, ch.address, 'challenge'));
  bc.now = now + period;
  rows.push(measure('finish_close (2 payouts, destroy)', (await ch.sendFinishClose(a.getSender())).transactions, ch.address, 'finish'));

  // channel 2: deploy with A's deposit in the same message, B's deposit, cooperative close
  bc.now = now + period + 10;
  const ch2 = bc.openContract(ChannelContract.createFromConfig(config(2n)));
  rows.push(measure('deploy with A\'s deposit', (await ch2.sendDeploy(a.getSender(), { value: toNano('10') + CHANNEL_FEES.deploy, deposit: toNano('10') })).transactions, ch2.address, 'deposit'));
  rows.push(measure('deposit (B) that locks the channel (OPEN)', (await ch2.sendDeposit(b.getSender(), { amount: toNano('10') })).transactions, ch2.address, 'lock'));
  const c: ChannelState = { tag: 'close', channel: ch2.address, step: 7n, balanceA: toNano('9'), balanceB: toNano('11') };
  rows.push(measure('cooperative_close (2 payouts, destroy)', (await ch2.sendCooperativeClose(b.getSender(), signed(c))).transactions, ch2.address, 'coop'));
  const ch3 = bc.openContract(ChannelContract.createFromConfig(config(3n)));
  await ch3.sendDeploy(a.getSender(), { value: toNano('10') + CHANNEL_FEES.deploy, deposit: toNano('10') });
  await ch3.sendDeposit(b.getSender(), { amount: toNano('10') });
  const c3: ChannelState = { tag: 'close', channel: ch3.address, step: 7n, balanceA: toNano('20'), balanceB: 0n };
  rows.push(measure('cooperative_close (all to A: 1 payout, destroy)', (await ch3.sendCooperativeClose(b.getSender(), signed(c3))).transactions, ch3.address, 'coop'));

  const size = codeSize(CHANNEL_CODE);
  const ton = (n: bigint) => fromNano(n);
  const lines: string[] = [];
  lines.push('# Gas and fees of the channel contract');
  lines.push('');
  lines.push('Written by `npm run gas` (scripts/gas.ts): the whole lifecycle run in `@ton/sandbox` (its default');
  lines.push('basechain config), gas of the contract\'s compute phase per operation. Do not edit by hand.');
  lines.push('');
  lines.push(`Code: ${size.cells} cells, ${size.bits} bits, hash \`${CHANNEL_CODE_HASH}\`.`);
  lines.push('');
  lines.push('| operation | gas used | target (DESIGN §8) | best public | contract fees (TON) | fwd fees of payouts (TON) | out msgs |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const t = r.target ? `<= ${r.target.goal.toLocaleString('en-US')} ${Number(r.gas) <= r.target.goal ? 'met' : '**missed**'}` : '';
    const best = r.target ? r.target.best.toLocaleString('en-US') : '';
    lines.push(`| ${r.op} | ${Number(r.gas).toLocaleString('en-US')} | ${t} | ${best} | ${ton(r.fees)} | ${ton(r.fwd)} | ${r.outMsgs} |`);
  }
  lines.push('');
  lines.push('Notes');
  lines.push('');
  lines.push('- "contract fees" is the contract transaction\'s `total_fees` (gas + storage + the action part of');
  lines.push('  forward fees); the payouts\' remaining forward fees are in the next column. B\'s payout is sent with');
  lines.push('  mode 1, so B receives exactly `balance_b`; A receives everything left (its balance plus the gas');
  lines.push('  reserve) with mode 128+32, which destroys the account.');
  lines.push('- "open / init" of the public contracts is a separate init message; here the channel locks inside the');
  lines.push('  deposit that meets both expected deposits, so that deposit is compared with it.');
  lines.push('- Suggested attached values (`CHANNEL_FEES`): ' + Object.entries(CHANNEL_FEES).map(([k, v]) => `${k} ${ton(v)}`).join(', ') + ' TON.');
  lines.push('');
  writeFileSync(OUT, lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
