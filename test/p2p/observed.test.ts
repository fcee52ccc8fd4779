// What peers say they see as our address: tallied by reporting host, our own peer id only, the most reported first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_OBSERVED, ObservedAddresses } from '../../src/p2p/addresses.js';

const ME = '12D3KooWMe';

test("a reported address keeps only its IP and TCP port, with this node's peer id (a peer id in it is dropped)", () => {
  const o = new ObservedAddresses(ME);
  o.note('/ip4/198.51.100.7/tcp/4001/p2p/12D3KooWSomeoneElse', '203.0.113.1');
  o.note('/ip4/10.0.0.5/tcp/4001', '203.0.113.1'); // private: not a WAN address
  o.note('/ip4/198.51.100.8/udp/4001', '203.0.113.1'); // no TCP port
  o.note('not a multiaddr', '203.0.113.1');
  assert.deepEqual(o.list(), [`/ip4/198.51.100.7/tcp/4001/p2p/${ME}`]);
});

test('first reports do not hold the list: the addresses most hosts report come first, one host counting once', () => {
  const o = new ObservedAddresses(ME);
  // One machine, many wallets: the first slots full of its addresses, one of them reported again and again.
  for (let i = 0; i < MAX_OBSERVED; i++) o.note(`/ip4/198.51.100.${i + 1}/tcp/4001`, '203.0.113.66');
  for (let i = 0; i < 20; i++) o.note('/ip4/198.51.100.1/tcp/4001', '203.0.113.66');
  // Two honest partners on other machines see the real address.
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.1');
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.2');
  const list = o.list();
  assert.equal(list[0], `/ip4/192.0.2.10/tcp/3000/p2p/${ME}`);
  assert.equal(list.length, MAX_OBSERVED);
});

test('the tally is bounded: a flood of addresses keeps the well-reported one', () => {
  const o = new ObservedAddresses(ME);
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.1');
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.2');
  for (let i = 0; i < 10_000; i++) o.note(`/ip4/198.51.${(i >> 8) & 255}.${i & 255}/tcp/${1000 + (i % 60_000)}`, `203.0.113.${i % 200}`);
  assert.equal(o.list()[0], `/ip4/192.0.2.10/tcp/3000/p2p/${ME}`);
});

test("one host's flood of addresses evicts only its own: the address one partner reported stays", () => {
  const o = new ObservedAddresses(ME);
  // One partner's machine saw the real address (the usual case: one report).
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.1');
  // One other machine (wallets cost nothing) reports many addresses, each once.
  for (let i = 0; i < 200; i++) o.note(`/ip4/198.51.${i >> 8}.${i & 255}/tcp/4001`, '203.0.113.66');
  const list = o.list();
  assert.ok(list.includes(`/ip4/192.0.2.10/tcp/3000/p2p/${ME}`), `the partner's report was evicted: ${list.join(' ')}`);
  assert.equal(list.length, MAX_OBSERVED);
});

test('an IPv6 host counts once for its /64, as the connection caps count it: its many addresses do not outvote two machines', () => {
  const o = new ObservedAddresses(ME);
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.1');
  o.note('/ip4/192.0.2.10/tcp/3000', '198.18.0.2');
  // one machine with a /64 reports a made-up address from three of its addresses
  for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3']) o.note('/ip4/198.51.100.9/tcp/4001', ip);
  assert.equal(o.list()[0], `/ip4/192.0.2.10/tcp/3000/p2p/${ME}`);
  // three machines in three /64s do count three times
  for (const ip of ['2001:db8:1:3::1', '2001:db8:1:4::1', '2001:db8:1:5::1']) o.note('/ip4/198.51.100.9/tcp/4001', ip);
  assert.equal(o.list()[0], `/ip4/198.51.100.9/tcp/4001/p2p/${ME}`);
});
