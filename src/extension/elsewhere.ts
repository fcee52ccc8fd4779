// The other networks' data folders, read once the user's node runs (its code is loaded then): the channels with
// money there are not watched by this window, and the status bar says so.
import type { NetworkKind } from '../node/types.js';

export interface Unwatched {
  network: NetworkKind;
  count: number;
}

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
