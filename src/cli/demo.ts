// `npm run demo`: the whole story, headless, on the embedded sandbox with two nodes over loopback libp2p
// (`npm run demo -- --pause`: one part at a time, on Enter).
import '../polyfill.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { createTeachingDemo, type TeachingDemo } from '../node/demo.js';
import type { ChannelView } from '../node/types.js';
import { formatState } from './format.js';
import { receivedText } from '../node/uiRules.js';

const bold = (t: string) => (process.stdout.isTTY ? `\x1b[1m${t}\x1b[0m` : t);

/**
 * `--pause`: waits for Enter (a line of input) before each part after the first, so a class can follow one part at
 * a time. At the end of the input it goes on without pausing.
 */
export function pauser(input: NodeJS.ReadableStream = process.stdin): { wait(): Promise<void>; close(): void } {
  const lines = createInterface({ input, terminal: false });
  let ended = false;
  const waiting: (() => void)[] = [];
  let ready = 0; // lines typed ahead
  // Input is read only while a part waits for it: an endless input (`yes ''`) read ahead took the whole event loop.
  lines.on('line', () => {
    if (waiting.length) waiting.shift()!();
    else ready++;
    if (!waiting.length) lines.pause();
  });
  lines.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w();
  });
  return {
    async wait() {
      if (ready > 0) return void ready--;
      if (ended) return;
      process.stdout.write('(press Enter for the next part; Ctrl+C stops the demo)\n');
      const line = new Promise<void>((r) => waiting.push(r));
      lines.resume();
      await line;
    },
    close: () => lines.close(), // the input no longer keeps the process running
  };
}

export async function runDemo(opts: { pause?: boolean } = {}): Promise<number> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-demo-'));
  console.log(bold('SynChannel demo: Alice and Bob on the embedded TON sandbox, talking over libp2p on 127.0.0.1'));
  console.log('Loading the sandbox emulator…');
  const demo = await createTeachingDemo({ dataDir: dir });
  const pause = opts.pause ? pauser() : null;
  // Ctrl+C (most likely at a pause): the nodes stop and the demo's folder goes, as at the end.
  const onInt = () => void demo.stop().catch(() => undefined).then(() => rm(dir, { recursive: true, force: true })).finally(() => process.exit(130));
  process.once('SIGINT', onInt);
  try {
    await playDemo(demo, started, pause ? () => pause.wait() : undefined);
    return 0;
  } catch (e) {
    console.error(`\ndemo failed: ${(e as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onInt);
    pause?.close();
    await demo.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the contract paid each party (state balance plus half the fee reserve), and by which state. */
export function paidOutLine(a: ChannelView, b: ChannelView | null): string {
  const p = a.payout;
  if (!p) return `Not paid out (the channel is ${a.phase})`;
  const by = p.step === null ? 'the deposits (an exit)' : `step ${p.step}`;
  // "latest" only when it is the latest state both signed as both nodes hold it
  const latest = p.step !== null && p.matchesLatest && a.latest?.step === p.step && (!b || b.latest?.step === p.step);
  const which = latest ? ', the latest state both signed' : p.matchesLatest === null ? ', whether the latest state both signed is unknown to this node' : a.latest ? `, not the latest state both signed (step ${a.latest.step})` : '';
  return `Paid out: A ${receivedText(p, 'A')}, B ${receivedText(p, 'B')} (by ${by}${which}; each its balance plus half the fee reserve)`;
}

/** Plays the story's steps not run yet, then prints what the chain paid. */
export async function playDemo(demo: TeachingDemo, started = Date.now(), pause?: () => Promise<void>): Promise<void> {
  const { alice, bob } = demo;
  const wallets = async () => ({ a: await alice.balanceTon(), b: await bob.balanceTon() });
  console.log(`\nAlice's public key: ${demo.publicKeys.alice}`);
  console.log(`Alice's account:    ${alice.getAccount()} (a V5R1 wallet contract on the sandbox)`);
  console.log(`Bob's public key:   ${demo.publicKeys.bob}`);
  console.log(`Bob's account:      ${bob.getAccount()}`);
  const before = await wallets();
  console.log(`Wallet balances before: Alice ${formatTon(before.a)} TON, Bob ${formatTon(before.b)} TON`);
  let n = demo.done.size + 1; // the parts already run (by a caller) keep their numbers
  for (;;) {
    if (pause && n > 1 && demo.steps.some((x) => !demo.done.has(x.id))) await pause();
    const r = await demo.next();
    if (!r) break;
    console.log(`\n${bold(`${n++}. ${r.step.title}`)}`);
    console.log(r.text);
    if (r.step.id === 'passTurn') {
      console.log(`\n${bold('showAll (Alice)')}`);
      console.log('Every state both signed, oldest first: who created it (Sender), the balances, its number (Step) and the first 8 hex digits of A\'s and B\'s signatures (Signs).');
      for (const s of await alice.showAll()) console.log(formatState(s));
    }
  }
  const after = await wallets();
  const c = alice.channels()[0]!;
  console.log(`\n${bold('Result')}`);
  console.log(paidOutLine(c, bob.channels()[0] ?? null));
  console.log(`Wallet balances after:  Alice ${formatTon(after.a)} TON (${sign(after.a - before.a)}), Bob ${formatTon(after.b)} TON (${sign(after.b - before.b)})`);
  // What each wallet's change is made of: the payout less the deposit, and the fees of the messages it sent.
  if (c.payout && c.payout.paidA !== null && c.payout.paidB !== null) {
    const parts = [['Alice', 'her', c.payout.paidA, c.depositA, after.a - before.a], ['Bob', 'his', c.payout.paidB, c.depositB, after.b - before.b]] as const;
    for (const [who, their, paid, deposited, change] of parts) {
      console.log(`${who}: paid out ${formatTon(paid)} - deposited ${formatTon(deposited)} = ${sign(paid - deposited)}; the rest of ${their} wallet's change, ${sign(change - (paid - deposited))}, is the fees of ${their} messages`);
    }
  }
  const contract = c.contract ? await demo.chain.getBalance(Address.parse(c.contract)) : 0n;
  console.log(`Contract balance now: ${formatTon(contract)} TON`);
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

function sign(v: bigint): string {
  return v >= 0n ? `+${formatTon(v)}` : `-${formatTon(-v)}`;
}
