// "did you mean …" for a mistyped command: the closest CLI command by edit distance.
import { CATALOGUE } from '../node/catalogue.js';

/** Edits (insert, delete, replace, swap two neighbours) from a to b. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The CLI command closest to `typed` (names and aliases, any case), or null when none is near: a third of it wrong at most. */
export function closestCommand(typed: string): string | null {
  const word = typed.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const c of CATALOGUE) {
    if (!c.hosts.includes('cli')) continue;
    for (const n of [c.name, ...(c.aliases ?? [])]) {
      const d = editDistance(word, n.toLowerCase());
      if (!best || d < best.d) best = { name: c.name, d };
    }
  }
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.name : null;
}

/** The flag of `takes` closest to a mistyped one (`--perod`), or null when none is near (as closestCommand). */
export function closestFlag(typed: string, takes: Iterable<string>): string | null {
  let best: { name: string; d: number } | null = null;
  for (const f of takes) {
    const d = editDistance(typed.toLowerCase(), f);
    if (!best || d < best.d) best = { name: f, d };
  }
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.name : null;
}

/** The CLI commands whose name starts with `typed` (any case), in the catalogue's order. */
function startingWith(typed: string): string[] {
  const word = typed.toLowerCase();
  return CATALOGUE.filter((c) => c.hosts.includes('cli') && c.name.toLowerCase().startsWith(word)).map((c) => c.name);
}

/** Words other tools use for a command, none near its name: what the command is called here. */
const OTHER_WORDS: Readonly<Record<string, string>> = {
  close: 'withdraw (close the channel), or leave',
  pay: 'send',
  accept: 'deposit',
  listen: 'serve',
};

/** What an unknown command is told: the closest one, or the ones it starts (`balance`), and where the list is. */
export function unknownCommand(typed: string): string {
  const starts = typed.length >= 3 ? startingWith(typed) : [];
  const other = Object.hasOwn(OTHER_WORDS, typed.toLowerCase()) ? OTHER_WORDS[typed.toLowerCase()] : undefined;
  const near = other ?? (starts.length > 1 ? `${starts.slice(0, -1).join(', ')} or ${starts.at(-1)}` : closestCommand(typed) ?? starts[0]);
  return near ? `unknown command "${typed}": did you mean ${near}? (type help for the list)` : `unknown command "${typed}": type help for the list`;
}
