// Challenge periods per network, in a light module (no @ton/core): the extension checks its settings with them
// before the node's code is loaded.
import type { NetworkKind } from '../core/format.js';
import { durationText } from '../core/duration.js';

/** The contract's floor (v2 refuses any shorter window). */
export const CONTRACT_MIN_PERIOD = 60;

/** The shortest challenge period a node accepts by default: an hour on testnet, the contract's floor locally. */
export const MIN_PERIOD: Readonly<Record<NetworkKind, number>> = { sandbox: CONTRACT_MIN_PERIOD, devnet: CONTRACT_MIN_PERIOD, testnet: 3600 };
/** The period a node proposes when none is given. */
export const DEFAULT_PERIOD: Readonly<Record<NetworkKind, number>> = { sandbox: 600, devnet: 600, testnet: 24 * 3600 };

export function minChallengePeriod(o: { network: NetworkKind; minChallengePeriod?: number }): number {
  return Math.max(CONTRACT_MIN_PERIOD, o.minChallengePeriod ?? MIN_PERIOD[o.network]);
}

export function defaultChallengePeriod(network: NetworkKind): number {
  return DEFAULT_PERIOD[network];
}

/**
 * Settings kept across networks (the extension's): a period below what this network takes is left out, with the
 * reason, so the node still starts (and watches its channels) on the network's default.
 */
export function periodsFor(network: NetworkKind, period: number, minPeriod: number): { challengePeriod?: number; minChallengePeriod?: number; ignored: string[] } {
  const out: { challengePeriod?: number; minChallengePeriod?: number; ignored: string[] } = { ignored: [] };
  if (minPeriod > 0 && minPeriod < CONTRACT_MIN_PERIOD) {
    out.ignored.push(`synchannel.minChallengePeriod (${minPeriod} s) is below the contract's floor of ${CONTRACT_MIN_PERIOD} s: the node accepts windows of at least ${durationText(MIN_PERIOD[network])} on ${network} (set 0, or at least ${CONTRACT_MIN_PERIOD})`);
  } else if (minPeriod > 0) out.minChallengePeriod = minPeriod;
  const min = minChallengePeriod({ network, ...(out.minChallengePeriod !== undefined ? { minChallengePeriod: out.minChallengePeriod } : {}) });
  if (period > 0 && period < min) {
    out.ignored.push(`synchannel.challengePeriod (${period} s) is shorter than the ${min} s ${network} takes: channels you open here propose the network's default, ${durationText(DEFAULT_PERIOD[network])} (set 0, or at least ${min})`);
  } else if (period > 0) out.challengePeriod = period;
  return out;
}
