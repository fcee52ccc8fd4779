// What a person does to get coins on each network: plain words, no TON library (the extension's activation
// bundle carries them).
import type { NetworkKind } from './format.js';

/** Testnet's coins come from this Telegram bot: this tool has no faucet there. */
export const TESTNET_FAUCET_BOT = '@testgiver_ton_bot';

/** Where a wallet short of coins gets more, on a network: the faucet command, or testnet's giver bot. */
export function topUpHow(network: NetworkKind): string {
  return network === 'testnet' ? `testnet coins from ${TESTNET_FAUCET_BOT} on Telegram, sent to the address \`getAccount\` shows` : '`faucet`';
}
