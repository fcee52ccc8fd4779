// A wallet address where a channel's contract is expected (--channel), or this node's own address where the partner's
// is (open --partner): said as what it is, with the address to give (they said "no channel …" and "not connected to
// <your own address>: connect first").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

const MINE = '0QCxgSScvsaTiQ2boMuRTE7wGvKZTmHtjY5WzknICvXTeorO';
const THEIRS = '0QD99Ed6BhPYlvX7nmCu_qwfQgoODYnVxObf-c9Vj14gII0M';
const CONTRACT = 'kQD7GTZ8kpVguGR5nZOAL8tl2zgq9kyTub22RbUVOI87mYMN';

/** A node with one open channel with THEIRS; `open` records that it was reached. */
function node(): { n: ChannelNodeApi; opened: unknown[] } {
  const opened: unknown[] = [];
  const view = { id: '1', contract: CONTRACT, phase: 'open', me: 'A', partnerAddress: THEIRS };
  const n = {
    channels: () => [view],
    channel: (id: string) => (id === '1' || id === CONTRACT ? view : null),
    otherNetworkOf: () => null,
    otherNetworks: () => [],
    getAccount: () => MINE,
    partners: () => [{ address: THEIRS, online: true }],
    on: () => () => undefined,
    open: async (o: unknown) => {
      opened.push(o);
      throw new Error('reached');
    },
  } as unknown as ChannelNodeApi;
  return { n, opened };
}

async function answer(line: string, n: ChannelNodeApi): Promise<{ code: string; message: string }> {
  const emitted: Record<string, unknown>[] = [];
  const io: Io = { say: () => undefined, emit: (x) => emitted.push(x), ask: async () => null, json: true, interactive: false };
  await runLine(line, n, io);
  const r = emitted[0] as { ok: boolean; error?: { code: string; message: string } };
  assert.equal(r.ok, false, JSON.stringify(r));
  return r.error!;
}

test("--channel with the partner's wallet address, or this node's, says it is a wallet and names the channel's contract", async () => {
  const { n } = node();
  const theirs = await answer(`send 1 --channel ${THEIRS}`, n);
  assert.equal(theirs.code, 'UNKNOWN_CHANNEL');
  assert.match(theirs.message, new RegExp(`${THEIRS} is your partner's wallet address, not a channel: --channel takes a channel's contract \\(kQ…\\), as channels lists it: ${CONTRACT}`));
  // the same account in another form (raw) is known too
  const mine = await answer('showLast --channel 0:b181249cbec693890d9ba0cb914c4ef01af2994e61ed8d8e56ce49c80af5d37a', n);
  assert.match(mine.message, /is your own wallet address, not a channel: --channel takes a channel's contract/);
});

test("open --partner with this node's own address says so, and the node is not asked", async () => {
  const { n, opened } = node();
  const e = await answer(`open 1 1 --partner ${MINE}`, n);
  assert.equal(e.code, 'USAGE');
  assert.match(e.message, new RegExp(`${MINE} is your own address: --partner takes your partner's \\(getPartnerAccount shows it; connected: ${THEIRS}\\)`));
  assert.equal(opened.length, 0);
});
