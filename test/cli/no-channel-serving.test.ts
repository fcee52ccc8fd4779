// deposit (and send, withdraw…) with no channel while this node serves and nobody is connected said "connect to
// your partner first (serve, or connect to their multiaddr)": serve was done already. It now says to wait for them
// to connect to an address serve printed (or to connect to theirs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

async function said(line: string, served: boolean): Promise<string> {
  const node = { network: 'sandbox', channels: () => [], currentChannel: () => null, otherNetworks: () => [], partners: () => [], served: () => (served ? { lan: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWx'], wan: [] } : null) } as unknown as ChannelNodeApi;
  const out: string[] = [];
  const io: Io = { say: (s) => out.push(s), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, node, io);
  return out.join('\n');
}

test('with no channel while serving and nobody connected, deposit and send say to wait for the partner to connect', async () => {
  assert.match(await said('deposit', true), /^deposit failed: no channel yet: deposit accepts your partner's channel proposal, and none came: you serve, and your partner has not connected yet: give them an address serve printed \(or connect to theirs\), then ask them to open one, or open one yourself \(open\)$/);
  assert.match(await said('send 1', true), /no channel yet: you serve, and your partner has not connected yet: give them an address serve printed \(or connect to theirs\), then open a channel \(open\)/);
  assert.match(await said('deposit', false), /connect to your partner first \(serve, or connect to their multiaddr\), then ask them/);
});
