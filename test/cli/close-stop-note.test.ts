// Stopping while a channel is closing said "start it before the challenge window ends to challenge a stale close and
// collect the payout": during the window there is no payout to collect, and after it either node finishes the close,
// which pays both wallets (the partner's node too, after its grace). The note now says when the window ends, that
// a running node is what challenges a stale state, and who finishes; once the window is over, only the finish is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stoppingNotes } from '../../src/cli/format.js';
import type { ChannelView } from '../../src/node/types.js';

const DEADLINE = Math.round(Date.now() / 1000) + 540;
const closing = (o: { byMe: boolean; secondsLeft: number; challengeWith?: bigint }) =>
  ({
    contract: 'kQclose',
    phase: 'closing',
    challengePeriod: 600,
    pending: null,
    latest: { step: 3n, tag: undefined },
    close: { step: 3n, submitter: o.byMe ? 'A' : 'B', deadline: DEADLINE, byMe: o.byMe, challengeWith: o.challengeWith ?? null, secondsLeft: o.secondsLeft },
  }) as unknown as ChannelView;

test('the stop note of a closing channel: the window end, who challenges, and that either node finishes (no payout to collect)', () => {
  const [own] = stoppingNotes([closing({ byMe: true, secondsLeft: 540 })]);
  assert.doesNotMatch(own!, /collect the payout/, own);
  assert.match(own!, /^Stopping while kQclose is closing \(challenge window until [^)]*, 9 min from now\): nothing watches it until you start the node again, and only a running node challenges a stale state on chain: start it before the window ends\. After it, either node finishes the close, which pays both wallets\.$/, own);
  const [planned] = stoppingNotes([closing({ byMe: false, secondsLeft: 540, challengeWith: 5n })]);
  assert.match(planned!, /; your node was about to challenge it with step 5: nothing watches it/, planned);
  // the window over by the chain's clock: nothing is left to challenge, the finish pays out
  const [over] = stoppingNotes([closing({ byMe: true, secondsLeft: 0 })]);
  assert.equal(over, "Stopping while kQclose is closing, its challenge window over: either node finishes the close, which pays both wallets; start this node again to finish it if your partner's has not.");
});
