// What the CLI prints for the node's money events says who did what (QA: a node that challenged its own user's
// close with an older state printed "Your partner submitted an old state").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFormatter } from '../../src/cli/format.js';
import type { ChannelView, NodeEvent } from '../../src/node/types.js';

const channel = (closeByMe: boolean) => ({ close: { step: 0n, submitter: closeByMe ? 'A' : 'B', deadline: 1_800_000_000, byMe: closeByMe, secondsLeft: 600 } }) as unknown as ChannelView;
const challenged = (closeByMe: boolean, byMe = true): NodeEvent => ({ type: 'challenged', channel: channel(closeByMe), step: 4n, byMe });

test('a challenge says whose close it corrected', () => {
  const f = new EventFormatter();
  assert.equal(f.format(challenged(false)), '❗ Your partner submitted an old state: challenged it with step 4❗');
  const own = f.format(challenged(true))!;
  assert.doesNotMatch(own, /partner/i);
  assert.match(own, /your close used an older state than the latest both signed: your node challenged it with step 4/i);
  assert.equal(f.format(challenged(false, false)), 'The close was challenged with step 4');
});
