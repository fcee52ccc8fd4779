// The steps the UI scenarios share: palette commands that retry once, walkthrough steps and their ticks, the
// balances panel and its cells, screenshots cut to size, bounded waits.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { sidebarWidth, setSidebarWidth } from './appearance.js';
import { SCREENSHOT_DIR } from './common.js';
import type { Workbench } from './workbench.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a palette command, once more after Escape if the palette missed it (a fresh window sometimes does). */
export async function runCommandRetrying(wb: Workbench, title: string, timeoutMs = 10_000, opts: { opensQuickInput?: boolean } = {}): Promise<void> {
  try {
    await wb.runCommand(title, { timeoutMs, ...opts });
  } catch (err) {
    const shot = join(tmpdir(), 'synchannel-ui-palette-missed.png');
    await wb.page.screenshot({ path: shot }).catch(() => {});
    console.log(`palette missed "${title}" (${(err as Error).message.split('\n')[0]}; the window: ${shot}); retrying once`);
    // Escape only in an open palette: pressed in the walkthrough, it goes back to the Welcome page.
    if (await wb.quickInput.isVisible()) await wb.escape();
    await wb.page.waitForTimeout(1_000);
    await wb.runCommand(title, { timeoutMs, ...opts });
  }
}

/**
 * Clears the notifications until none is shown: a step's toast can arrive just after a clear (a loaded machine),
 * so the clear is run again, three times at most.
 */
export async function clearToasts(wb: Workbench, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const toast = wb.page.locator('.notifications-toasts .notification-toast').first();
  for (let i = 0; ; i++) {
    await runCommandRetrying(wb, 'Notifications: Clear All Notifications', Math.max(1_000, deadline - Date.now()));
    try {
      await toast.waitFor({ state: 'hidden', timeout: Math.max(1_000, Math.min(5_000, deadline - Date.now())) });
      return;
    } catch (e) {
      if (i === 2 || Date.now() > deadline) throw e;
    }
  }
}

/** Waits until the element's trimmed text matches; fails with the text it last had. */
export async function expectText(target: Locator, re: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = ((await target.textContent({ timeout: Math.max(500, deadline - Date.now()) })) ?? '').trim();
    if (re.test(text)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(text, re);
}

/** Saves docs/screenshots/<name>.png: `area`, cut off a little below `lastChild` (a tall sidebar is mostly empty). */
export async function clippedScreenshot(wb: Workbench, name: string, area: Locator, lastChild: Locator): Promise<void> {
  const box = await area.boundingBox();
  const end = await lastChild.boundingBox();
  assert.ok(box && end, `${name}: the area to photograph is not on screen`);
  const height = Math.min(box.height, end.y + end.height - box.y + 16);
  await wb.page.waitForTimeout(300);
  await wb.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), clip: { x: box.x, y: box.y, width: box.width, height }, animations: 'disabled' });
}

const stepEl = (wb: Workbench, id: string) => wb.page.locator(`.getting-started-step[data-step-id$="#${id}"]`);

/** Waits until the walkthrough shows step `id` ticked (or not). */
export async function expectTicked(wb: Workbench, id: string, ticked: boolean, timeoutMs: number): Promise<void> {
  await wb.page
    .locator(`.getting-started-step[data-step-id$="#${id}"][aria-checked="${ticked}"]`)
    .waitFor({ state: 'attached', timeout: timeoutMs })
    .catch((err: unknown) => {
      throw new Error(`walkthrough step "${id}" is not ${ticked ? 'ticked' : 'unticked'}: ${(err as Error).message.split('\n')[0]}`);
    });
}

/**
 * Runs a step as a user does: select it in the walkthrough, click "Run this step", wait for its tick. Under load
 * headless Chromium sometimes loses a click on the walkthrough while it lays out the step just selected: when
 * neither the step's progress nor its tick shows within 15 s, the click is made once more (and said so).
 */
export async function runWalkthroughStep(wb: Workbench, id: string, timeoutMs: number): Promise<void> {
  const step = stepEl(wb, id);
  await step.click({ timeout: 10_000 });
  const button = step.getByText('Run this step', { exact: true });
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click({ timeout: 10_000 });
  const started = wb.page.locator(`.getting-started-step[data-step-id$="#${id}"][aria-checked="true"], .notifications-toasts .notification-toast:has-text("SynChannel demo:")`).first();
  const seen = await started.waitFor({ state: 'attached', timeout: 15_000 }).then(
    () => true,
    () => false,
  );
  if (!seen) {
    console.log(`walkthrough step "${id}": no progress 15 s after "Run this step" (notifications: ${JSON.stringify(await wb.notifications())}); clicking once more`);
    await step.click({ timeout: 10_000 });
    await button.click({ timeout: 10_000 });
  }
  await expectTicked(wb, id, true, timeoutMs);
}

export function sidebarTree(wb: Workbench): Locator {
  // A view container with a single view shows no pane header, so the sidebar is the view.
  return wb.page.locator('.part.sidebar');
}

/** The balances panel's content frame, once it shows a channel. */
export async function balancesFrame(wb: Workbench, timeoutMs: number): Promise<FrameLocator> {
  const start = Date.now();
  const rest = () => Math.max(5_000, timeoutMs - (Date.now() - start));
  // code-server now and then leaves a new webview's inner frame unloaded (a blank panel, seen under load): as a
  // person would, the webviews are reloaded (Developer: Reload Webviews), then the panel is closed and opened again.
  const remedies = ['Developer: Reload Webviews', 'View: Close All Editors', 'SynChannel: Open Balances'];
  let frame: FrameLocator | null = null;
  for (let attempt = 0; !frame; attempt++) {
    const last = attempt >= 2;
    frame = await wb.webview('SynChannel Balances', { timeoutMs: last ? rest() : timeoutMs / 3 }).catch(async (err: unknown) => {
      if (last) throw err;
      console.log(`the balances panel stayed blank (${(err as Error).message.split('\n')[0]}): ${attempt === 0 ? 'reloading the webviews' : 'closing and opening it again'}`);
      for (const cmd of attempt === 0 ? remedies.slice(0, 1) : remedies.slice(1)) await runCommandRetrying(wb, cmd, 10_000);
      return null;
    });
  }
  await frame
    .locator('#summary')
    .waitFor({ timeout: timeoutMs })
    .catch(async (err: unknown) => {
      const html = await frame.locator('#root').innerHTML({ timeout: 2_000 }).catch(() => '(no #root)');
      throw new Error(`the balances webview shows no channel: ${(err as Error).message.split('\n')[0]}\n#root: ${html.slice(0, 400)}\nconsole: ${wb.errors.slice(-5).join('\n')}`);
    });
  return frame;
}

export const cell = (frame: FrameLocator, key: string) => frame.locator(`vscode-data-grid-cell[data-key="${key}"]`);

/** The ids of the panel's action buttons, in order. */
export async function actionIds(frame: FrameLocator): Promise<string[]> {
  return frame.locator('#actions vscode-button').evaluateAll((els) => els.map((e) => e.id));
}

/** Widens the primary sidebar to about `width` px (never narrows it). */
export async function widenSidebar(wb: Workbench, width: number): Promise<void> {
  const before = await sidebarWidth(wb);
  if (before >= width) return;
  const after = await setSidebarWidth(wb, width);
  assert.ok(after > before, `the sidebar did not widen (${before}px -> ${after}px)`);
}

/** A scenario's clock: every wait gets what is left of the budget (at most `cap`). */
export function budget(ms: number): (cap: number) => number {
  const deadline = Date.now() + ms;
  return (cap) => Math.max(1_000, Math.min(cap, deadline - Date.now()));
}
