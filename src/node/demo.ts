// The teaching demo: Alice and Bob, two real ChannelNodes in one process, on one embedded sandbox chain,
// connected over loopback libp2p. Each step runs one part of the story and returns what happened in words.
// `npm run demo` plays every step headless; the VS Code walkthrough runs them one button at a time.
import { join } from 'node:path';
import { clockText, durationText } from '../core/duration.js';
import { formatTon, parseTon } from '../core/amounts.js';
import { balancesLine } from '../core/format.js';
import { newKeyPair } from '../core/signer.js';
import type { Chain } from '../chain/types.js';
import { createNode } from './index.js';
import { NodeError } from './errors.js';
import type { ChannelNodeApi, NodeEvent, PayoutView } from './types.js';
import { SHARES_UNREAD } from './uiRules.js';

export interface DemoStep {
  id: 'connect' | 'deploy' | 'deposit' | 'signInitial' | 'send' | 'requestTurn' | 'passTurn' | 'staleClose' | 'challenge' | 'finishClose';
  title: string;
  run(): Promise<string>;
}

export interface TeachingDemo {
  alice: ChannelNodeApi;
  bob: ChannelNodeApi;
  chain: Chain;
  /** the channel (and wallet) public keys, hex */
  publicKeys: { alice: string; bob: string };
  steps: DemoStep[];
  /** steps already run, by id */
  done: Set<string>;
  /** runs the next step not run yet; null when the story is over */
  next(): Promise<{ step: DemoStep; text: string } | null>;
  runStep(id: DemoStep['id']): Promise<string>;
  advanceTime(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

interface SandboxLike extends Chain {
  advanceTime(seconds: number): unknown;
}

/** Waits for the first event that matches, or fails after timeoutMs (TIMEOUT). */
export function waitForEvent<T extends NodeEvent['type']>(
  node: ChannelNodeApi,
  type: T,
  pred: (e: Extract<NodeEvent, { type: T }>) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<Extract<NodeEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new NodeError('TIMEOUT', `timed out after ${timeoutMs / 1000} s waiting for ${type}`));
    }, timeoutMs);
    // The first listener gets the start-up's events replayed inside on(): before `off` exists.
    let found = false;
    const off = node.on((e) => {
      if (found || e.type !== type || !pred(e as Extract<NodeEvent, { type: T }>)) return;
      found = true;
      clearTimeout(timer);
      queueMicrotask(() => off());
      resolve(e as Extract<NodeEvent, { type: T }>);
    });
  });
}

export const DEMO_CHALLENGE_PERIOD = 600;

/** What the story's steps share: the two nodes, the chain, and what an earlier step left for a later one. */
interface Story {
  alice: ChannelNodeApi;
  bob: ChannelNodeApi;
  chain: SandboxLike;
  /** the step Alice later closes with (stale by then) */
  staleStep: bigint;
  /** Bob's challenge, awaited from the moment Alice's stale close is sent */
  pendingChallenge: Promise<Extract<NodeEvent, { type: 'challenged' }>> | null;
  /** fires when the demo stops: its waits end with NODE_STOPPED */
  stopped: AbortSignal;
}

const stoppedError = () => new NodeError('NODE_STOPPED', 'the teaching demo was stopped');

/**
 * Resolves once `cond()` holds: now, or after one of `node`'s events. The views say what happened, so a step
 * also goes on when someone did its part by hand (a Sign clicked in the tree). NODE_STOPPED when the demo stops.
 */
function until(s: Story, node: ChannelNodeApi, cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.stopped.aborted) return reject(stoppedError());
    if (cond()) return resolve();
    let ended = false;
    const end = (e?: Error) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      s.stopped.removeEventListener('abort', onStop);
      queueMicrotask(() => off());
      if (e) reject(e);
      else resolve();
    };
    const onStop = () => end(stoppedError());
    const timer = setTimeout(() => end(new NodeError('TIMEOUT', `timed out after ${ms / 1000} s waiting until ${what}`)), ms);
    s.stopped.addEventListener('abort', onStop, { once: true });
    const off = node.on(() => {
      if (cond()) queueMicrotask(() => end());
    });
  });
}

