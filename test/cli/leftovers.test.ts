// The leftovers of a careless operator's user check of the CLI, on real nodes (one sandbox chain, p2p on
// 127.0.0.1): a usage error's "(type help for the commands)" came or not by the word after its colon; the advice
// of getSmartContractAccount with no partner and of deposit with no channel; open's deposit over the contract's
// limit got an amount hint that read oddly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runLine, type Io } from '../../src/cli/repl.js';
import { createNode } from '../../src/node/index.js';
import { newKeyPair } from '../../src/core/signer.js';
import { closePair, openPair, type Pair, type TestNode } from '../helpers/nodes.js';

let p: Pair;
/** a node with no partner and no channel, on the pair's chain */
let alone: TestNode;

before(async () => {
  p = await openPair();
  alone = await createNode({ ...p.common, dataDir: join(p.dir, 'alone'), key: { keyPair: newKeyPair() } });
});
after(async () => {
  await alone.stop().catch(() => undefined);
  await closePair(p);
});

/** What one line prints in text mode (and its --json error, `json`). */
async function said(line: string, node: TestNode, json = false): Promise<string[]> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: (o) => out.push(JSON.stringify(o)), ask: async () => null, json, interactive: false };
  await runLine(line, node, io);
  return out;
}

test("a usage error is told the same way whatever word follows its colon: never the trailer '(type help for the commands)'", async () => {
  // 'withdraw --force' had no trailer ("withdraw" after the colon read as an instruction), 'open … --perod' had one
  for (const line of ['send 1 2', 'open 3 4 --perod 600', 'withdraw --force', 'withdraw --unilateral --cooperative', 'showAll --from x', 'showAll --to 1 --from 3', 'exit now']) {
    const [text] = await said(line, alone);
    assert.match(text!, new RegExp(`^${line.split(' ')[0]} failed: `), line);
    assert.doesNotMatch(text!, /type help for the commands/, text);
    const [json] = await said(line, alone, true);
    const error = (JSON.parse(json!) as { error: { code: string; hint?: string } }).error;
    assert.equal(error.code, 'USAGE', json);
    assert.equal(error.hint, undefined, `--json gives the same (no hint): ${json}`);
  }
});

test('getSmartContractAccount with no partner says to connect first; deposit with no channel says to have one opened', async () => {
  const [contract] = await said('getSmartContractAccount', alone);
  assert.match(contract!, /^getSmartContractAccount failed: no contract yet: connect to your partner first \(serve, or connect to their multiaddr\), then open a channel/, contract);
  assert.doesNotMatch(contract!, /let your partner deposit/);
  // connected to a partner, no channel: deposit accepts a proposal, and none came
  const [deposit] = await said('deposit', p.bob);
  assert.match(deposit!, /^deposit failed: no channel yet: deposit accepts your partner's channel proposal, and none came: ask them to open one, or open one yourself \(open\)$/, deposit);
  // not connected either: connect first
  const [lonely] = await said('deposit', alone);
  assert.match(lonely!, /none came: connect to your partner first \(serve, or connect to their multiaddr\), then ask them to open one/, lonely);
});

test('open with a deposit over what a channel holds names the largest deposit in TON and what to do, with no amount hint', async () => {
  const cases = [
    ['open 99999999999 0', 'your deposit', 'Open with a smaller deposit, within what your wallet holds'],
    ['open 1 99999999999', "your partner's deposit", 'Propose a smaller deposit for your partner'],
  ] as const;
  for (const [line, whose, todo] of cases) {
    const [text] = await said(line, p.alice);
    assert.equal(
      text,
      `open failed: ${whose} of 99999999999 TON is more than a channel holds: a deposit is at most 9223372036.854775807 TON. ${todo}`,
    );
    const [json] = await said(line, p.alice, true);
    const error = (JSON.parse(json!) as { error: { code: string; hint?: string } }).error;
    assert.equal(error.code, 'INVALID_AMOUNT');
    assert.equal(error.hint, undefined, json);
  }
});
