// A restarted node listens again on every address it served on, so partners that dialled any of them reconnect
// (it remembered only the first port it ever bound, with the host of the latest serve).
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
  test('every serve listens again (port 0 keeps the port it got); a partner reconnects through the latest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-serve-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true };
    const keyA = newKeyPair();
    const opts = { ...common, dataDir: join(dir, 'a'), key: { keyPair: keyA } };
    let a = await createNode(opts);
    const b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: newKeyPair() } });
    try {
      const first = (await a.serve(0, '127.0.0.1')).lan;
      const second = (await a.serve(0, '127.0.0.1')).lan.filter((x) => !first.includes(x));
      assert.equal(first.length, 1);
      assert.equal(second.length, 1);
      const ports = [portOf(first[0]!), portOf(second[0]!)];
      await a.stop();

      a = await createNode(opts);
      const again = a.served();
      assert.ok(again, 'the restarted node serves by itself');
      assert.deepEqual(new Set(again.lan.map(portOf)), new Set(ports), 'both ports listen again');
      await b.connect(second[0]!);
      assert.equal(a.partners().length, 1);
    } finally {
      await a.stop();
      await b.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