/** `p`, or NODE_STOPPED as soon as the demo stops. */
function stopOr<T>(s: Story, p: Promise<T>): Promise<T> {
  if (s.stopped.aborted) return Promise.reject(stoppedError());
  let onStop = () => undefined as void;
  const stop = new Promise<never>((_, reject) => (onStop = () => reject(stoppedError())));
  s.stopped.addEventListener('abort', onStop, { once: true });
  return Promise.race([p, stop]).finally(() => s.stopped.removeEventListener('abort', onStop));
}

const latestStep = (n: ChannelNodeApi): bigint => n.currentChannel()?.latest?.step ?? -1n;
const awaitsMe = (n: ChannelNodeApi, step: bigint): boolean => {
  const p = n.currentChannel()?.pending;
  return p?.awaiting === 'me' && p.step === step;
};

/** `to` signs step `step` (unless it is signed already, by hand or automatically), and `from` holds it. */
async function signed(s: Story, from: ChannelNodeApi, to: ChannelNodeApi, step: bigint, who: string): Promise<void> {
  await until(s, to, () => awaitsMe(to, step) || latestStep(to) >= step, `${who} receives step ${step}`, 60_000);
  if (latestStep(to) < step) {
    await to.sign().catch((e: unknown) => {
      if (latestStep(to) < step) throw e; // signed meanwhile by hand: that is the step done
    });
  }
  await until(s, from, () => latestStep(from) >= step, `step ${step} is signed by both`);
}

/**
 * One off-chain step by hand: `from` proposes state `step` (a payment or an empty state), `to` signs it. A learner
 * who did it in the tree first (proposed it, or both signed it) is not asked again: the step signs or goes on.
 * `last`: the last state of the demo's step (a step run again after a wait that timed out finds its own states).
 */
async function proposeAndSign(s: Story, from: ChannelNodeApi, to: ChannelNodeApi, step: bigint, propose: () => Promise<unknown>, last = step): Promise<void> {
  const at = latestStep(from);
  if (at > last) {
    throw new NodeError('INVALID_TRANSITION', `the channel is at step ${at}, past step ${step} that this part of the demo makes: it was moved on by hand, so this part cannot show what it says. Start Again (start the demo again) to follow the story`);
  }
  const proposedByHand = at >= step || (from.currentChannel()?.pending?.awaiting === 'partner' && from.currentChannel()?.pending?.step === step);
  if (!proposedByHand) await propose();
  await signed(s, from, to, step, 'the partner');
}

function balances(s: Story, withState = true): string {
  const c = s.alice.currentChannel();
  return c?.latest ? `A [${formatTon(c.latest.balanceA)} ${formatTon(c.latest.balanceB)}] B${withState ? ` at step ${c.latest.step}` : ''}` : 'no signed state yet';
}

