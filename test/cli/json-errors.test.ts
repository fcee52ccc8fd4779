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

test('a failed command, an unknown one and a usage error carry the next step as hint', async () => {
  const failed = (await emitted('balanceTon', refusing)) as { ok: boolean; error: { code: string; message: string; hint?: string } };
  assert.equal(failed.ok, false);
  assert.deepEqual(failed.error, { code: 'INSUFFICIENT_FUNDS', message: 'not enough TON', hint: nextStep('INSUFFICIENT_FUNDS') });
  const unknown = (await emitted('bogus', refusing)) as { error: { code: string; hint?: string } };
  assert.equal(unknown.error.code, 'USAGE');
  assert.equal(unknown.error.hint, nextStep('USAGE'));
  const usage = (await emitted('send 1 2 3', refusing)) as { error: { code: string; hint?: string } };
  assert.equal(usage.error.code, 'USAGE');
  assert.equal(usage.error.hint, nextStep('USAGE'));
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
