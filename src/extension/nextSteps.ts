// What a failed command shows, without VS Code (errors.ts shows it): its level by its code in the one vocabulary
// (src/core/codes.ts), never by its text; its words; its next steps as buttons, with "Copy Details" (and "Show Log"
// for a failure). What to do about a chain endpoint depends on the network: testnet speaks of toncenter and its API
// key, devnet of the local devnet. A failure that did nothing and says to run the command again offers Run Again.
import { givesNextStep, levelOf, nextStep, type ErrorCode } from '../core/errors.js';
import { TESTNET_FAUCET_BOT } from '../core/networks.js';
import type { Action, NetworkKind } from '../node/types.js';
import type { PartyId } from './hosted.js';
import { inVsCode } from './cliWords.js';
import { failureLevel } from './guards.js';
import { ENDPOINT_CODES, WATCH_FAILING, type RecentFailures } from './sameCause.js';
import { rerunArgs } from './targets.js';
import { saysAlready } from './words.js';

export interface NextAction {
  title: string;
  command: string;
  args?: unknown[];
  /** the next step acts on the failed command's channel (its target is passed on) */
  onTarget?: boolean;
  /** the channel action the button runs: offered only while the node allows it on that channel */
  action?: Action;
}

const FAUCET: NextAction = { title: 'Get Test Coins', command: 'synchannel.faucet' };
/** testnet has no faucet here: the address to give the testnet giver bot */
const COPY_ADDRESS: NextAction = { title: 'Copy Wallet Address', command: 'synchannel.copyAddress' };
export const TESTNET_GIVER = `get test coins from the testnet giver bot (${TESTNET_FAUCET_BOT} on Telegram) for your wallet's address: Copy Wallet Address copies it`;
const COPY_HINT = "Copy Wallet Address copies your wallet's address";
const API_KEY: NextAction = { title: 'Set Testnet API Key', command: 'synchannel.setTestnetApiKey' };
const SETTINGS = (query: string): NextAction => ({ title: 'Open Settings', command: 'workbench.action.openSettings', args: [query] });

/** The buttons that take the user to the next step, per code (the network's own ones in endpointNext). */
const NEXT: Partial<Record<ErrorCode, NextAction[]>> = {
  NODE_NOT_RUNNING: [
    { title: 'Start the Node', command: 'synchannel.startNode' },
    { title: 'Serve', command: 'synchannel.serve' },
    { title: 'Connect', command: 'synchannel.connect' },
  ],
  NO_KEY: [
    { title: 'Create Key', command: 'synchannel.createKey' },
    { title: 'Import Mnemonic', command: 'synchannel.importMnemonic' },
    { title: 'Import Key Folder', command: 'synchannel.importKeyFolder' },
  ],
  NO_PARTNER: [
    { title: 'Serve', command: 'synchannel.serve' },
    { title: 'Connect', command: 'synchannel.connect' },
  ],
  NO_CHANNEL: [{ title: 'Open a Channel', command: 'synchannel.open' }],
  NO_DEMO: [{ title: 'Open Teaching Demo', command: 'synchannel.openTeachingDemo' }],
  NOT_YOUR_TURN: [{ title: 'Request the Turn', command: 'synchannel.requestEmpty', onTarget: true, action: 'requestEmpty' }],
  PENDING_STATE: [{ title: 'Sign', command: 'synchannel.sign', onTarget: true, action: 'sign' }],
  INSUFFICIENT_FUNDS: [FAUCET],
  CHALLENGE_FAILED: [{ title: 'Retry the Challenge', command: 'synchannel.challenge', onTarget: true, action: 'challenge' }, FAUCET],
  LISTEN_FAILED: [{ title: 'Serve on a Free Port', command: 'synchannel.serve', args: [0] }],
  PORT_IN_USE: [{ title: 'Serve on a Free Port', command: 'synchannel.serve', args: [0] }],
  LISTEN_ADDRESS: [{ title: 'Serve on All Interfaces', command: 'synchannel.serve', args: [0] }],
  DATA_DIR_LOCKED: [{ title: 'Switch Network', command: 'synchannel.switchNetwork' }],
  DEVNET_LISTEN_FAILED: [{ title: 'Start Devnet on a Free Port', command: 'synchannel.startDevnet', args: [0] }],
  TOO_LATE: [{ title: 'Finish the Close', command: 'synchannel.finish', onTarget: true, action: 'finish' }],
  NO_FAUCET: [COPY_ADDRESS],
  CHANNEL_RESTORED: [{ title: 'Close the Channel', command: 'synchannel.withdraw', onTarget: true, action: 'withdraw' }],
  PARTNER_REFUNDED: [{ title: 'Decline the Channel', command: 'synchannel.decline', onTarget: true, action: 'decline' }],
  // a moved key folder: point to where it is now (the import allows the channels' own key)
  KEY_FOLDER_MISSING: [{ title: 'Locate the Key Folder', command: 'synchannel.importKeyFolder' }],
};

