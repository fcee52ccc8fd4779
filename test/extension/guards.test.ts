// The extension's checks before it acts, without VS Code (src/extension/guards.ts): a key is never replaced under
// channels that are not closed, stopping a node that guards money says what is left unwatched, a palette command
// acts on the channel that allows it, the balances panel acts only on what it offered, and countdowns follow the
// view's chain time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import type { Capabilities, ChannelView } from '../../src/node/types.js';
import type { BalancesSnapshot, ChannelBalances } from '../../webview/protocol.js';
import { FROM_TREE_KEY, channelsFor, closeLeft, depositHeadsUp, failureLevel, isChannelsKey, keyChange, keyTarget, offered, onServedDevnet, restartQuestion, stopWarning } from '../../src/extension/guards.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { depositsProblem } from '../../src/node/uiRules.js';
import { shortAddress } from '../../src/extension/util.js';
import { WINDOW_READ } from '../../src/extension/words.js';
import { parseWebviewMessage } from '../../webview/protocol.js';

const TON = parseTon;
const no = { ok: false as const, code: 'NOT_OPEN' as const, why: 'not now' };
const ok = { ok: true as const };
const allNo: Capabilities = { deposit: no, refund: no, send: no, sign: no, createEmpty: no, requestEmpty: no, withdraw: no, exit: no, challenge: no, finish: no, decline: no };

function channel(o: Partial<ChannelView> = {}): ChannelView {
  return {
    id: 'kQx', channelId: '1', contract: 'kQx', network: 'sandbox', me: 'A', myAddress: '0Qa', partnerAddress: '0QbPartnerAddress', partnerOnline: true, phase: 'open',
    challengePeriod: 600, expectedDepositA: TON('3'), expectedDepositB: TON('4'), depositA: TON('3'), depositB: TON('4'), latest: null, count: 1n,
    pending: null, myTurn: true, sendAsksTurn: false, turnRequestedByPartner: false, depositing: false, myBalance: TON('3'), partnerBalance: TON('4'), close: null, closeUnsent: null, deadline: null, closeStep: null,
    payout: null, payoutA: null, payoutB: null, actions: allNo, restorePending: false, restored: false, legacy: false, contractVersion: 4, ...o,
  };
}

describe('replacing a key (Create Key, Import Mnemonic, Import Key Folder)', () => {
  test('refused while the running node holds a channel that is not closed, naming it and what to do', () => {
    const v = keyChange({ network: 'sandbox', running: [channel({ phase: 'closed' }), channel({ contract: 'kQopen', phase: 'open' })], stored: null, hasKey: true });
    assert.equal(v.ok, false);
    assert.ok(!v.ok);
    assert.equal(v.code, 'KEY_IN_USE');
    assert.match(v.why, /not closed .*open.*Close them first, or use another network or data folder/);
    const accepted = keyChange({ network: 'sandbox', running: [channel({ phase: 'accepted' })], stored: [], hasKey: true });
    assert.equal(accepted.ok, false, 'an accepted channel is not closed either');
  });

  test('refused when the data folder (node not running) holds channels not closed, also a deployment under way, or another window holds it', () => {
    const live = keyChange({ network: 'devnet', running: null, stored: ['closed', 'open'], hasKey: true });
    assert.ok(!live.ok);
    assert.match(live.why, /devnet data folder holds 1 channel that is not closed \(open\)/);
    const deploying = keyChange({ network: 'devnet', running: null, stored: ['deploying'], hasKey: true });
    assert.ok(!deploying.ok, 'a deployment under way: the deposit may land in a contract of this key');
    const damaged = keyChange({ network: 'devnet', running: null, stored: ['closed', 'unreadable'], hasKey: true });
    assert.ok(!damaged.ok, 'a channel whose record cannot be read may still hold money');
    const locked = keyChange({ network: 'devnet', running: null, stored: null, hasKey: true });
    assert.ok(!locked.ok);
    assert.equal(locked.code, 'DATA_DIR_LOCKED');
  });

  test('refused while the running node holds a channel it could not load (brokenChannels): it is not known to be closed', () => {
    const v = keyChange({ network: 'sandbox', running: [channel({ phase: 'closed' })], stored: null, hasKey: true, broken: [{ id: 'kQbrokenChannel', code: 'WRONG_KEY', message: 'not your key' }] });
    assert.ok(!v.ok);
    assert.equal(v.code, 'KEY_IN_USE');
    assert.match(v.why, /1 channel that is not closed \(.*: not loaded, WRONG_KEY\)/);
  });

  test("the same key as the channels' (a moved key folder, a lost key imported again) is allowed, without asking; another key is refused naming the channels' wallet", () => {
    const live = { network: 'devnet', running: null, stored: ['open'], hasKey: true };
    assert.deepEqual(keyChange({ ...live, sameKey: true }), { ok: true, confirm: false });
    assert.equal(keyChange({ ...live, sameKey: false }).ok, false);
    const other = keyChange({ ...live, hasKey: false, channelsKey: 'the key of wallet 0QAbc' });
    assert.ok(!other.ok);
    assert.match(other.why, /holds 1 channel that is not closed \(open\), made with the key of wallet 0QAbc: another key would not open it\. Import that key \(Import Mnemonic with its 24 words, or Import Key Folder\)/);
  });

  test("the channels' key is their key with their wallet: the same key with another wallet is not (its node could not pay or close them)", () => {
    const v4 = { publicKey: 'ab', account: '0QWalletV4' };
    const list = [{ phase: 'open', key: { publicKey: 'ab', account: '0QWalletV3' } }, { phase: 'closed', key: { publicKey: 'cd', account: '0QOld' } }].map((k, i) => ({ ...k, contract: `c${i}`, me: 'A' as const, partner: null }));
    assert.equal(isChannelsKey(v4, null, list, undefined), false, 'same key, another wallet');
    assert.equal(isChannelsKey({ publicKey: 'ab', account: '0QWalletV3' }, null, list, undefined), true);
    assert.equal(isChannelsKey({ publicKey: 'ef', account: '0QWalletV3' }, null, list, undefined), false, 'another key');
    // a running node: its wallet decides; no channel record says: the last account
    assert.equal(isChannelsKey(v4, '0QWalletV4', list, undefined), true);
    assert.equal(isChannelsKey(v4, null, [], '0QWalletV4'), true);
  });

  test('only closed channels or none: allowed, with a confirmation when a key exists', () => {
    assert.deepEqual(keyChange({ network: 'sandbox', running: [channel({ phase: 'closed' }), channel({ phase: 'rejected' })], stored: null, hasKey: true }), { ok: true, confirm: true });
    assert.deepEqual(keyChange({ network: 'testnet', running: null, stored: ['closed', 'rejected'], hasKey: false }), { ok: true, confirm: false });
  });
});

