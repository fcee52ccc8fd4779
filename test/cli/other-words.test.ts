// A user check on the devnet: a newcomer who typed `close` to close the channel got `unknown command "close": type
// help for the list`, with no pointer to withdraw (nor `pay` to send, `accept` to deposit, `listen` to serve).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

async function said(line: string): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, {} as ChannelNodeApi, io);
  return out.join('\n');
}

test("another tool's word for a command names the command", async () => {
  assert.equal(await said('close'), 'unknown command "close": did you mean withdraw (close the channel), or leave? (type help for the list)');
  assert.match(await said('Close'), /did you mean withdraw \(close the channel\)/);
  assert.match(await said('pay 1'), /^unknown command "pay": did you mean send\?/);
  assert.match(await said('accept'), /^unknown command "accept": did you mean deposit\?/);
  assert.match(await said('listen'), /^unknown command "listen": did you mean serve\?/);
  // a word near a command's name is still answered by its distance
  assert.match(await said('withdrawl'), /did you mean withdraw\?/);
  assert.match(await said('help close'), /unknown command "close": did you mean withdraw/);
});
