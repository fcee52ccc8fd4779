// A peer id mistyped by one character (still a valid peer id) reached the partner's port and was answered "the node
// at …/p2p/<the typed id> is not <the typed id>; the partner's identity changed or the address is stale": it named
// the typed id twice and never the likeliest cause, an address not copied whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyDialError } from '../../src/p2p/diagnose.js';

test('a peer id that does not match the node at the address says to check the copy first, then to ask for the current address', () => {
  const typed = '12D3KooWERkMHm8rs7yEVSpaWXbYsea2S5usSZcLa9P8KWLoHXEx';
  const addr = `/ip4/127.0.0.1/tcp/37027/p2p/${typed}`;
  const e = classifyDialError(new Error('unexpected peer: does not match expected remote identity'), addr, typed, false, 10_000);
  assert.equal(e.code, 'PEER_ID_MISMATCH');
  assert.equal(
    e.message,
    `the node at /ip4/127.0.0.1/tcp/37027 is another node than the peer id ${typed} of the address: check that the whole address was copied (a character of its peer id may differ), else your partner's identity changed or the address is stale: ask them for their current multiaddr`,
  );
});