describe('stopping a node that guards channels', () => {
  test('nothing to ask without money in a channel', () => {
    assert.equal(stopWarning([channel({ phase: 'closed' }), channel({ phase: 'proposed' })], 'Stop the node'), null);
    // funding: no state can be closed against you yet (the CLI's stop notes leave it out too)
    assert.equal(stopWarning([channel({ phase: 'funding' })], 'Stop the node'), null);
  });

  test('names each live channel, and how long the node may stay off (the shortest challenge window)', () => {
    const w = stopWarning([channel({ contract: 'kQone', challengePeriod: 3600 }), channel({ contract: 'kQtwo', phase: 'locked', challengePeriod: 600 })], 'Stop the node');
    assert.ok(w);
    assert.match(w.message, /^Stop the node\? Your node guards 2 channels with money in them\.$/);
    assert.match(w.detail, /kQone with .*: open/);
    assert.match(w.detail, /kQtwo with .*: locked/);
    assert.match(w.detail, /start it at least once every 10 min \(the challenge window\)/);
  });

  test('a channel the node could not load counts: it may hold money', () => {
    const broken = [{ id: 'kQbroken', code: 'JOURNAL_CORRUPT' as const, message: 'damaged' }];
    const alone = stopWarning([channel({ phase: 'closed' })], 'Stop the node', Date.now(), Date.now(), broken);
    assert.ok(alone, 'asked although no loaded channel holds money');
    assert.match(alone.message, /^Stop the node\? Your node holds 1 channel it could not load, which may hold money\.$/);
    assert.match(alone.detail, /kQbroken: not loaded \(JOURNAL_CORRUPT\)/);
    const both = stopWarning([channel({ contract: 'kQone' })], 'Stop the node', Date.now(), Date.now(), broken);
    assert.match(both?.message ?? '', /guards 1 channel with money in it\. It also holds 1 channel it could not load/);
  });

  test('a closing channel says the time left in its window, counted from when the view was read', () => {
    const ch = channel({ contract: 'kQc', phase: 'closing', close: { step: 3n, submitter: 'B', deadline: 1, byMe: false, challengeWith: null, secondsLeft: 600 } });
    const w = stopWarning([ch], 'Switch to devnet', 1_000_000, 1_000_000 + 120_000);
    assert.ok(w);
    assert.match(w.detail, /kQc with .*: closing, 8 min left in the challenge window/);
    assert.match(w.detail, /before the challenge window ends/);
    // no payout waits for this node: after the window either node finishes the close, which pays both wallets
    assert.doesNotMatch(w.detail, /collect the payout/);
    assert.match(w.detail, /After the window, either node finishes the close, which pays both wallets\./);
  });

  test("a closing channel whose window's end is not read yet (secondsLeft null) says it is being read, not a time left nor nothing", () => {
    const ch = channel({ contract: 'kQc', phase: 'closing', close: { step: 3n, submitter: 'B', deadline: 1, byMe: false, challengeWith: null, secondsLeft: null } });
    const w = stopWarning([ch], 'Switch to devnet', 1_000_000, 1_000_000 + 120_000);
    assert.ok(w);
    const line = w.detail.split('\n').find((l) => l.startsWith('• kQc'));
    assert.equal(line, `• kQc with ${shortAddress(ch.partnerAddress)}: closing, ${WINDOW_READ}`);
    assert.match(w.detail, /before the challenge window ends/);
  });
});

