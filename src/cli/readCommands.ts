// The commands that read one channel: its balance in the channel and in the contract, its states.
import { balancesLine } from '../core/format.js';
import { balanceText, closeToSend, heldNote, noSignedState } from '../node/uiRules.js';
import { nameDefault, noChannel, UsageError, type RunArgs, type Runner } from './channelArgs.js';
import type { ChannelView } from '../node/types.js';
import { depositOnItsWay, formatState, paidOutText, windowEnd } from './format.js';

/** How many states `showAll` reads at once when it prints a whole history. */
const SHOW_PAGE = 1000n;

/** A step given with `--<name> <step>`. */
function stepValue(a: RunArgs, name: string): bigint | undefined {
  const v = a.values.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} takes a step number, e.g. --${name} 0 (got "${v}")`);
  return BigInt(v);
}

/**
 * "No states yet", with why and what to do: a deposit on its way, else the node's reason a payment is not possible
 * yet (as send says it: a proposal to accept, a deposit to make, a declined or closed channel).
 */
function noStatesYet(view: ChannelView | null | undefined): string {
  const onItsWay = view ? depositOnItsWay(view) : '';
  const send = view?.actions?.send;
  return onItsWay || !send || send.ok ? `No states yet${onItsWay}` : `No states yet: ${send.why}`;
}

/** The channel a reader takes (--channel, else the default), and its names for a --json result. */
function target(a: RunArgs): { view: ChannelView | null; names: { id?: string; contract?: string } } {
  const channel = a.values.get('channel');
  const view = channel ? a.node.channel(channel) : a.node.currentChannel();
  return { view, names: view ? { id: view.id, contract: view.contract } : {} };
}

export const READERS: Readonly<Record<string, Runner>> = {
  async balanceContract(a) {
    nameDefault(a);
    const { view, names } = target(a);
    if (!view) throw noChannel(a);
    const v = await a.node.balanceContractDue(a.values.get('channel'));
    a.io.say(`Smart contract balance: ${balanceText(v)}`);
    return { ...names, balance: v.balance, storageDue: v.storageDue };
  },
  async balanceChan(a) {
    nameDefault(a);
    const channel = a.values.get('channel');
    const { view, names } = target(a);
    if (!view) throw noChannel(a);
    const b = a.node.balanceChan(channel);
    if (!b && view.payout) {
      // an exit: paid out by the deposits, never a signed state
      a.io.say(`No signed state: the channel ${paidOutText(view)}; nothing is in the channel any more`);
      return { ...names, paidOut: view.payout };
    }
    if (!b) {
      const { code, message } = noSignedState(view, 'sign');
      throw Object.assign(new Error(message), { code });
    }
    // Who is A depends on who proposed the channel: say which one you are; once paid out, nothing is in it.
    const p = view.payout;
    const by = p ? ` by ${p.step === null ? 'the deposits' : `step ${p.step}`} (${balancesLine(p)})` : '';
    const holds = view.closeStep === null ? 'the deposits (an exit)' : `step ${view.closeStep}`;
    const until = view.deadline ? `, challenge window until ${windowEnd(view.deadline, view.close)}` : '';
    const paid =
      view.phase === 'closed' ? `; closed, paid out${by}: nothing is in the channel any more` : view.phase === 'closing' ? `; closing: the contract holds ${holds}${until}` : '';
    // A state proposed but not both signed moves nothing yet: say it, beside what the channel holds.
    const q = view.pending && view.pending.step > b.step ? view.pending : null;
    const waits = !q ? '' : q.awaiting === 'me' ? `\nStep ${q.step} (${balancesLine(q)}) from your partner awaits your signature: sign signs it` : `\nStep ${q.step} (${balancesLine(q)}) waits for your partner's signature: until they sign, step ${b.step} is what the channel holds`;
    a.io.say(`${balancesLine(b)} (step ${b.step}${heldNote(b)}; you are ${view.me}${paid})${waits}`);
    // --json says what text mode says beside the balances: the phase, and during a close or after it what the
    // contract holds or paid
    const close = view.phase === 'closing' ? { close: { step: view.closeStep, deadline: view.deadline ?? null } } : {};
    return { ...names, ...b, phase: view.phase, ...close, ...(p ? { paidOut: p } : {}), ...(q ? { pending: { step: q.step, balanceA: q.balanceA, balanceB: q.balanceB, awaiting: q.awaiting } } : {}) };
  },
  async showAll(a) {
    // the steps typed are checked before the channel is looked at (a usage error comes first)
    const channel = a.values.get('channel');
    const from = stepValue(a, 'from');
    const to = stepValue(a, 'to');
    if (from !== undefined && to !== undefined && to < from) throw new UsageError(`--to ${to} is before --from ${from}: --to names the last step to show`);
    nameDefault(a);
    // no channel at all: say so and what to do, as the other channel commands do (not "No states yet")
    if (!target(a).view) throw noChannel(a);
    if (a.io.json || from !== undefined || to !== undefined) {
      // --to names the last step shown; the node's range ends before its `to`
      const all = await a.node.showAll(channel, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to: to + 1n } : {}) });
      const seen = channel ? a.node.channel(channel) : a.node.currentChannel();
      const count = seen?.count ?? 0n;
      if (!all.length) a.io.say(count === 0n ? noStatesYet(seen) : `No states in that range: the steps are 0 to ${count - 1n}`);
      for (const s of all) a.io.say(formatState(s));
      return { ...target(a).names, states: all };
    }
    // On screen the whole history is printed a window at a time: a channel of millions of states fits.
    const view = channel ? a.node.channel(channel) : a.node.currentChannel();
    const count = view?.count ?? 0n;
    let shown = 0;
    for (let s = 0n; ; s += SHOW_PAGE) {
      const page = await a.node.showAll(channel, { from: s, to: s + SHOW_PAGE });
      for (const st of page) a.io.say(formatState(st));
      shown += page.length;
      if (s + SHOW_PAGE > count) break;
    }
    if (!shown) a.io.say(noStatesYet(view));
    return { ...target(a).names, shown };
  },
  async showLast(a) {
    nameDefault(a);
    // the channel resolved once (--channel, else the default); its last state read by its id
    const { view, names } = target(a);
    if (!view) throw noChannel(a);
    const s = a.node.showLast(view.id);
    const unsent = closeToSend(view);
    a.io.say(`${s ? `${formatState(s)}${depositOnItsWay(view)}` : noStatesYet(view)}${unsent ? `\n${unsent.charAt(0).toUpperCase()}${unsent.slice(1)}` : ''}`);
    // --json: the channel's actions, as channels --json gives them (a deposit on its way is the deposit action's)
    return { ...names, state: s, ...(view?.actions ? { actions: view.actions } : {}) };
  },
};
