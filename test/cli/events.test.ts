// What the CLI says about money says who did what and what happens next (QA: a node that challenged its own
// user's close with an older state printed "Your partner submitted an old state"; withdraw did not say that it
// may fall back to a close that waits the challenge window). events-commands.test.ts: what the commands say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFormatter, jsonEvent, stoppingNotes } from '../../src/cli/format.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView, NodeEvent } from '../../src/node/types.js';
import { withdrawNode } from './withdraw-node.js';
import { CLOSE_TIMEOUT_MS } from '../../src/node/policy.js';
import { PARTNER_GRACE_MS } from '../../src/node/uiRules.js';

const channel = (closeByMe: boolean) => ({ close: { step: 0n, submitter: closeByMe ? 'A' : 'B', deadline: 1_800_000_000, byMe: closeByMe, secondsLeft: 600 } }) as unknown as ChannelView;
const challenged = (closeByMe: boolean, byMe = true): NodeEvent => ({ type: 'challenged', channel: channel(closeByMe), step: 4n, byMe });

test('a challenge says whose close it corrected', () => {
  const f = new EventFormatter();
  assert.equal(f.format(challenged(false)), '❗ Your partner submitted an old state: challenged it with step 4❗');
  const own = f.format(challenged(true))!;
  assert.doesNotMatch(own, /partner/i);
  assert.match(own, /your close used an older state than the latest both signed: your node challenged it with step 4/i);
  assert.equal(f.format(challenged(false, false)), 'The close was challenged with step 4');
});