describe('stopping a node during a deposit or a deployment (an on-chain wait under progress)', () => {
  test('asks, naming what is under way and what the node does with it at its next start', () => {
    const dep = stopWarning([channel({ contract: 'kQdep', phase: 'funding', depositing: true })], 'Stop the node');
    assert.ok(dep, 'a deposit under way is asked about');
    assert.equal(dep.message, 'Stop the node? Your node is waiting for the chain to show your deposit.');
    assert.match(dep.detail, /• your deposit to kQdep with /);
    assert.match(dep.detail, /A deposit the wallet signed may still land: the node shows it once it reads the contract at its next start\. The node does not send a deposit again by itself: if it has not landed by then, Deposit again \(refused while the first may still land\)\./);
    assert.doesNotMatch(dep.detail, /deploys again/);
    const deploy = stopWarning([channel({ contract: 'kQdeploy', phase: 'deploying' })], 'Switch from devnet to sandbox (its node stops)');
    assert.ok(deploy, 'a deployment under way is asked about');
    assert.equal(deploy.message, 'Switch from devnet to sandbox (its node stops)? Your node is waiting for the chain to show your deployment.');
    assert.match(deploy.detail, /• the deployment of kQdeploy with /);
    assert.match(deploy.detail, /At its next start the node reads the chain: a deployment that landed is taken as done; one not seen is sent again by the node once it can no longer land/);
    const both = stopWarning([channel({ contract: 'kQopen' }), channel({ contract: 'kQdep', phase: 'funding', depositing: true })], 'Stop the node');
    assert.equal(both?.message, 'Stop the node? Your node guards 1 channel with money in it. It is waiting for the chain to show your deposit.');
  });
});

describe('countdowns in chain time', () => {
  test('the time left is the view\'s secondsLeft less the time since it was read, never the local clock against the deadline', () => {
    // a deadline far in the local past (the devnet after advanceTime): the node's secondsLeft wins
    const ch = { close: { step: 1n, submitter: 'A' as const, deadline: 10, byMe: true, challengeWith: null, secondsLeft: 300 } };
    assert.equal(closeLeft(ch, 5_000, 5_000), 300);
    assert.equal(closeLeft(ch, 5_000, 65_000), 240);
    assert.equal(closeLeft(ch, 5_000, 5_000 + 400_000), 0);
    assert.equal(closeLeft({ close: null }, 0, 0), null);
  });
});

