// The networks, and what a person does to get coins on each: plain words, no TON library (the extension's
// activation bundle carries them).

export type NetworkKind = 'sandbox' | 'devnet' | 'testnet';
export const NETWORKS: readonly NetworkKind[] = ['sandbox', 'devnet', 'testnet'];

export function isNetwork(v: unknown): v is NetworkKind {
  return typeof v === 'string' && (NETWORKS as readonly string[]).includes(v);
}

/** Testnet's coins come from this Telegram bot: this tool has no faucet there. */
export const TESTNET_FAUCET_BOT = '@testgiver_ton_bot';

/** Where a wallet short of coins gets more, on a network: the faucet command, or testnet's giver bot. */
export function topUpHow(network: NetworkKind): string {
  return network === 'testnet' ? `testnet coins from ${TESTNET_FAUCET_BOT} on Telegram, sent to the address \`getAccount\` shows` : '`faucet`';
}
