// Listen and dial errors say what to do, not what libp2p called things inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { P2PError } from '../../src/p2p/index.js';
import { makeNode, tempDir } from './helpers.js';

const INTERNALS = /UnsupportedListenAddresses|faultTolerance|EncryptionFailed|NO_FATAL|Error:|\n/;

function expectP2P(code: string, message: RegExp | string) {
  return (e: unknown) => {
    assert.ok(e instanceof P2PError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.doesNotMatch(e.message, INTERNALS);
    return true;
  };
}

async function tcpServer(onSocket: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

test('listen errors a person can act on: a busy port, an address not of this machine, a bad port', async () => {
  const d1 = await tempDir();
  const d2 = await tempDir();
  const { node: a } = await makeNode(d1.path);
  const { node: b } = await makeNode(d2.path);
  try {
    const port = Number(/tcp\/(\d+)/.exec((await a.serve(0, '127.0.0.1')).lan[0]!)![1]);
    await assert.rejects(b.serve(port, '127.0.0.1'), expectP2P('PORT_IN_USE', `port ${port} is in use: pick another port or 0 for a free one`));
    await assert.rejects(b.serve(port, '0.0.0.0'), expectP2P('PORT_IN_USE', `port ${port} is in use: pick another port or 0 for a free one`));
    await assert.rejects(b.serve(4001, '192.0.2.55'), expectP2P('LISTEN_ADDRESS', /192\.0\.2\.55 is not an address of this machine/));
    await assert.rejects(b.serve(70000, '127.0.0.1'), expectP2P('LISTEN_FAILED', /port 70000 is not 0\.\.65535/));
    await assert.rejects(b.serve(0, 'localhost'), expectP2P('LISTEN_ADDRESS', /not an IP address/));
    // and the node still serves on a good port afterwards
    assert.equal((await b.serve(0, '127.0.0.1')).lan.length, 1);
  } finally {
    await a.stop();
    await b.stop();
    await d1.cleanup();
    await d2.cleanup();
  }
});

test('dial errors a person can act on: a port that hangs up, a port that is not libp2p', async () => {
  const d = await tempDir();
  const { node } = await makeNode(d.path);
  const hangUp = await tcpServer((s) => s.destroy());
  const notLibp2p = await tcpServer((s) => {
    s.on('error', () => undefined);
    s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  const someone = '12D3KooWEABEDULCQxQ542gXLHqxGuPNGpRYqptrJxaRuEvAnkSB';
  try {
    await assert.rejects(
      node.connect(`/ip4/127.0.0.1/tcp/${hangUp.port}/p2p/${someone}`, { timeoutMs: 5_000 }),
      expectP2P('DIAL_FAILED', /closed the connection during the secure handshake: .*try again in a few seconds/),
    );
    await assert.rejects(
      node.connect(`/ip4/127.0.0.1/tcp/${notLibp2p.port}/p2p/${someone}`, { timeoutMs: 5_000 }),
      expectP2P('DIAL_FAILED', /not with libp2p's secure handshake: is this the port the partner's serve printed\?/),
    );
  } finally {
    hangUp.server.close();
    notLibp2p.server.close();
    await node.stop();
    await d.cleanup();
  }
});
