// A user check on the devnet with a --manual partner: after both deposits, balanceChan said "no signed state yet:
// the channel opens when both deposits are in and the initial state is signed" to the node that had to sign it,
// where a later state awaiting it says "sign signs it"; and to the proposer, nothing of waiting for the partner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

const TON = 1_000_000_000n;

function locked(awaiting: 'me' | 'partner'): ChannelNodeApi {
  const pending = { step: 0n, sender: 'A', balanceA: TON, balanceB: TON, sigA: 'AA', sigB: null, awaiting };
  const view = { id: 'kQc', contract: 'kQc', me: awaiting === 'me' ? 'B' : 'A', phase: 'locked', latest: null, pending, depositA: TON, depositB: TON, payout: null, actions: {} } as unknown as ChannelView;
  return { currentChannel: () => view, channel: () => view, channels: () => [view], balanceChan: () => null } as unknown as ChannelNodeApi;
}

async function error(n: ChannelNodeApi): Promise<{ code: string; message: string }> {
  const out: { ok: boolean; error?: { code: string; message: string } }[] = [];
  const io: Io = { say: () => undefined, emit: (x) => out.push(x as never), ask: async () => null, json: true, interactive: false };
  await runLine('balanceChan', n, io);
  return out[0]!.error!;
}

test('balanceChan before the initial state is signed says who signs it next', async () => {
  const mine = await error(locked('me'));
  assert.equal(mine.code, 'NOT_OPEN');
  assert.equal(mine.message, 'no signed state yet: the initial state (A [1 1] B) from your partner awaits your signature: sign signs it, and the channel opens');
  const theirs = await error(locked('partner'));
  assert.equal(theirs.message, "no signed state yet: the initial state (A [1 1] B) waits for your partner's signature; the channel opens once they sign");
});
