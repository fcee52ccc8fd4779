#!/usr/bin/env node
// The test command (`npm test`): every test/**/*.test.ts under node's own test runner, TypeScript via tsx.
// Usage: node test/run.mjs [DIR_OR_FILE ...]   (default: all of test/)
// Each file runs in its own process; files run one at a time (--test-concurrency=1) because the
// suites start real libp2p nodes, sandboxes and processes on a 2-core machine.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const targets = args.length ? args : ['test'];

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'node_modules' || name === 'fixtures' || name === 'vscode') continue;
    const child = join(path, name);
    if (statSync(child).isDirectory()) collect(child, out);
    else if (name.endsWith('.test.ts')) out.push(child);
  }
}

const files = [];
for (const t of targets) collect(join(root, t), files);
if (files.length === 0) {
  console.error(`no test files under ${targets.join(' ')}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--import', './test/setup.ts',
    '--test',
    '--test-concurrency=1',
    // Also each file's bound: the VS Code host file (host start, in-host suite, UI scenarios) needs minutes under load.
    '--test-timeout=600000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./test/summary-reporter.mjs', '--test-reporter-destination=stdout',
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, SYNCHANNEL_TEST: '1' } },
);
process.exit(result.status ?? 1);
