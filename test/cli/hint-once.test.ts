// Each error says one right thing once (a review: a backup path that is a folder got a --data folder's advice, the
// testnet faucet got "check the value you entered", an unreachable endpoint was told to be checked twice, a bad peer
// id leaked a libp2p decoder's words). The CLI appends a code's next step only when the message gives none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

const err = (code: string, message: string) => Object.assign(new Error(message), { code });

/** A node on `network` without channels, that refuses what it is asked with the given error. */
function node(refuse: Error, network = 'sandbox'): ChannelNodeApi {
  const base: Partial<ChannelNodeApi> = { network: network as ChannelNodeApi['network'], currentChannel: () => null, channel: () => null, channels: () => [], partners: () => [], getAccount: () => '0QME' };
  return new Proxy(base as ChannelNodeApi, { get: (t, k) => (k in t ? t[k as keyof ChannelNodeApi] : () => Promise.reject(refuse)) });
}

async function said(line: string, n: ChannelNodeApi): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, n, io);
  return out.join('\n');
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, 'gi')) ?? []).length;

test('import or export of a folder says it is a folder and to give the backup file', async () => {
  const dir = tmpdir();
  // what the node says when it is reached with a folder
  const eisdir = node(err('DATA_DIR_UNREADABLE', `cannot read ${dir}: EISDIR: illegal operation on a directory, read. Check the disk and the file's permissions`));
  const imp = await said(`import ${dir}`, eisdir);
  assert.match(imp, new RegExp(`^import failed: ${dir} is a folder: give the backup file's path`));
  assert.doesNotMatch(imp, /EISDIR|--data|permission/, imp);
  const exp = await said(`export ${dir}`, node(err('INTERNAL', 'EISDIR: illegal operation on a directory, read')));
  assert.match(exp, new RegExp(`^export failed: ${dir} is a folder: give a file name for the backup`));
  assert.doesNotMatch(exp, /EISDIR|bug/, exp);
});

test('a message that already says what to do gets no second advice', async () => {
  const unreachable = await said('balanceTon', node(err('ENDPOINT_UNREACHABLE', 'cannot reach http://127.0.0.1:9/jsonRPC (fetch failed): check that `synchannel devnet` is running there (or Start Devnet in VS Code)')));
  assert.equal(count(unreachable, /check/), 1, unreachable);
  assert.doesNotMatch(unreachable, /\)\)$/);
  const store = await said('channels', new Proxy(node(err('X', 'unused')), { get: (t, k) => (k === 'channels' ? () => { throw err('DATA_DIR_UNREADABLE', "cannot read /x: EIO: i/o error, read. Check the disk and the file's permissions"); } : t[k as keyof ChannelNodeApi]) }));
  assert.doesNotMatch(store, /--data|\(fix/, store);
  // a bare message keeps its next step
  assert.match(await said('balanceTon', node(err('INSUFFICIENT_FUNDS', 'not enough TON'))), /not enough TON\. Next: top up/);
});

test('faucet on testnet says where testnet coins come from, once, not to check the value', async () => {
  // the node's own refusal (test/node/other-network.test.ts runs it on a real testnet node)
  const refusal = 'the testnet has no faucet here: get testnet coins for 0QAbc from @testgiver_ton_bot on Telegram (send it the address), then see `balanceTon`';
  const out = await said('faucet 1', node(err('NO_FAUCET', refusal), 'testnet'));
  assert.match(out, /@testgiver_ton_bot/);
  assert.equal(count(out, /testgiver|giver/), 1, out);
  assert.doesNotMatch(out, /check the value|devnet\.faucet/, out);
});

test('connect with a peer id that is not one says so, without libp2p internals', async () => {
  const leak = node(err('DIAL_FAILED', 'could not connect to /ip4/127.0.0.1/tcp/1/p2p/notapeerid: Please pass a multibase decoder for strings that do not start with "1" or "Q"'));
  for (const id of ['notapeerid', '12D3KooWxxxx', 'QmNotAPeerIdxx']) {
    const out = await said(`connect /ip4/127.0.0.1/tcp/1/p2p/${id}`, leak);
    assert.match(out, new RegExp(`the peer id part of the address \\(${id}\\) is not a valid peer id`), out);
    assert.doesNotMatch(out, /multibase|Invalid URL|base58btc/, out);
    assert.equal(count(out, /copy/), 1, out);
  }
});
