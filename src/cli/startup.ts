// What the CLI prints as the node starts: `ready` (or the greeting), then the node's events, and the balances
// after a payout.
import { SYNCHANNEL_VERSION } from '../core/version.js';
import { printable } from '../core/format.js';
import type { ChannelNodeApi, ChannelView, NetworkKind, NodeEvent } from '../node/types.js';
import { balanceText, ended, proposalNote } from '../node/uiRules.js';
import { EventFormatter, jsonEvent, startNotes } from './format.js';
import type { Io } from './repl.js';

export type StartedNode = ChannelNodeApi & { keyCreated: boolean };

/**
 * Prints the greeting (--json: the `ready` line), then the node's events. The node hands its first listener what
 * happened while it started (a restored listener, recovery logs): subscribing after the greeting keeps `ready`
 * the first line a script reads, and those events follow it.
 */
export function printEvents(node: StartedNode, chain: NetworkKind, dataDir: string, io: Io): void {
  greet(node, chain, dataDir, io);
  const formatter = new EventFormatter();
  // Closes that finish together print their balances one after the other, not interleaved.
  let balances = Promise.resolve();
  node.on((e) => {
    if (io.json) {
      io.emit(jsonEvent(e));
      return;
    }
    const text = formatter.format(e);
    if (text) io.say(printable(withChannel(node, e, text)));
    if (e.type === 'closed') balances = balances.then(() => printBalancesAfter(node, e.channel, io));
    // a proposal from another chain, or one this wallet cannot fund yet: said now, not when `deposit` fails
    if (e.type === 'channelProposed') void proposalNote(node, e.channel).then((note) => note && io.say(`Note: ${note}`), () => undefined);
  });
}

/** The node's errors that say it could not read its chain (an endpoint out of reach, a refused key, channels unwatched). */
const CHAIN_UNREAD: ReadonlySet<string> = new Set(['ENDPOINT_UNREACHABLE', 'API_KEY_REJECTED', 'WATCH_FAILING']);

/** Whether `e` says this node could not read its chain (a run that met one ends with status 1); a partner's report of such a code is its own. */
export function chainNotRead(e: NodeEvent): boolean {
  return e.type === 'error' && !e.partner && CHAIN_UNREAD.has(e.code);
}

/** Whether `e` is the node's all-clear after one of those: it reads the chain again (its channels are watched). */
export function chainReadAgain(e: NodeEvent): boolean {
  return e.type === 'log' && e.code === 'CHAIN_READ_AGAIN';
}

/** The events of the running payments, in the original's words: they name their channel when several are not closed. */
const PAYMENT_EVENTS: ReadonlySet<NodeEvent['type']> = new Set(['stateReceived', 'stateSigned', 'turnRequested', 'closeRequested']);

function withChannel(node: ChannelNodeApi, e: NodeEvent, text: string): string {
  const channel = PAYMENT_EVENTS.has(e.type) && 'channel' in e ? e.channel : undefined;
  if (!channel) return text;
  const live = node.channels().filter((c) => !ended(c.phase)).length;
  if (live < 2) return text;
  const nl = text.indexOf('\n');
  const tag = ` (channel ${channel.contract})`;
  return nl < 0 ? `${text}${tag}` : `${text.slice(0, nl)}${tag}${text.slice(nl)}`;
}

function greet(node: StartedNode, chain: NetworkKind, dataDir: string, io: Io): void {
  if (io.json) {
    io.emit({ event: 'ready', account: node.getAccount(), network: chain, dataDir, version: SYNCHANNEL_VERSION, ...(node.keyCreated ? { keyCreated: true } : {}) });
    return;
  }
  // A new or mistyped --data folder gets a new key: said once, at that start.
  if (node.keyCreated) io.say(`Created a new key and wallet in ${dataDir} (wallet.pk, wallet.addr): keep wallet.pk safe, it is your wallet's private key. If you meant an existing wallet, stop (exit) and check --data.`);
  io.say(`Your account: ${node.getAccount()} (${chain}); data in ${dataDir}`);
  const served = node.served();
  if (served) io.say(`Serving again (as before the restart): ${[...served.lan, ...served.wan].join(' ')}`);
  for (const note of startNotes(node.channels())) io.say(note);
  io.say('Type help for the commands.');
}

/** The original's closing lines: both wallets and the contract after the payout (once it reached the wallets). */
async function printBalancesAfter(node: ChannelNodeApi, ch: ChannelView, io: Io): Promise<void> {
  const { partnerAddress: partner, contract } = ch;
  try {
    const landed = await node.payoutLanded(ch.id);
    // with the storage fee each owes when worth saying, as balanceTon says it
    const [mine, theirs, held] = [await node.balanceTonDue(), await node.balanceTonDue(partner), await node.balanceTonDue(contract)];
    // Said together once read (a node stopping meanwhile prints none of them). With several channels, which close
    // these lines follow is said (two closes gave the same lines twice).
    if (node.channels().length > 1) io.say(`Balances after the close of channel ${contract}:`);
    if (landed === false) io.say('(the payout has not reached both wallets yet: a balance below may not include it; balanceTon shows yours once it lands)');
    io.say(`Your balance in workchain now: ${balanceText(mine)}`);
    io.say(`Partner balance in workchain now: ${balanceText(theirs)}`);
    io.say(`Smart contract balance in workchain now: ${balanceText(held)}`);
  } catch (e) {
    // The node stopping (end of input, Ctrl+C) ends the wait: nothing to say then.
    if (['CLOSED', 'CANCELLED'].includes((e as { code?: string }).code ?? '')) return;
    io.say(`(could not read the balances: ${(e as Error).message}; balanceTon and balanceContract read them again)`);
  }
}
