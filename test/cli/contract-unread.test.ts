// balanceContract on an open channel whose contract reads as never deployed (a devnet started again with a new
// chain, a lagging endpoint) said "Smart contract balance: 0 TON" while the contract holds both deposits on the
// chain of record. It now says the read cannot be right, and what to do. Real nodes on a SandboxChain; Bob's
// endpoint reads every account as never deployed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine } from '../../src/cli/repl.js';
import { withFaultyBob } from '../helpers/faulty-bob.js';

test('balanceContract of an open channel whose contract reads as not deployed does not say 0 TON', { timeout: 120_000 }, () =>
  withFaultyBob(async ({ p, faulty, said, io }) => {
    faulty.inject({ method: 'getBalanceDue', times: 1000, value: { balance: 0n, storageDue: null } });
    faulty.inject({ method: 'getChannelStatus', times: 1000, value: { status: 'not_deployed', balance: 0n } });
    await runLine('balanceContract', p.bob, io);
    const text = said.join('\n');
    assert.doesNotMatch(text, /Smart contract balance: 0 TON/, text);
    assert.match(text, /reads as not deployed.*balanceContract/s, text);
  }));
