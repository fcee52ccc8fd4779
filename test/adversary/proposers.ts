// A fresh wallet that proposes channels over a raw stream from a source address of its choice (any of 127/8 on
// Linux reaches loopback, so two source addresses are two hosts to the victim).
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { RawPeer } from './raw.js';
import { TON } from './scene.js';
import { until, type NodeHandle } from './world.js';

/** A new wallet on `host` that proposes `count` channels to `vic` (its peer put in `peers`); returns their ids once handled. */
export async function rawProposals(vic: NodeHandle, addr: string, host: string, count: number, peers: RawPeer[]): Promise<string[]> {
  const key = newKeyPair();
  const wallet = walletAddress('v5r1', key.publicKey);
  const raw = await RawPeer.dial(addr, { localAddress: host });
  peers.push(raw);
  await raw.handshake(key, wallet);
  raw.resume();
  const ids: string[] = [];
  const hex = key.publicKey.toString('hex');
  for (let i = 0; i < count; i++) {
    const channelId = BigInt('0x' + randomBytes(7).toString('hex'));
    raw.data({ type: 'channel.propose', channelId, challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: wallet.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString(), publicKeyA: hex, publicKeyB: vic.keyPair.publicKey.toString('hex') });
    ids.push(channelId.toString());
  }
  // each is handled in order: the last one listed, or an answer, means all were
  await until(() => raw.dataIn().length > 0 || vic.node.channel(ids.at(-1)!) !== null, 'the proposals handled');
  return ids;
}
