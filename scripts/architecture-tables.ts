// Renders the two machines of src/core as markdown tables into docs/architecture.md (between the markers), so
// the document shows exactly what the code does. `npm run docs:tables` rewrites them; a test checks they match.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIFECYCLE, LIFE_EVENTS, LIFE_PHASES } from '../src/core/lifecycle.js';
import { TRANSITIONS, type ChannelOp, type ChannelPhase } from '../src/core/transitions.js';

const DOC = join(__dirname, '..', 'docs', 'architecture.md');
const BEGIN = '<!-- tables:begin (npm run docs:tables) -->';
const END = '<!-- tables:end -->';

function offChainTable(): string {
  const phases = Object.keys(TRANSITIONS) as ChannelPhase[];
  const ops = Object.keys(TRANSITIONS.NEW) as ChannelOp[];
  const rows = phases.map((p) => `| ${p} | ${ops.map((op) => {
    const r = TRANSITIONS[p][op];
    return 'to' in r ? r.to.join(' / ') : `✗ ${r.reject}`;
  }).join(' | ')} |`);
  return [`| phase \\ operation | ${ops.join(' | ')} |`, `|---|${ops.map(() => '---').join('|')}|`, ...rows].join('\n');
}

function lifeTable(): string {
  const rows = LIFE_PHASES.map((p) => `| ${p} | ${LIFE_EVENTS.map((e) => {
    const r = LIFECYCLE[p][e];
    if ('ignore' in r) return '·';
    if ('reject' in r) return '✗';
    const fx = r.effects.length ? ` [${r.effects.join(', ')}]` : '';
    return `${r.only ? `${r.only}: ` : ''}${r.to}${fx}`;
  }).join(' | ')} |`);
  return [`| phase \\ event | ${LIFE_EVENTS.join(' | ')} |`, `|---|${LIFE_EVENTS.map(() => '---').join('|')}|`, ...rows].join('\n');
}

export function renderTables(): string {
  return [
    BEGIN,
    '',
    '**The off-chain machine** (src/core/transitions.ts): the phases an operation may lead to, or ✗ and the rejection code.',
    '',
    offChainTable(),
    '',
    '**The lifecycle** (src/core/lifecycle.ts): the next phase and [the effects the node performs]; · ignored (a',
    'duplicate or stale event), ✗ rejected with LIFECYCLE_REJECTED (a person\'s or the partner\'s event that does not',
    'fit; chain events are never rejected); "A:"/"B:" only that party.',
    '',
    lifeTable(),
    '',
    END,
  ].join('\n');
}

/** The document with its tables section replaced by the current render. */
export function withTables(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/architecture.md has no ${BEGIN} … ${END} section`);
  return doc.slice(0, a) + renderTables() + doc.slice(b + END.length);
}

if (require.main === module) {
  writeFileSync(DOC, withTables(readFileSync(DOC, 'utf8')));
  console.log('docs/architecture.md: tables rewritten');
}
