// The channel's life machine (src/core/lifecycle.ts): the table is complete, its rules hold for any sequence of
// events (fast-check), and the defense picks the latest state only when it pays more.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LIFECYCLE, LIFE_EVENTS, LIFE_PHASES, LifecycleError, defense, lifeAllows, lifeStep, sourceOf, type LifeEventType, type LifePhase } from '../../src/core/lifecycle.js';
import type { Party } from '../../src/core/signed.js';

/** The order phases may only move forward in (rejected is a dead end beside it). */
const RANK: Record<LifePhase, number> = { proposed: 0, accepted: 1, deploying: 2, funding: 3, locked: 4, open: 5, closing: 6, closed: 7, rejected: 8 };

describe('lifecycle table', () => {
  test('covers every phase x every event, and names only known phases', () => {
    assert.deepEqual(Object.keys(LIFECYCLE).sort(), [...LIFE_PHASES].sort());
    for (const p of LIFE_PHASES) {
      assert.deepEqual(Object.keys(LIFECYCLE[p]).sort(), [...LIFE_EVENTS].sort(), `${p} lists every event`);
      for (const e of LIFE_EVENTS) {
        const r = LIFECYCLE[p][e];
        if ('to' in r) assert.ok(LIFE_PHASES.includes(r.to), `${p}.${e} -> ${r.to}`);
        else assert.ok(('ignore' in r ? r.ignore : r.reject).length > 5, `${p}.${e} says why`);
      }
    }
  });

  test('the chain is the truth: no chain event is ever rejected', () => {
    for (const p of LIFE_PHASES) for (const e of LIFE_EVENTS) if (sourceOf(e) === 'chain') assert.ok(!('reject' in LIFECYCLE[p][e]), `${p}.${e}`);
  });

  test('a close seen on chain always leads to a defense, from every phase with a contract', () => {
    for (const p of ['funding', 'locked', 'open', 'closing'] as const) {
      for (const e of ['closeSeen', 'challengeSeen'] as const) {
        const r = lifeStep(p, 'A', e);
        assert.equal(r.phase, 'closing');
        assert.ok(r.effects.includes('defend'), `${p}.${e}`);
      }
    }
    assert.deepEqual(lifeStep('closing', 'B', 'deadlinePassed').effects, ['finish']);
  });

  test('party-specific rules and effects', () => {
    assert.deepEqual(lifeStep('proposed', 'B', 'accept'), { phase: 'accepted', effects: ['sendAccept'] });
    assert.throws(() => lifeStep('proposed', 'A', 'accept'), (e: unknown) => e instanceof LifecycleError && e.code === 'LIFECYCLE_REJECTED' && /only B/.test(e.message));
    assert.deepEqual(lifeStep('proposed', 'A', 'acceptReceived'), { phase: 'accepted', effects: ['deploy'] });
    assert.deepEqual(lifeStep('funding', 'A', 'locked').effects, ['proposeInitial']);
    assert.deepEqual(lifeStep('funding', 'B', 'locked').effects, ['askInitial'], 'B does not propose the initial state: it asks for it');
    assert.equal(lifeAllows('proposed', 'A', 'accept'), false);
    assert.equal(lifeAllows('proposed', 'B', 'accept'), true);
  });
});

const event = fc.constantFrom<LifeEventType>(...LIFE_EVENTS);
const party = fc.constantFrom<Party>('A', 'B');

