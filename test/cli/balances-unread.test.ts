// The balances after a close that the chain did not give said "(could not read the balances: …)" and nothing more:
// not what to do next. They now name the commands that read them again. Real nodes on a SandboxChain; Bob's reads
// of balances fail (an endpoint down) as the payout is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import { waitForEvent } from '../../src/node/index.js';
import { withFaultyBob } from '../helpers/faulty-bob.js';
import { until } from '../helpers/nodes.js';

test('balances after a close that could not be read say how to read them again', { timeout: 120_000 }, () =>
  withFaultyBob(async ({ p, faulty, said, io }) => {
    printEvents(Object.assign(p.bob, { keyCreated: false }) as StartedNode, 'sandbox', p.dir, io);
    p.bob.on((e) => void (e.type === 'closed' && faulty.inject({ method: 'getBalanceDue', times: 20, error: 'ENDPOINT_UNREACHABLE' })));
    const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
    await p.alice.withdraw({ mode: 'cooperative' });
    await closed;
    const line = await until('the balances line', () => said.find((l) => l.startsWith('(could not read the balances')));
    assert.match(line, /^\(could not read the balances: .*; balanceTon and balanceContract read them again\)$/, line);
  }));
