// A command whose node stopped under it because this window switched network (a deposit or a close waiting for the
// chain on testnet, then Switch Network to sandbox) failed with the node's NODE_STOPPED: "start it again" or "the
// node watches it", true of a restart on the same network, not of the node that runs now. The failure names the
// network it ran on and offers the switch back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandOf, describeFailure, type FailureContext } from '../../src/extension/nextSteps.js';
import { awayFrom, otherNetworkWords } from '../../src/extension/targets.js';

const sandbox: FailureContext = { network: 'sandbox', apiKeySet: false, endpoint: '' };
const stopped = (message: string, sent?: true) => Object.assign(new Error(message), { code: 'NODE_STOPPED', ...(sent ? { sent } : {}) });

test('a close sent on testnet whose node stopped with a switch to sandbox says that nothing watches it until testnet runs again, with the switch back', () => {
  const message = 'the node stopped, but step 5 went to the contract: the challenge window opens when it lands, and the node watches it';
  const d = describeFailure('NODE_STOPPED', message, { ...sandbox, ranOn: 'testnet' }, stopped(message, true))!;
  assert.equal(d.level, 'warning');
  assert.ok(d.text.startsWith(`SynChannel: ${message}`), d.text);
  assert.match(d.text, /your testnet node stopped when this window switched to sandbox/i);
  assert.match(d.text, /nothing watches your testnet channels until it runs again/);
  assert.deepEqual(d.buttons, ['Switch to testnet', 'Copy Details']);
  assert.deepEqual(commandOf(d, 'Switch to testnet'), { command: 'synchannel.switchNetwork', args: ['testnet'] });
});

test("a wait cut short by the switch (nothing sent) says the node ran on testnet: starting the node now would start sandbox's", () => {
  const d = describeFailure('NODE_STOPPED', 'the node stopped: start it again', { ...sandbox, ranOn: 'testnet' }, stopped('the node stopped: start it again'))!;
  assert.match(d.text, /your testnet node stopped when this window switched to sandbox/i);
  assert.ok(d.buttons.includes('Switch to testnet'), d.buttons.join(', '));
});

test('a node stopped on the network still set (Stop the Node, a restart) says what it said before', () => {
  const message = 'the node stopped: start it again';
  for (const c of [sandbox, { ...sandbox, ranOn: 'sandbox' as const }]) {
    const d = describeFailure('NODE_STOPPED', message, c, stopped(message))!;
    assert.equal(d.text, `SynChannel: ${message}`);
    assert.deepEqual(d.buttons, ['Copy Details']);
  }
});

test("a toast's button of your testnet node's channel, clicked once this window runs sandbox, is refused naming both networks, with the switch back", () => {
  const toast = { party: 'me' as const, channel: 'kQtestnet', network: 'testnet' as const };
  assert.equal(awayFrom(toast, 'sandbox'), 'testnet');
  assert.equal(awayFrom(toast, 'testnet'), null);
  assert.equal(awayFrom({ party: 'me', channel: 'kQ' }, 'sandbox'), null, 'a target that names no network (a tree row, the palette)');
  assert.equal(awayFrom({ party: 'alice', channel: 'kQ', network: 'sandbox' }, 'testnet'), null, "the demo's nodes are not the user's");
  const message = otherNetworkWords('testnet', 'sandbox');
  assert.match(message, /^that channel is on testnet, and your node runs on sandbox now: /);
  assert.equal(otherNetworkWords('testnet', 'sandbox', false), "that channel is on testnet, and this window's network is sandbox now: switch to testnet to act on it", 'no node runs');
  const d = describeFailure('OTHER_NETWORK', message, { ...sandbox, ranOn: 'testnet' })!;
  assert.equal(d.text, `SynChannel: ${message}`);
  assert.deepEqual(d.buttons, ['Switch to testnet', 'Copy Details']);
  assert.deepEqual(commandOf(d, 'Switch to testnet'), { command: 'synchannel.switchNetwork', args: ['testnet'] });
});
