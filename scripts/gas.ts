// `npm run gas`: runs the channel's whole lifecycle in @ton/sandbox and writes docs/gas.md: the gas (compute
// phase) and fees of every operation next to the targets (half the best public payment-channel contract),
// and what storage costs: how long a reserve lasts, how long a closed channel's account stays.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Blockchain, type BlockchainTransaction, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { fromNano, toNano, type Address, type Cell, type Transaction } from '@ton/core';
import { configParse18, configParseGasLimitsPrices, loadConfigParamsAsSlice } from '@ton/ton';
import { CHANNEL_CODE, CHANNEL_CODE_HASH, CHANNEL_FEES, ChannelContract, DEPOSIT_FEE, MIN_PAYOUT_VALUE, type ChannelConfig } from '../src/contract/index.js';
import { keyPairFromSeed, sign } from '../src/core/signer.js';
import { stateHash, type ChannelState } from '../src/core/state.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'docs', 'gas.md');
const YEAR = 365 * 24 * 3600;

interface Target {
  best: number;
  label: string;
}
interface Row {
  op: string;
  gas: bigint;
  /** the contract transaction's total fees (storage + gas + action fees) */
  fees: bigint;
  /** forward fees of the contract's outgoing messages (beyond the action fees) */
  fwd: bigint;
  outMsgs: number;
  target?: Target;
}

const TARGETS = {
  deposit: { best: 7272, label: 'deposit' },
  lock: { best: 9454, label: 'open / init' },
  coop: { best: 10587, label: 'cooperative close' },
  start: { best: 13416, label: 'start close' },
  challenge: { best: 15078, label: 'challenge' },
  finish: { best: 10339, label: 'finish close' },
} satisfies Record<string, Target>;

function dest(tx: Transaction): Address | undefined {
  const info = tx.inMessage?.info;
  return info?.type === 'internal' ? info.dest : undefined;
}

