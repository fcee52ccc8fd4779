// The replay of a teaching-demo run: one step at a time, what the node reported, what each party signed and what
// the chain saw, with Previous / Next.
import { button } from './components/index.js';
import type { ReplayEntry } from './protocol.js';

export function replayView(entries: ReplayEntry[], index: number, go: (i: number) => void): HTMLElement {
  const i = Math.min(Math.max(0, index), entries.length - 1);
  const e = entries[i]!;
  const box = document.createElement('section');
  box.id = 'replay';
  const title = document.createElement('h3');
  title.id = 'replay-title';
  title.textContent = `Step ${i + 1} of ${entries.length}: ${e.title}`;
  const result = document.createElement('p');
  result.className = 'replay-result';
  result.textContent = e.result;
  const list = document.createElement('ul');
  list.className = 'replay-lines';
  for (const l of e.lines) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = `source source-${l.source.toLowerCase()}`;
    who.textContent = l.source === 'chain' ? 'chain' : l.source;
    li.append(who, ` ${l.text}`);
    list.append(li);
  }
  if (!e.lines.length) {
    const li = document.createElement('li');
    li.textContent = 'no signature or chain event in this step';
    list.append(li);
  }
  const nav = document.createElement('div');
  nav.className = 'actions';
  nav.append(
    button('Previous', () => go(i - 1), { secondary: true, disabled: i === 0, id: 'replay-prev' }),
    button('Next', () => go(i + 1), { disabled: i === entries.length - 1, id: 'replay-next' }),
  );
  box.append(title, result, list, nav);
  return box;
}
