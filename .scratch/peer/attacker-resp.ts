// Separate attacker process: a partner that sends unsolicited resync.response messages (its real old history,
// 64 states each) at RATE per second, pre-encoded (cheap for the attacker).
// usage: attacker-resp.ts <addr> <secretKeyHex> <wallet> <msgJsonFile> <rate> <seconds>
import { readFileSync } from 'node:fs';
import { Address } from '@ton/core';
import { keyPairFromSeed } from '../../src/core/signer.js';
import { encodeFrame } from '../../src/p2p/index.js';
import { RawPeer } from './raw2.js';

async function main(): Promise<void> {
  const [addr, sk, wallet, file, rateS, secsS] = process.argv.slice(2) as string[];
  const key = keyPairFromSeed(Buffer.from(sk!, 'hex').subarray(0, 32));
  const msg = readFileSync(file!, 'utf8');
  const peer = await RawPeer.dial(addr!);
  await peer.handshake(key, Address.parse(wallet!));
  peer.resume();
  await new Promise((r) => setTimeout(r, 300));
  peer.parse = false;
  const rate = Number(rateS);
  const t0 = Date.now();
  let seq = 0;
  while (Date.now() - t0 < Number(secsS) * 1000 && peer.open) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate) - seq;
    for (let i = 0; i < due; i++) {
      seq++;
      peer.stream.send(encodeFrame(`{"type":"session.data","seq":${seq},"msg":${msg}}`));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(JSON.stringify({ sent: seq, bytes: seq * msg.length, secs: (Date.now() - t0) / 1000, open: peer.open }));
  await peer.stop();
  process.exit(0);
}
void main();
