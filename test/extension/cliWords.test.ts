// The node's messages in VS Code: its CLI words (commands, flags) read as the palette's titles and the settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODES, nextStep } from '../../src/core/errors.js';
import { capabilities } from '../../src/core/capabilities.js';
import { CLI_WORDS, helpItems, inVsCode } from '../../src/extension/cliWords.js';

test('every code’s next step reads without CLI words in VS Code', () => {
  const left = Object.keys(CODES)
    .map((code) => [code, inVsCode(nextStep(code) ?? '')] as const)
    .filter(([, text]) => CLI_WORDS.test(text));
  assert.deepEqual(left, []);
});

test('the node’s messages name the palette’s commands and the settings', () => {
  const cases: [string, string][] = [
    ['the proposal says you deposit 4 TON: run `deposit 4` (or `deposit` with no amount), or ask your partner for a new proposal', 'run “Deposit (Accept or Fund a Channel)” with 4 TON (or “Deposit (Accept or Fund a Channel)” with no amount)'],
    ['no state from your partner awaits your signature (showLast shows the latest)', '(“Show the Last State” shows the latest)'],
    ['no state both signed at step 9: the latest is 4 (see showAll)', '(see “Show All States”)'],
    ['Try again when they are back online, or close alone (withdraw --unilateral: the payout waits the challenge window)', 'close alone (“Withdraw (Close the Channel)”, choosing Unilateral close: the payout waits'],
    ['To leave without them, close alone (a unilateral close: withdraw --unilateral; the payout waits the challenge window)', 'a unilateral close: “Withdraw (Close the Channel)”, choosing Unilateral close; the payout'],
    ['your 30 s is outside 60..31536000 s on sandbox: a stale close would be final before a watcher could act. Use --period with a longer window', 'Set a longer window in the synchannel.challengePeriod setting'],
    ["their node runs on another chain than yours (both must use the same --chain, and the same devnet)", 'the same network (the synchannel.network setting)'],
    ['Start a node on devnet with this folder (--chain devnet) to watch them', '(synchannel.network: devnet)'],
    ['several partners are connected: name one with --partner (0Qa…, 0Qb…)', 'pick one of them (0Qa…, 0Qb…)'],
    ['without an API key toncenter allows about one request a second (set one with --api-key or Set Testnet API Key)', '(set one with Set Testnet API Key)'],
    ['Start it (SynChannel: Start Devnet, or `synchannel devnet`)', 'or `synchannel devnet`)'],
  ];
  for (const [message, part] of cases) {
    const shown = inVsCode(message);
    assert.ok(shown.includes(part), `${message}\n→ ${shown}\nmissing: ${part}`);
  }
  // A capability's refusal, as the node words it.
  const why = capabilities({
    me: 'A', life: 'open', off: { phase: 'OPEN', turn: 'B', stagedBy: null, latestStep: 1n, latestTag: 'state', myBalance: 1n },
    expectedMine: 1n, depositedMine: 1n, deadlinePassed: false, restorePending: false,
  }).send;
  assert.ok(!why.ok && /requestEmpty/.test(why.why));
  assert.ok(!why.ok && !CLI_WORDS.test(inVsCode(why.why)) && inVsCode(why.why).includes('“Request the Turn (Request Empty State)”'));
});

test('plain words and text without CLI words are left as they are', () => {
  for (const text of ['take your deposit back with refund', 'run deposit again later', 'the challenge window opens: 10 min', 'a 2-step flow']) assert.equal(inVsCode(text), text);
});

test('Help lists each command by its palette title, says what it does in VS Code’s words, and shows the CLI form as such', () => {
  const items = helpItems();
  assert.ok(items.length > 20);
  for (const i of items) {
    assert.match(i.description, /^CLI: /, i.label);
    assert.doesNotMatch(i.detail, CLI_WORDS, `${i.label}: ${i.detail}`);
  }
  assert.equal(items.find((i) => i.value === 'showAll')?.detail, 'show all states');
});

test('an address with "--" in it (base64url) is no CLI flag: the check of VS Code words does not fail on a random wallet', () => {
  const wallet = '0QCpw27SevQ1P0kQIN2D1Zem2206OWd--tYZhhKANspoo_VO';
  assert.doesNotMatch(`your wallet ${wallet} holds 0.02 TON: top it up (“Get Test Coins (Faucet)”)`, CLI_WORDS);
  for (const flag of ['propose again (--period)', 'use --chain devnet', 'a flag:--data']) assert.match(flag, CLI_WORDS, flag);
});
