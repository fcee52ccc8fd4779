// A restarted node listens again on the address it last served on (port 0 keeps the port it got), so a partner that
// dialled it reconnects; a serve of an address served already adds no listener, and the ports served before the
// last one are not served again (every port ever served was, a list that grew by a port a run).
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
  test('the last serve listens again (port 0 keeps the port it got); a partner reconnects through it', async () => {
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
      assert.deepEqual(again.lan.map(portOf), [portOf(last[0]!)], 'only the last serve listens again');
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
