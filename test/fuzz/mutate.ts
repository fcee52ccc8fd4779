// Arbitraries that break valid inputs the way a hostile or buggy peer would: byte flips, insertions,
// deletions and truncations; JSON fields swapped for values of the wrong kind, size or depth.
import fc from 'fast-check';

export type Edit = { at: number; kind: 'flip' | 'insert' | 'delete' | 'set'; byte: number };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'insert', 'delete', 'set'),
  byte: fc.integer({ min: 0, max: 255 }),
});

export function applyEdits(bytes: Uint8Array, edits: Edit[]): Uint8Array {
  const out = [...bytes];
  for (const e of edits) {
    const at = out.length ? e.at % (out.length + (e.kind === 'insert' ? 1 : 0)) : 0;
    if (e.kind === 'insert') out.splice(at, 0, e.byte);
    else if (!out.length) continue;
    else if (e.kind === 'delete') out.splice(at, 1);
    else if (e.kind === 'flip') out[at] = out[at]! ^ (1 << (e.byte % 8));
    else out[at] = e.byte;
  }
  return Uint8Array.from(out);
}

/** `samples` with a few byte-level edits. */
export function byteMutations(samples: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({ i: fc.nat({ max: samples.length - 1 }), edits: fc.array(edit, { minLength: 1, maxLength: 6 }) })
    .map(({ i, edits }) => applyEdits(samples[i]!, edits));
}

/** Prefixes of `samples` (a frame cut short). */
export function truncations(samples: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.record({ i: fc.nat({ max: samples.length - 1 }), cut: fc.nat() }).map(({ i, cut }) => samples[i]!.subarray(0, cut % (samples[i]!.length + 1)));
}

/** Values of every JSON kind, including the sizes and shapes that break naive code. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, -1, 0, 1e308, -0, 2 ** 53, 2 ** 64, 1.5, '', '0', '-1', '00', '1e3', '0x10', ' 1', '\u0000', '__proto__'),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.nat({ max: 70_000 }).map((n) => 'a'.repeat(n)),
  fc.nat({ max: 200 }).map((n) => '9'.repeat(n)),
  fc.integer({ min: 1, max: 1_000 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown),
  fc.array(fc.constant({ state: 'x' }), { maxLength: 100 }),
);

/** Paths to every field of a JSON value (objects and arrays), the root included. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

/** JSON texts of `samples` with one field replaced by a hostile value, removed, or added. */
export function fieldMutations(texts: readonly string[]): fc.Arbitrary<string> {
  const parsed = texts.map((t) => JSON.parse(t) as unknown);
  return fc
    .record({ i: fc.nat({ max: texts.length - 1 }), p: fc.nat(), value: hostileValue, op: fc.constantFrom('set', 'remove', 'add'), key: fc.string({ maxLength: 12 }) })
    .map(({ i, p, value, op, key }) => {
      const root = parsed[i]!;
      const all = paths(root);
      const path = all[p % all.length]!;
      if (op === 'add') return JSON.stringify(setAt(root, path.length ? [...path.slice(0, -1), key] : [key], value, false));
      return JSON.stringify(setAt(root, path, value, op === 'remove' && path.length > 0));
    });
}
