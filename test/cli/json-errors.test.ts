// With --json an error line carries what text mode says after the message: the next step, as `hint`; and `help`
// returns the command list (it returned an empty result).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEvent } from '../../src/cli/format.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import { nextStep } from '../../src/core/errors.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

/** A node without channels, that refuses what it is asked with the given error. */
function node(refuse: Error): ChannelNodeApi {
  const base: Partial<ChannelNodeApi> = { currentChannel: () => null, channel: () => null, channels: () => [], partners: () => [] };
  return new Proxy(base as ChannelNodeApi, { get: (t, k) => (k in t ? t[k as keyof ChannelNodeApi] : () => Promise.reject(refuse)) });
}

async function emitted(line: string, n: ChannelNodeApi): Promise<Record<string, unknown>> {
  const out: Record<string, unknown>[] = [];
  const io: Io = { say: () => undefined, emit: (o) => out.push(o), ask: async () => null, json: true, interactive: false };
  await runLine(line, n, io);
  assert.equal(out.length, 1, JSON.stringify(out));
  return out[0]!;
}

const refusing = node(Object.assign(new Error('not enough TON'), { code: 'INSUFFICIENT_FUNDS' }));

test('a failed command carries the next step as hint; an unknown command and a usage error say it in their message', async () => {
  const failed = (await emitted('balanceTon', refusing)) as { ok: boolean; error: { code: string; message: string; hint?: string } };
  assert.equal(failed.ok, false);
  assert.deepEqual(failed.error, { code: 'INSUFFICIENT_FUNDS', message: 'not enough TON', hint: nextStep('INSUFFICIENT_FUNDS') });
  const unknown = (await emitted('bogus', refusing)) as { error: { code: string; message: string; hint?: string } };
  assert.equal(unknown.error.code, 'USAGE');
  // its message says what to do (type help): no hint beside it, as in text mode
  assert.match(unknown.error.message, /type help/);
  assert.equal(unknown.error.hint, undefined);
  const usage = (await emitted('send 1 2 3', refusing)) as { error: { code: string; message: string; hint?: string } };
  assert.equal(usage.error.code, 'USAGE');
  // the usage is in its message: no hint, as in text mode (leftovers.test.ts)
  assert.match(usage.error.message, /`send <amount>`/);
  assert.equal(usage.error.hint, undefined);
});

test('help with --json returns the command list (and help <command> that command)', async () => {
  const all = (await emitted('help', refusing)) as { ok: boolean; result: { commands?: { name: string; usage: string; help: string }[] } };
  assert.equal(all.ok, true);
  const names = (all.result.commands ?? []).map((c) => c.name);
  for (const n of ['serve', 'connect', 'send', 'withdraw', 'exit']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  assert.match(all.result.commands!.find((c) => c.name === 'send')!.usage, /^send/);
  const one = (await emitted('help send', refusing)) as { result: { command: string } };
  assert.equal(one.result.command, 'send');
});

test("a partner's reported error carries no hint: the hint of its code is written for the partner's node", () => {
  const mine = jsonEvent({ type: 'error', code: 'DISK_LOW', level: 'error', message: 'the disk is nearly full' });
  assert.equal(mine.hint, nextStep('DISK_LOW'));
  assert.ok(mine.hint, 'an error of this node says what to do');
  const theirs = jsonEvent({ type: 'error', code: 'DISK_LOW', level: 'warning', message: 'your partner reports: no new payment state', partner: true });
  assert.equal('hint' in theirs, false, JSON.stringify(theirs));
  assert.equal(theirs.event, 'error');
  assert.equal(theirs.partner, true);
});

test("a message that says what to do next carries no hint that contradicts it: --json keeps what text mode prints", async () => {
  // the deposit that waited and saw the channel declined: nothing was deposited, so no "refund" (the code's hint)
  const said = 'the channel was declined by your partner before its contract was deployed: nothing was deposited; ask your partner to propose again if you still want a channel';
  const declined = node(Object.assign(new Error(said), { code: 'PARTNER_DECLINED' }));
  const j = (await emitted('balanceTon', declined)) as { error: { code: string; message: string; hint?: string } };
  assert.equal(j.error.code, 'PARTNER_DECLINED');
  assert.equal(j.error.message, said);
  assert.equal('hint' in j.error, false, JSON.stringify(j.error));
  const text: string[] = [];
  await runLine('balanceTon', declined, { say: (l) => text.push(l), emit: () => undefined, ask: async () => null, json: false, interactive: false });
  assert.deepEqual(text, [`balanceTon failed: ${said}`]);
});

test('a message whose next step is a channel command (withdraw, refund, finish…) carries no other hint', async () => {
  // the code's "wait for the payout" is wrong here: nothing pays out until someone withdraws
  const said = 'a close state is signed by both: withdraw to pay it out';
  const closing = node(Object.assign(new Error(said), { code: 'CHANNEL_CLOSING' }));
  const j = (await emitted('balanceTon', closing)) as { error: { code: string; hint?: string } };
  assert.equal(j.error.hint, undefined, JSON.stringify(j.error));
});

test("a wait for the partner that timed out (no transaction) is not told that 'it may still land': a chain's own TIMEOUT says so itself", () => {
  // TIMEOUT is also a wait for the partner (their pass, within 15 s): nothing was sent then
  assert.doesNotMatch(nextStep('TIMEOUT') ?? '', /may still land/);
  assert.match(nextStep('TIMEOUT') ?? '', /check the channel/);
});
