// A partner's proposal asks a deposit this wallet cannot pay: the CLI says so with the proposal (read once, 3 s at
// most), not only when `deposit` fails. Real nodes on a sandbox chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import type { Io } from '../../src/cli/repl.js';
import { formatTon } from '../../src/core/amounts.js';
import { closePair, openPair, TON, until } from '../helpers/nodes.js';

test("a proposal this wallet cannot fund says so with it: what the wallet holds, and to top it up or decline", async () => {
  const p = await openPair();
  try {
    const said: string[] = [];
    const io: Io = { json: false, interactive: false, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    printEvents(Object.assign(p.bob, { keyCreated: false }) as StartedNode, 'sandbox', p.dir, io);
    const wallet = await p.bob.balanceTon();
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: wallet + TON('1') });
    const note = await until('the note', () => said.find((l) => l.startsWith('Note: ')));
    const proposed = said.findIndex((l) => l.includes('Your partner proposes a channel'));
    assert.ok(proposed >= 0 && proposed < said.indexOf(note), said.join('\n'));
    const fees = p.bob.depositFees();
    assert.equal(
      note,
      `Note: your wallet holds ${formatTon(wallet)} TON now, less than the ${formatTon(wallet + TON('1'))} TON this proposal asks you to deposit and about ${formatTon(fees)} TON for fees and a close, kept in the wallet so you can always leave the channel alone: top it up before you accept it (\`faucet\`), or decline it (\`decline\`)`,
    );
    // a proposal within the wallet's means: no note
    const before = said.length;
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await until('the second proposal', () => said.slice(before).some((l) => l.includes('Your partner proposes a channel')));
    await new Promise((r) => setTimeout(r, 500)); // where a note would come
    assert.deepEqual(said.slice(before).filter((l) => l.startsWith('Note: ')), []);
  } finally {
    await closePair(p);
  }
});

test('a proposal from a node on another chain says so with it, before deposit refuses it', async () => {
  const { SandboxChain } = await import('../../src/chain/SandboxChain.js');
  const other = await SandboxChain.create();
  const p = await openPair({ bobChain: other });
  try {
    const said: string[] = [];
    const io: Io = { json: false, interactive: false, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    printEvents(Object.assign(p.bob, { keyCreated: false }) as StartedNode, 'sandbox', p.dir, io);
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    const note = await until('the note', () => said.find((l) => l.startsWith('Note: ')));
    assert.match(note, /^Note: your partner's wallet \S+ holds nothing on sandbox: their node runs on another chain than yours \(both must use the same --chain\)/);
  } finally {
    await closePair(p);
    await other.close();
  }
});

test("a proposal note never fails: a partner address the chain layer refuses at once gives no note (the extension's notice waited on it and never showed)", async () => {
  const { proposalNote } = await import('../../src/node/uiRules.js');
  const node = {
    network: 'sandbox' as const,
    depositFees: () => 1n,
    balanceTon: (address?: string) => {
      if (address) throw new Error(`${address} is not an address`);
      return Promise.resolve(TON('100'));
    },
    balanceTonDue: (address?: string) => {
      if (address) throw new Error(`${address} is not an address`);
      return Promise.resolve({ balance: TON('100'), storageDue: 0n });
    },
  };
  const ch = { me: 'B' as const, expectedDepositA: TON('3'), expectedDepositB: TON('4'), partnerAddress: '0QfakePartner' };
  assert.equal(await proposalNote(node, ch), null);
});

test('a proposal note counts the storage fee the wallet pays first: a balance that covers the deposit only before it is short', async () => {
  const { ownShort } = await import('../../src/node/uiRules.js');
  const fees = TON('0.1');
  const node = (storageDue: bigint | null) => ({ network: 'sandbox' as const, depositFees: () => fees, balanceTon: async () => TON('4.1') + 5n, balanceTonDue: async () => ({ balance: TON('4.1') + 5n, storageDue }) });
  const ch = { me: 'B' as const, expectedDepositA: TON('3'), expectedDepositB: TON('4') };
  assert.match((await ownShort(node(TON('0.002')), ch)) ?? '', /^your wallet holds 4\.100000005 TON now \(0\.002 TON of it is the storage fee due, which the chain takes first\), less than the 4 TON/);
  assert.equal(await ownShort(node(5n), ch), null, 'the fee due left what the deposit needs');
  assert.equal(await ownShort(node(null), ch), null, 'a fee the endpoint does not say is not guessed');
});
