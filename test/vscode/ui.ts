// UI scenarios driven through the real workbench with Playwright (see Workbench in harness.ts).
// Each scenario is a named function of a Workbench; test/extension/vscode-host.test.ts runs every
// entry of UI_SCENARIOS as its own node:test test, in order, in one workbench window.
//
// The teaching-demo scenarios (ui-teaching.ts) write the README's pictures (docs/screenshots/tree.png,
// balances.png, teaching-demo.png); workbench.png comes from the markdown-preview scenario. The appearance
// scenario saves the tree in each default theme and in a narrow sidebar to .vscode-test/screenshots, fails when
// a tree label is cut at the default sidebar width, and checks the balances tab's icon stands out in each theme.
import * as assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THEME_NAMES, currentTheme, cutTreeRows, describeRows, screenshotInThemes, setColorTheme, setSidebarWidth, tabIconContrast, treeRowFit, UI_SHOT_DIR } from './appearance.js';
import type { Workbench } from './harness.js';
import { demoToTheEnd, teachingDemo } from './ui-teaching.js';
import { expectTicked, runCommandRetrying, sidebarTree } from './ui-steps.js';

export interface UiScenario {
  readonly name: string;
  run(wb: Workbench): Promise<void>;
}

/** Files the workspace folder starts with (the UI scenarios open them). */
export const UI_WORKSPACE_FILES: Record<string, string> = {
  'NOTES.md': '# SynChannel\n\nA two-party payment channel on TON, seen from VS Code.\n',
};

export const UI_SCENARIOS: UiScenario[] = [
  {
    name: 'palette runs a command in the Extension Development Host window',
    async run(wb) {
      // The window loaded the extension under development (VS Code marks such windows in the title).
      await wb.page.waitForFunction(() => document.title.includes('[Extension Development Host]'), undefined, { timeout: 20_000 });
      await runCommandRetrying(wb, 'Developer: Show Running Extensions');
      const tab = wb.page.locator('.tabs-container .tab.active', { hasText: 'Running Extensions' });
      await tab.waitFor({ state: 'visible', timeout: 20_000 });
      // The window title follows the active tab a moment later; wait for it rather than read it once.
      await wb.page.waitForFunction(() => document.title.includes('Running Extensions'), undefined, { timeout: 10_000 });
    },
  },
  {
    name: 'a webview renders (markdown preview) and the workbench screenshot is saved',
    async run(wb) {
      await wb.openViewContainer('Explorer');
      const explorer = await wb.view('workspace'); // the folder's name
      const file = explorer.locator('.monaco-list-row', { hasText: 'NOTES.md' }).first();
      await file.click({ timeout: 20_000 });
      await wb.page.locator('.tabs-container .tab.active', { hasText: 'NOTES.md' }).waitFor({ timeout: 20_000 });
      await wb.page.locator('.part.editor .monaco-editor .view-lines', { hasText: 'A two-party payment channel' }).waitFor({ timeout: 20_000 });
      await runCommandRetrying(wb, 'Markdown: Open Preview to the Side');
      const frame = await wb.webview('Preview NOTES.md');
      await frame.getByText('A two-party payment channel on TON').waitFor({ timeout: 30_000 });
      await wb.screenshot('workbench');
    },
  },
  {
    name: 'teaching demo: the walkthrough runs and ticks its steps; the tree and the balances panel as a person reads them; the step picker keeps the keyboard; reopening asks (tree.png, balances.png)',
    run: (wb) => withFailureShot(wb, 'teaching-demo', () => teachingDemo(wb)),
  },
  {
    name: 'appearance: the tree in the light, dark and high-contrast themes and in a narrow sidebar; no label cut at the default width; the balances tab icon visible in every theme',
    run: (wb) => withFailureShot(wb, 'appearance', () => appearance(wb)),
  },
  {
    name: 'teaching demo to its end: the closed channel in the balances panel, Replay, and a new run without the old ticks',
    run: (wb) => withFailureShot(wb, 'demo-end', () => demoToTheEnd(wb)),
  },
  {
    name: 'after a window reload the balances panel comes back and draws (panel serializer)',
    run: (wb) => withFailureShot(wb, 'reload', () => reload(wb)),
  },
];

/**
 * The Channels tree of the teaching demo (the scenario before) in each default theme and at a narrow sidebar,
 * saved to .vscode-test/screenshots; no label may be cut at the default sidebar width; the balances tab's icon
 * must stand out from the tab in each theme.
 */
