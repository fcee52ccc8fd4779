// The original command set on a channel: deposit, send, sign, pass and request the turn, the balances, the
// accounts and the states (withdraw is in withdraw.ts). What a channel allows comes from ChannelView.actions.
import * as vscode from 'vscode';
import type { ChannelView, ProgressOptions, StateView } from '../node/types.js';
import type { CommandContext, CommandName, Handler } from './commands.js';
import type { HostedNode } from './hosted.js';
import { PromptWallet, amountArg, askAmount, cancelled, isTarget, onChain, targetChannel, walletRead } from './ui.js';
import { ExtensionError, describeState, formatTon, stateLine } from './util.js';
import { depositHeadsUp } from './guards.js';
import { withdraw } from './withdraw.js';
import { balanceText, depositExact, SEND_WAIT_MS, sentOffline } from '../node/uiRules.js';
import { acceptShort, depositMax, noStateShown, offlineWords, partnerName, period, phaseWord, signedWords, signsNow, walletNote } from './words.js';

/** The partner's name for messages: a hosted node's label (the demo) or the short address. */
export function partnerOf(c: CommandContext, ch: ChannelView): string {
  return partnerName(ch, c.host.nodes().map((n) => ({ label: n.label, account: n.api.getAccount() })));
}

/** What the node told offline as the command sent it (PARTNER_OFFLINE on this channel): said in the command's toast. */
export const offline = (c: CommandContext, ch: ChannelView, told: ReadonlySet<string>, what: 'state' | 'proposal' = 'state') => offlineWords(told, ch, partnerOf(c, ch), what);

function copyOffer(c: CommandContext, message: string, value: string): void {
  void c.info(message, 'Copy').then((pick) => {
    if (pick) void vscode.env.clipboard.writeText(value);
  });
}

async function deposit(c: CommandContext, t: unknown, aArg?: unknown, bArg?: unknown) {
  const [a, b] = c.inputs(t, [aArg, bArg]);
  const node = await c.nodeFor(t, true);
  if (!c.host.channel(node, isTarget(t) ? targetChannel(t) : undefined)) {
    // With amounts, as the original program's `deposit <a> <b>`: a proposal. Without, the accepting side's
    // partner has not proposed yet: proposing a second channel instead is not what they asked for.
    if (a === undefined && node.api.partners().length > 0) {
      throw new ExtensionError('NO_CHANNEL', 'no proposal from your partner yet: it shows in the SynChannel view, with a Deposit button, when it arrives. To propose a channel yourself, Open a Channel');
    }
    return vscode.commands.executeCommand('synchannel.open', isTarget(t) ? t : undefined, a, b);
  }
  // a deposit of ours that may still land, a partner's refund: the node judges them by the chain (the view estimates)
  const ch = await c.channelForAction(node, t, 'deposit', ['MAY_STILL_LAND', 'PARTNER_REFUNDED']);
  // ...but what the view already says is said before any amount is asked for (the node still has the final word)
  const heads = depositHeadsUp(ch);
  if (heads && (await c.prompts.confirm(heads.message, heads.detail, heads.button)) !== heads.button) throw cancelled();
  const expected = ch.me === 'A' ? ch.expectedDepositA - ch.depositA : ch.expectedDepositB - ch.depositB;
  // read before the prompt; read again on Enter when it refuses the amount (a top-up while the box was open)
  const wallet = new PromptWallet(node.api, await walletRead(node.api));
  const exact = exactDeposit(ch, expected);
  // accepting from a wallet too low: the node's refusal, said as the amount is typed (before Accept is asked)
  const short = (nano: bigint) => acceptShort(ch, nano, wallet.now, node.api);
  // what was typed into a Deposit that failed (A topping up in parts) is offered again
  const key = `deposit ${node.id} ${ch.id}`;
  const amount =
    amountArg(a, 'deposit') ??
    c.amounts.typed(
      key,
      await askAmount(c.prompts, {
        title: 'SynChannel: deposit',
        // the wallet's figure as last read: a fresh read on Enter updates it
        prompt: () => `${exact ? `The proposal says you deposit ${formatTon(expected)} TON` : `The channel expects ${formatTon(expected)} TON from you`}${walletNote(wallet.now)}`,
        ...c.amounts.value(key, formatTon(expected)),
        // 0 only where it is exactly what is due (a partner who only receives accepting); a top-up is above 0
        allowZero: !!exact,
        max: () => depositMax(expected, wallet.now, node.api.depositFees(), !!exact),
        check: (nano) => exact?.(nano) ?? short(nano),
        fresh: () => wallet.again(),
      }),
    );
  const wrong = exact?.(amount);
  if (wrong) throw new ExtensionError('DEPOSIT_MISMATCH', wrong);
  const lacks = short(amount);
  if (lacks) throw new ExtensionError('INSUFFICIENT_FUNDS', lacks);
  if (ch.phase === 'proposed') await confirmAccept(c, ch, amount);
  const r = await onChain('depositing…', (p) => node.api.deposit(amount, { ...p, channel: ch.id }));
  c.amounts.done(key);
  // What the contract holds now, from the node's answer (a deposit already in sends nothing), as the CLI says it.
  void c.info(`deposit done: ${r.contract} holds A ${formatTon(r.depositA)} / ${formatTon(r.expectedDepositA)} TON, B ${formatTon(r.depositB)} / ${formatTon(r.expectedDepositB)} TON`);
  return r;
}

