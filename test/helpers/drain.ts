// A wallet spending its TON elsewhere, as a person does with a wallet app: a transfer signed with the party's key,
// sent to the sandbox chain behind the node's back (the node sees it only when it reads the wallet).
import { Address, external, internal } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { walletContract } from '../../src/chain/wallets.js';
import type { KeyPair } from '../../src/core/signer.js';

/** Sends from `key`'s v5r1 wallet all but `keep` (nanotons; the transfer's fees come out of it) to `to`. */
export async function drainWallet(chain: SandboxChain, key: KeyPair, to: string, keep: bigint): Promise<void> {
  const w = walletContract('v5r1', key.publicKey);
  const value = (await chain.getBalance(w.address)) - keep;
  const body = await w.createTransfer({
    seqno: await chain.getSeqno(w.address),
    secretKey: key.secretKey,
    messages: [internal({ to: Address.parse(to), value, bounce: false })],
    validUntil: (await chain.now()) + 60,
  });
  await chain.blockchain.sendMessage(external({ to: w.address, body }));
}
