// `--announce /ip4/…/tcp/4001/p2p/x` was taken and printed as a WAN address (with a second /p2p/ of this node's):
// an announce address is this node's own host and TCP port, nothing else, or a clear error says what to give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnounce } from '../../src/p2p/addresses.js';

const refused = (a: string, why: RegExp) =>
  assert.throws(() => parseAnnounce(a), (e: Error & { code?: string }) => e.code === 'BAD_ANNOUNCE' && why.test(e.message) && e.message.includes(a), a);

test('an announce address is a host and a TCP port: a /p2p/ part, a missing port or another protocol is refused', () => {
  for (const a of ['/ip4/203.0.113.7/tcp/4001', '/ip6/2001:db8::1/tcp/4001', '/dns4/example.org/tcp/4001', '/dns/example.org/tcp/4001']) assert.equal(parseAnnounce(a).toString(), a);
  refused('/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', /leave out the \/p2p\/ part/);
  refused('/ip4/203.0.113.7', /no TCP port/);
  refused('/ip4/203.0.113.7/udp/4001', /no TCP port/);
  refused('/ip4/203.0.113.7/tcp/4001/ws', /only a host and a TCP port/);
  refused('/ip4/0.0.0.0/tcp/4001', /not an address a partner can dial/);
  refused('/tcp/4001', /no host/);
});