describe('which channel a palette command acts on', () => {
  const a = channel({ id: 'kQa', phase: 'open', actions: { ...allNo, send: ok, withdraw: ok } });
  const b = channel({ id: 'kQb', phase: 'proposed', actions: { ...allNo, deposit: ok, decline: ok } });
  const c = channel({ id: 'kQc', phase: 'open', actions: { ...allNo, send: ok, sign: ok } });

  test('the one channel that allows the action, whatever the current one is', () => {
    const d = channelsFor([a, b], 'deposit');
    assert.equal(d.kind, 'one');
    assert.equal(d.kind === 'one' && d.ch.id, 'kQb');
    const s = channelsFor([a, b, c], 'sign');
    assert.equal(s.kind === 'one' && s.ch.id, 'kQc');
  });

  test('several: a choice between them; none: nothing', () => {
    const s = channelsFor([a, b, c], 'send');
    assert.equal(s.kind, 'many');
    assert.deepEqual(s.kind === 'many' && s.list.map((x) => x.id), ['kQa', 'kQc']);
    assert.equal(channelsFor([a, b], 'finish').kind, 'none');
  });

  test('a channel whose refusal the command waits out (its waitable codes) counts, as the CLI counts it', () => {
    const later = (code: 'MAY_STILL_LAND' | 'TOO_EARLY' | 'NOT_YOUR_TURN') => ({ ok: false as const, code, why: 'later' });
    const landing = channel({ id: 'kQl', phase: 'deploying', actions: { ...allNo, deposit: later('MAY_STILL_LAND') } });
    const d = channelsFor([a, landing], 'deposit', ['MAY_STILL_LAND', 'PARTNER_REFUNDED']);
    assert.equal(d.kind === 'one' && d.ch.id, 'kQl', 'the one channel where the deposit waits for the chain');
    assert.equal(channelsFor([a, landing], 'deposit').kind, 'none', 'not waitable for this command: nothing');
    const closing = channel({ id: 'kQf', phase: 'closing', actions: { ...allNo, finish: later('TOO_EARLY') } });
    const f = channelsFor([a, closing, b], 'finish', ['TOO_EARLY']);
    assert.equal(f.kind === 'one' && f.ch.id, 'kQf');
    const theirTurn = channel({ id: 'kQt', actions: { ...allNo, send: later('NOT_YOUR_TURN') } });
    const s = channelsFor([a, theirTurn, b], 'send', ['PENDING_STATE', 'NOT_YOUR_TURN']);
    assert.deepEqual(s.kind === 'many' && s.list.map((x) => x.id), ['kQa', 'kQt'], 'a choice between the one that allows it and the one that waits');
    assert.equal(channelsFor([b, landing], 'decline', ['MAY_STILL_LAND']).kind, 'one', 'another refusal (NOT_OPEN) never counts');
  });
});

describe('a deposit the node\'s view already refuses (left to the node, which reads the chain)', () => {
  const refunded = { ok: false as const, code: 'PARTNER_REFUNDED' as const, why: 'your partner took their deposit back from the contract: a deposit of yours would wait for a lock that needs them to deposit again. Decline the channel (decline), or wait until they deposit again' };

  test("said before any amount is asked, in the node's words, with the choice to let the node judge it", () => {
    const ch = channel({ me: 'B', phase: 'funding', depositA: 0n, depositB: 0n, actions: { ...allNo, deposit: refunded, decline: ok } });
    const h = depositHeadsUp(ch);
    assert.ok(h, 'asked first');
    assert.match(h.message, /^Your partner took their deposit back from the contract/);
    assert.match(h.detail, /read the chain again/);
    assert.match(h.detail, /nothing is sent/);
    assert.equal(h.button, 'Deposit Anyway');
    assert.equal(h.code, 'PARTNER_REFUNDED');
  });

  test('a deposit the view allows: nothing to say first', () => {
    assert.equal(depositHeadsUp(channel({ phase: 'funding', actions: { ...allNo, deposit: ok } })), null);
  });

  test('another waited-out refusal (a deposit that may still land) is said first too', () => {
    const landing = { ok: false as const, code: 'MAY_STILL_LAND' as const, why: 'your deposit sent earlier is not on chain yet and may still land: wait about 2 min (the node follows the contract), then run deposit again if it has not' };
    const h = depositHeadsUp(channel({ phase: 'funding', actions: { ...allNo, deposit: landing } }));
    assert.match(h?.message ?? '', /^Your deposit sent earlier is not on chain yet/);
  });
});

describe('balances panel actions', () => {
  const sel = (o: Partial<ChannelBalances>): BalancesSnapshot =>
    ({ selected: { key: 'me:kQa', actions: [{ action: 'sign', label: 'Sign Step 3', primary: true }, { action: 'withdraw', label: 'Close', primary: false }], pendingStep: '3', ...o } }) as unknown as BalancesSnapshot;

  test('only an action the last snapshot offered for that channel', () => {
    assert.ok(offered(sel({}), { action: 'withdraw', key: 'me:kQa' }));
    assert.ok(!offered(sel({}), { action: 'send', key: 'me:kQa' }), 'not offered');
    assert.ok(!offered(sel({}), { action: 'withdraw', key: 'me:kQb' }), 'another channel');
    assert.ok(!offered(null, { action: 'withdraw', key: 'me:kQa' }), 'nothing sent yet (a restored panel)');
    assert.ok(offered(null, { action: 'refresh', key: null }));
  });

  test('sign only the step the button showed, and only while it is still the one pending', () => {
    assert.ok(offered(sel({}), { action: 'sign', key: 'me:kQa', step: '3' }));
    assert.ok(!offered(sel({}), { action: 'sign', key: 'me:kQa', step: '2' }));
    assert.ok(!offered(sel({}), { action: 'sign', key: 'me:kQa' }), 'an old panel that does not say the step');
    assert.ok(!offered(sel({ pendingStep: '5' }), { action: 'sign', key: 'me:kQa', step: '3' }));
  });

  test('the step travels in the action message, checked on the host', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'sign', key: 'me:kQa', step: '3' }), { type: 'action', action: 'sign', key: 'me:kQa', step: '3' });
    assert.equal(parseWebviewMessage({ type: 'action', action: 'sign', key: 'me:kQa', step: 'x' }), null);
  });
});

