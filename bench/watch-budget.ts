// A node with many channels on an endpoint of 1 request a second (toncenter without an API key): its requests a
// second at idle, its deposit's time, and from a partner's stale close landing (no hint) to its challenge landing.
// The scene is test/helpers/manychannels.ts. Run: node --import tsx bench/watch-budget.ts [channels...] (default 30 100);
// prints one JSON line per count. Minutes per count: the devnet is read at 1 request a second.
import '../src/polyfill.js';
import { manyChannels } from '../test/helpers/manychannels.js';

async function main(): Promise<void> {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const channels of counts.length ? counts : [30, 100]) {
    const r = await manyChannels({ limit: 1, channels, period: 600, idleMs: 60_000 });
    console.log(JSON.stringify({ channels, limit: 1, ...r }));
  }
}

void main();
