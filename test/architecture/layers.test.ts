// The architecture's seams, checked: every wire message type has a handler, every catalogue command exists in the
// CLI and the extension, no layer above src/node imports the core's rule modules, and the capabilities are
// consistent with the machines they summarise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_TYPES } from '../../src/core/wire.js';
import { ACTIONS, capabilities, type CapabilityInput } from '../../src/core/capabilities.js';
import { LIFE_PHASES } from '../../src/core/lifecycle.js';
import { clockText } from '../../src/core/duration.js';
import { CATALOGUE } from '../../src/node/catalogue.js';
import { handlers } from '../../src/node/handlers.js';
import { RUNNERS } from '../../src/cli/commands.js';
import { specifiers } from '../helpers/imports.js';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('seams', () => {
  test('every application message type has a handler (and nothing else does)', () => {
    const table = handlers({} as never);
    assert.deepEqual(Object.keys(table).sort(), [...APP_TYPES].sort());
    for (const k of APP_TYPES) assert.equal(typeof table[k], 'function', k);
  });

  test('every catalogue command for the CLI has a runner, and the CLI runs nothing outside the catalogue', () => {
    const cli = CATALOGUE.filter((c) => c.hosts.includes('cli') && c.name !== 'exit').map((c) => c.name).sort();
    assert.deepEqual(Object.keys(RUNNERS).sort(), cli);
  });

  test('every catalogue command for VS Code is contributed with the catalogue title, in the palette category SynChannel', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string; category: string }[] } };
    const contributed = new Map(pkg.contributes.commands.map((c) => [c.command, c]));
    for (const c of CATALOGUE.filter((x) => x.hosts.includes('vscode'))) {
      const got = contributed.get(`synchannel.${c.name}`);
      assert.ok(got, `synchannel.${c.name} is not contributed`);
      assert.equal(got.title, c.title, `synchannel.${c.name}: the title is the catalogue's`);
      assert.equal(got.category, 'SynChannel');
    }
  });

  test('no layer above src/node imports the core\'s rule modules (they ask the node: ChannelView.actions)', () => {
    const rules = /core\/(channel|transitions|lifecycle|capabilities)(\.js)?$/;
    const bad: string[] = [];
    for (const dir of ['src/cli', 'src/extension', 'webview']) {
      for (const f of files(join(root, dir))) {
        for (const s of specifiers(readFileSync(f, 'utf8'))) if (rules.test(s)) bad.push(`${f.slice(root.length + 1)} imports ${s}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('amounts are printed and parsed by one helper (src/core/amounts.ts): no other code splits nanotons into TON', () => {
    // the marks of a hand-written TON printer or parser: the 9 decimals padded, or a nanoton divisor beside a fraction
    const printer = /padStart\(\s*9\b|padEnd\(\s*9\b|% 1_?000_?000_?000n|\/ 1_?000_?000_?000n/;
    const bad: string[] = [];
    for (const dir of ['src', 'webview']) {
      for (const f of files(join(root, dir))) {
        if (f.endsWith(join('core', 'amounts.ts'))) continue;
        readFileSync(f, 'utf8').split('\n').forEach((line, i) => printer.test(line) && bad.push(`${f.slice(root.length + 1)}:${i + 1}: ${line.trim()}`));
      }
    }
    assert.deepEqual(bad, []);
  });
});

describe('capabilities', () => {
  const base: CapabilityInput = {
    me: 'A',
    life: 'open',
    off: { phase: 'OPEN', turn: 'A', stagedBy: null, latestStep: 2n, latestTag: 'state', myBalance: 5n },
    expectedMine: 5n,
    depositedMine: 5n,
    deadlinePassed: false,
    restorePending: false,
  };

  test('every action answers in every phase, with a code and a reason when refused', () => {
    for (const life of LIFE_PHASES) {
      for (const me of ['A', 'B'] as const) {
        const caps = capabilities({ ...base, life, me });
        assert.deepEqual(Object.keys(caps).sort(), [...ACTIONS].sort());
        for (const a of ACTIONS) {
          const c = caps[a];
          if (!c.ok) assert.ok(c.code && c.why.length > 8, `${life}/${me}/${a}`);
        }
      }
    }
  });

  test('the turn, a pending state, an empty balance and a restore decide what the open channel allows', () => {
    assert.ok(capabilities(base).send.ok);
    assert.equal((capabilities({ ...base, off: { ...base.off!, turn: 'B' } }).send as { code: string }).code, 'NOT_YOUR_TURN');
    assert.ok(capabilities({ ...base, off: { ...base.off!, turn: 'B' } }).requestEmpty.ok);
    assert.equal((capabilities(base).requestEmpty as { code: string }).code, 'ALREADY_YOUR_TURN');
    assert.equal((capabilities({ ...base, off: { ...base.off!, myBalance: 0n } }).send as { code: string }).code, 'INSUFFICIENT_BALANCE');
    assert.ok(capabilities({ ...base, off: { ...base.off!, myBalance: 0n } }).createEmpty.ok);
    const pending = capabilities({ ...base, off: { ...base.off!, phase: 'RECEIVED', stagedBy: 'B' } });
    assert.ok(pending.sign.ok);
    assert.equal((pending.send as { code: string }).code, 'PENDING_STATE');
    assert.equal((capabilities({ ...base, restorePending: true }).send as { code: string }).code, 'RESTORE_PENDING');
    assert.ok(capabilities(base).withdraw.ok);
    assert.equal((capabilities({ ...base, life: 'closed' }).withdraw as { code: string }).code, 'ALREADY_CLOSED');
  });

  test('before the lock: deposit, refund and decline follow the party and the deposits', () => {
    assert.ok(capabilities({ ...base, life: 'proposed', me: 'B', depositedMine: 0n }).deposit.ok);
    assert.equal((capabilities({ ...base, life: 'proposed', me: 'A' }).deposit as { code: string }).code, 'WAIT_PARTNER');
    assert.equal((capabilities({ ...base, life: 'funding' }).deposit as { code: string }).code, 'DEPOSIT_DONE');
    assert.ok(capabilities({ ...base, life: 'funding', depositedMine: 1n }).deposit.ok);
    assert.ok(capabilities({ ...base, life: 'funding' }).refund.ok);
    assert.equal((capabilities({ ...base, life: 'funding', depositedMine: 0n }).refund as { code: string }).code, 'NOTHING_DEPOSITED');
    assert.ok(capabilities({ ...base, life: 'locked', off: { ...base.off!, turn: null, latestStep: null } }).exit.ok);
    assert.ok(capabilities({ ...base, life: 'proposed' }).decline.ok);
    assert.ok(!capabilities({ ...base, life: 'funding' }).decline.ok);
    assert.ok(capabilities({ ...base, life: 'closing', deadlinePassed: true }).finish.ok);
    assert.equal((capabilities({ ...base, life: 'closing' }).finish as { code: string }).code, 'TOO_EARLY');
    // too early says until when
    const early = capabilities({ ...base, life: 'closing', deadline: 1_800_000_000 }).finish as { why: string };
    assert.ok(early.why.includes(`still open until ${clockText(1_800_000_000)} (by the chain's clock)`), early.why);
  });
});

describe('docs/architecture.md', () => {
  test('shows the machines exactly as the code has them (npm run docs:tables rewrites them)', async () => {
    const { withTables } = await import('../../scripts/architecture-tables.js');
    const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
    assert.equal(withTables(doc), doc, 'the tables in docs/architecture.md are stale: run npm run docs:tables');
  });
});
