// Data folders of two nodes holding many open channels with each other, written as the node keeps them after an
// open (docs/store.md): a record in phase `open` and a journal whose last state (and only that one) is signed by
// both with the nodes' real keys. The states before it are one template journal shared by every channel (fake
// signatures): a node reads only the heads at start-up, which is what these folders are for. No contract exists
// on the chain for them: the watchers read "not deployed", as many reads as for a live contract.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { DEFAULT_WALLET_VERSION, walletAddress } from '../../src/chain/keys.js';
import type { KeyPair } from '../../src/core/signer.js';
import { sign } from '../../src/core/signer.js';
import { stateHash, type ChannelState } from '../../src/core/state.js';
import { configOf, contractOf, RECORD_VERSION, type ChannelRecord } from '../../src/node/record.js';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { FILE_MAGIC, encodeEntry } from '../../src/node/store/codec.js';
import { encodeRecordFile } from '../../src/node/store/record.js';

const NANO = 1_000_000_000n;
export const DEPOSIT_A = 1n * NANO;
export const DEPOSIT_B = 100n * NANO;

/** The committed states 0 .. count-2 of a channel that never paid (fake signatures, a dummy channel address). */
function template(count: number): Buffer {
  const parts: Buffer[] = [FILE_MAGIC];
  const channel = new Address(0, Buffer.alloc(32, 0x5c));
  for (let i = 0; i < count - 1; i++) {
    const state: ChannelState = { tag: 'state', channel, step: BigInt(i), balanceA: DEPOSIT_A, balanceB: DEPOSIT_B };
    parts.push(encodeEntry({ kind: 'committed', state: { state, sigA: Buffer.alloc(64, 0xaa), sigB: Buffer.alloc(64, 0xbb) } }));
  }
  return Buffer.concat(parts);
}

export interface ChannelSet {
  ids: string[];
}

/**
 * Writes `channels` open channels between `a` (party A, in `dir`/alice) and `b` (party B, in `dir`/bob), each with
 * `states` committed states. `only`: write one side's folder only.
 */
export async function writeChannels(o: { dir: string; a: KeyPair; b: KeyPair; channels: number; states: number; only?: 'alice' | 'bob' }): Promise<ChannelSet> {
  const addressA = walletAddress(DEFAULT_WALLET_VERSION, o.a.publicKey).toRawString();
  const addressB = walletAddress(DEFAULT_WALLET_VERSION, o.b.publicKey).toRawString();
  const head = template(o.states);
  const ids: string[] = [];
  for (let c = 1; c <= o.channels; c++) {
    const terms = { channelId: BigInt(c), addressA, addressB, publicKeyA: o.a.publicKey, publicKeyB: o.b.publicKey, challengePeriod: 600, expectedDepositA: DEPOSIT_A, expectedDepositB: DEPOSIT_B };
    const contract = contractOf(configOf(terms), CONTRACT_VERSION);
    const last: ChannelState = { tag: 'state', channel: Address.parse(contract), step: BigInt(o.states - 1), balanceA: DEPOSIT_A, balanceB: DEPOSIT_B };
    const h = stateHash(last);
    const journal = Buffer.concat([head, encodeEntry({ kind: 'committed', state: { state: last, sigA: sign(h, o.a.secretKey), sigB: sign(h, o.b.secretKey) } })]);
    for (const [side, me] of [['alice', 'A'], ['bob', 'B']] as const) {
      if (o.only && o.only !== side) continue;
      const rec: ChannelRecord = {
        v: RECORD_VERSION,
        ...terms,
        me,
        network: 'sandbox',
        contract,
        contractVersion: CONTRACT_VERSION,
        life: 'open',
        depositA: DEPOSIT_A,
        depositB: DEPOSIT_B,
        close: null,
        payout: null,
        restorePending: false,
        legacy: false,
        lockedAt: Date.now(),
      };
      const folder = join(o.dir, side, 'channels', String(c));
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await writeFile(join(folder, 'journal.bin'), journal, { mode: 0o600 });
      await writeFile(join(folder, 'record.json'), encodeRecordFile(rec), { mode: 0o600 });
    }
    ids.push(String(c));
  }
  return { ids };
}
