// Channels with money that nothing in this window watches: those in the folder of a node that failed to start, and,
// once the user's node runs (its code is loaded then), those in the other networks' data folders (Elsewhere). The
// status bar says so.
import { existsSync } from 'node:fs';
import type { NetworkKind } from '../node/types.js';
import { inContract } from '../node/uiRules.js';
import * as factory from './nodeFactory.js';

export interface Unwatched {
  network: NetworkKind;
  count: number;
}

/** How many channels of a data folder may hold money (in their contract, a deployment under way, or unreadable); 0 when another process holds it. */
export async function moneyIn(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  const phases = await factory.channelPhases(dir).catch(() => null);
  return phases ? phases.filter((p) => inContract(p) || p === 'deploying' || p === 'unreadable').length : 0;
}

/** A failed start's channels with money, in words. */
export function notWatchedWords(u: Unwatched): string {
  const one = u.count === 1;
  return `${u.count} channel${one ? '' : 's'} with money in ${one ? 'it' : 'them'} on ${u.network} ${one ? 'is' : 'are'} NOT watched: a stale close by your partner is not challenged until the node runs.`;
}

/** The other networks' data folders: the channels with money there, which this window's node does not watch. */
export class Elsewhere {
  found: Unwatched[] = [];

  constructor(
    private readonly networks: readonly NetworkKind[],
    private readonly moneyIn: (network: NetworkKind) => Promise<number>,
    private readonly warn: (line: string) => void,
  ) {}

  /** Reads every network but `here`; kept only if the node still runs there (`still`). */
  async look(here: NetworkKind, still: () => boolean): Promise<void> {
    const found: Unwatched[] = [];
    for (const network of this.networks) {
      if (network === here) continue;
      const count = await this.moneyIn(network).catch(() => 0);
      if (count) found.push({ network, count });
    }
    if (!still()) return;
    this.found = found;
    for (const f of found) this.warn(`${f.count} channel(s) with money on ${f.network} NOT watched while this window's node runs on ${here}`);
  }
}