function measure(op: string, r: { transactions: BlockchainTransaction[] }, contract: Address, target?: Target): Row {
  const tx = r.transactions.find((t) => dest(t)?.equals(contract));
  if (!tx || tx.description.type !== 'generic' || tx.description.computePhase.type !== 'vm') throw new Error(`${op}: no compute phase on the contract`);
  const c = tx.description.computePhase;
  if (c.exitCode !== 0 || tx.description.aborted) throw new Error(`${op}: failed with exit code ${c.exitCode}`);
  let fwd = 0n;
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal') fwd += m.info.forwardFee;
  return { op, gas: c.gasUsed, fees: tx.totalFees.coins, fwd, outMsgs: tx.outMessages.size, target };
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

interface World {
  bc: Blockchain;
  a: SandboxContract<TreasuryContract>;
  b: SandboxContract<TreasuryContract>;
  c: SandboxContract<TreasuryContract>;
  config(channelId: bigint): ChannelConfig;
  open(id: bigint): Promise<SandboxContract<ChannelContract>>;
  signed(state: ChannelState): { state: ChannelState; sigA: Buffer; sigB: Buffer };
}

async function world(): Promise<World> {
  const bc = await Blockchain.create();
  bc.now = 1_700_000_000;
  const a = await bc.treasury('a');
  const b = await bc.treasury('b');
  const c = await bc.treasury('c');
  const ka = keyPairFromSeed(Buffer.alloc(32, 1));
  const kb = keyPairFromSeed(Buffer.alloc(32, 2));
  const config = (channelId: bigint): ChannelConfig => ({
    publicKeyA: ka.publicKey, publicKeyB: kb.publicKey, addressA: a.address, addressB: b.address,
    channelId, challengePeriod: 3600, expectedDepositA: toNano('10'), expectedDepositB: toNano('10'),
  });
  const open = async (id: bigint) => {
    const ch = bc.openContract(ChannelContract.createFromConfig(config(id)));
    await ch.sendDeploy(a.getSender(), { value: toNano('10') + DEPOSIT_FEE, deposit: toNano('10') });
    await ch.sendDeposit(b.getSender(), { amount: toNano('10') });
    return ch;
  };
  const signed = (state: ChannelState) => {
    const h = stateHash(state);
    return { state, sigA: sign(h, ka.secretKey), sigB: sign(h, kb.secretKey) };
  };
  return { bc, a, b, c, config, open, signed };
}

/** Every operation once (and each payout by A, by B and by a third party). */
async function lifecycle(w: World): Promise<{ rows: Row[]; reserve: bigint; open: Address; closing: Address; closed: Address }> {
  const { bc, a, b, c } = w;
  const rows: Row[] = [];
  const ch = bc.openContract(ChannelContract.createFromConfig(w.config(1n)));
  rows.push(measure('deploy with A\'s deposit (4 TON)', await ch.sendDeploy(a.getSender(), { value: toNano('4') + DEPOSIT_FEE, deposit: toNano('4') }), ch.address, TARGETS.deposit));
  rows.push(measure('refund (A)', await ch.sendRefund(a.getSender()), ch.address));
  rows.push(measure('deposit (A, 10 TON, does not lock)', await ch.sendDeposit(a.getSender(), { amount: toNano('10') }), ch.address, TARGETS.deposit));
  rows.push(measure('deposit (B) that locks the channel (OPEN)', await ch.sendDeposit(b.getSender(), { amount: toNano('10') }), ch.address, TARGETS.lock));
  rows.push(measure('top_up (a gift to the reserve)', await ch.sendTopUp(c.getSender(), { value: toNano('0.01') }), ch.address));
  rows.push(measure('plain transfer (empty body: sent back)', await c.send({ to: ch.address, value: toNano('0.5'), bounce: true }), ch.address));
  const s1: ChannelState = { tag: 'state', channel: ch.address, step: 10n, balanceA: toNano('12'), balanceB: toNano('8') };
  rows.push(measure('start_close (B, old state; change back)', await ch.sendStartClose(b.getSender(), w.signed(s1)), ch.address, TARGETS.start));
  rows.push(measure('challenge (A, newer state; change back)', await ch.sendChallenge(a.getSender(), w.signed({ ...s1, step: 20n, balanceA: toNano('15'), balanceB: toNano('5') })), ch.address, TARGETS.challenge));
  rows.push(measure('challenge (third party: both signatures)', await ch.sendChallenge(c.getSender(), w.signed({ ...s1, step: 21n })), ch.address));
  bc.now = (bc.now ?? 0) + 3600;
  rows.push(measure('finish_close (A: payout to B, rest to A)', await ch.sendFinishClose(a.getSender()), ch.address, TARGETS.finish));
  const ex = await w.open(2n);
  rows.push(measure('exit (A, no state; change back)', await ex.sendExit(a.getSender()), ex.address, TARGETS.start));
  bc.now = (bc.now ?? 0) + 3600;
  rows.push(measure('finish_close of the exit (B: payout to A, rest to B)', await ex.sendFinishClose(b.getSender()), ex.address, TARGETS.finish));
  const ex3 = await w.open(3n);
  await ex3.sendExit(b.getSender());
  bc.now = (bc.now ?? 0) + 3600;
  rows.push(measure('finish_close (third party: 2 payouts + change)', await ex3.sendFinishClose(c.getSender()), ex3.address));
  for (const [who, sender, id] of [['A', a, 4n], ['B', b, 5n], ['third party', c, 6n]] as const) {
    const co = await w.open(id);
    const close: ChannelState = { tag: 'close', channel: co.address, step: 7n, balanceA: toNano('9'), balanceB: toNano('11') };
    rows.push(measure(`cooperative_close (${who})`, await co.sendCooperativeClose(sender.getSender(), w.signed(close)), co.address, who === 'third party' ? undefined : TARGETS.coop));
  }
  const open = await w.open(7n);
  const reserve = (await bc.getContract(open.address)).balance - toNano('20');
  const closing = await w.open(8n);
  await closing.sendExit(a.getSender());
  return { rows, reserve, open: open.address, closing: closing.address, closed: ch.address };
}

interface StorageFigures {
  bitPrice: bigint;
  cellPrice: bigint;
  freezeDue: bigint;
  deleteDue: bigint;
  accounts: { label: string; cells: bigint; bits: bigint; perYear: bigint }[];
}

async function storage(bc: Blockchain, accounts: [string, Address][]): Promise<StorageFigures> {
  const params = loadConfigParamsAsSlice(bc.config.toBoc().toString('base64'));
  const prices = configParse18(params.get(18)).at(-1);
  const gas = configParseGasLimitsPrices(params.get(21));
  if (!prices || gas.other.freezeDueLimit === undefined) throw new Error('basechain storage prices or due limits missing from the config');
  const out: StorageFigures['accounts'] = [];
  for (const [label, address] of accounts) {
    const used = (await bc.getContract(address)).account.account?.storageStats.used;
    if (!used) throw new Error(`${label}: no account`);
    const perYear = ((used.bits * prices.bit_price_ps + used.cells * prices.cell_price_ps) * BigInt(YEAR)) / 65536n;
    out.push({ label, cells: used.cells, bits: used.bits, perYear });
  }
  return { bitPrice: prices.bit_price_ps, cellPrice: prices.cell_price_ps, freezeDue: gas.other.freezeDueLimit, deleteDue: gas.other.deleteDueLimit, accounts: out };
}

const ton = (n: bigint) => fromNano(n);
const years = (amount: bigint, perYear: bigint) => (Number(amount) / Number(perYear)).toFixed(1);
const fmt = (n: bigint | number) => Number(n).toLocaleString('en-US');

function renderGas(rows: Row[]): string[] {
  const lines = ['| operation | gas used | target (50% of best public) | best public | contract fees (TON) | fwd fees of its messages (TON) | out msgs |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const goal = r.target ? Math.floor(r.target.best / 2) : undefined;
    const t = goal !== undefined ? `<= ${fmt(goal)} ${Number(r.gas) <= goal ? 'met' : '**missed**'}` : '';
    lines.push(`| ${r.op} | ${fmt(r.gas)} | ${t} | ${r.target ? `${fmt(r.target.best)} (${r.target.label})` : ''} | ${ton(r.fees)} | ${ton(r.fwd)} | ${r.outMsgs} |`);
  }
  return lines;
}

function renderStorage(s: StorageFigures, reserve: bigint): string[] {
  const open = s.accounts[0]!;
  const closed = s.accounts.at(-1)!;
  const lines = [
    `Basechain prices from the sandbox config (param 18): ${s.bitPrice} per bit and ${s.cellPrice} per cell, in 2^-16 nanoton per second;`,
    `param 21: freeze_due_limit ${ton(s.freezeDue)} TON, delete_due_limit ${ton(s.deleteDue)} TON. Measured accounts (code + storage):`,
    '',
    '| account | cells | bits | storage per year (TON) |',
    '|---|---:|---:|---:|',
    ...s.accounts.map((a) => `| ${a.label} | ${a.cells} | ${fmt(a.bits)} | ${ton(a.perYear)} |`),
    '',
    `How long the reserve pays the storage of an open channel (${ton(open.perYear)} TON a year), after which the deposits pay it, shared evenly:`,
    '',
    '| reserve (TON) | years |',
    '|---:|---:|',
    `| ${ton(reserve)} (two deposits' DEPOSIT_FEE, less their gas) | ${years(reserve, open.perYear)} |`,
    ...[toNano('0.05'), toNano('0.1'), toNano('1')].map((r) => `| ${ton(r)} | ${years(r, open.perYear)} |`),
    '',
    'A top_up (from anyone) extends it. A channel whose balance is all gone runs into a storage',
    `debt; past ${ton(s.freezeDue)} TON of debt it freezes (sendUnfreeze: a message with its frozen state init and the debt).`,
    `A closed channel keeps its account with a zero balance (${ton(closed.perYear)} TON a year): it freezes after`,
    `${years(s.freezeDue, closed.perYear)} years and is deleted after ${years(s.deleteDue, closed.perYear)} years; until then the address cannot be deployed again.`,
  ];
  return lines;
}

async function main(): Promise<void> {
  const w = await world();
  const { rows, reserve, open, closing, closed } = await lifecycle(w);
  const s = await storage(w.bc, [['open channel', open], ['closing (exit record)', closing], ['closed (paid state as storage)', closed]]);
  const size = codeSize(CHANNEL_CODE);
  const lines = [
    '# Gas and fees of the channel contract',
    '',
    'Written by `npm run gas` (scripts/gas.ts): the lifecycle run in `@ton/sandbox` (its default basechain config),',
    'gas of the contract\'s compute phase per operation. Do not edit by hand.',
    '',
    `Code: ${size.cells} cells, ${fmt(size.bits)} bits, hash \`${CHANNEL_CODE_HASH}\`.`,
    '',
    ...renderGas(rows),
    '',
    'Notes',
    '',
    '- Targets are half the best public contract\'s figure for the same operation; exit is held to start close\'s.',
    '  "open / init" of the public contracts is a separate message; here the channel locks inside the deposit that',
    '  meets both expected deposits. Third-party variants (both signatures checked, both shares sent) have no target.',
    '- Who pays what: a deposit carries exactly DEPOSIT_FEE above its amount (more comes back, "chng"); the fee pays',
    '  its gas and the rest joins the reserve. start_close, exit and challenge send the sender its change back. A',
    '  payout (cooperative_close, finish_close) needs MIN_PAYOUT_VALUE; of the balance before it, less the deposits',
    '  (the reserve R), A gets balance_a + R/2 and B the rest (clamped at 0 once storage ate into the deposits).',
    '  The party that did not send it gets its share exactly (mode 1, even 0), the sender all the rest (mode 128):',
    '  its own share and its change. Nobody receives the other\'s money: see test/contract/money.test.ts.',
    '- A party\'s own message is its consent: from A only B\'s signature is checked, from B only A\'s.',
    '- The code\'s root is onInternalMessage behind one `11 THROWIF` instead of the compiler\'s method dictionary',
    '  and bounced filter (scripts/compile-contract.ts): 212 gas less on every message. No get-methods: the wrapper',
    '  reads the storage (getChannelStatus).',
    '- "contract fees" is the transaction\'s `total_fees` (gas + storage + the action part of forward fees).',
    `- Values the chain layer attaches (\`CHANNEL_FEES\`): ${Object.entries(CHANNEL_FEES).map(([k, v]) => `${k} ${ton(v)}`).join(', ')} TON;`,
    `  DEPOSIT_FEE ${ton(DEPOSIT_FEE)}, MIN_PAYOUT_VALUE ${ton(MIN_PAYOUT_VALUE)} TON.`,
    '',
    '## Storage',
    '',
    ...renderStorage(s, reserve),
    '',
  ];
  writeFileSync(OUT, lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