/**
 * A deposit on a proposal accepts it: asked first in a modal (the toast's Deposit, the tree's and the palette's all
 * come here) with what the channel commits to, the deposits and the node's challenge window. Throws CANCELLED on no.
 */
async function confirmAccept(c: CommandContext, ch: ChannelView, mine: bigint): Promise<void> {
  const partner = partnerOf(c, ch);
  const theirs = ch.me === 'A' ? ch.expectedDepositB : ch.expectedDepositA;
  const button = `Accept and Deposit ${formatTon(mine)} TON`;
  const detail =
    `You deposit ${formatTon(mine)} TON, ${partner} deposits ${formatTon(theirs)} TON. ` +
    `The channel has a challenge window of ${period(ch.challengePeriod)}: once a close starts on chain, your node must run within that time to answer a stale one. ` +
    `${partner}'s node then deploys the contract, and your deposit follows by itself.`;
  if ((await c.prompts.confirm(`Accept ${partner}'s channel?`, detail, button)) !== button) throw cancelled();
}

/**
 * The node's rule (depositExact): while a proposal is being accepted, and for B once the contract exists, the deposit
 * is exactly what is due, so the prompt asks for that very amount. Returns the check (why an amount is refused), or
 * null when any amount above 0 up to `expected` goes (A topping up).
 */
function exactDeposit(ch: ChannelView, expected: bigint): ((nano: bigint) => string | undefined) | null {
  if (!depositExact(ch.phase, ch.me)) return null;
  const accepting = ch.phase === 'proposed' || ch.phase === 'accepted';
  const what = accepting ? 'the proposal says you deposit' : 'the contract expects';
  return (nano) =>
    nano === expected ? undefined : `${what} exactly ${formatTon(expected)} TON: deposit ${formatTon(expected)} TON${accepting ? ', or Decline and ask your partner for a new proposal' : ''}`;
}

async function send(c: CommandContext, t: unknown, aArg?: unknown) {
  const [a] = c.inputs(t, [aArg]);
  const node = await c.nodeFor(t, false);
  // right after a send: the node waits for that state to be signed and the turn passed back (as the CLI does)
  const ch = await c.channelForAction(node, t, 'send', ['PENDING_STATE', 'NOT_YOUR_TURN']);
  const key = `send ${node.id} ${ch.id}`;
  const amount =
    amountArg(a, 'amount') ??
    c.amounts.typed(
      key,
      await askAmount(c.prompts, {
        title: `SynChannel: send to ${partnerOf(c, ch)}`,
        prompt: `Amount to send (you have ${formatTon(ch.myBalance)} TON in the channel)`,
        max: { nano: ch.myBalance, what: 'your balance in the channel' },
        after: (nano) => `After it: you ${formatTon(ch.myBalance - nano)} TON, ${partnerOf(c, ch)} ${formatTon(ch.partnerBalance + nano)} TON in the channel`,
        ...c.amounts.value(key),
      }),
    );
  const now = c.host.channel(node, ch.id) ?? ch;
  const send = (o: ProgressOptions = {}) => node.api.send(amount, { channel: ch.id, waitMs: SEND_WAIT_MS, ...o });
  // Cancel stops the wait and pays nothing (the node's CANCELLED says when a turn request it sent stands).
  const waiting = now.sendAsksTurn ? `asking ${partnerOf(c, ch)} for the turn, then sending…` : `waiting for ${partnerOf(c, ch)} to sign and pass the turn, then sending…`;
  const { result: state, offline: told } = await sentOffline(node.api, () => (now.actions.send.ok ? send() : onChain(waiting, send)));
  c.amounts.done(key);
  void c.info(`sent ${formatTon(amount)} TON: Step ${state.step}, ${stateLine(state)}; awaiting ${partnerOf(c, ch)}'s signature.${offline(c, ch, told)}`);
  return state;
}

async function sign(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const ch = await c.channelForAction(node, t, 'sign');
  const state = await node.api.sign({ channel: ch.id });
  // an exit seen before or while signing: the signature changes nothing it pays (the node's words)
  void c.info(signedWords(node.api.channel(ch.id), state));
  return state;
}

async function createEmpty(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const ch = await c.channelForAction(node, t, 'createEmpty');
  const { result: state, offline: told } = await sentOffline(node.api, () => node.api.createEmpty({ channel: ch.id }));
  void c.info(`passed the turn to ${partnerOf(c, ch)} (empty Step ${state.step}).${offline(c, ch, told)}`);
  return state;
}

async function requestEmpty(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const ch = await c.channelForAction(node, t, 'requestEmpty');
  const { offline: told } = await sentOffline(node.api, () => node.api.requestEmpty({ channel: ch.id }));
  void c.info(`asked ${partnerOf(c, ch)} for the turn.${offline(c, ch, told)}`);
  return true;
}

