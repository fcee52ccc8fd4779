// One toast per cause: the node's own chain read as it starts and the command that started it fail the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPEAT_WINDOW_MS, RecentFailures } from '../../src/extension/sameCause.js';

const devnet = { network: 'devnet', endpoint: 'http://127.0.0.1:8081/jsonRPC' };

function clock(): { now: () => number; pass(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, pass: (ms) => void (t += ms) };
}

test("the node's failure to reach the endpoint and the command's just after are one toast, whatever their words", () => {
  const c = clock();
  const r = new RecentFailures(REPEAT_WINDOW_MS, c.now);
  assert.equal(r.show('ENDPOINT_UNREACHABLE', 'SynChannel: the node cannot read the chain (cannot reach …)', devnet), true);
  c.pass(3_000);
  assert.equal(r.show('ENDPOINT_UNREACHABLE', 'SynChannel: cannot reach … (ECONNREFUSED)', devnet), false, 'the deposit fails the same way: logged only');
  assert.equal(r.show('ENDPOINT_UNREACHABLE', 'SynChannel: cannot reach …', { ...devnet, endpoint: 'http://10.0.0.2/jsonRPC' }), true, 'another endpoint');
  c.pass(REPEAT_WINDOW_MS);
  assert.equal(r.show('ENDPOINT_UNREACHABLE', 'SynChannel: cannot reach … (ECONNREFUSED)', devnet), true, 'after the window it is news again');
});

test('a refused key on testnet: the same text twice is one toast; any other failure is shown', () => {
  const c = clock();
  const r = new RecentFailures(REPEAT_WINDOW_MS, c.now);
  const testnet = { network: 'testnet', endpoint: 'https://testnet.toncenter.com/api/v2/jsonRPC' };
  const text = 'SynChannel: toncenter (https://testnet.toncenter.com/api/v2/jsonRPC) refused the API key: set a valid API key';
  assert.equal(r.show('API_KEY_REJECTED', text, testnet), true);
  assert.equal(r.show('API_KEY_REJECTED', text, testnet), false);
  assert.equal(r.show('INSUFFICIENT_FUNDS', 'SynChannel: not enough TON', testnet), true);
  assert.equal(r.show('INSUFFICIENT_FUNDS', 'SynChannel: not enough TON', testnet), false, 'the same text again');
  assert.equal(r.show('NO_CHANNEL', 'SynChannel: no channel yet', testnet), true);
});

test('channels left unread (WATCH_FAILING) are always said; the endpoint failure of a command just after is not said again', () => {
  const c = clock();
  const r = new RecentFailures(REPEAT_WINDOW_MS, c.now);
  assert.equal(r.show('ENDPOINT_UNREACHABLE', 'SynChannel: cannot reach …', devnet), true);
  assert.equal(r.show('WATCH_FAILING', 'SynChannel: the node cannot read its channel …', devnet), true, 'it says money is not watched');
  c.pass(2_000);
  assert.equal(r.show('WATCH_FAILING', 'SynChannel: the node cannot read its channel …', devnet), true);
  assert.equal(r.show('API_KEY_REJECTED', 'SynChannel: … rejected the API key', devnet), false);
});
