// The extension's relay of a hosted node's events (nodeEvents.ts), on a real node: Vic of the adversary scene, whose
// partner Mallory sends a message Vic refuses. The toast says what was refused in words (the event's message); the
// output log keeps the wire type too (the event's `wire`, as the CLI's --json does), for a developer to look up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { NodeEventRelay } from '../../src/extension/nodeEvents.js';
import type { HostedEvent, HostedNode } from '../../src/extension/hosted.js';
import type { ChannelView, NodeEvent } from '../../src/node/types.js';
import { endScene, scene } from '../adversary/scene.js';
import { until } from '../adversary/world.js';

test("a partner's message refused here is logged in words and with its wire type; the event fired on keeps both", async () => {
  const s = await scene();
  const lines: { line: string; level: string | undefined }[] = [];
  const fired: HostedEvent[] = [];
  const relay = new NodeEventRelay({ log: (line, level) => lines.push({ line, level }), journal: () => undefined, fire: (e) => fired.push(e), changed: () => undefined });
  try {
    relay.attach({ id: 'me', label: 'you', api: s.vic.node, served: null });
    const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
    s.mallory.say({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
    await s.mallory.error('deposit', 'UNKNOWN_CHANNEL');
    const logged = () => lines.find((l) => l.line.startsWith('[node] [UNKNOWN_CHANNEL] '));
    await until(() => logged() !== undefined, 'the refusal logged');
    assert.match(logged()!.line, /^\[node\] \[UNKNOWN_CHANNEL\] refused a notice of a deposit from your partner .* \(wire: deposit\)$/);
    assert.equal(logged()!.level, 'warn');
    const ev = fired.find((e) => e.event.type === 'error')?.event;
    assert.ok(ev?.type === 'error' && ev.wire === 'deposit' && ev.message.startsWith('refused a notice of a deposit'), JSON.stringify(ev));
  } finally {
    relay.dispose();
    await endScene(s);
  }
});

test("a channel's disk all-clear (a log line with code DISK_WRITE_AGAIN) is fired on for its toast, not only logged; another log line is only logged", () => {
  let emit: (e: NodeEvent) => void = () => undefined;
  const api = { on: (cb: (e: NodeEvent) => void) => ((emit = cb), () => undefined) } as unknown as HostedNode['api'];
  const lines: string[] = [];
  const fired: HostedEvent[] = [];
  const relay = new NodeEventRelay({ log: (line) => lines.push(line), journal: () => undefined, fire: (e) => fired.push(e), changed: () => undefined });
  relay.attach({ id: 'me', label: 'you', api, served: null });
  const channel = { id: 'kQx' } as ChannelView;
  emit({ type: 'log', level: 'info', message: 'a line' });
  emit({ type: 'log', level: 'warn', code: 'DISK_WRITE_AGAIN', message: 'channel kQx: on disk now', channel });
  relay.dispose();
  assert.deepEqual(lines, ['[node] a line', '[node] channel kQx: on disk now']);
  assert.deepEqual(fired.map((e) => e.event.type === 'log' && e.event.code), ['DISK_WRITE_AGAIN']);
});
