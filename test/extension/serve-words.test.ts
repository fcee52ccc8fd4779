// What Serve says in the extension, without VS Code: a serve while serving already (the node's `already`) says so
// with the addresses, as the CLI does, instead of the notice of a listener just started; so does a serve while a
// partner is connected (the CLI's "Connected to …; still listening").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offeredAddresses, serveNotice } from '../../src/extension/serveWords.js';

const lan = '/ip4/192.168.1.2/tcp/3000/p2p/12D3KooWx';
const loop = '/ip4/127.0.0.1/tcp/3000/p2p/12D3KooWx';

test('a serve while serving already says "Already serving" with the address to give, not that it starts waiting', () => {
  const n = serveNotice({ lan: [loop, lan], wan: [], already: true });
  assert.equal(n?.address, lan);
  assert.match(n.text, /^Already serving: nothing new listens\. Give them this address \(your local network only: .*forward port 3000.*\): \/ip4\/192\.168\.1\.2\//);
  assert.doesNotMatch(n.text, /waiting for a partner/);
});

test('a first serve says it waits for a partner, with the best address and how far it reaches', () => {
  assert.equal(serveNotice({ lan: [loop], wan: [] })?.text, `waiting for a partner. Give them this address (this machine only: no LAN address found): ${loop}`);
  const wan = '/ip4/203.0.113.5/tcp/3000/p2p/12D3KooWx';
  assert.deepEqual(offeredAddresses({ lan: [loop, lan], wan: [wan] }), [wan, lan, loop]);
  assert.equal(serveNotice({ lan: [lan], wan: [wan] })?.text, `waiting for a partner. Give them this address: ${wan}`);
  assert.equal(serveNotice({ lan: [], wan: [] }), null);
});

test('a serve while a partner is connected says so and that it still listens, not that it waits for a partner', () => {
  const bob = 'EQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGG';
  const n = serveNotice({ lan: [lan], wan: [] }, [bob]);
  assert.equal(n?.address, lan);
  assert.doesNotMatch(n.text, /waiting for a partner/);
  assert.match(n.text, new RegExp(`^Connected to ${bob}; still listening for other partners\\. Give them this address \\(your local network only: .*\\): /ip4/192\\.168\\.1\\.2/`));
  // served already, as well: both are said
  const again = serveNotice({ lan: [lan], wan: [], already: true }, [bob]);
  assert.match(again?.text ?? '', new RegExp(`^Already serving: nothing new listens\\. Connected to ${bob}; still listening for other partners\\. Give them`));
  // a partner known but offline is not connected: the notice waits for a partner
  assert.match(serveNotice({ lan: [lan], wan: [] }, [])?.text ?? '', /^waiting for a partner\./);
});
