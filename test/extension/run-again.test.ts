// A command that an import's reload of its channel cut short (CHANNEL_RELOADED: nothing of it was done, "run it
// again") offers Run Again: the same command with the same target and inputs. One that had already sent something
// says what to check instead, and offers no rerun.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandOf, describeFailure, type FailureContext } from '../../src/extension/nextSteps.js';
import { rerunArgs } from '../../src/extension/targets.js';

const sandbox: FailureContext = { network: 'sandbox', apiKeySet: false, endpoint: '' };
const target = { party: 'me', channel: 'kQx' };
const RELOADED = 'the channel was loaded again from its files (a backup was imported) before this was done: it did not go on; run it again';
const reloaded = (message: string, sent?: true) => Object.assign(new Error(message), { code: 'CHANNEL_RELOADED', ...(sent ? { sent } : {}) });

test('CHANNEL_RELOADED offers Run Again: the same command with the same target and inputs', () => {
  const c = { ...sandbox, target, failed: { command: 'send', args: [target, '0.5'] } };
  const d = describeFailure('CHANNEL_RELOADED', RELOADED, c, reloaded(RELOADED))!;
  assert.equal(d.level, 'warning');
  assert.equal(d.text, `SynChannel: ${RELOADED}`, 'its words say it, with no hint beside them');
  assert.deepEqual(d.buttons, ['Run Again', 'Copy Details']);
  assert.deepEqual(commandOf(d, 'Run Again', target), { command: 'synchannel.send', args: [target, '0.5'] });
});

test('a command run from the palette (no target) runs again on the channel it acted on, with its inputs: nothing is asked again', () => {
  const resolved = { party: 'me' as const, channel: 'kQx' };
  const d = describeFailure('CHANNEL_RELOADED', RELOADED, { ...sandbox, failed: { command: 'withdraw', args: [], resolved } }, reloaded(RELOADED))!;
  assert.deepEqual(commandOf(d, 'Run Again'), { command: 'synchannel.withdraw', args: [resolved] });
  // the palette's inputs (`send 0.5`: no target) follow the channel; a node row's target gives way to it
  assert.deepEqual(rerunArgs(['0.5'], resolved), [resolved, '0.5']);
  assert.deepEqual(rerunArgs([undefined, '1', '2'], resolved), [resolved, '1', '2']);
  assert.deepEqual(rerunArgs([{ party: 'alice' }, '0.5'], { party: 'alice', channel: 'kQy' }), [{ party: 'alice', channel: 'kQy' }, '0.5']);
  // a target that names its channel stays as it was; nothing resolved (it failed before a channel was found): as it ran
  assert.deepEqual(rerunArgs([target, '0.5'], { party: 'me', channel: 'other' }), [target, '0.5']);
  assert.deepEqual(rerunArgs([], undefined), []);
});

test('a reload after something was sent (a payment awaiting the signature) offers no Run Again: it could pay twice', () => {
  const message = "the channel was loaded again from its files (a backup was imported) while state 4 carrying this payment awaited your partner's signature: showLast shows whether it counted";
  const d = describeFailure('CHANNEL_RELOADED', message, { ...sandbox, target, failed: { command: 'send', args: [target] } }, reloaded(message, true))!;
  assert.ok(!d.buttons.includes('Run Again'), d.buttons.join(', '));
  assert.equal(commandOf(d, 'Run Again', target), null);
});

test("another code's failure gets its own next steps, no Run Again", () => {
  const d = describeFailure('NOT_YOUR_TURN', "it is your partner's turn", { ...sandbox, target, failed: { command: 'send', args: [target] } })!;
  assert.deepEqual(d.buttons, ['Request the Turn', 'Copy Details']);
  assert.deepEqual(commandOf(d, 'Request the Turn', target), { command: 'synchannel.requestEmpty', args: [target] });
});
