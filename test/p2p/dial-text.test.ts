// An address as people paste it: quotes from a chat or a shell line are dropped, two lines pasted together are
// refused with "paste one address", and a peer id with a character missing is refused before any dial, in the
// node's words (the CLI and the extension's input box say the same).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDialPeerId, parseDialAddr } from '../../src/p2p/diagnose.js';

async function somePeerId(): Promise<string> {
  // ESM-only: dynamic imports (see src/p2p/deps.ts)
  const { generateKeyPair } = await import('@libp2p/crypto/keys');
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id');
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
}

const refused = (code: string, words: RegExp) => (e: { code?: string; message?: string }) => e.code === code && words.test(e.message ?? '');

test('quotes around a pasted address are dropped; space inside is refused as two addresses', async () => {
  const id = await somePeerId();
  const addr = `/ip4/192.168.1.5/tcp/4001/p2p/${id}`;
  for (const pasted of [` ${addr} `, `"${addr}"`, `'${addr}'`, `\`${addr}\``, `\u201c${addr}\u201d`, `\u2018${addr}\u2019`]) {
    assert.equal(parseDialAddr(pasted).ma.toString(), addr, pasted);
    await checkDialPeerId(pasted);
  }
  assert.throws(() => parseDialAddr(`${addr} /ip4/10.0.0.2/tcp/4001/p2p/${id}`), refused('BAD_MULTIADDR', /holds a space: paste one address, one line of your partner's Serve/));
  assert.throws(() => parseDialAddr(`"${addr}`), refused('BAD_MULTIADDR', /is not a multiaddr/), 'an unmatched quote is not dropped');
});

test('a bare peer id, or one with a character missing or extra, is refused before any dial with what to copy', async () => {
  const id = await somePeerId();
  assert.throws(() => parseDialAddr(id), refused('BAD_MULTIADDR', /is not a multiaddr: it starts with \/ip4\/.*copy a whole line of your partner's Serve/));
  for (const bad of [id.slice(0, -1), `${id}.`, `${id}0`]) {
    await assert.rejects(checkDialPeerId(`/ip4/192.168.1.5/tcp/4001/p2p/${bad}`), refused('BAD_MULTIADDR', /is not a valid peer id: a character is missing or extra: copy the whole address/), bad);
  }
});
