// Withdraw (close the channel), from the palette, a channel row or a step row ("Withdraw with This Step"): always
// the choice of how to close, then a preview of what each side gets and a confirmation, since a close cannot be
// undone. A cooperative close the node refuses for an offline partner (nothing sent) offers the close alone; a close
// that fell back to a unilateral one (the 'auto' mode, scripts) says so plainly.
import type { Party, PayoutView, StateView, WithdrawResult } from '../node/types.js';
import { holdKey, payoutHold } from './payoutHold.js';
import { partnerOf } from './channelCommands.js';
import type { CommandContext } from './commands.js';
import type { PickItem } from './prompts.js';
import { cancelled, isTarget, onChain, targetStep } from './ui.js';
import { SHARES_UNREAD, noSuchStep, payoutBeyond } from '../node/uiRules.js';
import { ExtensionError, errorCode, formatTon, stateLine } from './util.js';
import { changeWords, payoutWords, period } from './words.js';

type Mode = 'cooperative' | 'unilateral' | 'auto';

function modeOf(arg: unknown): Mode | undefined {
  return arg === 'cooperative' || arg === 'unilateral' || arg === 'auto' ? arg : undefined;
}

/** How to close with `step`: a cooperative close (not for a stale step) or a close alone. */
function pickMode(c: CommandContext, o: { step: bigint; stale: boolean; partner: string; window: string; partnerOnline: boolean }): Promise<Mode> {
  const { step, stale, partner, window } = o;
  const items: PickItem<Mode>[] = [];
  if (!stale) {
    items.push({
      label: '$(handshake) Cooperative close',
      description: o.partnerOnline ? 'recommended' : `${partner} is offline`,
      detail: `${partner} signs a close state; the contract pays out at once.`,
      value: 'cooperative',
    });
  }
  items.push({
    label: '$(debug-disconnect) Unilateral close',
    description: stale ? `Step ${step} is not the latest` : '',
    detail: `You send Step ${step} alone; the contract pays after the challenge window (${window}). ${partner} can challenge with a later state.`,
    value: 'unilateral',
  });
  return c.prompts.pick(items, { title: `SynChannel: close the channel with Step ${step}`, step: 1, totalSteps: 2, placeholder: 'How do you want to close?' });
}

/** Said of a close of a channel restored from a backup whose partner has not answered yet. */
function restoredWords(partner: string): string {
  return ` This channel was restored from a backup and ${partner} has not answered yet: they may hold later states, and can replace this one with them.`;
}

