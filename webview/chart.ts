// An inline SVG line chart of both off-chain balances over the steps (no chart library): titled axes with ticks,
// a line for "you" (the selected party, named in the demo) and one for the partner, labelled at their ends; when a
// close is on chain, a marker at its step and the challenge window after it. Colours come from CSS classes bound to
// VS Code theme variables.
import type { BalancePoint, CloseInfo } from './protocol.js';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Round tick values from 0 to at least max: 0, 1, 2 … or 0, 0.5, 1 … (about five of them). */
export function niceTicks(max: number, about = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / about;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) ticks.push(+v.toFixed(9));
  if (ticks[ticks.length - 1]! < max) ticks.push(+(ticks[ticks.length - 1]! + step).toFixed(9));
  return ticks;
}

/** Which step labels to draw on the x axis: all when few, else about ten (first and last always). */
export function stepLabels(n: number): number[] {
  if (n <= 12) return [...Array(n).keys()];
  const every = Math.ceil(n / 10);
  return [...Array(n).keys()].filter((i) => i === 0 || i === n - 1 || (i % every === 0 && n - 1 - i >= every / 2));
}

export interface ChartOptions {
  partnerName: string;
  /** the selected party's name in the demo (where "you" read as the person at the keyboard); else "you" */
  youName?: string;
  close: CloseInfo | null;
  /** closing: the challenge window's words ("9 min left") */
  windowText: string | null;
  width?: number;
  height?: number;
}

export function balanceChart(points: BalancePoint[], o: ChartOptions): SVGSVGElement {
  const width = o.width ?? 520;
  const height = o.height ?? 220;
  const pad = { l: 56, r: 70, t: 16, b: 40 };
  const whose = o.youName ? `${o.youName}'s` : 'your';
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', class: 'chart', 'aria-label': `${whose} balance and ${o.partnerName}'s over the steps` });
  const toTon = (nano: string) => Number(BigInt(nano)) / 1e9;
  const you = points.map((p) => toTon(p.you));
  const them = points.map((p) => toTon(p.partner));
  const ticks = niceTicks(Math.max(0, ...you, ...them));
  const top = ticks[ticks.length - 1]!;
  const n = points.length;
  const plotW = width - pad.l - pad.r;
  const x = (i: number) => pad.l + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => pad.t + (1 - v / top) * (height - pad.t - pad.b);

  for (const t of ticks) {
    svg.append(el('line', { x1: pad.l, y1: y(t), x2: width - pad.r, y2: y(t), class: t === 0 ? 'axis' : 'grid' }));
    svg.append(el('text', { x: pad.l - 6, y: y(t) + 4, class: 'tick', 'text-anchor': 'end' }, String(t)));
  }
  svg.append(el('line', { x1: pad.l, y1: pad.t, x2: pad.l, y2: y(0), class: 'axis' }));
  svg.append(el('text', { x: 14, y: (pad.t + y(0)) / 2, class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 14 ${(pad.t + y(0)) / 2})` }, 'balance (TON)'));
  svg.append(el('text', { x: pad.l + plotW / 2, y: height - 6, class: 'axis-title', 'text-anchor': 'middle' }, 'step'));
  if (n === 0) {
    svg.append(el('text', { x: pad.l + plotW / 2, y: (pad.t + y(0)) / 2, class: 'tick', 'text-anchor': 'middle' }, 'no state signed by both yet'));
    return svg;
  }
  for (const i of stepLabels(n)) svg.append(el('text', { x: x(i), y: y(0) + 16, class: 'tick', 'text-anchor': 'middle' }, points[i]!.step));

  if (o.close?.step != null) {
    const at = points.findIndex((p) => p.step === o.close!.step);
    if (at >= 0) {
      const cx = x(at);
      svg.append(el('rect', { x: cx, y: pad.t, width: Math.max(4, width - pad.r - cx), height: y(0) - pad.t, class: o.close.stale ? 'window stale' : 'window' }));
      svg.append(el('line', { x1: cx, y1: pad.t, x2: cx, y2: y(0), class: o.close.stale ? 'close-marker stale' : 'close-marker' }));
      const label = `on chain: Step ${o.close.step}${o.windowText ? ` · window ${o.windowText}` : ''}`;
      const right = cx > pad.l + plotW / 2;
      svg.append(el('text', { x: right ? cx - 4 : cx + 4, y: pad.t + 10, class: 'marker-label', 'text-anchor': right ? 'end' : 'start' }, label));
    }
  }
  const series: [number[], string, string][] = [
    [you, 'line-you', o.youName ?? 'you'],
    [them, 'line-partner', o.partnerName],
  ];
  // the end labels, kept apart when both lines end close together
  const ends = [y(you[n - 1]!), y(them[n - 1]!)];
  if (Math.abs(ends[0]! - ends[1]!) < 12) {
    const mid = (ends[0]! + ends[1]!) / 2;
    const youAbove = you[n - 1]! >= them[n - 1]!;
    ends[0] = mid + (youAbove ? -6 : 6);
    ends[1] = mid + (youAbove ? 6 : -6);
  }
  series.forEach(([values, cls, name], k) => {
    const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.append(el('path', { d, class: `series ${cls}` }));
    values.forEach((v, i) => svg.append(el('circle', { cx: x(i), cy: y(v), r: 3, class: `dot ${cls}` })));
    svg.append(el('text', { x: x(n - 1) + 8, y: ends[k]! + 4, class: `end-label ${cls}` }, name));
  });
  return svg;
}
