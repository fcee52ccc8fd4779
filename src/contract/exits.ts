// Exit codes of contracts/channel.tolk (same names without the ERR_ prefix) and a human message for each.

export const ChannelExit = {
  NOT_PARTY: 101,
  NOT_FUNDING: 102,
  NOT_OPEN: 103,
  NOT_CLOSING: 104,
  VALUE_TOO_LOW: 105,
  NOTHING_TO_REFUND: 106,
  BAD_SIGNATURE_A: 107,
  BAD_SIGNATURE_B: 108,
  WRONG_CHANNEL: 109,
  WRONG_TAG: 110,
  TOTAL_MISMATCH: 111,
  STEP_NOT_HIGHER: 112,
  TOO_LATE: 113,
  TOO_EARLY: 114,
  BAD_PERIOD: 115,
  CLOSED: 116,
  BAD_ADDRESS: 117,
  UNKNOWN_OP: 0xffff,
} as const satisfies { readonly [name: string]: number };

export type ChannelExitName = keyof typeof ChannelExit;

const EXIT_MESSAGES: Record<number, string> = {
  [ChannelExit.NOT_PARTY]: "The sender is neither party's payout wallet: deposit, refund, exit and start a close from wallet A or B of this channel.",
  [ChannelExit.NOT_FUNDING]: 'The channel is locked (both deposits are in): deposits and refunds are only possible while funding. Wait for the initial state both signed (then pay, or close with withdraw), or leave with the deposits (leave); a close already under way is finished after its challenge window.',
  [ChannelExit.NOT_OPEN]: 'The channel is not open: it is still funding (wait for both deposits, or refund) or a close is already under way (challenge or finish it).',
  [ChannelExit.NOT_CLOSING]: 'No close is under way: start a close or exit first (challenge and finish only work while closing).',
  [ChannelExit.VALUE_TOO_LOW]: 'The message value is too low: a deposit needs the amount plus 0.01 TON, a cooperative close or a finish at least 0.01 TON. Attach more.',
  [ChannelExit.NOTHING_TO_REFUND]: 'This party has no deposit to refund.',
  [ChannelExit.BAD_SIGNATURE_A]: "Signature A does not match the state and A's channel key: use the state exactly as signed and the right key.",
  [ChannelExit.BAD_SIGNATURE_B]: "Signature B does not match the state and B's channel key: use the state exactly as signed and the right key.",
  [ChannelExit.WRONG_CHANNEL]: 'The state belongs to another channel (its channel address is not this contract).',
  [ChannelExit.WRONG_TAG]: 'The state has the wrong tag: a cooperative close needs a close-tagged state.',
  [ChannelExit.TOTAL_MISMATCH]: "The state's balances do not add up to the deposited total.",
  [ChannelExit.STEP_NOT_HIGHER]: 'The state is not newer than the one on chain (its step is below the step floor): submit a newer state.',
  [ChannelExit.TOO_LATE]: 'The challenge window is over: the close can only be finished now.',
  [ChannelExit.TOO_EARLY]: 'The challenge window is still open: finish the close after the deadline.',
  [ChannelExit.BAD_PERIOD]: 'The channel was deployed with a challenge period outside 60 s..365 days: it accepts no deposit. Refund and open a new channel.',
  [ChannelExit.BAD_ADDRESS]: 'The channel was deployed with a payout address outside the basechain (workchain 0): it accepts no deposit (the value comes back). Open a new channel between basechain wallets.',
  [ChannelExit.CLOSED]: 'The channel has paid out and is closed: it refuses every message (the coins came back).',
  [ChannelExit.UNKNOWN_OP]: 'Unknown message: this contract accepts deposit, refund, exit, cooperative_close, start_close, challenge, finish_close or top_up (from contract v3: a plain transfer is sent back; v2 has no top_up and keeps a plain transfer).',
  // TVM / transaction codes a caller may meet
  [0]: 'Success.',
  [1]: 'Success.',
  [5]: 'Integer out of range: a value in the message is too large.',
  [7]: 'Type check error: the message is malformed.',
  [8]: 'Cell overflow: a value is too large to store.',
  [9]: 'Cell underflow: the message body is malformed or truncated.',
  [13]: 'Out of gas: attach more value to the message.',
  [37]: 'Not enough TON on the contract to send the payouts.',
};

/** A human message for an exit code of the channel contract (or of the TVM). */
export function exitCodeMessage(code: number): string {
  return EXIT_MESSAGES[code] ?? `Exit code ${code}: unexpected failure of the channel contract.`;
}

/** The name of a contract exit code (e.g. 'TOO_EARLY'), or undefined. */
export function exitCodeName(code: number): ChannelExitName | undefined {
  for (const [name, value] of Object.entries(ChannelExit)) if (value === code) return name as ChannelExitName;
  return undefined;
}
