// Repro: the extension's "stale on chain" (words.ts staleOnChain) is a step comparison of its own; the node's
// rule (src/core/lifecycle.ts defense) challenges only a close that pays us less (or a state between pays less).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import { defense } from '../../src/core/lifecycle.js';
import type { Capabilities, ChannelView, StateView } from '../../src/node/types.js';
import { staleOnChain } from '../../src/extension/words.js';
import { actionButtons } from '../../src/extension/balancesSnapshot.js';

const TON = parseTon;
const no = { ok: false as const, code: 'NOT_OPEN' as const, why: 'not now' };
const ok = { ok: true as const };
const acts: Capabilities = { deposit: no, refund: no, send: no, sign: no, createEmpty: no, requestEmpty: no, withdraw: no, exit: no, challenge: ok, finish: no, decline: no };
const st = (step: bigint, a: string, b: string): StateView => ({ step, sender: step % 2n === 0n ? 'A' : 'B', tag: 'state', balanceA: TON(a), balanceB: TON(b), sigA: 'AA', sigB: 'BB', committed: true, empty: false });

test('a close at an older step that pays me MORE: UI says stale / watcher challenges; node rule says no challenge', () => {
  // me = B. Step 3: A[3 4]B. Step 4: B paid A 1 -> A[4 3]B (latest). The close on chain holds step 3 (pays B 4).
  const latest = st(4n, '4', '3');
  const ch: ChannelView = {
    id: 'kQx', channelId: '1', contract: 'kQx', network: 'sandbox', me: 'B', myAddress: '0Qb', partnerAddress: '0Qa', partnerOnline: true, phase: 'closing',
    challengePeriod: 600, expectedDepositA: TON('3'), expectedDepositB: TON('4'), depositA: TON('3'), depositB: TON('4'), latest, count: 5n,
    pending: null, myTurn: false, turnRequestedByPartner: false, myBalance: TON('3'), partnerBalance: TON('4'),
    close: { step: 3n, submitter: 'B', deadline: 1e10, byMe: true, secondsLeft: 600 }, deadline: 1e10, closeStep: 3n,
    payout: null, payoutA: null, payoutB: null, actions: acts, restorePending: false, legacy: false,
  };
  const node = defense('B', { step: 3n, balances: { balanceA: TON('3'), balanceB: TON('4') } }, [{ step: 4n, balanceA: TON('4'), balanceB: TON('3') }], null);
  console.log('extension staleOnChain =', staleOnChain(ch), '; node defense() =', node);
  console.log('panel buttons =', JSON.stringify(actionButtons(ch)));
  assert.equal(node, null, 'the node does not challenge this close');
  assert.equal(staleOnChain(ch), true, 'but the extension marks it stale: red warning, "your watcher challenges it", Challenge Now primary');
});

test('an exit with the deposits that the watcher DOES challenge is not flagged', () => {
  const latest = st(4n, '2', '5');
  const ch = { phase: 'closing', me: 'B', latest, close: { step: null, submitter: 'A', deadline: 1e10, byMe: false, secondsLeft: 600 } } as unknown as ChannelView;
  const node = defense('B', { step: null, balances: { balanceA: TON('3'), balanceB: TON('4') } }, [{ step: 4n, balanceA: TON('2'), balanceB: TON('5') }], null);
  console.log('exit: extension staleOnChain =', staleOnChain(ch), '; node defense() step =', node?.step);
  assert.ok(node);
  assert.equal(staleOnChain(ch), false);
});
