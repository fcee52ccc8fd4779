// An endpoint out of reach at a restart: each channel's catch-up read logged a warning at every retry (1, 2, 4, 8 …
// 30 s apart, the wait in its text changing each time), beside the watch's own warning and the one WATCH_FAILING
// error: seven channels printed 14 lines in the first seconds, and about 140 in five minutes. A retry of the same
// failure is counted now, as the watch's own warnings are.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode } from '../../src/node/index.js';
import { faultyChain } from '../helpers/faults.js';
import { withPair } from '../helpers/reads.js';
import { fund } from '../helpers/nodes.js';

withPair("a catch-up read that keeps failing warns once, not at each retry", async (p) => {
  await fund(p);
  const contract = p.bob.currentChannel()!.contract;
  await p.bob.stop();
  const down = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 1000, error: 'ENDPOINT_UNREACHABLE' }]);
  p.bob = await createNode({ ...p.common, chain: down.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const said: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && e.level === 'warn' && e.message.includes(contract) && said.push(e.message)));
  // the first retries come 1, 2 and 4 s apart: wait until the reads were tried four times
  const deadline = Date.now() + 60_000;
  while ((down.injected.get('getChannelStatus') ?? 0) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.ok((down.injected.get('getChannelStatus') ?? 0) >= 4, 'the read was retried');
  const reading = said.filter((m) => /^reading /.test(m));
  assert.equal(reading.length, 1, said.join('\n'));
});

// A data folder started against another devnet (a new one, or a forgotten --devnet-url): every channel read as not
// deployed, and the warning guessed only "a lagging endpoint?".
withPair('a deployed channel that reads as not deployed names another chain as a cause, with the flags to check', async (p) => {
  await fund(p);
  const contract = p.bob.currentChannel()!.contract;
  await p.bob.stop();
  const other = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 1000, value: { status: 'not_deployed', balance: 0n } }]);
  p.bob = await createNode({ ...p.common, chain: other.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const said: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && e.level === 'warn' && e.message.includes(contract) && said.push(e.message)));
  assert.deepEqual(await p.bob.caughtUp(1500), [contract]);
  const warning = said.find((m) => /reads as not deployed/.test(m));
  assert.ok(warning, said.join('\n'));
  assert.match(warning, /another chain than the one the channel was opened on \(--chain, --devnet-url\)/);
});
