// The only place that knows about @vscode/webview-ui-toolkit (deprecated upstream): swapping it for plain elements
// or another kit means rewriting this folder alone. Everything else builds the UI through these functions.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';

let registered = false;
export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeBadge(),
    vsCodeButton(),
    vsCodeDataGrid(),
    vsCodeDataGridCell(),
    vsCodeDataGridRow(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
  );
}

export function button(label: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; id?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (opts.secondary) b.setAttribute('appearance', 'secondary');
  if (opts.disabled) b.setAttribute('disabled', '');
  if (opts.id) b.id = opts.id;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

const SVG = 'http://www.w3.org/2000/svg';

/** The "copy" glyph (two sheets), drawn in the text colour: the webview has no icon font. */
function copyGlyph(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 16 16', width: '14', height: '14', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.2', 'aria-hidden': 'true' })) svg.setAttribute(k, v);
  for (const [x, y] of [
    [5.5, 5.5],
    [2.5, 2.5],
  ]) {
    const r = document.createElementNS(SVG, 'rect');
    for (const [k, v] of Object.entries({ x: String(x), y: String(y), width: '8', height: '8', rx: '1' })) r.setAttribute(k, v);
    svg.append(r);
  }
  return svg;
}

/** A small icon button with a title: the copy button of an address. */
export function copyButton(title: string, onClick: () => void, id?: string): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('appearance', 'icon');
  b.setAttribute('aria-label', title);
  b.title = title;
  b.append(copyGlyph());
  if (id) b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

export function badge(text: string): HTMLElement {
  const b = document.createElement('vscode-badge');
  b.textContent = text;
  return b;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export function spinner(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}

/** A two-column grid of label/value rows; a value may be an element (an address with its copy button). */
export function table(rows: [string, string | HTMLElement][], id?: string): HTMLElement {
  const grid = document.createElement('vscode-data-grid');
  grid.setAttribute('grid-template-columns', '1fr 2fr');
  grid.setAttribute('aria-label', 'balances');
  if (id) grid.id = id;
  for (const [k, v] of rows) {
    const row = document.createElement('vscode-data-grid-row');
    const a = document.createElement('vscode-data-grid-cell');
    a.setAttribute('grid-column', '1');
    a.textContent = k;
    const b = document.createElement('vscode-data-grid-cell');
    b.setAttribute('grid-column', '2');
    if (typeof v === 'string') b.textContent = v;
    else b.append(v);
    b.dataset.key = k;
    row.append(a, b);
    grid.append(row);
  }
  return grid;
}

export function dropdown(options: { value: string; label: string }[], selected: string | null, onChange: (value: string) => void): HTMLElement {
  const d = document.createElement('vscode-dropdown');
  for (const o of options) {
    const opt = document.createElement('vscode-option');
    opt.setAttribute('value', o.value);
    opt.textContent = o.label;
    if (o.value === selected) opt.setAttribute('selected', '');
    d.append(opt);
  }
  d.addEventListener('change', () => onChange((d as unknown as { value: string }).value));
  return d;
}