/** What the contract paid, the fee reserve split in it, and who paid which gas (contracts/channel.tolk `shares`). */
export function payoutText(p: PayoutView): string {
  const by = p.step === null ? 'the deposits (an exit)' : `step ${p.step}`;
  if (p.paidA === null || p.paidB === null) return `The contract paid by ${by} (${balancesLine(p)}): ${SHARES_UNREAD}.`;
  const reserve = p.paidA + p.paidB - p.balanceA - p.balanceB;
  const finisher = p.closer === 'A' ? 'Alice' : p.closer === 'B' ? 'Bob' : null;
  return (
    `The contract paid by ${by} (${balancesLine(p)})${p.matchesLatest ? ', the latest state both signed' : p.matchesLatest === null ? ', whether the latest state both signed is unknown to this node' : `, not the latest state both signed (step ${p.latestStep ?? '?'})`}: ` +
    `Alice got ${formatTon(p.paidA)} TON and Bob ${formatTon(p.paidB)} TON, each the state's balance plus half of the fee reserve of ${formatTon(reserve)} TON ` +
    `(what the contract held beyond the deposits: what each deposit's 0.01 TON fee left after its gas, less storage fees; ` +
    `Alice ${formatTon(p.paidA - p.balanceA)}, Bob ${formatTon(p.paidB - p.balanceB)}${p.paidA - p.balanceA !== p.paidB - p.balanceB ? ": the contract rounds Alice's half down and gives Bob the rest" : ''}).\n` +
    `Gas was paid by whoever sent each message, from their own wallet: Alice her deployment with deposit and her stale close, Bob his deposit and his challenge; ` +
    (finisher ? `${finisher}'s node sent finish_close (the message that ends the close and pays out) and paid its gas (its change came back with its share).` : 'a third party sent finish_close (the message that ends the close and pays out) and paid its gas.')
  );
}

/** Connecting, proposing, depositing and signing step 0. */
function openSteps(s: Story): DemoStep[] {
  const { alice, bob } = s;
  return [
    {
      id: 'connect',
      title: 'Alice serves, Bob connects: both prove they own their TON address',
      async run() {
        const served = await alice.serve(0, '127.0.0.1');
        const addr = served.lan[0]!;
        const p = await bob.connect(addr);
        // Alice's node may have told it before connect() returned here: her view says it either way.
        await until(s, alice, () => alice.partners().some((x) => x.online), 'Alice sees Bob connected');
        return `Alice serves on ${addr}.\nBob connected. Each proved it owns its wallet: it signed the connection (both peer ids and a fresh nonce from the other), and the other checked the signature against its address. Alice's signature: ${p.signature.slice(0, 32)}…; her address: ${p.address}`;
      },
    },
    {
      id: 'deploy',
      title: 'Alice proposes a channel (3 TON from her, 4 TON from Bob)',
      async run() {
        const proposed = waitForEvent(bob, 'channelProposed');
        const c = await alice.open({ myDeposit: parseTon('3'), partnerDeposit: parseTon('4'), challengePeriod: DEMO_CHALLENGE_PERIOD });
        await stopOr(s, proposed);
        return `Alice proposed channel ${c.channelId}: she deposits 3 TON, Bob 4 TON, challenge period ${durationText(DEMO_CHALLENGE_PERIOD)} (how long a close on chain stays open to a later state: see the close below). Bob accepts it with \`deposit\`; then Alice deploys the contract, and Bob's deposit follows.`;
      },
    },
    {
      id: 'deposit',
      title: 'Bob accepts; Alice deploys the contract with her deposit; Bob deposits; the contract locks',
      async run() {
        // Bob may have accepted from the tree already.
        if (bob.currentChannel()?.phase === 'proposed') await bob.deposit();
        await until(s, bob, () => awaitsMe(bob, 0n) || latestStep(bob) >= 0n, 'Bob has the initial state', 120_000);
        const c = bob.currentChannel()!;
        const bobSaw = awaitsMe(bob, 0n) ? "Bob's node shows it awaiting his signature" : 'Bob signed it already';
        return `Bob accepted; Alice deployed ${c.contract} with her 3 TON; then Bob deposited 4 TON and the contract locked.\nAlice signed the initial state (step 0 of the channel) and sent it: ${bobSaw}.`;
      },
    },
    {
      id: 'signInitial',
      title: 'Bob signs the initial state',
      async run() {
        await signed(s, alice, bob, 0n, 'Bob');
        return (
          `Both signed step 0: ${balances(s, false)} (Alice is party A with 3 TON, Bob party B with 4).\n` +
          `The demo runs in manual mode: a node never countersigns its partner's state by itself; that is an action (this step; in VS Code also Sign in the tree). ` +
          `Its own proposals are signed as it makes them: Alice's node signed step 0 when the contract locked. (In automatic mode, the default outside this demo, a node countersigns valid states by itself.)\n` +
          `Turns alternate: Bob creates the odd steps, Alice the even ones, so they never both propose at once. Step 1 is Bob's.`
        );
      },
    },
  ];
}