export interface FailureContext {
  network: NetworkKind;
  /** testnet: whether a toncenter API key is set */
  apiKeySet: boolean;
  /** the endpoint the node talks to (testnet endpoint or devnet URL) */
  endpoint: string;
  /** the failed command's target (a tree row, or { party, channel }), for next steps on the same channel */
  target?: unknown;
  /** whether the node allows an action on the failed command's channel now (absent: no channel known) */
  can?: (action: Action) => boolean;
  /** said after the failure, whatever the code (channels with money that nothing watches now): an error then */
  also?: string;
  /**
   * the failed command (its name in the palette, synchannel.<name>) and the arguments it ran with, its target first:
   * a failure that says to run it again (CHANNEL_RELOADED, nothing done) offers Run Again with them, on the channel
   * it acted on (`resolved`: found or picked as it ran) when they named none
   */
  failed?: { command: string; args: readonly unknown[]; resolved?: { party: PartyId; channel: string } };
  /** offer Show Log whatever the level (a failed start: the log has what the node did before it failed) */
  offerLog?: boolean;
  /** the failures shown lately: one whose cause was just shown is logged only */
  recent?: RecentFailures;
  /** the network of the user's node the failed command ran on or named (its stop, NODE_STOPPED, may be a switch's) */
  ranOn?: NetworkKind;
}

/** The button that switches this window back to `network` (where a command ran, or its channels are). */
export function switchBack(network: NetworkKind): NextAction {
  return { title: `Switch to ${network}`, command: 'synchannel.switchNetwork', args: [network] };
}

/**
 * A command's node stopped because this window switched network: the node's words ("start it again", "the node
 * watches it") speak of a node on that network, which no longer runs here. Said, with the switch back; else null.
 */
function switchedAway(code: ErrorCode, c: FailureContext): { text: string | null; action: NextAction } | null {
  if (!c.ranOn || c.ranOn === c.network) return null;
  const was = c.ranOn;
  const action = switchBack(was);
  // a command on a channel of that network's node (a toast's button): its message says it
  if (code === 'OTHER_NETWORK') return { text: null, action };
  if (code !== 'NODE_STOPPED') return null;
  return { text: `your ${was} node stopped when this window switched to ${c.network}: nothing watches your ${was} channels until it runs again (Switch to ${was})`, action };
}

/**
 * What to say and offer when the chain endpoint failed, for this network. On testnet the sentence is ours (by
 * code): the chain's message is written for every network and speaks of a local devnet too; it stays in the log
 * and in Copy Details.
 */
/** What to do about a testnet endpoint's failure: the key's words only where a key helps (not an endpoint unreachable). */
function testnetHint(code: string, apiKeySet: boolean): string {
  if (code === 'API_KEY_REJECTED') return 'set a valid API key';
  if (code !== 'RATE_LIMITED') return 'check your connection and the testnet endpoint setting';
  return apiKeySet ? "wait a little: the API key's rate was reached" : 'no toncenter API key is set: without one toncenter allows about one request a second';
}

function endpointNext(code: string, c: FailureContext): { hint: string; actions: NextAction[]; text?: string } {
  if (c.network === 'testnet') {
    const what =
      code === 'RATE_LIMITED' ? 'refuses requests for now (rate limit)' : code === 'API_KEY_REJECTED' ? 'refused the API key' : code === 'ENDPOINT_ERROR' ? 'answered with an error' : 'cannot be reached';
    const keyHint = testnetHint(code, c.apiKeySet);
    return { hint: keyHint, actions: [API_KEY, SETTINGS('synchannel.testnetEndpoint')], text: `toncenter (${c.endpoint}) ${what}: ${keyHint}` };
  }
  if (c.network === 'devnet') {
    return {
      hint: `the devnet at ${c.endpoint} did not answer: start it (SynChannel: Start Devnet, or \`synchannel devnet\`) or fix synchannel.devnetUrl`,
      actions: [{ title: 'Start Devnet', command: 'synchannel.startDevnet' }, SETTINGS('synchannel.devnetUrl')],
    };
  }
  return { hint: nextStep(code) ?? '', actions: [] };
}

