// In-host: the teaching demo (Alice and Bob in this extension host, on the embedded sandbox, over loopback libp2p).
// One story everywhere (the walkthrough tells the node's demo), the whole run step by step with its journal for
// Replay, a finished step refused at once, a running demo never thrown away without asking; then, in a second
// run, the tree as a person reads it (parties as labels, decorations, no endless spinner) and the flows on it.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { TreeSnapshotItem } from '../../../src/extension/tree.js';
import { CLI_WORDS } from '../../../src/extension/cliWords.js';
import { EXTENSION_ID, api, channelRow, nodeRow, notices, treeText, until } from './helpers.js';

type Ext = Awaited<ReturnType<typeof api>>;

const run = async (ext: Ext, id: string) => {
  const text = await vscode.commands.executeCommand('synchannel.demoStep', id);
  assert.equal(typeof text, 'string', `step ${id} failed: ${JSON.stringify(ext.lastFailure())}`);
  return text as string;
};

/** Who cheats and whose watcher challenges, as a text tells it (null where it says neither). */
function roles(text: string): { cheater: string | null; watcher: string | null } {
  const cheater = /\b(Alice|Bob)\b(?: tries to| then tries to)? (?:cheats?|submits)/.exec(text)?.[1] ?? /\b(Alice|Bob) cheats\b/.exec(text)?.[1] ?? null;
  const watcher = /\b(Alice|Bob)'s (?:watcher|node watches)/.exec(text)?.[1] ?? null;
  return { cheater, watcher };
}

