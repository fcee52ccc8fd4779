// A restarted node listens again on every address it served on (port 0 keeps the port it got), so partners that
// dialled any of them reconnect; a serve of an address served already adds no listener (port 0 added another port,
// and the list served again at each start grew by one a run).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { newKeyPair } from '../../src/core/signer.js';
import { createNode } from '../../src/node/index.js';

const portOf = (a: string) => Number(/\/tcp\/(\d+)\//.exec(a)![1]);

describe('serving again after a restart', () => {
  test('every serve listens again (port 0 keeps the port it got), a serve of an address served adds none; a partner reconnects through the latest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-serve-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true };
    const keyA = newKeyPair();
    const opts = { ...common, dataDir: join(dir, 'a'), key: { keyPair: keyA } };
    let a = await createNode(opts);
    const b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: newKeyPair() } });
    try {
      const first = (await a.serve(0, '127.0.0.1')).lan;
      assert.equal(first.length, 1);
      const again0 = await a.serve(0, '127.0.0.1');
      assert.deepEqual([again0.already, again0.lan], [true, first], 'served already: no second listener');
      const last = (await a.serve(0, '127.0.0.2')).lan.filter((x) => !first.includes(x));
      assert.equal(last.length, 1);
      await a.stop();

      a = await createNode(opts);
      const again = a.served();
      assert.ok(again, 'the restarted node serves by itself');
      assert.deepEqual(new Set(again.lan.map(portOf)), new Set([portOf(first[0]!), portOf(last[0]!)]), 'both addresses listen again, no third');
      await b.connect(last[0]!);
      assert.equal(a.partners().length, 1);
    } finally {
      await a.stop();
      await b.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
