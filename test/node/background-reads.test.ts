// Which of a node's chain reads are background ones (they wait while operations go first on a rate-limited
// endpoint, test/chain/pacing.test.ts): the catch-up read of every channel when the node starts, and the reads a
// partner's hint asks for; the reads after the user's own operations are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Address } from '@ton/core';
import type { Chain, ReadOptions } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { closePair, connect, fund, openPair, until } from '../helpers/nodes.js';

/** The chain, with the `background` flag of every getChannelStatus the node makes recorded. */
function recording(chain: Chain, reads: boolean[]): Chain {
  return new Proxy(chain, {
    get(target, key) {
      if (key === 'getChannelStatus') {
        return (address: Address, o?: ReadOptions) => {
          reads.push(o?.background === true);
          return target.getChannelStatus(address, o);
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

test("a restarted node's catch-up read is a background read; its withdraw's reads are not", async () => {
  const p = await openPair();
  try {
    await fund(p);
    await p.bob.stop();
    const reads: boolean[] = [];
    p.bob = await createNode({ ...p.common, chain: recording(p.chain, reads), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await until('the catch-up read of the channel', () => reads.length > 0);
    assert.deepEqual(reads, [true]);
    await connect(p.alice, p.bob);
    reads.length = 0;
    await p.bob.withdraw({ mode: 'cooperative' });
    await until('a read after the withdraw', () => reads.length > 0);
    assert.ok(reads.includes(false), `reads after the withdraw: ${reads.join(', ')}`);
  } finally {
    await closePair(p);
  }
});
