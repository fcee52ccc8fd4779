// A deposit whose may-land mark cannot be saved (a full disk) is not sent: the record would not hold it after a
// crash. Nothing of it can land, so the deposit goes at once when asked again (it was held back for minutes as
// one that "may still land", and decline with it).
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import type { Chain } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { failOneSave } from '../helpers/lagging.js';
import { withPair } from '../helpers/reads.js';
import { TON } from '../helpers/nodes.js';

type Deposit = Chain['deposit'];

withPair('a deposit whose mark could not be saved was not sent, and goes at once when asked again', async (p) => {
  const real = p.chain.deposit.bind(p.chain);
  let calls = 0;
  let failed = () => false;
  (p.chain as { deposit: Deposit }).deposit = (...a) => {
    // Bob has accepted (his record is on disk): the save of his deposit's mark, once signed, fails
    if (++calls === 1) failed = failOneSave(p.bob, (r) => (r as { depositPending?: { validUntil?: number } }).depositPending?.validUntil !== undefined);
    return real(...a);
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string; message?: string }) => e.code === 'DISK_WRITE_FAILED' && /no space left.*nothing was deposited/.test(e.message ?? ''));
  assert.ok(failed(), 'the mark was not saved');
  const contract = Address.parse(view.contract);
  assert.equal((await p.chain.getChannelData(contract))?.depositB, 0n, 'nothing was sent');
  const shown = p.bob.currentChannel()!.actions.deposit;
  assert.equal(shown.ok ? 'ok' : shown.code, 'ok', 'Deposit offered again');
  const v = await p.bob.deposit();
  assert.equal(v.depositB, TON('4'));
  assert.equal(calls, 2);
});

withPair('a deployment whose mark could not be saved was not sent, and deposit deploys at once', async (p) => {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const failed = failOneSave(p.alice, (r) => (r as { deployValidUntil?: number }).deployValidUntil !== undefined);
  const told = waitForEvent(p.alice, 'error', (e) => /no space left/.test(e.message), 30_000);
  const bob = p.bob.deposit();
  bob.catch(() => undefined); // awaited at the end
  const e = await told;
  assert.ok(failed(), 'the mark was not saved');
  assert.match(e.message, /nothing was sent/i);
  assert.equal(await p.chain.getChannelStatus(Address.parse(view.contract)).then((s) => s.status), 'not_deployed');
  const shown = p.alice.currentChannel()!.actions.deposit;
  assert.equal(shown.ok ? 'ok' : shown.code, 'ok', 'Deposit (which deploys) offered again');
  await p.alice.deposit();
  assert.equal((await bob).depositB, TON('4'));
});
