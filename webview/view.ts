// What the balances panel draws for a snapshot: one channel (balances, addresses with copy buttons, the close or
// the payout, the chart, the buttons the node allows now) or the replay of the teaching demo. DOM only; the host
// decides everything (webview/protocol.ts).
import { balanceChart } from './chart.js';
import { countdownText } from './countdown.js';
import { badge, button, copyButton, divider, dropdown, spinner, table } from './components/index.js';
import { DASH, amountText, figureText, type CellText } from './figures.js';
import type { AddressText, BalancesSnapshot, ChannelBalances, WebviewAction, WebviewToHost } from './protocol.js';
import { replayView } from './replay.js';

export interface ViewState {
  mode: 'channel' | 'replay';
  replayIndex: number;
  /** the last Replay command this view followed (BalancesSnapshot.replayRequest) */
  replayRequest: number;
}

export interface ViewContext {
  post(msg: WebviewToHost): void;
  state: ViewState;
  /** changes the view state and draws again */
  update(patch: Partial<ViewState>): void;
}

function textCell({ text, title, tone }: CellText): HTMLElement {
  const span = document.createElement('span');
  span.textContent = text;
  if (title) span.title = title;
  if (tone) span.className = tone;
  return span;
}

function addressCell(a: AddressText, what: string, ctx: ViewContext, extra = ''): HTMLElement {
  const wrap = document.createElement('span');
  wrap.className = 'address';
  const text = document.createElement('code');
  text.textContent = a.short;
  text.title = a.full;
  wrap.append(text, copyButton(`Copy the ${what} address`, () => ctx.post({ type: 'copy', text: a.full }), `copy-${what}`));
  if (extra) wrap.append(` ${extra}`);
  return wrap;
}

function para(text: string, cls: string, id?: string): HTMLElement {
  const p = document.createElement('p');
  p.className = cls;
  if (id) p.id = id;
  p.textContent = text;
  return p;
}

function act(ctx: ViewContext, sel: ChannelBalances | null, action: WebviewAction): void {
  ctx.post({ type: 'action', action, key: sel?.key ?? null, ...(action === 'sign' ? { step: sel?.pendingStep ?? null } : {}) });
}

function channelView(root: HTMLElement, sel: ChannelBalances, ctx: ViewContext): (() => void) | null {
  const summary = `${sel.partyLabel} (${sel.me}) ⇄ ${sel.partnerLabel} · ${sel.phase}${sel.turn ? ` · ${sel.turn}` : ''}`;
  root.append(para(summary, 'summary', 'summary'));
  // In the demo the selected party is named ("Alice (you)"): "You" alone read as the person at the keyboard.
  const named = sel.partyLabel !== 'You';
  const rows: [string, string | HTMLElement][] = [
    ['Phase', sel.phase],
    ['Step', sel.step ?? DASH],
    [named ? `${sel.partyLabel} (you)` : 'You', textCell(amountText(sel.you))],
    [sel.partnerLabel, textCell(amountText(sel.partner))],
    ['Contract balance', textCell(figureText(sel.contractBalance))],
    [named ? `${sel.partyLabel}'s wallet` : 'Your wallet', textCell(figureText(sel.yourWallet))],
    [`${sel.partnerLabel}'s wallet`, textCell(figureText(sel.partnerWallet))],
    ['Contract', addressCell(sel.contract, 'contract', ctx)],
    ['Partner', addressCell(sel.partnerAddress, 'partner', ctx, sel.partnerOnline ? '(online)' : '(offline)')],
  ];
  root.append(table(rows, 'balances'));
  if (sel.walletLow) root.append(para(sel.walletLow, 'warning', 'wallet-low'));
  let stop: (() => void) | null = null;
  if (sel.close) {
    const close = sel.close;
    const stale = close.stale ? ' · your watcher challenges it: it pays you less than your latest state, or a state between could' : '';
    const p = para('', close.stale ? 'countdown stale' : 'countdown', 'countdown');
    const tick = () => (p.textContent = `Challenge window: ${countdownText(close.deadline)} · on chain: ${close.onChain}${stale}`);
    tick();
    const timer = setInterval(tick, 1000);
    stop = () => clearInterval(timer);
    root.append(p);
  }
  if (sel.payout) {
    const p = sel.payout;
    const by = p.step === null ? 'the deposits (an exit)' : `Step ${p.step}`;
    // shares not read (the payout transaction not found): the host's line says what each gets by the state, and why
    if (p.you && p.partner) root.append(para(`Paid out by ${by}: you received ${p.you.short} TON, ${sel.partnerLabel} ${p.partner.short} TON.`, 'payout', 'payout'));
    else root.append(para(p.unknown ?? `Paid out by ${by}: the amounts are not known here.`, 'warning', 'payout'));
    if (p.matchesLatest === false) root.append(para(`Not the latest state both signed (Step ${p.latestStep ?? '?'}).`, 'error', 'payout-warning'));
    if (p.matchesLatest === null) root.append(para(`Whether this was the latest state both signed is unknown: your node does not hold it (restored from an older copy?).`, 'warning', 'payout-warning'));
  }
  if (sel.payoutPending) root.append(para(sel.payoutPending, 'warning', 'payout'));
  root.append(divider());
  const h = document.createElement('h3');
  h.textContent = 'Balances over the steps';
  const windowText = sel.close ? countdownText(sel.close.deadline).replace(/ left$/, ' left') : null;
  root.append(h, balanceChart(sel.history, { partnerName: sel.partnerLabel, ...(named ? { youName: sel.partyLabel } : {}), close: sel.close, windowText }));
  root.append(divider());
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.id = 'actions';
  for (const b of sel.actions) actions.append(button(b.label, () => act(ctx, sel, b.action), { secondary: !b.primary, id: `action-${b.action}` }));
  actions.append(button('Refresh', () => act(ctx, sel, 'refresh'), { secondary: true, id: 'action-refresh' }));
  root.append(actions);
  return stop;
}

/** Draws the snapshot into root; returns a function that stops its timers. */
export function render(root: HTMLElement, snap: BalancesSnapshot | null, ctx: ViewContext): () => void {
  root.replaceChildren();
  if (!snap) {
    root.append(spinner());
    return () => {};
  }
  const header = document.createElement('div');
  header.className = 'header';
  const h = document.createElement('h2');
  h.textContent = ctx.state.mode === 'replay' ? 'Replay of the teaching demo' : 'Balances';
  header.append(h, badge(snap.network), badge(snap.nodeStatus));
  if (snap.replay?.length) {
    const toggle = ctx.state.mode === 'replay' ? button('Balances', () => ctx.update({ mode: 'channel' }), { secondary: true, id: 'show-balances' }) : button('Replay', () => ctx.update({ mode: 'replay' }), { secondary: true, id: 'show-replay' });
    header.append(toggle);
  }
  root.append(header);
  if (ctx.state.mode === 'replay' && snap.replay?.length) {
    root.append(replayView(snap.replay, ctx.state.replayIndex, (i) => ctx.update({ replayIndex: i })));
    return () => {};
  }
  if (snap.channels.length > 1) {
    root.append(dropdown(snap.channels.map((c) => ({ value: c.key, label: c.label })), snap.selected?.key ?? null, (key) => ctx.post({ type: 'select', key })));
  }
  const sel = snap.selected;
  if (!sel) {
    root.append(para(snap.hint ?? 'no channel yet: connect first', 'hint', 'hint'), button('Refresh', () => act(ctx, null, 'refresh'), { secondary: true }));
    return () => {};
  }
  return channelView(root, sel, ctx) ?? (() => {});
}