describe('lifecycle properties (random event sequences)', () => {
  test('phases only move forward; closed and rejected are final; rejections change nothing; effects are the party\'s own', () => {
    fc.assert(
      fc.property(party, fc.array(event, { maxLength: 60 }), (me, events) => {
        let phase: LifePhase = 'proposed';
        for (const e of events) {
          let next: LifePhase;
          let effects: string[] = [];
          try {
            const r = lifeStep(phase, me, e);
            next = r.phase;
            effects = r.effects;
          } catch (err) {
            assert.ok(err instanceof LifecycleError, String(err));
            assert.notEqual(sourceOf(e), 'chain', 'a chain event is never rejected');
            continue; // the phase stays
          }
          if (phase === 'closed' || phase === 'rejected') assert.equal(next, phase, `${phase} is final`);
          // a proposal, or a funding channel (by a party with nothing in it: the node checks)
          if (next === 'rejected' && phase !== 'rejected') assert.ok(RANK[phase] <= RANK.accepted || (phase === 'funding' && e === 'decline'), 'only a proposal or a funding channel can be declined');
          else if (next === 'rejected') continue;
          else if (next !== 'accepted' || phase !== 'deploying') assert.ok(RANK[next] >= RANK[phase], `${phase} -${e}-> ${next} goes back`);
          if (me === 'B') assert.ok(!effects.includes('deploy') && !effects.includes('proposeInitial') && !effects.includes('sendDeployed'), 'A-only effects');
          if (me === 'A') assert.ok(!effects.includes('sendAccept'), 'B-only effects');
          if (effects.includes('finish')) assert.equal(next, 'closing');
          phase = next;
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a failed deployment is the only way back (deploying -> accepted), and only for A', () => {
    for (const p of LIFE_PHASES) {
      for (const e of LIFE_EVENTS) {
        for (const me of ['A', 'B'] as const) {
          let r;
          try {
            r = lifeStep(p, me, e);
          } catch {
            continue;
          }
          if (RANK[r.phase] < RANK[p] && r.phase !== 'rejected') assert.deepEqual([p, e, me, r.phase], ['deploying', 'deployFailed', 'A', 'accepted']);
        }
      }
    }
  });
});

describe('defense', () => {
  const onChain = (step: bigint | null, a: bigint, b: bigint) => ({ step, balances: { balanceA: a, balanceB: b } });
  test('challenges a stale close that pays us less, with the latest state', () => {
    const cands = [
      { step: 3n, balanceA: 4n, balanceB: 4n },
      { step: 5n, balanceA: 2n, balanceB: 6n },
    ];
    assert.deepEqual(defense('B', onChain(3n, 4n, 4n), cands, 4n), cands[1]);
    assert.equal(defense('A', onChain(3n, 4n, 4n), cands, 4n), null, 'the latest pays A less, nothing between pays A less than it: no challenge');
    assert.equal(defense('B', onChain(5n, 2n, 6n), cands, null), null, 'the close is the latest');
    assert.equal(defense('B', onChain(7n, 8n, 0n), cands, null), null, 'nothing newer than the chain');
  });

  test('a close that pays us as much as the latest is challenged when a state between pays us less (the partner could submit it last)', () => {
    const latest = [{ step: 9n, balanceA: 2n, balanceB: 5n }];
    assert.deepEqual(defense('B', onChain(2n, 2n, 5n), latest, 4n), latest[0], 'step 5 pays B 4: raise the floor');
    assert.equal(defense('B', onChain(2n, 2n, 5n), latest, 5n), null, 'nothing between pays B less');
    assert.equal(defense('B', onChain(8n, 2n, 5n), latest, null), null, 'no state between');
    assert.deepEqual(defense('B', onChain(2n, 1n, 6n), latest, 4n), latest[0], 'also a close that pays B more than the latest');
    assert.deepEqual(defense('B', onChain(2n, 2n, 5n), latest, 'unknown'), latest[0], 'history unreadable: raise the floor');
    assert.equal(defense('B', onChain(9n, 2n, 5n), latest, 'unknown'), null, 'the close is the latest');
  });

  test('an exit (no state) is challenged by step 0 only when it pays more than the deposits', () => {
    assert.equal(defense('A', onChain(null, 3n, 4n), [{ step: 0n, balanceA: 3n, balanceB: 4n }], null), null);
    assert.deepEqual(defense('A', onChain(null, 3n, 4n), [{ step: 1n, balanceA: 5n, balanceB: 2n }], 3n), { step: 1n, balanceA: 5n, balanceB: 2n });
  });

  test('property: a challenge is only ever with the latest, a higher step, and more for us or more than a state between', () => {
    const amt = fc.bigInt({ min: 0n, max: 100n });
    fc.assert(
      fc.property(party, fc.option(fc.bigInt({ min: 0n, max: 20n }), { nil: null }), amt, amt, fc.array(fc.record({ step: fc.bigInt({ min: 0n, max: 25n }), balanceA: amt, balanceB: amt }), { maxLength: 4 }), fc.option(amt, { nil: null }), (me, step, a, b, cands, between) => {
        const d = defense(me, onChain(step, a, b), cands, between);
        const mine = (x: { balanceA: bigint; balanceB: bigint }) => (me === 'A' ? x.balanceA : x.balanceB);
        const top = cands.reduce<(typeof cands)[number] | null>((m, c) => (!m || c.step > m.step ? c : m), null);
        const fear = top !== null && (step === null || top.step > step) && (mine(top) > mine({ balanceA: a, balanceB: b }) || (between !== null && between < mine(top)));
        assert.equal(d !== null, fear, 'a challenge exactly when the latest gains, or guards against a state between');
        if (!d) return;
        assert.ok(step === null || d.step > step);
        assert.ok(cands.every((c) => c.step <= d.step), 'the latest candidate');
      }),
      { numRuns: 500 },
    );
  });
});