describe('a cancelled on-chain wait', () => {
  test('silent when nothing was sent; a warning (with the node\'s message) when something was', () => {
    assert.equal(failureLevel('cancelled', Object.assign(new Error('cancelled'), { code: 'CANCELLED' })), 'cancelled');
    assert.equal(failureLevel('cancelled', Object.assign(new Error('the close was already sent…'), { code: 'CANCELLED', sent: true })), 'warning');
    assert.equal(failureLevel('error', { sent: true }), 'error');
  });
});

describe('opening a channel', () => {
  test('either deposit may be 0, not both (as the node and the CLI)', () => {
    assert.equal(depositsProblem(0n, TON('1')), undefined);
    assert.equal(depositsProblem(TON('1'), 0n), undefined);
    assert.match(depositsProblem(0n, 0n) ?? '', /a channel needs money in it/);
  });
});

describe('Send and Sign from a key or from the palette', () => {
  const row = { kind: 'channel', id: 'kQa' };
  test('only the key bindings (package.json) act on the selected tree row; the palette asks, whatever was selected', () => {
    assert.deepEqual(keyTarget('send', [], row), [], 'the palette passes nothing: no old selection taken');
    assert.deepEqual(keyTarget('send', [FROM_TREE_KEY], row), [row]);
    assert.deepEqual(keyTarget('sign', [FROM_TREE_KEY], { kind: 'node' }), [], 'a node row names no channel');
    assert.deepEqual(keyTarget('sign', [FROM_TREE_KEY], undefined), []);
    assert.deepEqual(keyTarget('withdraw', [row], undefined), [row], 'arguments of a link or a row are kept');
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { keybindings: { command: string; args?: unknown }[] } };
    for (const k of pkg.contributes.keybindings) assert.equal(k.args, FROM_TREE_KEY, k.command);
  });
});

describe('restarting a node for a new setting (Set Testnet API Key)', () => {
  test('names the on-chain waits the node reports under way (a deposit, a deployment); none: only what Restart Now and Later do', () => {
    const q = restartQuestion(
      [channel({ contract: 'kQdep', depositing: true }), channel({ contract: 'kQdeploy', phase: 'deploying' }), channel({ contract: 'kQopen' })],
      'testnet',
      'to use the new API key',
    );
    assert.equal(q.message, 'Restart the testnet node now to use the new API key?');
    assert.match(q.detail, /waiting for the chain to show these; a restart interrupts the wait/);
    assert.match(q.detail, /• your deposit to kQdep with /);
    assert.match(q.detail, /• the deployment of kQdeploy with /);
    assert.doesNotMatch(q.detail, /kQopen/);
    const calm = restartQuestion([channel()], 'testnet', 'to use the new API key');
    assert.doesNotMatch(calm.detail, /waiting for the chain/);
    assert.match(calm.detail, /Later keeps the node running as it is: the change is saved and used at its next start/);
  });
});

describe('Stop Devnet and the node', () => {
  test("a node on the devnet this window serves is stopped with it (and asked about); a node on another devnet is not", () => {
    const served = 'http://127.0.0.1:8081';
    assert.equal(onServedDevnet(served, 'devnet', 'http://127.0.0.1:8081'), true);
    assert.equal(onServedDevnet(served, 'devnet', 'http://localhost:8081/'), true, 'the same server by another loopback name');
    assert.equal(onServedDevnet(served, 'devnet', 'http://127.0.0.1:9090'), false, 'another devnet: its node goes on');
    assert.equal(onServedDevnet(served, 'devnet', 'http://10.0.0.2:8081'), false, 'another machine');
    assert.equal(onServedDevnet(served, 'sandbox', null), false);
    assert.equal(onServedDevnet(null, 'devnet', 'http://127.0.0.1:8081'), false, 'this window serves no devnet');
    assert.equal(onServedDevnet(served, 'devnet', 'not a url'), false);
  });
});