/** Payments both ways, a turn request and an empty state that passes the turn. */
function paySteps(s: Story): DemoStep[] {
  const { alice, bob } = s;
  return [
    {
      id: 'send',
      title: 'Bob pays Alice 0.5 TON off-chain; Alice signs',
      async run() {
        await proposeAndSign(s, bob, alice, 1n, () => bob.send(parseTon('0.5')));
        s.staleStep = alice.currentChannel()!.latest!.step;
        return `Step ${s.staleStep} signed by both: ${balances(s, false)}. Now it is Alice's turn (step ${s.staleStep + 1n}).`;
      },
    },
    {
      id: 'requestTurn',
      title: "Alice pays Bob 1.5 TON; then Alice asks for the turn back",
      async run() {
        await proposeAndSign(s, alice, bob, 2n, () => alice.send(parseTon('1.5')));
        const asked = waitForEvent(bob, 'turnRequested');
        await alice.requestEmpty();
        await stopOr(s, asked);
        return `${balances(s)}. Alice wants to pay again but step ${alice.currentChannel()!.latest!.step + 1n} is Bob's: she asked for the turn, and Bob's node reported her request.`;
      },
    },
    {
      id: 'passTurn',
      title: 'Bob passes the turn with an empty state; Alice signs it and pays 0.25 TON',
      async run() {
        await proposeAndSign(s, bob, alice, 3n, () => bob.createEmpty(), 4n);
        await proposeAndSign(s, alice, bob, 4n, () => alice.send(parseTon('0.25')));
        return `Bob's empty state passed the turn; Alice paid again. ${balances(s)}.`;
      },
    },
  ];
}

/** The state Bob's challenge put on chain, as his view shows it (the close, or the payout once finished). */
async function challengedStep(s: Story): Promise<bigint> {
  const onChain = () => {
    const c = s.bob.currentChannel();
    return c?.close?.step ?? c?.payout?.step ?? null;
  };
  await until(s, s.bob, () => (onChain() ?? -1n) > s.staleStep, "Bob's challenge is on chain", 60_000);
  return onChain()!;
}

/** Alice's stale close, Bob's watcher's challenge, and the payout after the window. */
function closeSteps(s: Story): DemoStep[] {
  const { alice, bob, chain } = s;
  return [
    {
      id: 'staleClose',
      title: 'Alice cheats: she starts a close with an old state that paid her more',
      async run() {
        const challenged = waitForEvent(bob, 'challenged', (e) => e.byMe, 60_000);
        const seen = waitForEvent(bob, 'closeStarted', (e) => e.byPartner, 60_000);
        // Awaited later (or never, when the demo stops first): a rejection is not left unhandled.
        for (const p of [challenged, seen]) p.catch(() => undefined);
        const old = (await alice.showAll()).find((x) => x.step === s.staleStep)!;
        const r = await alice.withdraw({ step: s.staleStep, mode: 'unilateral', confirmStale: true });
        s.pendingChallenge = challenged;
        await stopOr(s, seen);
        return (
          `Alice sent step ${r.step} (A [${formatTon(old.balanceA)} ${formatTon(old.balanceB)}] B) to the contract, although the latest state gives her less: ${balances(s)}.\n` +
          `The challenge window runs until ${clockText(r.deadline ?? 0)}: until then a later state both signed replaces the close, so a partner who is offline for a while can still answer.\n` +
          `Bob's node watches the contract (its watcher): it saw the close on chain and reacts at once; the next step reports its challenge.`
        );
      },
    },
    {
      id: 'challenge',
      title: "Bob's watcher challenged at once with the latest state",
      async run() {
        // Done already, most likely (during the last step): the promise kept since then, else Bob's view.
        const c = bob.currentChannel();
        const before = (c?.close?.step ?? c?.payout?.step ?? -1n) > s.staleStep;
        const step = s.pendingChallenge ? (await stopOr(s, s.pendingChallenge)).step : await challengedStep(s);
        return `Bob's watcher challenged with step ${step} as soon as it saw the old state on chain (its challenge landed ${before ? 'during the last step' : 'during this step'}): the contract now holds the latest state.`;
      },
    },
    {
      id: 'finishClose',
      title: 'Time passes; the close is finished and both are paid by the latest state',
      async run() {
        // The chain's clock follows real time too: after a long pause the watchers have finished the close already.
        const paid = () => alice.currentChannel()?.phase === 'closed';
        if (!paid()) await chain.advanceTime(DEMO_CHALLENGE_PERIOD + 5);
        await until(s, alice, paid, 'the close is paid out', 60_000);
        return `The challenge window passed and the close was finished.\n${payoutText(alice.currentChannel()!.payout!)}`;
      },
    },
  ];
}

