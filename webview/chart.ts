// A small inline SVG line chart of both off-chain balances over the steps (no chart library).
// Colours come from CSS classes bound to VS Code theme variables (media/balances.css).
import type { BalancePoint } from './protocol.js';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function balanceChart(points: BalancePoint[], width = 480, height = 180): SVGSVGElement {
  const pad = { l: 48, r: 12, t: 12, b: 28 };
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', class: 'chart', 'aria-label': 'balances over the steps' });
  const toTon = (nano: string) => Number(BigInt(nano)) / 1e9;
  const a = points.map((p) => toTon(p.a));
  const b = points.map((p) => toTon(p.b));
  const max = Math.max(1e-9, ...a, ...b);
  const n = points.length;
  const x = (i: number) => pad.l + (n <= 1 ? (width - pad.l - pad.r) / 2 : (i * (width - pad.l - pad.r)) / (n - 1));
  const y = (v: number) => pad.t + (1 - v / max) * (height - pad.t - pad.b);

  svg.append(el('line', { x1: pad.l, y1: y(0), x2: width - pad.r, y2: y(0), class: 'axis' }));
  svg.append(el('line', { x1: pad.l, y1: pad.t, x2: pad.l, y2: y(0), class: 'axis' }));
  const top = el('text', { x: pad.l - 6, y: pad.t + 4, class: 'tick', 'text-anchor': 'end' });
  top.textContent = String(+max.toFixed(3));
  const zero = el('text', { x: pad.l - 6, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' });
  zero.textContent = '0';
  svg.append(top, zero);
  if (n === 0) {
    const t = el('text', { x: width / 2, y: height / 2, class: 'tick', 'text-anchor': 'middle' });
    t.textContent = 'no signed state yet';
    svg.append(t);
    return svg;
  }
  points.forEach((p, i) => {
    if (n <= 12 || i === 0 || i === n - 1 || i % Math.ceil(n / 10) === 0) {
      const t = el('text', { x: x(i), y: height - 8, class: 'tick', 'text-anchor': 'middle' });
      t.textContent = p.step;
      svg.append(t);
    }
  });
  for (const [values, cls] of [
    [a, 'line-a'],
    [b, 'line-b'],
  ] as const) {
    const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.append(el('path', { d, class: `series ${cls}` }));
    values.forEach((v, i) => svg.append(el('circle', { cx: x(i), cy: y(v), r: 3, class: `dot ${cls}` })));
  }
  return svg;
}
