// Balances webview (browser bundle, dist/webview.js, inlined in the panel's HTML). Talks to the host only through
// ./protocol.ts. State survives hide/show and window reloads: the last snapshot and the view state are kept with
// setState, rendered from getState before the host answers the ready handshake (and handed to the panel
// serializer after a reload).
import { registerComponents } from './components/index.js';
import { ErrorNote } from './errorNote.js';
import { PROTOCOL_VERSION, parseHostMessage, type BalancesSnapshot, type WebviewToHost } from './protocol.js';
import { render, type ViewState } from './view.js';

interface VsCodeApi<S> {
  postMessage(msg: WebviewToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

interface SavedState {
  snapshot: BalancesSnapshot | null;
  view?: ViewState;
}

const vscode = acquireVsCodeApi<SavedState>();
const saved = vscode.getState();
let current: BalancesSnapshot | null = saved?.snapshot ?? null;
let view: ViewState = saved?.view ?? { mode: 'channel', replayIndex: 0, replayRequest: 0 };
let stopTimers: () => void = () => {};
// the error of a failed action: kept over the redraw of the same state that follows it (errorNote.ts)
const error = new ErrorNote();

registerComponents();
const root = document.getElementById('root') as HTMLElement;

function post(msg: WebviewToHost): void {
  if (msg.type !== 'ready') error.acted();
  vscode.postMessage(msg);
}

function draw(): void {
  stopTimers();
  vscode.setState({ snapshot: current, view });
  stopTimers = render(root, current, {
    post,
    state: view,
    update: (patch) => {
      error.acted();
      view = { ...view, ...patch };
      draw();
    },
  });
  if (error.text === null) return;
  const p = document.createElement('p');
  p.className = 'error';
  p.textContent = error.text;
  root.prepend(p);
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostMessage(e.data);
  if (!msg) return;
  if (msg.type === 'state') {
    error.state(msg.snapshot);
    current = msg.snapshot;
    // A new Replay command shows the replay from its first step; without a journal there is nothing to replay.
    if (msg.snapshot.replayRequest > view.replayRequest && msg.snapshot.replay?.length) view = { mode: 'replay', replayIndex: 0, replayRequest: msg.snapshot.replayRequest };
    else if (!msg.snapshot.replay?.length) view = { ...view, mode: 'channel', replayIndex: 0 };
    draw();
  } else {
    error.set(msg.message, current);
    draw();
  }
});

draw();
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
