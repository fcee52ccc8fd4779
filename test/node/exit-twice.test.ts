// Two exits asked at once (a double click on Leave): the second would reach the contract once the first has
// started the close, and the contract refuses it: a wallet fee for nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counting, exitOffered, onPair, restartOn } from '../helpers/onway.js';
import { until } from '../helpers/nodes.js';

test('a second exit while the first runs is refused: one exit goes out', () =>
  onPair({ initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await p.alice.stop();
    const exits = counting(p.chain, 'startExit');
    p.alice = await restartOn(p, 'alice', exits.chain);
    await until('Alice reads her channel locked', () => p.alice.currentChannel()?.phase === 'locked');
    const [first, second] = await Promise.allSettled([p.alice.exit(), p.alice.exit()]);
    assert.equal(first.status, 'fulfilled');
    assert.equal(second.status === 'rejected' && (second.reason as { code?: string }).code, 'EXIT_UNDER_WAY');
    assert.equal(exits.calls(), 1, 'one exit sent');
    assert.equal(p.alice.currentChannel()!.phase, 'closing');
  }));

test('a withdraw asked while an exit runs says why a locked channel cannot withdraw, not that a withdraw is under way', () =>
  onPair({ initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await until('Alice reads her channel locked', () => p.alice.currentChannel()?.phase === 'locked');
    const [exit, withdraw] = await Promise.allSettled([p.alice.exit(), p.alice.withdraw()]);
    assert.equal(exit.status, 'fulfilled');
    const why = withdraw.status === 'rejected' ? (withdraw.reason as { code?: string; message?: string }) : {};
    assert.equal(why.code, 'NOT_OPEN', why.message);
    assert.doesNotMatch(why.message ?? '', /under way/);
  }));

test('while an exit is planned (before its send), the view refuses another exit with EXIT_UNDER_WAY', () =>
  onPair({ initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await until('Alice reads her channel locked', () => p.alice.currentChannel()?.phase === 'locked');
    const seen: unknown[] = [];
    await p.alice.exit({
      onProgress: (m) => {
        if (!/^starting the exit/.test(m)) return;
        const a = p.alice.currentChannel()!.actions;
        seen.push(a.exit.ok ? 'ok' : [a.exit.code, a.exit.why]);
      },
    });
    assert.deepEqual(seen, [['EXIT_UNDER_WAY', 'an exit of this channel is already under way: wait for its result']]);
    assert.equal(p.alice.currentChannel()!.actions.exit.ok, false, 'closing now');
  }));
