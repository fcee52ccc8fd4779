// `synchannel demo` names what it shows: the 64 hex digits are each party's public key (a review read "Alice's key"
// as the private one), next to the account (the wallet address).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildOnce, CLI, ROOT } from './cli-harness.js';

before(() => buildOnce());

test('the demo says public key, not key', () => {
  const r = spawnSync(process.execPath, [CLI, 'demo'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^Alice's public key: [0-9A-F]{64}$/m);
  assert.match(r.stdout, /^Bob's public key: +[0-9A-F]{64}$/m);
  assert.doesNotMatch(r.stdout, /'s key:/);
});

test('the story read by both hosts: the accepting command as a command (each host names it its way), the period in words, no mode said to be the CLI\'s', () => {
  const r = spawnSync(process.execPath, [CLI, 'demo'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Bob accepts it with `deposit`; then Alice deploys the contract/);
  assert.match(r.stdout, /challenge period 10 min \(how long a close on chain stays open/);
  assert.match(r.stdout, /Each proved it owns its wallet: it signed the connection \(both peer ids and a fresh nonce from the other\), and the other checked the signature against its address\. Alice's signature: [0-9A-Fa-f]{32}…; her address: 0Q/);
  assert.match(r.stdout, /\(In automatic mode, the default outside this demo, a node countersigns valid states by itself\.\)/);
});
