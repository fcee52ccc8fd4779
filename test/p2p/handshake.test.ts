// Adversarial peers against a real node on 127.0.0.1: forged, misattributed and replayed address proofs;
// garbage, oversized, unknown and schema-invalid frames; the node keeps serving throughout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WalletContractV4 } from '@ton/ton';
import { encodeWireMessage } from '../../src/core/wire.js';
import { encodeFrame, MAX_FRAME_BYTES, type P2PNode, type PeerSession } from '../../src/p2p/index.js';
import { makeNode, newWallet, RawPeer, tempDir, until, type Wallet } from './helpers.js';

describe('handshake and frames against adversarial peers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: P2PNode;
  let serverWallet: Wallet;
  let addr: string;
  const sessions: PeerSession[] = [];
  const peers: RawPeer[] = [];

  before(async () => {
    dir = await tempDir();
    ({ node: server, wallet: serverWallet } = await makeNode(dir.path, newWallet('v5r1'), { rateLimit: { perSecond: 1000, burst: 2000 } }));
    server.on('session', (s) => sessions.push(s));
    addr = (await server.serve(0, '127.0.0.1')).lan[0]!;
  });
  after(async () => {
    for (const p of peers) await p.stop().catch(() => undefined);
    await server.stop();
    await dir.cleanup();
  });

  async function rawPeer(): Promise<RawPeer> {
    const p = await RawPeer.dial(addr);
    peers.push(p);
    return p;
  }

  test('an honest raw peer completes the handshake and gets the server proof', async () => {
    const wallet = newWallet();
    const p = await rawPeer();
    const nonce = p.hello(wallet);
    await p.prove(wallet);
    const proof = await p.next('proof');
    const { verifyProof } = await import('../../src/p2p/handshake.js');
    assert.ok(verifyProof(Buffer.from(proof.signature, 'hex'), serverWallet.key.publicKey, p.serverPeerId, p.peerId, nonce));
    await until(() => sessions.some((s) => s.partner.walletAddress.equals(wallet.address)), 'the server session');
    const s = sessions.find((x) => x.partner.walletAddress.equals(wallet.address))!;
    assert.equal(s.partner.peerId, p.peerId);
    assert.match(s.partner.proofHex, /^[0-9A-F]{128}$/);
  });

  test('rejects a forged proof', async () => {
    const before = server.stats.handshakesFailed;
    const wallet = newWallet();
    const p = await rawPeer();
    p.hello(wallet);
    await p.next('hello');
    p.send({ type: 'proof', signature: randomBytes(64).toString('hex') });
    const err = await p.next('error');
    assert.equal(err.code, 'BAD_PROOF');
    await until(() => p.closed, 'the server to close the stream');
    assert.equal(server.stats.handshakesFailed, before + 1);
    assert.ok(!sessions.some((s) => s.partner.walletAddress.equals(wallet.address)));
  });

  test('rejects a proof signed by a key that does not own the claimed address', async () => {
    const victim = newWallet();
    const attacker = newWallet();
    const p = await rawPeer();
    // claims the victim's address with its own key
    p.send({ type: 'hello', v: 1, walletAddress: victim.address.toString(), walletPublicKey: attacker.key.publicKey.toString('hex'), channelPublicKey: attacker.key.publicKey.toString('hex'), nonce: randomBytes(32).toString('hex') });
    const err = await p.next('error');
    assert.equal(err.code, 'ADDRESS_NOT_OWNED');
    assert.match(err.message, /does not own/);
    await until(() => p.closed, 'the server to close the stream');
    // and the victim's key with a proof signed by the attacker's key
    const p2 = await rawPeer();
    p2.send({ type: 'hello', v: 1, walletAddress: victim.address.toString(), walletPublicKey: victim.key.publicKey.toString('hex'), channelPublicKey: victim.key.publicKey.toString('hex'), nonce: randomBytes(32).toString('hex') });
    await p2.prove(attacker);
    assert.equal((await p2.next('error')).code, 'BAD_PROOF');
    assert.ok(!sessions.some((s) => s.partner.walletAddress.equals(victim.address)));
  });

  test('rejects a wallet outside the basechain, even one its key owns (a payout there could never be made)', async () => {
    for (const workchain of [7, -1]) {
      const key = newWallet().key;
      const address = WalletContractV4.create({ publicKey: key.publicKey, workchain }).address;
      const p = await rawPeer();
      p.hello({ key, address });
      const err = await p.next('error');
      assert.equal(err.code, 'BAD_ADDRESS');
      assert.match(err.message, new RegExp(`workchain ${workchain}: a channel pays out only to basechain`));
      await until(() => p.closed, 'the server to close the stream');
      assert.ok(!sessions.some((s) => s.partner.walletAddress.equals(address)));
    }
  });

  test('rejects a proof replayed from an earlier connection', async () => {
    const wallet = newWallet();
    const first = await rawPeer();
    first.hello(wallet);
    const oldProof = await first.prove(wallet);
    await first.next('proof');
    await until(() => sessions.some((s) => s.partner.walletAddress.equals(wallet.address)), 'the first session');
    const before = server.stats.handshakesFailed;
    // same peer identity, new stream: the server's fresh nonce makes the old proof worthless
    const stream = await first.libp2p.dialProtocol(first.stream ? (await import('@multiformats/multiaddr')).multiaddr(addr) : (null as never), '/synchannel/1.0.0');
    const { FrameDecoder } = await import('../../src/p2p/frames.js');
    const { decodeWireMessage } = await import('../../src/core/wire.js');
    const got: string[] = [];
    const dec = new FrameDecoder();
    stream.addEventListener('message', (evt) => {
      for (const ev of dec.push(evt.data instanceof Uint8Array ? evt.data : evt.data.subarray())) if (ev.kind === 'frame') got.push(JSON.stringify(decodeWireMessage(ev.data)));
    });
    stream.send(encodeFrame(encodeWireMessage({ type: 'hello', v: 1, walletAddress: wallet.address.toString(), walletPublicKey: wallet.key.publicKey.toString('hex'), channelPublicKey: wallet.key.publicKey.toString('hex'), nonce: randomBytes(32).toString('hex') })));
    await until(() => got.some((g) => g.includes('"hello"')), 'server hello');
    stream.send(encodeFrame(encodeWireMessage({ type: 'proof', signature: oldProof.toString('hex') })));
    await until(() => got.some((g) => g.includes('BAD_PROOF')), 'BAD_PROOF');
    assert.equal(server.stats.handshakesFailed, before + 1);
  });

  test('garbage, oversized, unknown and schema-invalid frames get error replies; the stream keeps working', async () => {
    const wallet = newWallet();
    const p = await rawPeer();
    const s0 = { ...server.stats };
    p.sendRaw(encodeFrame(Buffer.from([0xde, 0xad, 0xbe, 0xef]))); // not JSON
    p.sendRaw(encodeFrame(JSON.stringify({ type: 'teleport', to: 'moon' }))); // unknown type
    p.sendRaw(encodeFrame(JSON.stringify({ type: 'deposit', contract: 'nope', party: 'A', amount: '1' }))); // schema-invalid
    const big = Buffer.alloc(MAX_FRAME_BYTES + 10, 0x7b);
    p.sendRaw(encodeFrame(big)); // oversized: skipped, not buffered
    p.send({ type: 'turn.request', contract: wallet.address.toString(), step: 1n }); // valid but before the handshake
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await p.next('error')).code);
    assert.deepEqual(codes.sort(), ['FRAME_TOO_LARGE', 'UNEXPECTED_MESSAGE', 'WIRE_INVALID', 'WIRE_NOT_JSON', 'WIRE_UNKNOWN_TYPE']);
    assert.equal(server.stats.invalidFrames, s0.invalidFrames + 2);
    assert.equal(server.stats.unknownFrames, s0.unknownFrames + 1);
    assert.equal(server.stats.oversizedFrames, s0.oversizedFrames + 1);
    assert.equal(server.stats.unexpectedFrames, s0.unexpectedFrames + 1);
    // the same stream still completes a handshake and delivers a message
    p.hello(wallet);
    await p.prove(wallet);
    await p.next('proof');
    const resume = await p.next('session.resume');
    p.send({ type: 'session.resume', session: randomBytes(16).toString('hex'), peerSession: resume.session, received: 0, base: 1 });
    await until(() => sessions.some((s) => s.partner.walletAddress.equals(wallet.address)), 'the session');
    const s = sessions.find((x) => x.partner.walletAddress.equals(wallet.address))!;
    const got: unknown[] = [];
    s.on('message', (m) => got.push(m));
    // invalid inside a sound envelope: answered and passed over (seq 1 is taken), as a newer peer's message would be
    p.sendRaw(encodeFrame('{"type":"session.data","seq":1,"msg":{"type":"turn.request"}}'));
    p.send({ type: 'session.data', seq: 2, msg: { type: 'turn.request', contract: wallet.address.toString(), step: 9n } });
    p.send({ type: 'session.data', seq: 2, msg: { type: 'turn.request', contract: wallet.address.toString(), step: 9n } }); // duplicate
    assert.equal((await p.next('error')).code, 'WIRE_INVALID');
    await until(() => p.received.some((m) => m.type === 'session.ack' && m.seq === 2), 'seq 2 acknowledged');
    await until(() => server.stats.duplicatesDropped > s0.duplicatesDropped, 'the duplicate to be dropped');
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], { type: 'turn.request', contract: wallet.address.toString(), step: 9n });
  });

  test('session frames out of place (data before resume, a bare message) count as invalid frames: past the limit the stream is reset', async () => {
    const wallet = newWallet();
    const p = await rawPeer();
    p.hello(wallet);
    await p.prove(wallet);
    await p.next('session.resume');
    // never resumes: each frame was answered (a write of the node's) for as long as it sent them
    for (let i = 1; i <= 150; i++) p.send(i % 2 ? { type: 'session.data', seq: i, msg: { type: 'turn.request', contract: wallet.address.toString(), step: 1n } } : { type: 'turn.request', contract: wallet.address.toString(), step: 1n });
    await until(() => p.closed, 'the stream reset after 100 frames out of place');
    const answered = p.received.filter((m) => m.type === 'error' && m.code === 'UNEXPECTED_MESSAGE').length;
    assert.ok(answered <= 101, `${answered} frames out of place answered`);
  });

  test('a stream of random bytes is survived and the node keeps serving others', async () => {
    const p = await rawPeer();
    p.sendRaw(randomBytes(100_000));
    await until(() => p.received.some((m) => m.type === 'error') || p.closed, 'a reaction to garbage');
    // a fresh honest peer still gets through
    const wallet = newWallet();
    const q = await rawPeer();
    q.hello(wallet);
    await q.prove(wallet);
    await q.next('proof');
    await until(() => sessions.some((s) => s.partner.walletAddress.equals(wallet.address)), 'a session after the garbage');
  });
});

describe('per-peer rate limit', () => {
  test('frames beyond the limit are dropped, counted and answered once with RATE_LIMITED', async () => {
    const dir = await tempDir();
    const { node } = await makeNode(dir.path, newWallet(), { rateLimit: { perSecond: 5, burst: 10 } });
    const addr = (await node.serve(0, '127.0.0.1')).lan[0]!;
    const p = await RawPeer.dial(addr);
    try {
      for (let i = 0; i < 40; i++) p.sendRaw(encodeFrame('{"type":"nope"}'));
      const err = await p.next('error');
      assert.ok(['WIRE_UNKNOWN_TYPE', 'RATE_LIMITED'].includes(err.code));
      await until(() => node.stats.rateLimited >= 25, 'rate-limited frames to be counted');
      await until(() => p.received.some((m) => m.type === 'error' && m.code === 'RATE_LIMITED'), 'a RATE_LIMITED reply');
      const replies = p.received.filter((m) => m.type === 'error' && m.code === 'RATE_LIMITED').length;
      assert.equal(replies, 1, 'one RATE_LIMITED reply, not one per dropped frame');
    } finally {
      await p.stop();
      await node.stop();
      await dir.cleanup();
    }
  });
});
