// How long a fresh node's connect() and a RawPeer.dial() take (test/p2p/limits.test.ts gives the server a pending
// timeout of 300 ms ('a connection whose handshake finished…': a slower handshake is timed out, pendingTimedOut 1)
// and 400 ms ('…never finishes the upgrade…': a slower RawPeer.dial is cut before the stream opens)).
import { test } from 'node:test';
import { makeNode, newWallet, RawPeer, tempDir } from '../../test/p2p/helpers.js';

test('connect() and RawPeer.dial() durations', async () => {
  const sd = await tempDir();
  const { node: srv } = await makeNode(sd.path, newWallet());
  const addr = (await srv.serve(0, '127.0.0.1')).lan[0]!;
  const conn: number[] = [];
  const dial: number[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const d = await tempDir();
      const { node } = await makeNode(d.path);
      const t0 = performance.now();
      await node.connect(addr);
      conn.push(Math.round(performance.now() - t0));
      await node.stop();
      await d.cleanup();
      const t1 = performance.now();
      const p = await RawPeer.dial(addr);
      dial.push(Math.round(performance.now() - t1));
      await p.stop();
    }
    console.log(`connect() ms: ${conn.join(' ')} (limit 300); RawPeer.dial() ms incl. createLibp2p: ${dial.join(' ')} (limit 400, minus createLibp2p)`);
  } finally {
    await srv.stop();
    await sd.cleanup();
  }
});
