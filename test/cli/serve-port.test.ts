// serve's port question (and its argument) took a port only: "127.0.0.1:4001", a multiaddr such as the one serve
// prints or connect takes, and a host alone were each "not a port". Now host:port and a listening multiaddr serve on
// that host and port; a partner's multiaddr (with /p2p/) points to connect; a host alone asks for its port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

/** What serve's answer (at the prompt) made the node serve, and what was said. */
async function answer(typed: string): Promise<{ served: [number, string | undefined] | null; said: string }> {
  let served: [number, string | undefined] | null = null;
  const node = { serve: async (p: number, h?: string) => ((served = [p, h]), { lan: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWx'], wan: [] }), partners: () => [] } as unknown as ChannelNodeApi;
  const said: string[] = [];
  const answers = [typed];
  const io: Io = { say: (t) => said.push(t), emit: () => undefined, ask: async () => answers.shift() ?? null, json: false, interactive: true };
  await runLine('serve', node, io);
  return { served, said: said.join('\n') };
}

test("serve's port question takes a port, host:port, or a listening multiaddr; Enter alone picks a free port", async () => {
  assert.deepEqual((await answer('4001')).served, [4001, undefined]);
  assert.deepEqual((await answer('')).served, [0, undefined]);
  assert.deepEqual((await answer('127.0.0.1:4001')).served, [4001, '127.0.0.1']);
  assert.deepEqual((await answer('[::1]:4001')).served, [4001, '::1']);
  assert.deepEqual((await answer('/ip4/0.0.0.0/tcp/4001')).served, [4001, '0.0.0.0']);
});

test("serve's port question answers a partner's multiaddr, a host alone and a word each with what to type", async () => {
  const dial = await answer('/ip4/192.168.1.5/tcp/4001/p2p/12D3KooWabc');
  assert.equal(dial.served, null);
  assert.match(dial.said, /is a partner's address \(it ends in \/p2p\/…\): to dial it, type connect \/ip4\/192\.168\.1\.5\/tcp\/4001\/p2p\/12D3KooWabc; serve takes the port you listen on/);
  const host = await answer('127.0.0.1');
  assert.equal(host.served, null);
  assert.match(host.said, /"127\.0\.0\.1" is an address with no port: type the port \(e\.g\. 4001\), or host and port \(127\.0\.0\.1:4001\)/);
  const word = await answer('four');
  assert.equal(word.served, null);
  assert.match(word.said, /"four" is not a port: enter a number from 0 to 65535 \(0: any free port\), or host:port \(e\.g\. 127\.0\.0\.1:4001\)/);
});

test("serve given a websocket multiaddr says websockets are not served and what to type instead, not 'is not a port'", async () => {
  const ws = await answer('/ip4/0.0.0.0/tcp/4001/ws');
  assert.equal(ws.served, null);
  assert.doesNotMatch(ws.said, /is not a port/);
  assert.match(ws.said, /websockets \(\/ws\), which this node does not serve: it listens on TCP only\. Type \/ip4\/0\.0\.0\.0\/tcp\/4001 \(or the port, 4001\)/);
  const other = await answer('/ip6/::/tcp/4001/quic');
  assert.equal(other.served, null);
  assert.match(other.said, /ends in \/quic, which serve does not take: it listens on TCP only\. Type \/ip6\/::\/tcp\/4001 \(or the port, 4001\)/);
});
