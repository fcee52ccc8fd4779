// Our close on its way and lost (its wait failed, `sent`): withdraw and exit are not offered while it may land, by
// the chain's clock estimated from the skew last measured. A devnet's clock moved ahead (advanceTime) since the node
// last read it: the estimate, behind the chain by that much, kept the close "may still land" for as long (an hour
// here, a day after a day's advance), and no way out was offered meanwhile.
import assert from 'node:assert/strict';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { WALLET_MESSAGE_TTL } from '../../src/chain/index.js';
import type { Capability } from '../../src/core/capabilities.js';
import { waitForEvent } from '../../src/node/index.js';
import { withPair } from '../helpers/reads.js';
import { fund } from '../helpers/nodes.js';

type StartClose = Chain['startClose'];

/** The seconds a withdraw refused for our close on its way says it may land (0: not refused so). */
const left = (a: Capability): number => (!a.ok && a.code === 'WITHDRAW_UNDER_WAY' ? Number(/about (\d+) s/.exec(a.why)?.[1] ?? 0) : 0);

withPair("our close lost after the chain's clock moved ahead is said to land for the time left by the chain's clock", async (p) => {
  await fund(p);
  p.chain.advanceTime(3600); // the node has not read the chain's time since
  (p.chain as { startClose: StartClose }).startClose = async (...a) => {
    await a[3]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('TIMEOUT', 'injected: the close was not seen on chain in time', { sent: true });
  };
  // what the extension's tree and the CLI's checks follow: the node's events
  const told = waitForEvent(p.alice, 'channelUpdated', (e) => left(e.channel.actions.withdraw) > 0 && left(e.channel.actions.withdraw) <= WALLET_MESSAGE_TTL + 120, 15_000);
  await assert.rejects(p.alice.withdraw({ mode: 'unilateral' }), (e: { code?: string }) => e.code === 'TIMEOUT');
  await told.catch(() => assert.fail(`no view said the close may land for the wallet message's time left: ${JSON.stringify(p.alice.currentChannel()!.actions.withdraw)}`));
});