async function appearance(wb: Workbench): Promise<void> {
  const page = wb.page;
  page.setDefaultTimeout(10_000);
  const themeBefore = await currentTheme(wb);
  await wb.openViewContainer('SynChannel');
  const tree = sidebarTree(wb);
  await tree
    .locator('.monaco-list-row', { hasText: /^Step 1/ })
    .first()
    .waitFor({ timeout: 10_000 })
    .catch(() => {
      throw new Error('the tree shows no demo channel: this scenario runs after the teaching-demo scenario');
    });
  await runCommandRetrying(wb, 'Notifications: Clear All Notifications');
  await setSidebarWidth(wb, wb.defaultSidebarWidth);
  const shots = await screenshotInThemes(wb, 'tree', tree);
  console.log(`tree in each theme: ${Object.values(shots).join(', ')}`);

  for (const theme of THEME_NAMES) {
    await setColorTheme(wb, theme);
    const icon = await tabIconContrast(wb, 'SynChannel Balances');
    assert.ok(icon.url, `${theme}: the balances tab shows no icon`);
    assert.ok(icon.ratio >= 3, `${theme}: the balances tab icon is hard to see (contrast ${icon.ratio.toFixed(2)}, ${icon.url})`);
  }
  if (themeBefore) await setColorTheme(wb, themeBefore);

  const cut = await cutTreeRows(wb, tree);
  const labelsCut = cut.filter((r) => r.labelCut);
  console.log(`rows cut at the default sidebar width (${wb.defaultSidebarWidth}px): ${cut.length}${cut.length ? `\n${describeRows(cut)}` : ''}`);
  assert.deepEqual(labelsCut, [], `labels cut at the default sidebar width:\n${describeRows(labelsCut)}`);

  // The fit check itself: at VS Code's narrowest sidebar the steps' descriptions are cut; in a wide one nothing is.
  const narrow = await setSidebarWidth(wb, 170);
  console.log(`narrow sidebar (${narrow}px): ${await wb.screenshot('tree-narrow', tree, { dir: UI_SHOT_DIR })}`);
  const atNarrow = (await treeRowFit(tree)).filter((r) => r.labelCut || r.descriptionCut);
  assert.ok(atNarrow.some((r) => /^Step 0$/.test(r.label) && r.descriptionCut), `at ${narrow}px the Step 0 rows' descriptions should be cut; cut rows:\n${describeRows(atNarrow)}`);
  const wide = await setSidebarWidth(wb, 800);
  const atWide = (await treeRowFit(tree)).filter((r) => r.labelCut || r.descriptionCut);
  assert.deepEqual(atWide, [], `at ${wide}px no row should be cut:\n${describeRows(atWide)}`);
  await setSidebarWidth(wb, wb.defaultSidebarWidth);

  // The Welcome page lists the walkthrough with the extension's icon (media/icon.png): a picture to look at.
  await runCommandRetrying(wb, 'Help: Welcome');
  await page.locator('.gettingStartedContainer').first().waitFor({ timeout: 20_000 });
  console.log(`welcome page: ${await wb.screenshot('welcome', undefined, { dir: UI_SHOT_DIR })}`);
}

/** The balances panel, open when the window reloads, is restored by its serializer and draws again. */
async function reload(wb: Workbench): Promise<void> {
  const page = wb.page;
  // The run before ticked its first steps; a reload ends that run, so its ticks must go with it.
  await openWalkthrough(wb);
  await expectTicked(wb, 'connect', true, 10_000);
  await runCommandRetrying(wb, 'View: Close All Editors');
  await runCommandRetrying(wb, 'SynChannel: Open Balances');
  await wb.webview('SynChannel Balances', { timeoutMs: 30_000 });
  await runCommandRetrying(wb, 'Developer: Reload Window');
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  const frame = await wb.webview('SynChannel Balances', { timeoutMs: 60_000 });
  // The demo does not survive a reload (it runs in memory): the restored panel says what to do.
  await frame.locator('#hint, #summary').first().waitFor({ timeout: 30_000 });
  await openWalkthrough(wb);
  for (const id of ['start', 'connect', 'deploy', 'deposit']) await expectTicked(wb, id, false, 15_000);
}

/** Opens the teaching demo's walkthrough from the palette, as a person would (without starting the demo). */
async function openWalkthrough(wb: Workbench): Promise<void> {
  await runCommandRetrying(wb, 'Welcome: Open Walkthrough...', 10_000, { opensQuickInput: true });
  await wb.pickQuickInputRow('SynChannel: the teaching demo', 'SynChannel: the teaching demo');
}

/** Runs a scenario; when it fails, saves the window to <tmp>/synchannel-ui-<name>-failed.png and names it in the error. */
async function withFailureShot(wb: Workbench, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    const path = join(tmpdir(), `synchannel-ui-${name}-failed.png`);
    const saved = await wb.page.screenshot({ path }).then(
      () => true,
      () => false,
    );
    if (saved && err instanceof Error) err.message += `\n(the window at the failure: ${path})`;
    if (err instanceof Error && wb.errors.length) err.message += `\nthe window's last console errors:\n${wb.errors.slice(-10).join('\n')}`;
    throw err;
  }
}
