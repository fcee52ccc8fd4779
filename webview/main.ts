// Balances webview (browser bundle, dist/webview.js). Talks to the host only through ./protocol.ts.
// State survives hide/show: the last snapshot and the selected channel are kept with setState and
// rendered from getState before the host answers the ready handshake.
import { balanceChart } from './chart.js';
import { badge, button, divider, dropdown, registerComponents, spinner, table } from './components/index.js';
import { PROTOCOL_VERSION, parseHostMessage, type BalancesSnapshot, type WebviewAction, type WebviewToHost } from './protocol.js';

interface VsCodeApi<S> {
  postMessage(msg: WebviewToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

interface SavedState {
  snapshot: BalancesSnapshot | null;
}

const vscode = acquireVsCodeApi<SavedState>();
let current: BalancesSnapshot | null = vscode.getState()?.snapshot ?? null;
let countdownTimer: ReturnType<typeof setInterval> | null = null;

registerComponents();
const root = document.getElementById('root') as HTMLElement;

function post(msg: WebviewToHost): void {
  vscode.postMessage(msg);
}

function act(action: WebviewAction): void {
  post({ type: 'action', action, key: current?.selected?.key ?? null });
}

function countdownText(deadline: number): string {
  const left = Math.max(0, Math.round(deadline - Date.now() / 1000));
  if (left === 0) return 'ended: the close can be finished';
  const m = Math.floor(left / 60);
  const s = left % 60;
  return `${m}m ${String(s).padStart(2, '0')}s left`;
}

function render(): void {
  if (countdownTimer) clearInterval(countdownTimer);
  countdownTimer = null;
  root.replaceChildren();
  const snap = current;
  if (!snap) {
    root.append(spinner());
    return;
  }
  const header = document.createElement('div');
  header.className = 'header';
  const h = document.createElement('h2');
  h.textContent = 'Balances';
  header.append(h, badge(snap.network), badge(snap.nodeStatus));
  root.append(header);

  if (snap.channels.length > 1) {
    root.append(dropdown(snap.channels.map((c) => ({ value: c.key, label: c.label })), snap.selected?.key ?? null, (key) => post({ type: 'select', key })));
  }
  const sel = snap.selected;
  if (!sel) {
    const p = document.createElement('p');
    p.id = 'hint';
    p.textContent = snap.hint ?? 'no channel yet: connect first';
    root.append(p, button('Refresh', () => act('refresh'), { secondary: true }));
    return;
  }
  const dash = '—';
  const rows: [string, string][] = [
    ['Party', `${sel.partyLabel} (${sel.me})`],
    ['Phase', sel.phase],
    ['Step', sel.step ?? dash],
    ['Off-chain A', sel.offchainA ? `${sel.offchainA.ton} TON` : dash],
    ['Off-chain B', sel.offchainB ? `${sel.offchainB.ton} TON` : dash],
    ['Contract', sel.contractBalance ? `${sel.contractBalance.ton} TON` : dash],
    ['Wallet A', sel.walletA ? `${sel.walletA.ton} TON` : dash],
    ['Wallet B', sel.walletB ? `${sel.walletB.ton} TON` : dash],
    ['Contract address', sel.contract ?? 'not deployed yet'],
    ['Partner', sel.partnerAddress],
  ];
  root.append(table(rows, 'balances'));
  if (sel.deadline) {
    const cd = document.createElement('p');
    cd.id = 'countdown';
    const deadline = sel.deadline;
    const tick = () => (cd.textContent = `Challenge window: ${countdownText(deadline)}`);
    tick();
    countdownTimer = setInterval(tick, 1000);
    root.append(cd);
  }
  root.append(divider());
  const chartTitle = document.createElement('h3');
  chartTitle.textContent = 'Balances over the steps';
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.innerHTML = '<span class="key line-a">A</span><span class="key line-b">B</span>';
  root.append(chartTitle, legend, balanceChart(sel.history));
  root.append(divider());
  const actions = document.createElement('div');
  actions.className = 'actions';
  if (sel.pendingAwaitingMe) actions.append(button('Sign', () => act('sign'), { id: 'sign' }));
  actions.append(
    button('Send…', () => act('send'), { secondary: true }),
    button('Pass turn', () => act('createEmpty'), { secondary: true }),
    button('Request turn', () => act('requestEmpty'), { secondary: true }),
    button('Withdraw…', () => act('withdraw'), { secondary: true }),
    button('Refresh', () => act('refresh'), { secondary: true }),
  );
  root.append(actions);
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostMessage(e.data);
  if (!msg) return;
  if (msg.type === 'state') {
    current = msg.snapshot;
    vscode.setState({ snapshot: current });
    render();
  } else {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = msg.message;
    root.prepend(p);
  }
});

render();
// The ready handshake, repeated until the host answers with a state (a message sent while the panel was being
// moved or restored can be lost): at most 10 tries, 1 s apart.
const restored = current !== null;
let answered = false;
let tries = 0;
const handshake = () => {
  if (answered || tries++ >= 10) return;
  post({ type: 'ready', version: PROTOCOL_VERSION, restored });
  setTimeout(handshake, 1000);
};
window.addEventListener('message', (e: MessageEvent) => {
  if (parseHostMessage(e.data)?.type === 'state') answered = true;
});
handshake();
