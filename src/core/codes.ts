// The one error vocabulary of SynChannel: every code any layer up to the node may raise, how serious it is
// for a person, and what that person should do next. The CLI and the extension map codes through this table,
// never message text. Never rename a code: peers, scripts (--json) and UIs match on them.
//
// level: 'warning' for a situation the user can fix or that is expected (not your turn, partner offline),
// 'error' for a failure (a rejected transaction, a corrupt file), 'cancelled' for a user's own cancellation.

export type Level = 'warning' | 'error' | 'cancelled';

interface CodeInfo {
  readonly level: Level;
  /** what to do next, in a few words (the message itself says what happened) */
  readonly next: string;
}

const w = (next: string): CodeInfo => ({ level: 'warning', next });
const e = (next: string): CodeInfo => ({ level: 'error', next });

export const CODES = {
  // ---- the user's own cancellation (the only one) ----
  CANCELLED: { level: 'cancelled', next: 'nothing: you cancelled' },

  // ---- the off-chain channel machine (src/core/channel.ts) ----
  NOT_YOUR_TURN: w('ask your partner for the turn (requestEmpty) and wait for their empty state'),
  ALREADY_YOUR_TURN: w('send a payment or pass the turn (createEmpty)'),
  INSUFFICIENT_BALANCE: w('send at most your balance in the channel'),
  STEP_GAP: w('wait: the nodes resync by themselves when they reconnect'),
  WRONG_CHANNEL: e('check which channel your partner is talking about'),
  BAD_SIGNATURE: e('ask your partner to resend the state; if it repeats, close the channel'),
  TOTAL_CHANGED: e('ask your partner to propose a state with the channel total'),
  AMOUNT_NOT_POSITIVE: w('enter an amount above zero'),
  CHANNEL_CLOSING: w('wait for the payout; open a new channel to keep paying'),
  PENDING_STATE: w('sign the pending state first, or wait for your partner to sign yours'),
  NOTHING_TO_SIGN: w('nothing to do: no state awaits your signature'),
  NOT_OPEN: w('wait until both deposits are in and the initial state is signed by both'),
  BALANCE_TAKEN: e('reject it: only the payer proposes a payment'),
  INITIAL_MISMATCH: w("leave with the deposits (leave): no other initial state comes, a locked contract's deposits never change"),
  WRONG_KEY: e('use the key the channel was opened with'),
  KEY_IN_USE: w('close those channels first, or use another network or data folder'),
  INVALID_TRANSITION: w('check the channel phase (showLast, channels)'),
  CORRUPT_SNAPSHOT: e('restore the channel from a backup (import) or resync with your partner'),
  UNEXPECTED_CLOSE: e('a close state travels only in a close proposal; ask your partner to update'),
  EQUIVOCATION: e('keep the evidence; close the channel with the latest state both signed'),
  STATE_FORMAT: e('the state is malformed: ask the sender to update SynChannel'),
  INVALID_AMOUNT: w('write a TON amount such as 1, 0.5 or .25'),
  BAD_KEY: e('check the key file or the mnemonic'),

  // ---- the channel's life (src/core/lifecycle.ts) ----
  LIFECYCLE_REJECTED: w('check the channel phase (channels)'),

  // ---- wire messages (src/core/wire.ts) ----
  WIRE_NOT_JSON: e('make sure the peer runs SynChannel'),
  WIRE_TOO_LARGE: e('make sure the peer runs SynChannel'),
  WIRE_UNKNOWN_TYPE: e('update both sides to the same SynChannel version'),
  WIRE_INVALID: e('update both sides to the same SynChannel version'),

  // ---- the contract wrapper (src/contract) ----
  BAD_CONFIG: e('fix the channel parameters (keys, addresses, challenge period, deposits)'),
  BAD_SIGNATURE_INPUT: e('use the 64-byte signatures of the state'),
  VALUE_TOO_LOW: e('attach more TON to the message'),
  BAD_CHANNEL_DATA: e('check the address: it is not a SynChannel contract of this version'),
  NOT_FROZEN: w('read the channel status: only a channel frozen with the given storage and code version is unfrozen'),

  // ---- the chain (src/chain) ----
  INSUFFICIENT_FUNDS: w('top up your wallet (faucet on sandbox/devnet, a testnet giver on testnet)'),
  ENDPOINT_UNREACHABLE: e('check your network and the endpoint URL: is the devnet running there, is toncenter reachable?'),
  API_KEY_REJECTED: e('set a valid toncenter API key (Set Testnet API Key / --api-key)'),
  RATE_LIMITED: w('wait a little, or set a toncenter API key for a higher limit'),
  ENDPOINT_ERROR: e('retry later; check the endpoint URL'),
  NOT_DEPLOYED: w('wait for the deployment, or check the contract address'),
  CONTRACT_REJECTED: e('read the reason; check the channel phase and the state used'),
  WALLET_REJECTED: e('check your wallet balance and retry'),
  TIMEOUT: w('check the channel (showLast, channels) and your wallet balance before retrying'),
  UNKNOWN_WALLET: e('open the wallet with this chain first'),
  // the local devnet's own start (src/chain/devnet): a port or its chain folder another process holds
  DEVNET_LISTEN_FAILED: w('start the devnet on another port (0 picks a free one), or use the devnet already running there'),
  DEVNET_DATA_LOCKED: w('use the devnet that serves this chain already, or stop it first'),
  DEVNET_DATA_DIR: w('give the devnet a --data folder you can write (it is created if missing)'),
  BAD_INPUT: w('check the value you entered'),
  CLOSED: w('nothing: it is already closed'),
  FROZEN: e('nothing is left in it to pay out: storage fees took it'),
  PENDING: w('wait: the chain has not shown it yet'),
  BAD_MNEMONIC: w('check the 24 words and their order'),
  KEY_FOLDER_MISSING: w('point to the folder with wallet.pk and wallet.addr, or create a key'),
  KEY_FILE_BAD: e('restore wallet.pk / wallet.addr from a backup'),
  KEY_ADDRESS_MISMATCH: e('check that wallet.pk and wallet.addr belong together'),
  KEY_FOLDER_EXISTS: w('choose an empty folder'),

  // ---- peer-to-peer (src/p2p) ----
  BAD_MULTIADDR: w('copy the full address your partner\'s serve printed'),
  BAD_ANNOUNCE: w('give --announce your own public address, e.g. /ip4/<your public IP>/tcp/<the port you serve on>'),
  MISSING_PEER_ID: w('copy the full address, ending in /p2p/12D3KooW…'),
  CONNECTION_REFUSED: w('ask your partner to run serve, and check the port'),
  DIAL_TIMEOUT: w('check the address, that your partner is serving, and firewalls'),
  PEER_ID_MISMATCH: w('ask your partner for their current address'),
  DIAL_FAILED: w('check the address and that your partner runs SynChannel'),
  DIAL_SELF: w('connect to your partner\'s address, not your own'),
  HANDSHAKE_REJECTED: e('check that both sides run the same SynChannel version'),
  HANDSHAKE_FAILED: e('check that both sides run SynChannel with their own keys'),
  HANDSHAKE_TIMEOUT: w('check that the peer runs SynChannel and retry'),
  IDENTITY_CORRUPT: e('remove the p2p identity file; a new one is made (your partner then needs your new address)'),
  IDENTITY_UNREADABLE: e('fix what the message names (the permissions of the p2p identity file, or what is in its place), then start the node again'),
  LISTEN_FAILED: w('pick another port, or 0 for a free one'),
  LISTEN_ADDRESS: w('serve on 0.0.0.0 (all interfaces) or 127.0.0.1, or leave the address out'),
  PORT_IN_USE: w('pick another port, or 0 for a free one'),
  SESSION_CLOSED: w('connect again'),
  OUTBOX_FULL: w('wait for your partner to reconnect'),
  NODE_STOPPED: w('start the node again'),
  BAD_MESSAGE: e('this is a bug: report it'),
  MUXER_UNBOUNDED: e('install SynChannel again (its own @chainsafe/libp2p-yamux version), or update it: nothing was started'),

  // ---- the node's storage ----
  STORE: e('check the disk (space, permissions)'),
  JOURNAL_CORRUPT: e('restore the channel from a backup (import), or resync with your partner'),
  RECORD_CORRUPT: e('restore the channel from a backup (import)'),
  NEWER_VERSION: e('run the newer SynChannel that wrote it, with this data folder'),
  DATA_DIR_LOCKED: w('another SynChannel node uses this data folder: stop it, or use another --data folder'),
  DATA_DIR_NOT_A_FOLDER: w('point --data at a folder, not a file'),
  DATA_DIR_NOT_WRITABLE: w('fix the folder permissions or choose another --data folder'),
  DATA_DIR_UNREADABLE: w('fix the folder permissions or choose another --data folder'),
  DISK_LOW: e("free some space on the disk of the node's data folder: once it is above the floor (--min-free-mib) the node asks your partner again, and payments go on"),
  DATA_DIR_GONE: e('put the data folder back where the node was started with it; until then close your channels with withdraw and keep the node running until they are paid out (it holds them in memory)'),
  DISK_WRITE_FAILED: e('check the path and the disk (space, permissions); nothing unwritten was reported as saved'),
  DISK_WRITE_AGAIN: w('nothing: the channel signs new states again'),
  BACKUP_INVALID: e('choose a backup file written by SynChannel export'),
  BACKUP_CONFLICT: w('the local channel is newer than the backup: it was kept'),
  BACKUP_WOULD_REPLACE: w('choose another file name for the backup (a new one, or an older backup to replace)'),
  BACKUP_NOT_YOURS: e('import it into a node with the key that wrote it (its key folder or words)'),

  // ---- the node (src/node) ----
  NO_CHANNEL: w('connect to a partner, then open a channel (or accept theirs with deposit)'),
  UNKNOWN_CHANNEL: w('check the channel id (channels)'),
  NO_PARTNER: w('serve and let your partner connect, or connect to their address'),
  MANY_PARTNERS: w('name the partner (--partner)'),
  OWN_ADDRESS: w("open the channel with your partner's address, not your own"),
  OTHER_NETWORK: w('start the node on that network with this data folder to watch those channels'),
  MANY_CHANNELS: w('name the channel (--channel <contract, or 4+ characters of its start or end>; channels lists them)'),
  PARTNER_OFFLINE: w('wait for your partner to come back online; it is resent when they reconnect'),
  NO_CONTRACT: w('a contract exists once a proposal is accepted and deployed: open a channel, or accept one with deposit'),
  NOT_FUNDING: w('the channel is locked: withdraw instead'),
  NOTHING_DEPOSITED: w('nothing to refund'),
  DEPOSIT_MISMATCH: w('deposit the amount of the proposal, or ask for a new proposal'),
  DEPOSIT_TOO_LARGE: w('deposit what the contract still expects from you'),
  DEPOSIT_DONE: w('nothing to do: your deposit is in'),
  CHAIN_READ_AGAIN: w('nothing: the node reads the chain again, and its channels are watched'),
  WATCH_FAILING: e('check the network and the chain endpoint (its URL and API key): until the node reads the chain, a close is not challenged'),
  OTHER_WALLET: e('start the node with the wallet the channel was opened with (its key folder or wallet version)'),
  PARTNER_OTHER_CHAIN: e('start both nodes on the same chain (--chain, and the same devnet URL)'),
  PARTNER_DECLINED: w('take back what you deposited with refund, then decline the channel'),
  PARTNER_REFUNDED: w('decline the channel, or wait until your partner deposits again'),
  WAIT_PARTNER: w('wait for your partner'),
  BAD_PROPOSAL: w('ask your partner to propose again'),
  PERIOD_TOO_SHORT: w('propose a longer challenge period (--period)'),
  PERIOD_TOO_LONG: w('propose a shorter challenge period (--period), at most 365 days'),
  BAD_CONTRACT: e('do not deposit: your partner deployed another contract'),
  NOT_LOCKED: w('wait until both deposits are in'),
  NO_SUCH_STEP: w('pick a step both signed (showAll)'),
  STALE_STEP: w('confirm to submit an older state anyway, or use the latest'),
  WITHDRAW_UNDER_WAY: w('wait for the withdraw already under way'),
  EXIT_UNDER_WAY: w('wait for the exit already under way'),
  DEPOSIT_UNDER_WAY: w('wait for the deposit already under way'),
  REFUND_UNDER_WAY: w('wait until your refund lands or can no longer land: the node follows the contract'),
  // a view's estimate: the node itself reads the chain before it refuses (DEPOSIT_UNDER_WAY or TIMEOUT then)
  MAY_STILL_LAND: w('wait until your deposit lands or can no longer land: the node follows the contract'),
  ALREADY_CLOSING: w('wait: the node finishes the close after the challenge window'),
  ALREADY_CLOSED: w('nothing to do: the channel is closed and paid out'),
  TOO_EARLY: w('wait until the challenge window ends'),
  TOO_LATE: w('finish the close: the challenge window is over'),
  CHALLENGE_FAILED: e('top up your wallet and retry the challenge before the deadline'),
  PAYMENT_NOT_MADE: w('see showLast for the latest state both signed, and pay again if you still mean to'),
  QUOTA_EXCEEDED: w('wait a few seconds, then try again if it did not go through: too much came at once'),
  RESTORE_PENDING: w('connect to your partner so the node checks it has the latest state'),
  CHANNEL_RESTORED: w('close the channel with withdraw and open a new one to pay again'),
  CHANNEL_RELOADED: w('run the command again: the channel was loaded again from its files'),
  NO_FAUCET: w('get coins from a testnet giver'),
  NODE_NOT_RUNNING: w('start the node (Serve or Connect)'),
  NO_KEY: w('create a key or import one'),
  NO_WORDS: w('back up the key as it is kept: its key folder, or nothing for a key made for test TON'),
  NO_DEMO: w('open the teaching demo first'),
  USAGE: w('type help for the commands'),
  INTERNAL: e('this is a bug: report it with the log'),
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(CODES, code);
}

/** How a code should be shown; unknown codes (a newer peer's) are errors. */
export function levelOf(code: string | undefined): Level {
  return isErrorCode(code) ? CODES[code].level : 'error';
}

/** What to do next for a code, or undefined for an unknown one. */
export function nextStep(code: string | undefined): string | undefined {
  return isErrorCode(code) ? CODES[code].next : undefined;
}

/** A clause that starts with an instruction: after ':', ';' or '.', or ', then' (the message says what to do). */
const INSTRUCTION =
  /(?:[:;.]|,? then)\s+(?:check|use|give|choose|copy|run|start|wait|ask|get|set|pick|top|fix|connect|open|retry|try|type|add|enter|write|restore|import|remove|free|create|name|point|stop|close|deposit|sign|keep|confirm|move|update|see|request|withdraw|refund|finish|challenge|accept|decline|propose|serve|exit|send)\b/i;

/** Whether a message already says what to do next: then a code's next step would say it again, or contradict it. */
export function givesNextStep(message: string): boolean {
  return INSTRUCTION.test(message);
}
