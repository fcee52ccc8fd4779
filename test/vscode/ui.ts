// UI scenarios driven through the real workbench with Playwright (see Workbench in harness.ts).
// Each scenario is a named function of a Workbench; test/extension/vscode-host.test.ts runs every
// entry of UI_SCENARIOS as its own node:test test, in order, in one workbench window.
//
// To add the teaching-demo pictures once the extension has them, append e.g.:
//   {
//     name: 'teaching demo: tree and balances',
//     async run(wb) {
//       await wb.runCommand('SynChannel: Open Teaching Demo');
//       await wb.openViewContainer('SynChannel');
//       const tree = await wb.view('Channels');
//       await wb.screenshot('synchannel-tree', tree);
//       await wb.runCommand('SynChannel: Open Balances');
//       const frame = await wb.webview('SynChannel Balances');
//       await frame.getByText('Balance A').waitFor();
//       await wb.screenshot('balances-webview', wb.webviewElement());
//     },
//   },
import * as assert from 'node:assert/strict';
import type { Workbench } from './harness.js';

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
      await wb.runCommand('Developer: Show Running Extensions');
      const tab = wb.page.locator('.tabs-container .tab.active', { hasText: 'Running Extensions' });
      await tab.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await wb.page.title(), /Running Extensions/);
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
      await wb.runCommand('Markdown: Open Preview to the Side');
      const frame = await wb.webview('Preview NOTES.md');
      await frame.getByText('A two-party payment channel on TON').waitFor({ timeout: 30_000 });
      await wb.screenshot('workbench');
    },
  },
];
