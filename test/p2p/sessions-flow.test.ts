// A session's flow against careless and hostile peers: a SEQ_GAP error reaches the partner; a message this version
// cannot read is passed over; a resume or a handshake loop never sends the outbox again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppMessage } from '../../src/core/wire.js';
import { encodeFrame } from '../../src/p2p/frames.js';
import { RawPeer, until } from './helpers.js';
import { turn, withServer, guest } from './session-setups.js';

describe('session flow', () => {
  test('a sequence gap is answered with SEQ_GAP before the stream closes', async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      peer.send({ type: 'session.data', seq: 5, msg: turn(5) });
      const err = await peer.next('error');
      assert.equal(err.code, 'SEQ_GAP');
      assert.match(err.message, /expected seq 1, got 5/);
      await until(() => peer.closed, 'the stream to close');
      assert.equal(node.session(wallet.address)!.connected, false);
    });
  });

  test("a message this version cannot read (a newer peer's) is answered, acknowledged and passed over: the session goes on", async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const got: AppMessage[] = [];
      node.session(wallet.address)!.on('message', (m) => got.push(m));
      const raw = (o: unknown) => peer.sendRaw(encodeFrame(JSON.stringify(o)));
      // a message type it does not know, then a known type with a field it does not know
      raw({ type: 'session.data', seq: 1, msg: { type: 'channel.splice', contract: '0:' + '33'.repeat(32) } });
      raw({ type: 'session.data', seq: 2, msg: { type: 'turn.request', contract: '0:' + '33'.repeat(32), step: '2', hurry: true } });
      peer.send({ type: 'session.data', seq: 3, msg: turn(3) });
      await until(() => got.length === 1, 'the message after them delivered');
      assert.equal(got[0]!.type === 'turn.request' && got[0]!.step, 3n);
      const errors = peer.received.filter((m) => m.type === 'error');
      assert.deepEqual(errors.map((e) => [e.code, e.ref]), [['WIRE_UNKNOWN_TYPE', 'channel.splice'], ['WIRE_INVALID', 'turn.request']]);
      // acknowledged: the peer need not send them again, and the stream stays
      await until(() => peer.received.some((m) => m.type === 'session.ack' && m.seq === 3), 'seq 3 acknowledged');
      assert.equal(peer.closed, false);
      assert.equal(node.session(wallet.address)!.connected, true);
    });
  });

  test('a second session.resume on one stream is refused and ends it: the outbox is not sent again, no second connected', async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const s = node.session(wallet.address)!;
      let connected = 0;
      s.on('connected', () => connected++);
      // 20 messages the peer never acknowledges: they stay in the outbox
      for (let i = 0; i < 20; i++) void s.send(turn(i)).catch(() => undefined);
      const data = () => peer.received.filter((m) => m.type === 'session.data').length;
      await until(() => data() >= 20, 'the 20 messages');
      const resume = { type: 'session.resume' as const, session: 'ab'.repeat(16), peerSession: '', received: 0, base: 1 };
      for (let i = 0; i < 30; i++) peer.send(resume);
      const err = await peer.next('error');
      assert.equal(err.code, 'UNEXPECTED_MESSAGE');
      assert.match(err.message, /session\.resume/);
      await until(() => peer.closed, 'the stream to close');
      assert.equal(data(), 20, 'the outbox went out once');
      assert.equal(connected, 0, 'no connected event for a resume on a resumed stream');
    });
  });

  test('a wallet re-handshaking on new streams in a loop takes its session over a bounded number of times: the outbox is not resent for each', async () => {
    await withServer({ reattachRateLimit: { perSecond: 0.01, burst: 3 } }, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const s = node.session(wallet.address)!;
      for (let i = 0; i < 20; i++) void s.send(turn(i)).catch(() => undefined);
      const data = (p: RawPeer) => p.received.filter((m) => m.type === 'session.data').length;
      await until(() => data(peer) >= 20, 'the 20 messages');
      const again: RawPeer[] = [];
      for (let i = 0; i < 6; i++) {
        const p = await RawPeer.another(peer, addr);
        again.push(p);
        p.hello(wallet);
        await p.prove(wallet);
        await p.next('proof');
        await until(() => p.received.some((m) => m.type === 'session.resume' || m.type === 'error'), 'a resume or a refusal');
        const resume = p.received.find((m) => m.type === 'session.resume');
        if (resume) p.send({ type: 'session.resume', session: 'ab'.repeat(16), peerSession: resume.session, received: 0, base: 1 });
        await until(() => data(p) >= 20 || p.received.some((m) => m.type === 'error'), 'the outbox or a refusal');
      }
      // 3 takeovers (the burst) resend the outbox; the other 3 streams are refused and say when to come back
      assert.deepEqual(again.map((p) => data(p)), [20, 20, 20, 0, 0, 0]);
      const refused = again.slice(3).map((p) => p.received.find((m) => m.type === 'error') as { code: string; message: string } | undefined);
      for (const e of refused) assert.match(`${e?.code} ${e?.message}`, /^RATE_LIMITED this wallet reconnected too often: connect again in \d+ s$/);
      // the last stream that took over still carries the session
      void s.send(turn(99)).catch(() => undefined);
      await until(() => data(again[2]!) === 21, 'a new message on the session');
    });
  });
});
