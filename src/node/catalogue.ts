// The one command catalogue: every command of SynChannel with its arguments, the capability it needs, its help
// text (the original tool's words where it had them) and its VS Code title. The CLI builds its REPL and help
// from it, the extension registers `synchannel.<name>` for it; a test checks both cover it.
import type { Action } from '../core/capabilities.js';
import { SEND_WAIT_MS, SYNC_OFFLINE_GRACE_MS } from './uiRules.js';

export type Host = 'cli' | 'vscode';

export interface CommandSpec {
  /** the CLI name; the VS Code command is `synchannel.<name>` */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** the CLI usage line */
  readonly usage: string;
  /** one line of help (the original's words for the original commands) */
  readonly help: string;
  /** what `help <command>` adds below that line */
  readonly more?: string;
  /** the VS Code palette title (category "SynChannel") */
  readonly title: string;
  /** the channel capability this command needs (ChannelView.actions) */
  readonly action?: Action;
  /** irreversible: asks for confirmation; needs --yes when stdin is not a terminal */
  readonly irreversible?: boolean;
  /** a command of the 2019 tool */
  readonly original?: boolean;
  readonly hosts: readonly Host[];
}

const both: readonly Host[] = ['cli', 'vscode'];

export const CATALOGUE: readonly CommandSpec[] = [
  { name: 'serve', usage: 'serve [port] [host]', help: 'create connection token (listen for your partner)', title: 'Serve (Wait for a Partner)', original: true, hosts: both },
  { name: 'connect', usage: 'connect <multiaddr>', help: 'connect to other peer', title: 'Connect to a Partner', original: true, hosts: both },
  { name: 'open', usage: 'open <your deposit> [partner deposit] [--period s] [--partner address]', help: 'propose a channel to your partner (once they accept, your node deploys the contract with your deposit by itself)', title: 'Open a Channel (Propose)', hosts: both },
  { name: 'deposit', usage: 'deposit [amount]', help: "make deposit (accepts your partner's channel proposal)", title: 'Deposit (Accept or Fund a Channel)', action: 'deposit', original: true, hosts: both },
  { name: 'refund', usage: 'refund [--yes]', help: 'take your deposit back before the channel locks', title: 'Refund Your Deposit', action: 'refund', irreversible: true, hosts: both },
  { name: 'decline', usage: 'decline', help: "decline your partner's channel proposal (or withdraw yours), or stop following a funding channel that holds nothing of yours", title: 'Decline the Channel', action: 'decline', hosts: both },
  { name: 'send', usage: 'send <amount>', help: 'send some amount', more: `It waits (up to ${SEND_WAIT_MS / 1000} s) for your partner to sign your state before it; with your partner offline it does not wait for them, except just after your node starts (${SYNC_OFFLINE_GRACE_MS / 1000} s for them to connect). On your partner's turn, automatic mode asks for it first (as requestEmpty) and pays once their empty state comes; with --manual, run requestEmpty yourself.`, title: 'Send', action: 'send', original: true, hosts: both },
  { name: 'sign', usage: 'sign', help: 'sign last state', title: 'Sign the Pending State', action: 'sign', original: true, hosts: both },
  { name: 'balanceContract', usage: 'balanceContract', help: 'show balance of contract in workchain', title: 'Balance of the Contract', original: true, hosts: both },
  { name: 'balanceChan', usage: 'balanceChan', help: 'show balance in sync chan', title: 'Balance in the Channel', original: true, hosts: both },
  { name: 'balanceTon', usage: 'balanceTon', help: 'show balance in workchain', title: 'Balance of Your Account', original: true, hosts: both },
  { name: 'getAccount', usage: 'getAccount', help: 'show user ton account', title: 'Get Your Account', original: true, hosts: both },
  { name: 'getPartnerAccount', usage: 'getPartnerAccount', help: 'show partner ton account', title: "Get the Partner's Account", original: true, hosts: both },
  { name: 'getSmartContractAccount', usage: 'getSmartContractAccount', help: 'show smart contract address', title: 'Get the Smart Contract Address', original: true, hosts: both },
  { name: 'getSeqno', usage: 'getSeqno', help: 'show seqno of your acc in workchain', title: 'Get the Seqno of Your Account', original: true, hosts: both },
  { name: 'faucet', usage: 'faucet [amount]', help: 'devnet/sandbox: get test coins (default 100 TON)', title: 'Get Test Coins (Faucet)', hosts: both },
  { name: 'createEmpty', usage: 'createEmpty', help: 'create empty state (pass the turn)', title: 'Pass the Turn (Create Empty State)', action: 'createEmpty', original: true, hosts: both },
  { name: 'requestEmpty', usage: 'requestEmpty', help: 'request empty state from your partner (ask for the turn)', title: 'Request the Turn (Request Empty State)', action: 'requestEmpty', original: true, hosts: both },
  { name: 'showAll', usage: 'showAll [--from step] [--to step]', help: 'show all states (--from/--to: only the steps from one to another, both shown)', title: 'Show All States', original: true, hosts: both },
  { name: 'showLast', usage: 'showLast', help: 'show last state', title: 'Show the Last State', original: true, hosts: both },
  { name: 'withdraw', aliases: ['withdrawal'], usage: 'withdraw [step] [--yes] [--unilateral|--cooperative]', help: 'push actual state in to workchain (close the channel)', title: 'Withdraw (Close the Channel)', action: 'withdraw', irreversible: true, original: true, hosts: both },
  { name: 'leave', usage: 'leave [--yes]', help: 'leave a locked channel with the deposits (your partner never signed the initial state)', title: 'Leave with the Deposits (Exit)', action: 'exit', irreversible: true, hosts: both },
  { name: 'challenge', usage: 'challenge', help: 'challenge a close on chain with your latest state now (the node does it by itself, and retries)', title: 'Challenge the Close Now', action: 'challenge', hosts: both },
  { name: 'finish', usage: 'finish', help: 'finish a close after the challenge window (the node also does it by itself)', title: 'Finish the Close', action: 'finish', hosts: both },
  { name: 'channels', usage: 'channels', help: 'list your channels', title: 'List Channels', hosts: both },
  { name: 'export', usage: 'export <file>', help: 'write a backup of every channel to one file', title: 'Export a Backup', hosts: both },
  { name: 'import', usage: 'import <file>', help: 'restore channels from a backup (they wait for your partner before signing)', title: 'Import a Backup', hosts: both },
  { name: 'help', usage: 'help [command]', help: 'list the commands (or say what one does)', title: 'Help (All Commands)', hosts: both },
  { name: 'exit', aliases: ['quit'], usage: 'exit', help: 'exit from app', title: 'Exit (Stop the Node)', original: true, hosts: both },
];

const BY_NAME = new Map<string, CommandSpec>();
for (const c of CATALOGUE) {
  BY_NAME.set(c.name.toLowerCase(), c);
  for (const a of c.aliases ?? []) BY_NAME.set(a.toLowerCase(), c);
}

/** A catalogue command by name or alias (case-insensitive). */
export function commandSpec(name: string): CommandSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}
