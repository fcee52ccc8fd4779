// Two funded nodes on one SandboxChain, Bob's reads going through a FaultyChain, and a CLI Io whose lines are kept:
// the set-up of the CLI tests of what a node says when the chain answers Bob wrongly.
import type { Io } from '../../src/cli/repl.js';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { faultyChain, type FaultyChain } from './faults.js';
import { closePair, fund, openPair, type Pair } from './nodes.js';

export interface FaultyBob {
  p: Pair;
  faulty: FaultyChain;
  /** the lines said to `io` */
  said: string[];
  io: Io;
}

/** Runs `fn` on an open, funded pair whose Bob reads through a faulty chain; the pair is closed after. */
export async function withFaultyBob(fn: (s: FaultyBob) => Promise<void>): Promise<void> {
  const chain = await SandboxChain.create();
  const faulty = faultyChain(chain);
  const p = await openPair({ chain, bobChain: faulty.chain });
  try {
    await fund(p);
    const said: string[] = [];
    const io: Io = { json: false, interactive: false, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    await fn({ p, faulty, said, io });
  } finally {
    await closePair(p);
  }
}