export async function withdraw(c: CommandContext, t: unknown, modeArg?: unknown): Promise<WithdrawResult> {
  const [m] = c.inputs(t, [modeArg]);
  const node = await c.nodeFor(t, false);
  const ch = await c.channelForAction(node, t, 'withdraw');
  const latest = ch.latest;
  if (!latest) throw new ExtensionError('NOT_OPEN', 'no state both signed yet: sign the initial state first');
  const step = targetStep(isTarget(t) ? t : undefined) ?? latest.step;
  const stale = step < latest.step;
  const state: StateView | undefined = step === latest.step ? latest : (await node.api.history(ch.id, step, step + 1n))[0];
  if (!state) throw new ExtensionError('NO_SUCH_STEP', noSuchStep(step, latest.step));
  const partner = partnerOf(c, ch);
  const window = period(ch.challengePeriod);

  const mode = modeOf(m) ?? (await pickMode(c, { step, stale, partner, window, partnerOnline: ch.partnerOnline }));
  const you = ch.me === 'A' ? state.balanceA : state.balanceB;
  const them = ch.me === 'A' ? state.balanceB : state.balanceA;
  const what = `Step ${step} (${stateLine(state)}): you get ${formatTon(you)} TON, ${partner} ${formatTon(them)} TON.`;
  const detail =
    mode === 'cooperative'
      ? `${what} Both of you sign a close state and the contract pays out at once. The channel cannot be used after.`
      : mode === 'auto'
        ? `${what} Cooperative if ${partner} answers (the contract pays out at once); else a close alone, paid after the challenge window (${window}). The channel cannot be used after.`
        : `${what} The challenge window (${window}) opens: ${partner} can replace it with any later state both signed.` +
        (stale ? ` Step ${step} is older than the latest Step ${latest.step}: ${partner} will likely challenge it, and the latest state then pays.` : '') +
        (ch.restorePending ? restoredWords(partner) : '');
  // A close cannot be undone: always confirmed by the person (the stale step included).
  const title = mode === 'cooperative' ? 'Close the channel with your partner?' : mode === 'auto' ? 'Close the channel?' : `Close the channel alone with Step ${step}?`;
  const ok = await c.prompts.confirm(title, detail, `Close with Step ${step}`);
  if (!ok) throw cancelled();

  const close = (how: Mode) => onChain(`closing with Step ${step}…`, (p) => node.api.withdraw({ ...p, channel: ch.id, ...(stale ? { step } : {}), mode: how, confirmStale: stale || ch.restorePending }));
  // The node decides whether a cooperative close needs the partner (not with a close state both signed) and gives
  // an offline partner a moment to connect; only its refusal offers the close alone.
  const closeOrAlone = () =>
    close(mode).then(undefined, async (e: unknown) => {
      if (mode !== 'cooperative' || errorCode(e) !== 'PARTNER_OFFLINE') throw e;
      const restored = ch.restorePending ? restoredWords(partner) : '';
      const alone = await c.prompts.confirm(
        `${partner} is offline: a cooperative close needs their signature.`,
        `Nothing was sent. You can close alone with Step ${step} instead: the contract pays after the challenge window (${window}).${restored}`,
        'Close Alone (Unilateral)',
      );
      if (!alone) throw cancelled();
      return close('unilateral');
    });
  // The node's 'closed' notice of this channel waits for this close's own words (payoutHold.ts).
  const release = payoutHold.hold(holdKey(node.id, ch.id));
  let told = false;
  try {
    const r = await closeOrAlone();
    // in the chain's time: the node's view of the channel now (the local clock may be off the chain's)
    const now = node.api.channels().find((x) => x.id === ch.id);
    const payout = payoutWords(now);
    if (r.fellBack) {
      void c.prompts.notify(
        'warning',
        `SynChannel: the cooperative close was not possible (${r.fallbackReason ?? 'no answer'}): a unilateral close started with Step ${r.step} instead: ${payout}.`,
      );
    } else if (r.mode === 'cooperative') {
      told = !!now?.payout;
      void c.info(cooperativeWords(ch.me, r, now?.payout ?? null));
    } else {
      void c.info(`close started with Step ${r.step}: ${payout}.`);
    }
    return r;
  } finally {
    release(told);
  }
}

/**
 * What a cooperative close paid, truthfully: the state's balance is not what reaches the wallet (the reserve's share
 * and the change are added, the fees taken). What reached the wallet is said when the node has read the payout; else
 * the 'closed' notification says it.
 */
export function cooperativeWords(me: Party, r: WithdrawResult, payout: PayoutView | null): string {
  const byState = me === 'A' ? (payout?.balanceA ?? r.payoutA) : (payout?.balanceB ?? r.payoutB);
  const state = `channel closed with Step ${r.step}: the state paid you ${formatTon(byState ?? 0n)} TON`;
  if (!payout) return `${state}; what reached your wallet is told once the node reads the payout.`;
  if (payout.paidA === null || payout.paidB === null) return `${state}; ${SHARES_UNREAD}.`;
  return `${state}; your wallet received ${formatTon(me === 'A' ? payout.paidA : payout.paidB)} TON from the channel: ${shareWords(payout)}${changeWords(me, payout)}.`;
}

/** Why a share differs from the state's balance: half of what the contract held beyond the balances, or storage fees. */
function shareWords(payout: PayoutView): string {
  const { beyond, even } = payoutBeyond(payout);
  if (!even) return `storage fees took ${formatTon(-beyond)} TON more than the contract held beyond the balances: the balances paid it`;
  return `your balance plus half of the ${formatTon(beyond)} TON the contract held beyond the balances (its fee reserve, and any top-up or plain transfer sent to it)`;
}
