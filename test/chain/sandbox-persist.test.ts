// The embedded sandbox kept in a file (the devnet's format): channels, wallets, time and the transaction log
// survive a restart, so the extension's sandbox channels outlive a window reload.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeyPair } from '../../src/core/signer.js';
import { config, signed, TON } from './scenarios.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('SandboxChain.create({ persistFile })', () => {
  test('a channel under way, its wallets, chain time and payout survive two restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-sandbox-'));
    dirs.push(dir);
    const file = join(dir, 'sandbox-chain.json');
    const { SandboxChain } = await import('#heavy');
    const ka = newKeyPair();
    const kb = newKeyPair();

    const one = await SandboxChain.create({ persistFile: file });
    const A1 = await one.openWallet(ka);
    const B1 = await one.openWallet(kb);
    const cfg = config({ key: ka, wallet: A1 }, { key: kb, wallet: B1 }, 2n * TON, TON);
    const address = one.channelAddress(cfg);
    await one.deployChannel(A1, cfg, 2n * TON);
    await one.deposit(B1, address, TON);
    await one.startExit(B1, address);
    const t1 = one.advanceTime(30);
    const aBalance = await one.getBalance(A1.address);
    await one.close();

    const two = await SandboxChain.create({ persistFile: file });
    assert.ok((await two.now()) >= t1, 'chain time does not go back');
    const status = await two.getChannelStatus(address);
    assert.ok(status.status === 'closing' && status.data.exit && status.data.submitter === 'B');
    const A2 = await two.openWallet(ka);
    assert.equal(await two.getBalance(A2.address), aBalance, 'the wallet kept its coins (not funded again)');
    assert.equal(await two.getSeqno(A2), 2);
    await two.challenge(A2, address, signed({ key: ka, wallet: A2 }, { key: kb, wallet: B1 }, { tag: 'state', channel: address, step: 0n, balanceA: 2n * TON, balanceB: TON }));
    two.advanceTime(61);
    const fin = await two.finishClose(A2, address);
    await two.close();

    const three = await SandboxChain.create({ persistFile: file });
    const p = await three.getPayout(address);
    assert.ok(p && 'txHash' in p, 'the payout transaction is found after the reload');
    assert.equal(p.txHash, fin.hash);
    assert.equal(p.step, 0n);
    await three.close();
  });

  test('a file that is not a chain file is refused, and left as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-sandbox-'));
    dirs.push(dir);
    const file = join(dir, 'x.json');
    await writeFile(file, '{"format":"something else"}');
    const { SandboxChain } = await import('#heavy');
    await assert.rejects(SandboxChain.create({ persistFile: file }), (e: unknown) => (e as { code?: string }).code === 'BAD_INPUT' && /move it away/.test((e as Error).message));
  });

  test("a chain kept while the machine's clock was a day ahead moves on from its time once the clock is set right", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-sandbox-'));
    dirs.push(dir);
    const file = join(dir, 'sandbox-chain.json');
    const { SandboxChain } = await import('#heavy');
    await (await SandboxChain.create({ persistFile: file })).close();
    const ahead = Math.floor(Date.now() / 1000) + 86_400;
    await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as object), lastNow: ahead, timeOffset: 0 }));
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const chain = await SandboxChain.create({ persistFile: file });
    try {
      const first = await chain.now();
      assert.ok(first >= ahead, 'never back');
      t.mock.timers.tick(600_000); // ten minutes of the (corrected) clock
      assert.equal(await chain.now(), first + 600, 'the chain time moves with the clock, not stands still for a day');
    } finally {
      await chain.close();
    }
  });
});
