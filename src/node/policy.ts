// The node's safety policy per network: challenge periods it proposes and accepts, timeouts, retry pacing.
// The contract has its own hard floor; these defaults sit at or above it (see README, "Exit guarantees").
import { randomBytes } from 'node:crypto';
import type { NetworkKind } from '../core/format.js';
import { MAX_CHALLENGE_PERIOD } from '../contract/index.js';
import { WALLET_MESSAGE_TTL } from '../chain/base.js';

export { CONTRACT_MIN_PERIOD, MIN_PERIOD, DEFAULT_PERIOD, minChallengePeriod, defaultChallengePeriod } from './periods.js';
export const MAX_PERIOD = MAX_CHALLENGE_PERIOD;

/** How long the initial state may stay unsigned by both after the lock before the exit is offered (ms). */
export const INITIAL_TIMEOUT_MS: Readonly<Record<NetworkKind, number>> = { sandbox: 120_000, devnet: 120_000, testnet: 600_000 };
/**
 * After the challenge window, the party that started the close sends finish_close at once; the other waits this
 * long (ms) and sends it only if the close is still not finished: both sending makes the second bounce, its
 * sender paying the fees. Longer than a finish takes to land and be seen.
 */
export const FINISH_GRACE_MS: Readonly<Record<NetworkKind, number>> = { sandbox: 5_000, devnet: 10_000, testnet: 60_000 };
/**
 * How long the node keeps dialling a partner that has not acknowledged our decline (ms, from the decline, on this
 * machine's clock, across restarts); after, it says so in a log line and dials no more for it. The decline is still
 * sent when they connect (until acknowledged), and a resync request of theirs is answered with it.
 */
export const REJECT_OWED_MS = 24 * 3600_000;
/**
 * How long the read of the contract just before our refund, close, exit or finish leaves may take (ms): the wallet
 * is held meanwhile, and a challenge may wait behind it. A slower read holds nothing back, as a failed one.
 */
export const LAST_READ_MS: Readonly<Record<NetworkKind, number>> = { sandbox: 2_000, devnet: 5_000, testnet: 10_000 };
/** How long a cooperative close waits for the partner before it falls back (ms). */
export const CLOSE_TIMEOUT_MS = 15_000;
/** Challenge retries: first delay, cap (ms). */
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

/** A wait between retries that never keeps a stopping process alive. */
export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** A deployment or deposit sent may land until its wallet message expires, and a little after (a chain clock ahead of ours). */
export const DEPLOY_MAY_LAND_MS = (WALLET_MESSAGE_TTL + 60) * 1000;
/**
 * How long a close state of the partner's, signed by both here, is taken as on its way while they are connected:
 * their node sends it as it gets our signature, and a wallet message signed then lands within this time.
 */
export const PARTNER_CLOSE_GRACE_MS = DEPLOY_MAY_LAND_MS;
/**
 * How long after a deployment or deposit of this node a funding channel is not declined unless the chain shows
 * it landed: its wallet message's validity starts after the reads that prepare it, which may retry (generous).
 */
export const DECLINE_WAIT_MS = 10 * 60_000;
/**
 * How long accepting a proposal waits for the partner's deployment before it says what to do (ms): longer than a
 * lost deployment takes to be sent again by the partner's node (redeploy.ts) and to land.
 */
export const DEPLOY_WAIT_MS: Readonly<Record<NetworkKind, number>> = { sandbox: DEPLOY_MAY_LAND_MS + 60_000, devnet: DEPLOY_MAY_LAND_MS + 60_000, testnet: 600_000 };

/**
 * The top 16 bits of a channel id proposed on a network whose coins are worth something ("te": testnet); null: the
 * network's coins are worthless, its ids carry no network's tag (a new network must say which it is). A key gives
 * the same wallet address on every network, so the same terms give the same contract address: without the tag a
 * proposer could repeat there the id and terms of a channel whose states the partner signed on the sandbox or a
 * devnet, and those states would pay out there. Other networks refuse a tagged id, so no id is used on two of them.
 */
export const CHANNEL_ID_TAGS: Readonly<Record<NetworkKind, bigint | null>> = { sandbox: null, devnet: null, testnet: 0x7465n };
const TAG_SHIFT = 48n;

/** A new random channel id for `network` (its tag on top, or no network's tag). */
export function newChannelId(network: NetworkKind): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE();
    const tag = CHANNEL_ID_TAGS[network];
    if (tag !== null) return (tag << TAG_SHIFT) | (id & ((1n << TAG_SHIFT) - 1n));
    if (channelIdNetwork(id) === null) return id;
  }
}

/** The network a channel id is tagged for, or null (an id of the sandbox or a devnet). */
export function channelIdNetwork(id: bigint): NetworkKind | null {
  const top = id >> TAG_SHIFT;
  for (const [n, tag] of Object.entries(CHANNEL_ID_TAGS)) if (tag !== null && tag === top) return n as NetworkKind;
  return null;
}
