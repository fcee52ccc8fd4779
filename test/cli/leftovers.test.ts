// The leftovers of a careless operator's user check of the CLI, on real nodes (one sandbox chain, p2p on
// 127.0.0.1): a usage error's "(type help for the commands)" came or not by the word after its colon.
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
