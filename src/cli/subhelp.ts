// The help of `synchannel demo`, laid out by commander as the main --help is (devnet's is in its own parser).
import { Command } from 'commander';

/** `synchannel demo --help`: how it is typed, what it does, its options. */
export function demoHelp(): string {
  return new Command('synchannel demo')
    .usage('[--pause]')
    .description('Runs the whole story headless: two nodes (Alice and Bob) on the embedded sandbox, over libp2p on 127.0.0.1: keys, deployment, deposits, payments both ways, a stale close challenged, the payout.')
    .option('--pause', 'wait for Enter before each part after the first (npm run demo -- --pause)')
    .helpInformation();
}
