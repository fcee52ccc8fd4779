// The teaching demo through the real workbench, as a first-time user meets it: the walkthrough (its buttons and
// ticks), the tree, the balances panel, the step picker, reopening the demo, the end of the story and Replay.
// Writes the README's pictures: docs/screenshots/tree.png, balances.png and teaching-demo.png.
import * as assert from 'node:assert/strict';
import { UI_SHOT_DIR, describeRows, setSidebarWidth, treeRowFit } from './appearance.js';
import type { Workbench } from './workbench.js';
import {
  actionIds,
  balancesFrame,
  budget,
  cell,
  clippedScreenshot,
  expectText,
  expectTicked,
  clearToasts,
  runCommandRetrying,
  runWalkthroughStep,
  sidebarTree,
  widenSidebar,
} from './ui-steps.js';

/** The first five steps through the walkthrough; the tree and the balances panel as a person reads them. */
export async function teachingDemo(wb: Workbench): Promise<void> {
  const page = wb.page;
  page.setDefaultTimeout(10_000);
  const left = budget(90_000);
  // In a fresh window the palette lists the extension's commands once the extension is in (its status bar item).
  await page.locator('.part.statusbar .statusbar-item', { hasText: 'SynChannel' }).first().waitFor({ timeout: left(30_000) });
  await runCommandRetrying(wb, 'View: Close All Editors', left(10_000));
  await runCommandRetrying(wb, 'SynChannel: Open Teaching Demo', left(10_000));
  await page.locator('.getting-started-step[data-step-id$="#connect"]').waitFor({ state: 'attached', timeout: left(30_000) });
  // "Start Alice and Bob" is done once they run.
  await expectTicked(wb, 'start', true, left(20_000));
  await wb.openViewContainer('SynChannel');
  const tree = sidebarTree(wb);
  const row = (text: string | RegExp) => tree.locator('.monaco-list-row', { hasText: text }).first();
  await row(/^Alice · you/).waitFor({ timeout: left(30_000) });
  await row(/^Bob · you/).waitFor({ timeout: left(10_000) });
  await widenSidebar(wb, 460); // room for the steps' descriptions in tree.png

  for (const id of ['connect', 'deploy', 'deposit', 'signInitial', 'send']) await runWalkthroughStep(wb, id, left(40_000));

  // Both trees show Step 1 (Bob's 0.5 TON to Alice); the channel rows above them agree at once (one picture).
  const step1 = /^Step 1(?!\d).*A \[3\.5 3\.5\] B/;
  await tree.locator('.monaco-list-row', { hasText: step1 }).nth(1).waitFor({ timeout: left(15_000) });
  // VS Code fetches a channel row and its step rows in separate calls; the rows may take one refresh to agree
  // (each pass reads one picture), never longer than a moment.
  const agreed = /^Bob · partner ?open · 3\.5 TON · your turn$/;
  let items = await wb.treeItems(tree);
  for (let i = 0; i < 10 && !items.some((t) => agreed.test(t)); i++) {
    await page.waitForTimeout(200);
    items = await wb.treeItems(tree);
  }
  const count = (re: RegExp) => items.filter((t) => re.test(t)).length;
  const all = items.join('\n');
  assert.equal(count(/^Bob · partner ?open · 3\.5 TON · your turn$/), 1, `Alice's channel:\n${all}`);
  assert.equal(count(/^Alice · partner ?open · 3\.5 TON · partner's turn$/), 1, `Bob's channel:\n${all}`);
  assert.equal(count(/^Step 1 ?Bob pays 0\.5 TON · A \[3\.5 3\.5\] B$/), 1, `Alice's Step 1:\n${all}`);
  assert.equal(count(/^Step 1 ?you pay 0\.5 TON · A \[3\.5 3\.5\] B$/), 1, `Bob's Step 1:\n${all}`);
  assert.equal(count(/^Step 0 ?deposits · A \[3 4\] B$/), 2, all);

  // Toasts of the steps would cover the pictures.
  await clearToasts(wb, left(15_000));
  await clippedScreenshot(wb, 'tree', tree, tree.locator('.monaco-list-row').last());

  await runCommandRetrying(wb, 'SynChannel: Open Balances', left(10_000));
  const frame = await balancesFrame(wb, left(45_000));
  await expectText(cell(frame, 'Step'), /^1$/, left(10_000));
  // Alice is selected: her rows say her name (a "You" read as the person at the keyboard)
  await expectText(cell(frame, 'Alice (you)'), /^3\.5 TON$/, left(10_000));
  await expectText(cell(frame, 'Bob'), /^3\.5 TON$/, left(10_000));
  await expectText(cell(frame, 'Phase'), /^open$/, left(10_000));
  // Wallets read at a glance: at most 3 decimals (the exact amount is the hover).
  await expectText(cell(frame, "Alice's wallet"), /^(≈ )?\d+(\.\d{1,3})? TON$/, left(10_000));
  await expectText(cell(frame, 'Contract balance'), /^(≈ )?7(\.\d{1,3})? TON$/, left(10_000));
  // Addresses short, with a copy button, never wrapped mid-word.
  await expectText(cell(frame, 'Contract').locator('code'), /^kQ[\w-]{4}…[\w-]{4}$/, left(10_000));
  await frame.locator('#copy-contract').waitFor({ timeout: left(5_000) });
  // Only what Alice can do now: her turn, nothing to sign, no turn to ask for.
  assert.deepEqual(await actionIds(frame), ['action-send', 'action-createEmpty', 'action-withdraw', 'action-refresh']);
  assert.equal(await frame.locator('#countdown').count(), 0, 'an open channel shows no challenge window');
  // The chart: titled axes, more ticks than 0 and the top, both lines by name (Alice's not "you", as in the rows).
  const chartTexts = await frame.locator('svg.chart text').allTextContents();
  for (const t of ['step', 'balance (TON)', 'Alice', 'Bob']) assert.ok(chartTexts.includes(t), `the chart has no "${t}": ${chartTexts.join(' | ')}`);
  assert.ok(!chartTexts.includes('you'), `the demo's chart says "you": ${chartTexts.join(' | ')}`);
  assert.ok(chartTexts.filter((t) => /^\d+(\.\d+)?$/.test(t)).length >= 5, `axis ticks: ${chartTexts.join(' | ')}`);
  await clippedScreenshot(wb, 'balances', wb.webviewElement(), frame.locator('#actions'));
  await wb.screenshot('teaching-demo');

  // The step picker keeps the keyboard with the walkthrough open: the next step is first, Enter runs it. Opened
  // once the workbench is quiet (the balances panel and the walkthrough take the focus late on a loaded machine):
  // what is checked is that nothing the picker starts takes it away.
  // Its own budget: a blank balances panel's remedies above may have spent most of the first one.
  const then = budget(60_000);
  await page.waitForTimeout(2_000);
  await pickerKeepsFocus(wb, then);
  await page.keyboard.type('Alice pays Bob');
  await page.keyboard.press('Enter');
  const step2 = tree.locator('.monaco-list-row', { hasText: /^Step 2 ?you pay 1\.5 TON/ }).first();
  await step2.waitFor({ timeout: then(40_000) });

  // Opening the demo again asks before Alice and Bob's channel is thrown away; keeping it keeps it, and shows the
  // walkthrough with the picker's step ticked (also when a blank balances panel's remedy closed all editors).
  await runCommandRetrying(wb, 'SynChannel: Open Teaching Demo', then(10_000));
  const dialog = await wb.dialog(/Start it again\?/, { timeoutMs: then(10_000) });
  await dialog.getByRole('button', { name: 'Show the Running Demo' }).click();
  await expectTicked(wb, 'requestTurn', true, then(20_000));
  await step2.waitFor({ timeout: then(5_000) });
}

/**
 * Opens the step picker and checks it still has the keyboard a moment later. The palette that runs the command gives
 * the keyboard back to what had it as it closes: the walkthrough's page then focuses its selected step a moment later
 * (VS Code's own, over any quick input), so the keyboard is first put in the SynChannel view. A panel opened before
 * it can take the focus late on a loaded machine: then the picker is opened once more after a quiet moment.
 */
async function pickerKeepsFocus(wb: Workbench, then: (ms: number) => number): Promise<void> {
  const focused = () => wb.page.evaluate(() => {
    const e = document.activeElement;
    return e ? `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} in ${e.closest('[id]')?.id ?? '?'}` : 'nothing';
  });
  for (let attempt = 1; ; attempt++) {
    await sidebarTree(wb).locator('.monaco-list').first().focus();
    await runCommandRetrying(wb, 'SynChannel: Run a Teaching Demo Step', then(10_000), { opensQuickInput: true });
    await wb.page.waitForTimeout(1_500); // longer than the walkthrough's delayed focus of its selected step
    if (await wb.quickInputHasFocus()) return;
    const where = await focused();
    assert.ok(attempt < 2, `the step picker lost the keyboard focus twice (to ${where})`);
    console.log(`the step picker lost the keyboard focus (to ${where}): opening it again after a quiet moment`);
    // closed from its own box (Escape where the focus went could act there: the walkthrough goes back to Welcome)
    await wb.quickInput.click();
    await wb.escape();
    await wb.page.waitForTimeout(3_000);
  }
}

/** The rest of the story, the closed channel in the balances panel, Replay, and a new run with no old ticks. */
export async function demoToTheEnd(wb: Workbench): Promise<void> {
  const page = wb.page;
  page.setDefaultTimeout(10_000);
  const left = budget(120_000);
  await runCommandRetrying(wb, 'Notifications: Clear All Notifications', left(10_000));
  await runCommandRetrying(wb, 'SynChannel: Open Teaching Demo', left(10_000));
  await (await wb.dialog(/Start it again\?/, { timeoutMs: left(10_000) })).getByRole('button', { name: 'Show the Running Demo' }).click();
  for (const id of ['passTurn', 'staleClose', 'challenge', 'finishClose']) await runWalkthroughStep(wb, id, left(60_000));

  await runCommandRetrying(wb, 'SynChannel: Open Balances', left(10_000));
  const frame = await balancesFrame(wb, left(30_000));
  await expectText(cell(frame, 'Phase'), /^closed$/, left(20_000));
  await expectText(frame.locator('#payout'), /^Paid out by Step \d+: you received (≈ )?[\d.]+ TON, Bob (≈ )?[\d.]+ TON\.$/, left(10_000));
  assert.equal(await frame.locator('#countdown').count(), 0, 'a closed channel shows no challenge window');
  assert.deepEqual(await actionIds(frame), ['action-refresh'], 'a closed channel offers no action');
  await wb.screenshot('balances-closed', wb.webviewElement(), { dir: UI_SHOT_DIR });

  // Replay: the run step by step.
  await frame.locator('#show-replay').click();
  await expectText(frame.locator('#replay-title'), /^Step 1 of 10: Alice serves, Bob connects/, left(10_000));
  await frame.locator('#replay-next').click();
  await expectText(frame.locator('#replay-title'), /^Step 2 of 10: Alice proposes a channel/, left(10_000));
  await wb.screenshot('replay', wb.webviewElement(), { dir: UI_SHOT_DIR });
  await frame.locator('#show-balances').click();
  await frame.locator('#summary').waitFor({ timeout: left(10_000) });

  // A new run starts with no tick of the old one (but "Start Alice and Bob").
  await runCommandRetrying(wb, 'SynChannel: Open Teaching Demo', left(10_000));
  await (await wb.dialog(/Start it again\?/, { timeoutMs: left(10_000) })).getByRole('button', { name: 'Start Again' }).click();
  await expectTicked(wb, 'start', true, left(30_000));
  for (const id of ['connect', 'send', 'finishClose']) await expectTicked(wb, id, false, left(10_000));
  const tree = sidebarTree(wb);
  await tree.locator('.monaco-list-row', { hasText: /^Alice · you/ }).first().waitFor({ timeout: left(20_000) });

  // Sign with the keyboard: select the state awaiting Bob's signature in the view, Ctrl+Enter.
  for (const id of ['connect', 'deploy', 'deposit']) await runWalkthroughStep(wb, id, left(40_000));
  await wb.openViewContainer('SynChannel');
  const pending = tree.locator('.monaco-list-row', { hasText: /^Sign Step 0/ }).first();
  await pending.waitFor({ timeout: left(15_000) });
  // At the default sidebar width the label of a state awaiting your signature is whole (it was cut).
  await setSidebarWidth(wb, wb.defaultSidebarWidth);
  const fit = (await treeRowFit(tree)).filter((r) => /^Sign Step 0$/.test(r.label));
  assert.ok(fit.length === 1 && !fit[0]!.labelCut, `the pending row at ${wb.defaultSidebarWidth}px: ${describeRows(fit)}`);
  await pending.click({ timeout: left(15_000) });
  await page.keyboard.press('Control+Enter');
  await tree.locator('.monaco-list-row', { hasText: /^Alice · partner ?open · 4 TON · your turn$/ }).first().waitFor({ timeout: left(20_000) });
}