test('a challenge a restart tells again (told in the run that made it) is said as one made before the restart, not as new', () => {
  const again = (closeByMe: boolean, byMe = true): NodeEvent => ({ type: 'challenged', channel: channel(closeByMe), step: 4n, byMe, earlier: true });
  const f = new EventFormatter();
  const stale = f.format(again(false))!;
  assert.doesNotMatch(stale, /❗/);
  assert.match(stale, /^Before the restart, your node challenged your partner's old state with step 4; the challenge window ends at .+/);
  assert.match(f.format(again(true))!, /^Before the restart, your node challenged your own close \(an older state than the latest both signed\) with step 4, which pays you more; the challenge window ends at /);
  assert.match(f.format(again(false, false))!, /^Before the restart, the close was challenged with step 4; the challenge window ends at /);
  assert.match(f.format(again(true, false))!, /^Before the restart, your partner challenged your close with step 4; the challenge window ends at /);
});

test('a close a restart tells again (earlier) is said as one started before the restart, not as new', () => {
  const started = (byPartner: boolean, step: bigint | null, earlier = true): NodeEvent => ({ type: 'closeStarted', channel: channel(!byPartner), step, deadline: 1_800_000_000, byPartner, ...(earlier ? { earlier } : {}) }) as unknown as NodeEvent;
  const f = new EventFormatter();
  const theirs = f.format(started(true, 3n))!;
  assert.doesNotMatch(theirs, /❗/);
  assert.match(theirs, /^Before the restart, your partner sent the state to the smart contract \(step 3\); the challenge window ends at .+/);
  assert.match(new EventFormatter().format(started(true, null))!, /^Before the restart, your partner started an exit with the deposits; the challenge window ends at /);
  assert.match(new EventFormatter().format(started(false, 5n))!, /^Before the restart, you started a close with step 5\. The challenge window ends at .+; the node finishes the close then\./);
  assert.match(new EventFormatter().format(started(false, null))!, /^Before the restart, you started an exit\. The challenge window ends at /);
  // a new one keeps its words
  assert.match(new EventFormatter().format(started(true, 3n, false))!, /^❗ Your partner sent the state to the smart contract❗ \(step 3; challenge window until /);
  assert.match(new EventFormatter().format(started(false, 5n, false))!, /^Close started with step 5\. /);
});

test('a failed challenge says what the node does next: retry, stop (the window is over), or stop sending one the contract refuses', () => {
  const f = new EventFormatter();
  const failed = (nextRetryMs: number | null, stopped: 'deadline' | 'refused' | null, secondsLeft = 300): NodeEvent => ({ type: 'challengeFailed', channel: channel(false), code: 'CONTRACT_REJECTED', message: 'refused (exit code 41)', secondsLeft, nextRetryMs, stopped });
  assert.match(f.format(failed(4000, null))!, /300 s left before the deadline; retrying in 4 s/);
  assert.match(f.format(failed(null, 'deadline', 0))!, /no time left to retry/);
  const refused = f.format(failed(null, 'refused'))!;
  assert.match(refused, /300 s left before the deadline; the contract refused it several times in a row: your node stops sending it by itself \(each try costs a wallet fee\); run `challenge` to try again/);
  assert.doesNotMatch(refused, /no time left/);
  // before the node's first read of the chain's time: no figure, said as being read
  const unknown = f.format({ ...(failed(4000, null) as Extract<NodeEvent, { type: 'challengeFailed' }>), secondsLeft: null })!;
  assert.match(unknown, /The time left before the deadline is being read \(the node reads the chain's time first\); retrying in 4 s/);
  assert.doesNotMatch(unknown, /null/);
});

/** A node with one open channel at step 4 (A 1, B 2 nanotons) whose withdraw calls `onWithdraw`. */
test('withdraw says before anything is sent what happens: cooperative or the challenge window, in words', async () => {
  const order: string[] = [];
  const node = withdrawNode(() => order.push('withdraw'));
  const said = async (line: string) => {
    const out: string[] = [];
    const io: Io = { say: (t) => (out.push(t), order.push(t)), emit: () => undefined, ask: async () => null, json: false, interactive: false };
    await runLine(line, node, io);
    return out.join('\n');
  };
  const auto = await said('withdraw --yes');
  assert.match(auto, /A cooperative close if your partner signs .* within 15 s, a unilateral close starts instead and the payout waits the challenge window \(24 h\)/);
  // the wait for an offline partner is PARTNER_GRACE_MS (it said 15 s for it too)
  assert.match(auto, new RegExp(`if they are offline and do not connect within ${PARTNER_GRACE_MS / 1000} s, or do not sign within ${CLOSE_TIMEOUT_MS / 1000} s,`));
  assert.ok(order.indexOf('withdraw') > order.findIndex((l) => /cooperative close if/.test(l)), 'said before the withdraw');
  const older = await said('withdraw 1 --yes');
  assert.match(older, /A unilateral close: the payout waits the challenge window \(24 h\)/);
  assert.match(older, /Step 1 is older than the latest state \(4\): it gives you 0\.000000001 TON less than the latest;/);
  assert.match(await said('withdraw --yes --cooperative'), /nothing is sent to the contract without their signature/);
});

test('a state from the partner says what it does to your balance (it printed only "Received new state")', () => {
  const st = (step: bigint, a: bigint, b: bigint, empty = false) => ({ step, sender: 'B', tag: 'state', balanceA: a, balanceB: b, sigA: null, sigB: 'BB', committed: false, empty });
  const ch = (latest: ReturnType<typeof st>) => ({ me: 'A', latest }) as unknown as ChannelView;
  const f = new EventFormatter();
  const TON = 1_000_000_000n;
  const paid = f.format({ type: 'stateReceived', channel: ch(st(4n, 3n * TON, 4n * TON)), state: st(5n, 3n * TON + TON / 2n, 3n * TON + TON / 2n), previous: st(4n, 3n * TON, 4n * TON) } as NodeEvent)!;
  assert.match(paid, /^❗ Received new state❗\nStep 5: your partner pays you 0\.5 TON, A \[3\.5 3\.5\] B$/);
  const pass = f.format({ type: 'stateReceived', channel: ch(st(5n, 3n * TON, 4n * TON)), state: st(6n, 3n * TON, 4n * TON, true), previous: st(5n, 3n * TON, 4n * TON) } as NodeEvent)!;
  assert.match(pass, /Step 6: your partner passes the turn, A \[3 4\] B$/);
  const signed = f.format({ type: 'stateSigned', channel: ch(st(6n, 3n * TON, 4n * TON)), state: { ...st(6n, 3n * TON, 4n * TON, true), committed: true } } as NodeEvent)!;
  assert.equal(signed, '❗ Last state signed successful❗\nStep 6 (empty: the turn passes): A [3 4] B');
});

test('balanceChan says which party you are (the proposer is A, so it changes from channel to channel)', async () => {
  const out: string[] = [];
  const node = {
    currentChannel: () => ({ id: '1', me: 'B', phase: 'open' }),
    channels: () => [],
    balanceChan: () => ({ balanceA: 3_000_000_000n, balanceB: 4_000_000_000n, step: 2n }),
  } as unknown as ChannelNodeApi;
  await runLine('balanceChan', node, { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false });
  assert.deepEqual(out, ['A [3 4] B (step 2; you are B)']);
});

test('balanceChan says when a state waits for a signature: its balances are not agreed yet', async () => {
  const said = async (awaiting: 'me' | 'partner', json = false) => {
    const out: unknown[] = [];
    const pending = { step: 3n, balanceA: 2_900_000_000n, balanceB: 4_100_000_000n, awaiting };
    const node = {
      currentChannel: () => ({ id: '1', me: 'A', phase: 'open', pending }),
      channels: () => [],
      balanceChan: () => ({ balanceA: 3_000_000_000n, balanceB: 4_000_000_000n, step: 2n }),
    } as unknown as ChannelNodeApi;
    await runLine('balanceChan', node, { say: (t) => (json ? undefined : out.push(t)), emit: (o) => out.push(o), ask: async () => null, json, interactive: false });
    return out;
  };
  assert.deepEqual(await said('partner'), ["A [3 4] B (step 2; you are A)\nStep 3 (A [2.9 4.1] B) waits for your partner's signature: until they sign, step 2 is what the channel holds"]);
  assert.deepEqual(await said('me'), ['A [3 4] B (step 2; you are A)\nStep 3 (A [2.9 4.1] B) from your partner awaits your signature: sign signs it']);
  const [line] = (await said('partner', true)) as { result: { step: bigint; pending?: { step: bigint; awaiting: string } } }[];
  assert.deepEqual([line!.result.step, line!.result.pending?.step, line!.result.pending?.awaiting], [2n, 3n, 'partner']);
});

test('balanceChan during a close says what the contract holds and when the window ends', async () => {
  process.env.TZ = 'UTC'; // told in local time (window-end.test.ts)
  const said = async (closeStep: bigint | null) => {
    const out: string[] = [];
    const node = {
      currentChannel: () => ({ id: '1', me: 'A', phase: 'closing', closeStep, deadline: 1_800_000_000, close: { step: closeStep, deadline: 1_800_000_000, secondsLeft: 600 } }),
      channels: () => [],
      balanceChan: () => ({ balanceA: 2_500_000_000n, balanceB: 1_500_000_000n, step: 2n }),
    } as unknown as ChannelNodeApi;
    await runLine('balanceChan', node, { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false });
    return out.join('\n');
  };
  assert.equal(await said(1n), 'A [2.5 1.5] B (step 2; you are A; closing: the contract holds step 1, challenge window until 2027-01-15 08:00:00 UTC, 10 min from now)');
  assert.equal(await said(null), 'A [2.5 1.5] B (step 2; you are A; closing: the contract holds the deposits (an exit), challenge window until 2027-01-15 08:00:00 UTC, 10 min from now)');
});

test('balanceChan of a channel that paid out says so: nothing is in it any more', async () => {
  const out: string[] = [];
  const payout = { step: 5n, balanceA: 2_500_000_000n, balanceB: 4_500_000_000n };
  const node = {
    currentChannel: () => ({ id: '1', me: 'A', phase: 'closed', payout }),
    channels: () => [],
    balanceChan: () => ({ ...payout }),
  } as unknown as ChannelNodeApi;
  await runLine('balanceChan', node, { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false });
  assert.deepEqual(out, ['A [2.5 4.5] B (step 5; you are A; closed, paid out by step 5 (A [2.5 4.5] B): nothing is in the channel any more)']);
});

test('stopping with money in a channel says that nothing watches the chain until the node runs again', () => {
  const view = (contract: string, phase: string, pending: unknown = null) => ({ contract, phase, challengePeriod: 3600, pending }) as unknown as ChannelView;
  assert.deepEqual(stoppingNotes([view('kQa', 'closed'), view('kQb', 'rejected')]), []);
  const notes = stoppingNotes([view('kQa', 'open', { step: 7n, awaiting: 'partner' }), view('kQb', 'locked'), view('kQc', 'closing'), view('kQd', 'closed'), view('kQe', 'open', { step: 4n, awaiting: 'me' })]);
  assert.equal(notes.length, 4);
  assert.match(notes[0]!, /^Stopping while kQc is closing: nothing watches it/);
  assert.match(notes[1]!, /^Stopping with money in channels kQa, kQb, kQe: nothing watches the chain for a close by your partner until you start the node again\. Start it at least once every 1 h/);
  // it may have reached them already: they had not signed it
  assert.equal(notes[2], "Step 7 of kQa still waits for your partner's signature: they can sign it while both nodes are online.");
  // a state that waits for this side (--manual) is said too: nothing moves until it is signed
  assert.equal(notes[3], 'Step 4 from your partner on kQe awaits your signature: start the node again and sign it.');
});

test('a payout by an older state than the latest is not announced as a success', () => {
  const f = new EventFormatter();
  const payout = { step: 0n, balanceA: 3n, balanceB: 3n, paidA: 3n, paidB: 3n, matchesLatest: false, latestStep: 9n, latestBalanceA: 4n, latestBalanceB: 2n };
  const stale = f.format({ type: 'closed', channel: {} as ChannelView, payout } as unknown as NodeEvent)!;
  assert.doesNotMatch(stale, /Success/);
  assert.match(stale, /^❗ Withdrawal paid out, but not by the latest state❗\n/);
  assert.match(stale, /step 9 gave A \[0\.000000004 0\.000000002\] B/);
  const fine = f.format({ type: 'closed', channel: {} as ChannelView, payout: { ...payout, matchesLatest: true } } as unknown as NodeEvent)!;
  assert.match(fine, /^Success withdrawal!\n/);
  const unknown = f.format({ type: 'closed', channel: {} as ChannelView, payout: { ...payout, step: 12n, matchesLatest: null } } as unknown as NodeEvent)!;
  assert.doesNotMatch(unknown, /Success|not by the latest/);
  assert.match(unknown, /does not hold the latest state both signed .*cannot tell/);
});

test("a wallet short of what leaving its channels costs is a warning line with the node's words; its recovery a plain line", () => {
  const f = new EventFormatter();
  const message = 'your wallet 0QAb…wxyz holds 0.02 TON, 0.03 TON short of the 0.05 TON it keeps to leave your channel alone (…). Top it up with at least 0.03 TON (`faucet`)';
  const low: NodeEvent = { type: 'walletReserve', low: true, wallet: '0QAb…wxyz', balance: 20_000_000n, need: 50_000_000n, short: 30_000_000n, message, channels: [channel(false)] };
  assert.equal(f.format(low), `warn: ${message}`);
  const back: NodeEvent = { ...low, low: false, short: 0n, need: 0n, message: 'your wallet 0QAb…wxyz holds 1 TON again: enough to leave your channels alone' };
  assert.equal(f.format(back), 'your wallet 0QAb…wxyz holds 1 TON again: enough to leave your channels alone');
  assert.deepEqual(jsonEvent(low), { ...low, event: 'walletReserve', type: undefined });
});