describe('SynChannel teaching demo: one story, progress, replay', function () {
  this.timeout(180_000);
  let ext: Ext;

  before(async () => {
    ext = await api();
    ext.test.clearPrompts();
    const steps = (await vscode.commands.executeCommand('synchannel.openTeachingDemo')) as string[] | undefined;
    assert.ok(steps, `openTeachingDemo failed: ${JSON.stringify(ext.lastFailure())}`);
  });

  after(async () => {
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
  });

  it('the walkthrough tells the story the demo plays (Alice cheats, Bob\'s watcher challenges): step texts are the node\'s', () => {
    const ext0 = vscode.extensions.getExtension(EXTENSION_ID)!;
    const wt = (ext0.packageJSON as { contributes: { walkthroughs: { description: string; steps: { id: string; title: string; description: string; media: { markdown: string } }[] }[] } }).contributes.walkthroughs[0]!;
    const nodeSteps = ext.demoSteps();
    const story = nodeSteps.map((s) => roles(s.title)).reduce((a, r) => ({ cheater: a.cheater ?? r.cheater, watcher: a.watcher ?? r.watcher }));
    assert.deepEqual(story, { cheater: 'Alice', watcher: 'Bob' }, `the node's demo: ${nodeSteps.map((s) => s.title).join(' / ')}`);
    const texts: [string, string][] = [['walkthrough description', wt.description]];
    for (const s of nodeSteps) {
      const w = wt.steps.find((x) => x.id === s.id);
      assert.ok(w, `the walkthrough has no step ${s.id}`);
      assert.ok(w.description.startsWith(s.title), `walkthrough step ${s.id} says "${w.description.split('\n')[0]}", the demo "${s.title}"`);
      texts.push([`step ${s.id} title`, w.title], [`step ${s.id} media`, readFileSync(join(ext0.extensionPath, w.media.markdown), 'utf8')]);
    }
    for (const [where, text] of texts) {
      const r = roles(text);
      if (r.cheater) assert.equal(r.cheater, story.cheater, `${where} has ${r.cheater} cheat: ${text}`);
      if (r.watcher) assert.equal(r.watcher, story.watcher, `${where} has ${r.watcher}'s watcher: ${text}`);
    }
  });

  it('runs the whole story; the status bar shows the demo, the log says each thing once, in one address form', async () => {
    const s0 = ext.status();
    assert.match(s0.text, /teaching demo/, `status bar while only the demo runs: ${s0.text}`);
    assert.doesNotMatch(s0.text, /stopped/);
    for (const s of ext.demoSteps()) await run(ext, s.id);
    assert.deepEqual(ext.demoSteps().filter((s) => !s.done).map((s) => s.id), []);
    const log = ext.test.log();
    assert.deepEqual(log.filter((l) => /^\[demo\] (info|warn|error): /.test(l)), [], 'node log lines come once, as [Alice] / [Bob]');
    const repeated = log.filter((l, i) => i > 0 && l === log[i - 1] && /^\[(Alice|Bob)\]/.test(l));
    assert.deepEqual(repeated, [], 'no line twice in a row');
    // the story in VS Code's words: the palette's titles, not the CLI's commands
    for (const s of ext.demoSteps()) {
      const said = log.find((l) => l.startsWith(`[demo] ${s.title}: `));
      assert.ok(said, `no log line of "${s.title}"`);
      assert.doesNotMatch(said, CLI_WORDS, said);
    }
    assert.ok(log.some((l) => l.includes('Bob accepts it with “Deposit (Accept or Fund a Channel)”')), 'the accepting command named by its title');
    await ext.test.settle();
    const tree = ext.tree.snapshot();
    const shown = [...log, ...JSON.stringify(tree).split(/[\s"`()]/)].join(' ');
    // A whole 48-character token (\b would also cut one out of a longer token at a '-', as in a random key).
    const forms = new Set([...shown.matchAll(/(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{2})[A-Za-z0-9_-]{46}(?![A-Za-z0-9_-])/g)].map((m) => m[1]));
    for (const f of forms) assert.ok(f === '0Q' || f === 'kQ', `an address in the form ${f}… (the node prints 0Q… wallets and kQ… contracts)`);
    const ch = channelRow(tree, 'alice');
    assert.equal(ch.label, 'Bob · partner');
    assert.match(ch.description, /^closed · paid [\d.]+ TON$/);
  });

  it('running a finished step again says so at once, and offers the next thing to do', async () => {
    ext.test.clearPrompts();
    const before = ext.lastFailure();
    const r = await vscode.commands.executeCommand('synchannel.demoStep', 'finishClose');
    assert.equal(r, undefined);
    assert.equal(ext.lastFailure(), before, 'not a failure');
    const said = notices(ext).at(-1);
    assert.ok(said, 'it says something');
    assert.match(said.message, /is done already/);
    assert.match(said.message, /story is over: Replay shows it step by step/);
    // the next thing to do is a button, as the last step's own toast offers it
    assert.deepEqual(said.buttons, ['Replay']);
  });

  it('Replay shows the run step by step: what each party signed and what the chain saw', async () => {
    const count = await vscode.commands.executeCommand('synchannel.demoReplay');
    assert.equal(count, ext.demoSteps().length);
    await ext.webview.waitForReady();
    const snap = await ext.webview.refresh();
    assert.ok(snap.replay && snap.replay.length === ext.demoSteps().length);
    assert.ok(snap.replayRequest > 0, 'the panel opens on the replay');
    const lines = snap.replay.flatMap((e) => e.lines.map((l) => `${l.source}: ${l.text}`));
    for (const re of [
      /^Bob: Bob signed Step 0 \(A \[3 4\] B\) and sent it to Alice|^Alice: Alice signed Step 0 \(A \[3 4\] B\) and sent it to Bob/,
      /^chain: the contract received 4 TON from Bob/,
      /^chain: both deposits are in/,
      /^Bob: Bob countersigned Step 0/,
      /^chain: Alice submitted Step 1\b/,
      /^chain: Bob challenged the close with Step \d+/,
      /^chain: paid out by Step \d+/,
    ]) {
      assert.ok(lines.some((l) => re.test(l)), `no journal line ${re}:\n${lines.join('\n')}`);
    }
    for (const deposit of [/received 3 TON from Alice/, /received 4 TON from Bob/]) {
      assert.equal(lines.filter((l) => deposit.test(l)).length, 1, `each deposit told once:\n${lines.join('\n')}`);
    }
    assert.match(snap.replay[0]!.title, /Alice serves, Bob connects/);
  });

  it('a chain read slower than the panel waits shows "reading…" in its cell, then the figure once it answers, with no click', async () => {
    await ext.webview.waitForReady();
    ext.test.slowReads(4_500); // longer than the 3 s a snapshot waits
    try {
      const snap = await ext.webview.refresh();
      assert.deepEqual(snap.selected?.yourWallet, { notRead: 'reading' }, JSON.stringify(snap.selected?.yourWallet));
      // the read answers: the panel draws again by itself
      const drawn = await until('the figure drawn once read', () => {
        const m = ext.webview.lastMessage();
        return m?.type === 'state' && m.snapshot.selected?.yourWallet && 'nano' in m.snapshot.selected.yourWallet ? m : null;
      }, 15_000);
      assert.ok(drawn.snapshot.generatedAt > snap.generatedAt);
    } finally {
      ext.test.slowReads(0);
    }
  });

  it('opening the demo while it runs asks first: keep it, or start again', async () => {
    ext.test.answer({ confirm: 'Show the Running Demo' });
    await vscode.commands.executeCommand('synchannel.openTeachingDemo');
    const asked = ext.test.prompts().filter((p) => p.kind === 'confirm').at(-1);
    assert.ok(asked && asked.kind === 'confirm' && /running/.test(asked.message), 'it asks before throwing the demo away');
    assert.equal(ext.demoSteps().every((s) => s.done), true, 'the running demo was kept');
    ext.test.answer({ confirm: 'Start Again' });
    await vscode.commands.executeCommand('synchannel.openTeachingDemo');
    assert.equal(ext.demoSteps().some((s) => s.done), false, 'a new run starts with no step done');
    assert.deepEqual(ext.test.unanswered(), []);
  });

  it('two starts at once start one pair of nodes; a stop during a start leaves nothing running, nor a folder', async () => {
    const folders = () => ext.test.log().flatMap((l) => /^teaching demo started \(data: (.*)\)$/.exec(l)?.[1] ?? []);
    assert.ok(folders().length >= 2, 'the runs so far said where their data is');
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
    assert.deepEqual(folders().filter((f) => existsSync(f)), [], 'every stopped run removed its folder');
    const started = () => ext.test.log().filter((l) => l.startsWith('teaching demo started')).length;
    const before = started();
    const [a, b] = await Promise.all([vscode.commands.executeCommand('synchannel.openTeachingDemo'), vscode.commands.executeCommand('synchannel.openTeachingDemo')]);
    assert.ok(a && b, JSON.stringify(ext.lastFailure()));
    assert.equal(started() - before, 1, 'one pair of nodes');

    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
    const opening = vscode.commands.executeCommand('synchannel.openTeachingDemo');
    await new Promise((r) => setTimeout(r, 50));
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
    await opening;
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(ext.demoSteps(), [], 'the demo started during the stop was stopped');
    const demoRoot = join(folders()[0]!, '..');
    assert.deepEqual(existsSync(demoRoot) ? readdirSync(demoRoot) : [], [], 'nothing left in the demo folder');
  });
});

describe('SynChannel teaching demo: the tree and the flows on it', function () {
  this.timeout(180_000);
  let ext: Ext;
  let channelId = '';
  const tree = () => ext.tree.snapshot();
  const rowOf = (t: TreeSnapshotItem[], party: string, label: RegExp) => channelRow(t, party).children.find((c) => label.test(c.label));

  before(async () => {
    ext = await api();
    if (!ext.demoSteps().length || ext.demoSteps().some((s) => s.done)) {
      if (ext.demoSteps().length) ext.test.answer({ confirm: 'Start Again' });
      await vscode.commands.executeCommand('synchannel.openTeachingDemo');
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
  });

  it('labels rows by party ("Alice · you", "Bob · partner"), balance and phase as the description; a locked channel has no spinner', async () => {
    for (const id of ['connect', 'deploy', 'deposit']) await run(ext, id);
    await ext.test.settle();
    let t = tree();
    assert.equal(nodeRow(t, 'alice').label, 'Alice · you');
    assert.equal(nodeRow(t, 'bob').label, 'Bob · you');
    assert.equal(channelRow(t, 'alice').label, 'Bob · partner');
    assert.equal(channelRow(t, 'bob').label, 'Alice · partner');
    assert.match(channelRow(t, 'alice').description, /^locked · 3 TON/, treeText(t));
    for (const party of ['alice', 'bob']) assert.notEqual(channelRow(t, party).icon, 'loading~spin', `${party}'s locked channel spins`);
    channelId = channelRow(t, 'alice').id.split(':').slice(2).join(':');
    await run(ext, 'signInitial');
    await ext.test.settle();
    t = tree();
    assert.match(channelRow(t, 'alice').description, /^open · 3 TON · partner's turn$/);
    assert.match(channelRow(t, 'bob').description, /^open · 4 TON · your turn$/);
    assert.match(rowOf(t, 'alice', /^Step 0$/)?.description ?? '', /^deposits · A \[3 4\] B$/);
    // which side you are, beside the balances in the original layout
    assert.match(rowOf(t, 'alice', /^Step 0$/)?.tooltip ?? '', /`A \[3 4\] B` \(you are A\)/);
    assert.match(rowOf(t, 'bob', /^Step 0$/)?.tooltip ?? '', /`A \[3 4\] B` \(you are B\)/);
    // The hover: full addresses with Copy, and where to look them up (the sandbox has no explorer: the local view).
    const hover = channelRow(t, 'alice').tooltip;
    assert.match(hover, /Contract: `kQ[\w-]{46}`/);
    assert.match(hover, /\[\$\(copy\) Copy\]\(command:synchannel\.copyAddress\?/);
    assert.match(hover, /\[Local view\]\(command:synchannel\.openBalances\?/);
    assert.doesNotMatch(hover, /tonviewer|tonscan/);
  });

  it('a turn conflict is a warning whose button acts on the same channel: "Request the Turn" asks Bob for it', async () => {
    assert.equal(await vscode.commands.executeCommand('synchannel.send', { party: 'alice', channel: channelId }, '0.1'), undefined);
    const f = ext.lastFailure();
    assert.equal(f?.code, 'NOT_YOUR_TURN');
    assert.equal(f?.shown?.level, 'warning');
    // in VS Code's words: the palette's command, not the CLI's requestEmpty
    assert.match(f?.shown?.text ?? '', /“Request the Turn \(Request Empty State\)”/);
    assert.doesNotMatch(f?.shown?.text ?? '', /requestEmpty/);
    assert.ok(ext.test.click(/partner's turn/, 'Request the Turn'), JSON.stringify(f));
    await until("Bob sees Alice's turn request", () => ext.test.channels('bob')[0]?.turnRequestedByPartner);
  });

  it('a state awaiting your signature is decorated (not highlighted like a search match), counted on the badge, and its label fits', async () => {
    const sent = await vscode.commands.executeCommand('synchannel.send', { party: 'bob' }, '0.5');
    assert.ok(sent, `send failed: ${JSON.stringify(ext.lastFailure())}`);
    const pending = await until('the pending Step 1 under Alice', async () => {
      await ext.test.settle();
      return rowOf(tree(), 'alice', /^Sign Step 1$/);
    });
    assert.equal(pending.highlighted, false);
    assert.equal(pending.decoration, 'pending-me');
    assert.match(pending.description, /^awaiting your signature · Bob pays 0\.5 TON · A \[3\.5 3\.5\] B$/);
    assert.equal(channelRow(tree(), 'alice').decoration, 'pending-me');
    const bobSent = rowOf(tree(), 'bob', /^Step 1 · sent$/);
    assert.equal(bobSent?.decoration, 'pending-partner');
    assert.match(bobSent?.description ?? '', /^awaiting your partner's signature · you pay 0\.5 TON/);
    assert.equal(ext.status().badge, 1);
    // Sending while a state is pending: only the side whose signature it awaits is offered "Sign".
    assert.equal(await vscode.commands.executeCommand('synchannel.send', { party: 'bob', channel: channelId }, '0.1'), undefined);
    assert.equal(ext.lastFailure()?.code, 'PENDING_STATE');
    assert.deepEqual(ext.lastFailure()?.shown?.buttons, ['Copy Details']);
    assert.equal(await vscode.commands.executeCommand('synchannel.send', { party: 'alice', channel: channelId }, '0.1'), undefined);
    assert.equal(ext.lastFailure()?.code, 'PENDING_STATE');
    assert.deepEqual(ext.lastFailure()?.shown?.buttons, ['Sign', 'Copy Details']);
    await vscode.commands.executeCommand('synchannel.openBalances', { party: 'alice', channel: channelId });
    await ext.webview.waitForReady();
    const snap = await ext.webview.refresh();
    assert.deepEqual(snap.selected?.actions.map((a) => a.action), ['sign', 'withdraw']);
    assert.equal(snap.selected?.actions[0]?.primary, true);
    const signed = await vscode.commands.executeCommand('synchannel.sign', { party: 'alice', channel: channelId });
    assert.ok(signed, `sign failed: ${JSON.stringify(ext.lastFailure())}`);
    await until('Step 1 signed by both under Alice', async () => {
      await ext.test.settle();
      return rowOf(tree(), 'alice', /^Step 1$/);
    });
    assert.equal(ext.status().badge, 0);
  });

  it('Send checks the amount against the channel balance as it is typed', async () => {
    ext.test.answer({ input: '99999' });
    assert.equal(await vscode.commands.executeCommand('synchannel.send', { party: 'alice', channel: channelId }), undefined);
    const asked = ext.test.prompts().filter((p) => p.kind === 'input').at(-1);
    assert.ok(asked && asked.kind === 'input');
    assert.match(asked.problem ?? '', /at most 3\.5 TON \(your balance in the channel\)/);
    assert.equal(ext.lastFailure()?.code, 'CANCELLED', 'nothing was sent');
    ext.test.answer({ input: '1' });
    const sent = await vscode.commands.executeCommand('synchannel.send', { party: 'alice', channel: channelId });
    assert.ok(sent, `send failed: ${JSON.stringify(ext.lastFailure())}`);
    const typed = ext.test.prompts().filter((p) => p.kind === 'input').at(-1);
    assert.ok(typed?.kind === 'input');
    assert.equal(typed.note, 'After it: you 2.5 TON, Bob 4.5 TON in the channel', 'the box shows what the amount leaves');
    await until('the payment awaiting Bob', () => ext.test.channels('bob')[0]?.actions.sign.ok);
    assert.ok(await vscode.commands.executeCommand('synchannel.sign', { party: 'bob', channel: channelId }), `sign: ${JSON.stringify(ext.lastFailure())}`);
    await until('Step 2 signed by both for Alice', () => ext.test.channels('alice')[0]?.latest?.step === 2n);
  });

  it('"Withdraw with This Step" asks how to close, previews what each side gets, and confirms; an older step only alone, with a warning', async () => {
    const step = (s: string) => ({ kind: 'step', party: 'alice', channelId, step: s, pending: false });
    ext.test.clearPrompts();
    ext.test.answer({ pick: 'Unilateral close' }, { confirm: null });
    assert.equal(await vscode.commands.executeCommand('synchannel.withdrawStep', step('1')), undefined);
    let [pick, confirm] = ext.test.prompts().filter((p) => p.kind === 'pick' || p.kind === 'confirm');
    assert.ok(pick?.kind === 'pick' && confirm?.kind === 'confirm');
    assert.deepEqual(pick.items, ['Unilateral close'], 'an older step cannot close cooperatively');
    assert.match(confirm.detail, /Step 1 \(A \[3\.5 3\.5\] B\): you get 3\.5 TON, Bob 3\.5 TON/);
    assert.match(confirm.detail, /older than the latest Step 2/);
    assert.equal(ext.lastFailure()?.code, 'CANCELLED');

    ext.test.clearPrompts();
    ext.test.answer({ pick: 'Unilateral close' }, { confirm: 'Close with Step 2' });
    const r = (await vscode.commands.executeCommand('synchannel.withdrawStep', step('2'))) as { mode: string; step: bigint } | undefined;
    assert.ok(r, `withdraw failed: ${JSON.stringify(ext.lastFailure())}`);
    [pick, confirm] = ext.test.prompts().filter((p) => p.kind === 'pick' || p.kind === 'confirm');
    assert.ok(pick?.kind === 'pick' && confirm?.kind === 'confirm');
    assert.deepEqual(pick.items, ['Cooperative close', 'Unilateral close'], 'the latest step: both ways are offered');
    assert.match(confirm.detail, /Step 2 \(A \[2\.5 4\.5\] B\): you get 2\.5 TON, Bob 4\.5 TON.*challenge window \(10 min\)/);
    assert.equal(r.mode, 'unilateral');
    await until('the channel closing, Step 2 on chain', async () => {
      await ext.test.settle();
      const t = tree();
      return /^closing · 2\.5 TON · \d+ min left$/.test(channelRow(t, 'alice').description) && /on chain$/.test(rowOf(t, 'alice', /^Step 2$/)?.description ?? '');
    });
    const snap = await ext.webview.refresh();
    assert.equal(snap.selected?.phase, 'closing');
    assert.equal(snap.selected?.close?.step, '2');
    assert.deepEqual(snap.selected?.actions.map((a) => a.action), ['challenge']);
  });
});
