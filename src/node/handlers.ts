// Every application message the partner can send, in one table keyed by its type: the compiler checks that each
// wire message type has a handler (and a test checks it at run time). A handler never waits for the partner:
// channel messages run in their channel's queue, and a message is only accepted from that channel's partner.
import { Address } from '@ton/core';
import { codeOf, messageOf } from '../core/errors.js';
import { addressText } from '../core/format.js';
import type { AppMessage } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import type { Arbiter } from './arbiter.js';
import type { Closing } from './closing.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import type { Negotiation } from './negotiation.js';
import type { Payments } from './payments.js';
import { configOf, contractOf, partnerAddressOf } from './record.js';
import type { Sync } from './sync.js';

type Msg<K extends AppMessage['type']> = Extract<AppMessage, { type: K }>;
type Handler<K extends AppMessage['type']> = (s: PeerSession, m: Msg<K>) => Promise<void>;
export type HandlerTable = { readonly [K in AppMessage['type']]: Handler<K> };

export interface Parts {
  ctx: NodeContext;
  negotiation: Negotiation;
  payments: Payments;
  closing: Closing;
  arbiter: Arbiter;
  sync: Sync;
}

/** The channel `key` (a contract address or a channel id) of this partner; anyone else's is unknown to them. */
function channelOf(ctx: NodeContext, s: PeerSession, key: { contract?: string; channelId?: bigint }): ChannelController {
  let found: ChannelController | undefined;
  if (key.channelId !== undefined) found = ctx.channels.get(key.channelId.toString());
  else if (key.contract) {
    const raw = Address.parse(key.contract).toRawString();
    for (const c of ctx.channels.values()) if (c.rec.contract === raw) found = c;
  }
  // Checked against the sender: a third peer learns nothing and changes nothing of my channels with others.
  if (!found || partnerAddressOf(found.rec) !== s.partner.walletAddress.toRawString()) {
    throw new NodeError('UNKNOWN_CHANNEL', `no channel ${key.contract ?? key.channelId} with you here`);
  }
  return found;
}

export function handlers(p: Parts): HandlerTable {
  const { ctx } = p;
  const inQueue = (s: PeerSession, key: { contract?: string; channelId?: bigint }, fn: (ctl: ChannelController) => Promise<void>) => {
    const ctl = channelOf(ctx, s, key);
    return ctl.run(() => fn(ctl));
  };
  return {
    'channel.propose': (s, m) => p.negotiation.onPropose(s, m),
    'channel.accept': async (s, m) => {
      const ctl = channelOf(ctx, s, m);
      if (ctl.rec.me !== 'A') throw new NodeError('UNKNOWN_CHANNEL', `channel ${m.channelId} is not a proposal of mine`);
      await ctx.transition(ctl, 'acceptReceived');
    },
    'channel.reject': async (s, m) => {
      const ctl = channelOf(ctx, s, m);
      ctx.log(`your partner declined channel ${m.channelId}: ${m.reason}`, 'warn');
      await ctx.transition(ctl, 'rejectReceived');
    },
    'channel.deployed': async (s, m) => {
      const ctl = channelOf(ctx, s, m);
      const expected = contractOf(configOf(ctl.rec));
      if (Address.parse(m.contract).toRawString() !== expected) {
        throw new NodeError('BAD_CONTRACT', `your partner deployed ${addressText(m.contract, 'contract')}, not the contract of the agreed channel (${addressText(expected, 'contract')}): do not deposit`);
      }
      await p.arbiter.poke(ctl);
    },
    deposit: async (s, m) => {
      // A hint only: the chain is read (coalesced), never trusted from the message.
      await p.arbiter.poke(channelOf(ctx, s, m));
    },
    'state.propose': (s, m) => inQueue(s, m, (ctl) => p.payments.onProposal(ctl, m)),
    'close.propose': (s, m) => inQueue(s, m, (ctl) => p.payments.onProposal(ctl, m)),
    'state.countersign': (s, m) => inQueue(s, m, (ctl) => p.payments.onCountersign(ctl, m)),
    'close.accept': (s, m) => inQueue(s, m, (ctl) => p.payments.onCountersign(ctl, m)),
    'turn.request': (s, m) => inQueue(s, m, (ctl) => p.payments.onTurnRequest(ctl)),
    'close.notice': async (s, m) => {
      const ctl = channelOf(ctx, s, m);
      ctx.log(m.kind === 'unilateral' ? `Your partner sent the state to the smart contract (step ${m.step})` : `Your partner closed the channel cooperatively (step ${m.step})`);
      await p.arbiter.poke(ctl);
    },
    'resync.request': (s, m) => inQueue(s, m, (ctl) => p.sync.onRequest(ctl, m)),
    'resync.response': (s, m) => inQueue(s, m, (ctl) => p.sync.onResponse(ctl, m)),
    error: async (_s, m) => {
      ctx.emit({ type: 'error', code: m.code, level: 'warning', message: `your partner reports: ${m.message}` });
    },
  };
}

/**
 * Dispatches one message without ever blocking the session: the work is queued (per channel, or per partner
 * for messages without a channel), a rejection is reported here and answered to the partner with its code.
 */
export function dispatch(table: HandlerTable, ctx: NodeContext, s: PeerSession, m: AppMessage, peerQueue: { run<T>(fn: () => Promise<T>): Promise<T> }): void {
  const handler = table[m.type] as Handler<typeof m.type>;
  let work: Promise<void>;
  try {
    work = m.type === 'channel.propose' ? peerQueue.run(() => handler(s, m as never)) : handler(s, m as never);
  } catch (e) {
    // A handler that rejects before its first await (an unknown channel) is answered like any other.
    work = Promise.reject(e);
  }
  work.catch((e: unknown) => {
    const ctl = channelFor(ctx, s, m);
    ctx.fail(e, ctl);
    if (m.type !== 'error') ctx.sendOn(s, { type: 'error', code: codeOf(e), message: messageOf(e).slice(0, 1000), ref: m.type });
  });
}

function channelFor(ctx: NodeContext, s: PeerSession, m: AppMessage): ChannelController | undefined {
  try {
    if ('contract' in m) return channelOf(ctx, s, { contract: m.contract });
    if ('channelId' in m) return channelOf(ctx, s, { channelId: m.channelId });
  } catch {
    return undefined;
  }
  return undefined;
}