/** The most states showAll writes to the log. */
const LOG_MAX = 1000n;

async function showAll(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const ch = c.channelFor(node, t);
  // The log takes the latest states of a long history; the view's "Show Earlier" pages through the rest.
  const from = ch.count > LOG_MAX ? ch.count - LOG_MAX : 0n;
  const states = await node.api.showAll(ch.id, from > 0n ? { from } : {});
  c.host.log(`${node.label}: ${from > 0n ? `the latest ${states.length} of ${ch.count} states` : `${states.length} state(s)`} of channel ${ch.id}`);
  for (const s of states) c.host.log(`  ${describeState(s)}`);
  const el = c.tree.getChildren().find((e) => e.kind === 'node' && e.party === node.id);
  const row = el ? c.tree.getChildren(el).find((e) => e.kind === 'channel' && e.channelId === ch.id) : undefined;
  if (row) await c.treeView.reveal(row, { expand: true, focus: true, select: true });
  return states;
}

/** No state both signed (none pending): what an exit paid, else why, and whose signature it awaits (the node's words). */
function nothingSigned(c: CommandContext, ch: ChannelView): null {
  const said = noStateShown(ch);
  if ('info' in said) {
    void c.info(said.info);
    return null;
  }
  throw new ExtensionError(said.code, said.message);
}

async function showLast(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const ch = c.channelFor(node, t);
  const pending = ch.pending;
  const last: StateView | null = pending ?? node.api.showLast(ch.id);
  if (!last) return nothingSigned(c, ch);
  const text = describeState(last) + (pending ? (pending.awaiting === 'me' ? ' · awaiting your signature' : ' · awaiting your partner') : '');
  if (signsNow(ch)) {
    void c.info(text, 'Sign').then((pick) => {
      if (pick) void vscode.commands.executeCommand('synchannel.sign', { party: node.id, channel: ch.id });
    });
  } else void c.info(text);
  return last;
}

async function partnerAccount(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const id = isTarget(t) ? targetChannel(t) : undefined;
  const a = node.api.getPartnerAccount(id) ?? node.api.partners()[0]?.address ?? null;
  if (!a) throw new ExtensionError('NO_PARTNER', 'no partner yet: Serve on one side, Connect on the other');
  copyOffer(c, `partner account: ${a}`, a);
  return a;
}

async function contractAccount(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const ch = c.channelFor(node, t);
  const a = node.api.getSmartContractAccount(ch.id);
  if (!a) throw new ExtensionError('NO_CONTRACT', `the contract of this channel is not deployed yet (it is ${phaseWord(ch.phase)}): wait until the proposer's node deploys it once the proposal is accepted, then copy it again`);
  copyOffer(c, `smart contract: ${a}`, a);
  return a;
}

async function onNode<T>(c: CommandContext, t: unknown, start: boolean, fn: (n: HostedNode) => Promise<T>): Promise<T> {
  return fn(await c.nodeFor(t, start));
}

export function channelCommands(c: CommandContext): Partial<Record<CommandName, Handler>> {
  return {
    deposit: (t, a, b) => deposit(c, t, a, b),
    send: (t, a) => send(c, t, a),
    sign: (t) => sign(c, t),
    createEmpty: (t) => createEmpty(c, t),
    requestEmpty: (t) => requestEmpty(c, t),
    withdraw: (t, mode) => withdraw(c, t, mode),
    withdrawStep: (t, mode) => withdraw(c, t, mode),
    showAll: (t) => showAll(c, t),
    showLast: (t) => showLast(c, t),
    getPartnerAccount: (t) => partnerAccount(c, t),
    getSmartContractAccount: (t) => contractAccount(c, t),
    balanceContract: (t) =>
      onNode(c, t, false, async (node) => {
        const ch = c.channelFor(node, t);
        const v = await onChain('reading the contract balance…', () => node.api.balanceContractDue(ch.id), { cancellable: false });
        void c.info(`contract balance: ${balanceText(v)}`);
        return v.balance;
      }),
    balanceChan: (t) =>
      onNode(c, t, false, async (node) => {
        const ch = c.channelFor(node, t);
        const b = node.api.balanceChan(ch.id);
        if (b) {
          void c.info(`Step ${b.step}: ${stateLine(b)}`);
          return b;
        }
        return nothingSigned(c, ch);
      }),
    balanceTon: (t) =>
      onNode(c, t, true, async (node) => {
        const v = await onChain('reading your balance…', () => node.api.balanceTonDue(), { cancellable: false });
        void c.info(`your account balance: ${balanceText(v)}`);
        return v.balance;
      }),
    getAccount: (t) =>
      onNode(c, t, true, async (node) => {
        const a = node.api.getAccount();
        copyOffer(c, `your account: ${a}`, a);
        return a;
      }),
    getSeqno: (t) =>
      onNode(c, t, true, async (node) => {
        const v = await onChain('reading your seqno…', () => node.api.getSeqno(), { cancellable: false });
        void c.info(`seqno: ${v}`);
        return v;
      }),
  };
}
