// channel.propose says its contract version only after v4: a node from before the field refuses a message with
// it (its session would replay it for ever), and reads every proposal without it as v4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKeyPair } from '../../src/core/signer.js';
import { decodeWireMessage, encodeWireMessage, type AppMessage } from '../../src/core/wire.js';
import type { ChannelController } from '../../src/node/controller.js';
import type { NodeContext } from '../../src/node/context.js';
import { Negotiation } from '../../src/node/negotiation.js';
import type { ChannelRecord } from '../../src/node/record.js';

test('a proposal says its contract version only for a version after v4, and the wire takes it', () => {
  const sent: AppMessage[] = [];
  const negotiation = new Negotiation({ sendAcked: (_ctl: unknown, m: AppMessage) => Promise.resolve(sent.push(m) > 0) } as unknown as NodeContext, () => Promise.reject(new Error('no chain here')));
  const [a, b] = [newKeyPair(), newKeyPair()];
  const base = { channelId: 7n, challengePeriod: 600, expectedDepositA: 1n, expectedDepositB: 1n, addressA: `0:${'11'.repeat(32)}`, addressB: `0:${'22'.repeat(32)}`, publicKeyA: a.publicKey, publicKeyB: b.publicKey };
  for (const contractVersion of [undefined, 2, 3, 4, 5] as const) {
    negotiation.sendProposal({ rec: { ...base, ...(contractVersion ? { contractVersion } : {}) } as unknown as ChannelRecord } as ChannelController);
    const m = decodeWireMessage(encodeWireMessage(sent.pop()!));
    assert.equal(m.type, 'channel.propose');
    assert.equal((m as { contractVersion?: number }).contractVersion, contractVersion === 5 ? 5 : undefined, `v${contractVersion ?? 2}`);
  }
});