export async function createTeachingDemo(opts: { dataDir: string; log?: (line: string) => void; autoMode?: boolean }): Promise<TeachingDemo> {
  const heavy = await import('#heavy');
  const chain: SandboxLike = await heavy.SandboxChain.create();
  const common = { network: 'sandbox' as const, chain, autoMode: opts.autoMode ?? false, challengePeriod: DEMO_CHALLENGE_PERIOD, pollMs: 200, ...(opts.log ? { log: opts.log } : {}) };
  const aliceKey = newKeyPair();
  const bobKey = newKeyPair();
  const alice = await createNode({ ...common, dataDir: join(opts.dataDir, 'alice'), key: { keyPair: aliceKey } });
  // Bob failing to start leaves nothing running (Alice's node would hold her folder, and its files, for ever).
  const bob = await createNode({ ...common, dataDir: join(opts.dataDir, 'bob'), key: { keyPair: bobKey } }).catch(async (e: unknown) => {
    await alice.stop().catch(() => undefined);
    throw e;
  });
  const done = new Set<string>();
  const stop = new AbortController();
  const story: Story = { alice, bob, chain, staleStep: 0n, pendingChallenge: null, stopped: stop.signal };
  const steps: DemoStep[] = [...openSteps(story), ...paySteps(story), ...closeSteps(story)];
  const demo: TeachingDemo = {
    alice,
    bob,
    publicKeys: { alice: aliceKey.publicKey.toString('hex').toUpperCase(), bob: bobKey.publicKey.toString('hex').toUpperCase() },
    chain,
    steps,
    done,
    async runStep(id: DemoStep['id']) {
      const step = steps.find((x) => x.id === id);
      if (!step) throw new NodeError('USAGE', `no demo step ${id}: the steps are ${steps.map((x) => x.id).join(', ')}`);
      const missing = steps.slice(0, steps.indexOf(step)).find((x) => !done.has(x.id));
      if (missing) throw new NodeError('INVALID_TRANSITION', `run "${missing.title}" first`);
      if (done.has(id)) throw new NodeError('INVALID_TRANSITION', `"${step.title}" is done already; the next step is ${steps.find((x) => !done.has(x.id))?.title ?? 'none: the story is over'}`);
      const text = await step.run();
      done.add(id);
      return text;
    },
    async next() {
      const step = steps.find((x) => !done.has(x.id));
      if (!step) return null;
      return { step, text: await demo.runStep(step.id) };
    },
    async advanceTime(seconds: number) {
      await chain.advanceTime(seconds);
    },
    async stop() {
      stop.abort();
      await alice.stop();
      await bob.stop();
      await chain.close();
    },
  };
  return demo;
}
