// The node's chain proxy (stoppable.ts) ends every wallet send at a stop through a list kept by hand: each Chain
// method that sends from a wallet, and where its options are. A send added to the chain and not to the list would
// not end at a stop: this reads the chain classes and compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { TonClientChain } from '../../src/chain/TonClientChain.js';
import { SENDS } from '../../src/node/stoppable.js';

/** Every method of the class and its parents that sends from a wallet (calls the wallet half's `send`), with its options' position. */
function walletSends(cls: { prototype: object }): Map<string, number> {
  const out = new Map<string, number>();
  for (let p: object | null = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const fn = (p as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof fn !== 'function' || out.has(name)) continue;
      if (/\bthis\.send\(/.test(Function.prototype.toString.call(fn))) out.set(name, fn.length);
    }
  }
  return out;
}

test("every chain method that sends from a wallet is in the stop's list, with its options where they are", () => {
  const listed = new Map(Object.entries(SENDS));
  for (const cls of [SandboxChain, TonClientChain]) {
    const found = walletSends(cls);
    assert.ok(found.size >= 8, `found ${[...found.keys()].join(', ')}`);
    assert.deepEqual(new Map([...found].sort()), new Map([...listed].sort()), `${cls.name}: the sends and their options' position (a method's parameters before its options)`);
  }
});
