// Shared by the CLI's tests: a node with one channel (oneChannelNode), and one whose withdraw only tells what it
// was asked (the event tests: events, events-commands).
import type { ChannelNodeApi } from '../../src/node/types.js';

/** A node with one channel, `view` (as the views give it), and the methods `extra` adds. */
export function oneChannelNode(view: object, extra: { [K in keyof ChannelNodeApi]?: unknown }): ChannelNodeApi {
  return { currentChannel: () => view, channel: () => view, channels: () => [view], partners: () => [], accountSignature: () => 'SIG', ...extra } as unknown as ChannelNodeApi;
}

export function withdrawNode(onWithdraw: (o: { step?: bigint; confirmStale?: boolean }) => void): ChannelNodeApi {
  const latest = { step: 4n, sender: 'A', balanceA: 1n, balanceB: 2n, sigA: 'AA', sigB: 'BB', committed: true };
  const view = { id: '1', me: 'A', contract: 'kQ…', latest, count: 5n, challengePeriod: 86_400, partnerAddress: '0Q…', closeStep: null, restorePending: false, actions: { withdraw: { ok: true } } };
  return oneChannelNode(view, {
    history: async () => [{ ...latest, step: 1n, balanceA: 0n, balanceB: 3n }],
    withdraw: async (o: { step?: bigint; confirmStale?: boolean }) => {
      onWithdraw(o);
      return { mode: 'cooperative', step: 4n, deadline: null, fellBack: false, fallbackReason: null };
    },
  });
}