export interface ShownFailure {
  level: 'warning' | 'error';
  text: string;
  buttons: string[];
  /** its cause was shown just before: not shown again */
  repeat?: true;
}

/** The codes whose failure did nothing and says to run the command again: Run Again runs it with its arguments. */
const RUN_AGAIN: readonly ErrorCode[] = ['CHANNEL_RELOADED'];

/** A failure as shown: `actions` are the buttons before Copy Details, in order. */
export interface Described extends ShownFailure {
  actions: NextAction[];
  hint: string | undefined;
}

/** A message and its next step joined as the CLI joins them: "… . Next: …" (no hint: the message alone). */
export function withNext(message: string, hint: string | undefined): string {
  if (!hint) return message;
  return `${message}${/[.!?]$/.test(message) ? '' : '.'} Next: ${hint}`;
}

/** What a failure shows and offers; null for a cancellation (silent). */
export function describeFailure(code: ErrorCode, message: string, c: FailureContext, err?: unknown): Described | null {
  const own = failureLevel(levelOf(code), err);
  if (own === 'cancelled') return null;
  const level = c.also ? 'error' : own;
  // A button for a channel action the node does not allow now (Sign on a state that awaits the partner) is not offered.
  let actions = (NEXT[code] ?? []).filter((a) => !a.action || !c.can || c.can(a.action));
  // the same command again, as it ran: only when nothing of it was done (a sent one says what was)
  const sent = (err as { sent?: unknown } | null | undefined)?.sent === true;
  if (RUN_AGAIN.includes(code) && c.failed && !sent) actions = [{ title: 'Run Again', command: `synchannel.${c.failed.command}`, args: rerunArgs(c.failed.args, c.failed.resolved) }, ...actions];
  // a message that says what to do gets no code hint beside it (it could contradict it), as in the CLI
  let hint = givesNextStep(message) ? undefined : nextStep(code);
  let ownText: string | undefined;
  const away = switchedAway(code, c);
  if (away) {
    actions = [away.action];
    hint = undefined;
    if (away.text) ownText = `${message}. ${away.text.charAt(0).toUpperCase()}${away.text.slice(1)}`;
  }
  if (ENDPOINT_CODES.includes(code)) ({ hint, actions, text: ownText } = endpointNext(code, c));
  // channels unread: its own words, with the endpoint's next steps
  if (code === WATCH_FAILING) actions = endpointNext(code, c).actions;
  // the faucet is for sandbox and devnet: on testnet the next step is the giver bot, with the address to give it
  const giver = c.network === 'testnet' && (actions.includes(FAUCET) || code === 'NO_FAUCET');
  if (giver) {
    actions = [...actions.filter((a) => a !== FAUCET && a !== COPY_ADDRESS), COPY_ADDRESS];
    // the node's message may name the bot already (a top-up it advises): then only where the address is
    hint = message.includes(TESTNET_FAUCET_BOT) ? COPY_HINT : TESTNET_GIVER;
  }
  // shown in VS Code's words (the palette's titles, the settings); Copy Details keeps the node's own
  const words = inVsCode(message);
  const shownHint = hint && inVsCode(hint);
  const addsHint = shownHint && !saysAlready(words, shownHint) && !shownHint.includes(words) && (!actions.length || giver || ENDPOINT_CODES.includes(code));
  const said = ownText ? `SynChannel: ${inVsCode(ownText)}` : `SynChannel: ${withNext(words, addsHint ? shownHint : undefined)}`;
  const text = c.also ? `${said}${/[.!?]$/.test(said) ? '' : '.'} ${c.also}` : said;
  const buttons = [...actions.map((a) => a.title), 'Copy Details', ...(level === 'error' || c.offerLog ? ['Show Log'] : [])];
  const repeat = c.recent && !c.recent.show(code, text, c) ? ({ repeat: true } as const) : {};
  return { level, text, buttons, actions, hint, ...repeat };
}

/** The command a picked button runs, and its arguments (the failed command's target for a step on its channel). */
export function commandOf(d: Described, pick: string, target?: unknown): { command: string; args: unknown[] } | null {
  const a = d.actions.find((x) => x.title === pick);
  if (!a) return null;
  return { command: a.command, args: a.onTarget && target ? [target] : (a.args ?? []) };
}
