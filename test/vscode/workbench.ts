// A workbench window in headless Chromium (Playwright), with the steps the UI scenarios need.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { SCREENSHOT_DIR, VsCodeHostError } from './common.js';

/** How long an accepted quick-input row gets to close its quick input before the Enter is judged not taken. */
const ACCEPT_CHECK_MS = 4_000;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A workbench window in Chromium, with the steps a UI test needs. `page` is the raw Playwright page. */
export class Workbench {
  /**
   * @param defaultSidebarWidth the primary sidebar's width when the window opened (VS Code's default for this
   *   window size); the fit checks of appearance.ts measure tree rows at this width.
   */
  /** The window's console errors and uncaught exceptions (webviews' included), newest last, at most 50. */
  readonly errors: string[] = [];

  constructor(
    readonly page: Page,
    readonly defaultSidebarWidth = 300,
  ) {
    const keep = (line: string) => {
      this.errors.push(line);
      if (this.errors.length > 50) this.errors.shift();
    };
    page.on('console', (msg) => {
      if (msg.type() === 'error') keep(`[console ${msg.location().url.split('?')[0] ?? ''}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => keep(`[uncaught] ${err.message}`));
    page.on('request', (req) => {
      const url = new URL(req.url());
      // A webview's resources (<authority>.vscode-resource.vscode-cdn.net) are answered by its service worker,
      // which fetches them from this machine's server.
      const local = LOCAL_HOSTS.has(url.hostname) || url.hostname.endsWith('.vscode-resource.vscode-cdn.net');
      if (/^(https?|wss?):$/.test(url.protocol) && !local && this.outsideRequests.length < 20) {
        this.outsideRequests.push(`${req.method()} ${url.origin}${url.pathname}`);
      }
    });
  }

  /** Requests the window made to any host but this machine (tests reach 127.0.0.1 only), the first 20. */
  readonly outsideRequests: string[] = [];

  private fail(step: string, err: unknown): never {
    throw new VsCodeHostError('UI_STEP_FAILED', `${step}: ${(err as Error).message}`, { cause: err });
  }

  /** Opens the command palette (F1) and runs the command whose label is exactly `title` (e.g. 'View: Show Explorer'). */
  async runCommand(title: string, opts: { timeoutMs?: number; opensQuickInput?: boolean } = {}): Promise<void> {
    const timeout = opts.timeoutMs ?? 15_000;
    try {
      // F1 reaches the workbench from anywhere, webviews included (they forward key bindings).
      await this.page.keyboard.press('F1');
      await this.quickInput.waitFor({ state: 'visible', timeout });
      await this.pickQuickInputRow(`>${title}`, title, { timeoutMs: timeout, staysOpen: opts.opensQuickInput ?? false });
    } catch (err) {
      this.fail(`run command "${title}"`, err);
    }
  }

  /** The open quick input's text box (the palette, a quick pick). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget input.input');
  }

  /**
   * In the open quick input: types `filter`, then accepts the row whose label or description is exactly `label`
   * (the theme picker shows "Dark Modern" with "Default Dark Modern" as its description). Waits for the quick
   * input to close, unless `staysOpen` (a command that opens another quick pick, e.g. the color theme picker).
   */
  async pickQuickInputRow(filter: string, label: string, opts: { timeoutMs?: number; staysOpen?: boolean } = {}): Promise<void> {
    const timeout = opts.timeoutMs ?? 15_000;
    await this.quickInput.fill(filter, { timeout: 10_000 });
    const row = this.page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name, .label-description', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
      .first();
    await row.waitFor({ state: 'attached', timeout });
    const deadline = Date.now() + timeout;
    const accepted = async (ms: number) => {
      const wait = Math.max(1_000, ms);
      if (opts.staysOpen) await this.page.waitForFunction((f) => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value !== f, filter, { timeout: wait });
      else await this.quickInput.waitFor({ state: 'hidden', timeout: wait });
    };
    for (let attempt = 1; ; attempt++) {
      // Move the list's focus onto that row (usually the first) and accept it; a mouse click on
      // quick-input rows is unreliable in headless Chromium.
      for (let i = 0; i < 50 && !(await row.getAttribute('class'))?.split(/\s+/).includes('focused'); i++) {
        await this.page.keyboard.press('ArrowDown');
      }
      await this.page.keyboard.press('Enter');
      try {
        await accepted(Math.min(ACCEPT_CHECK_MS, deadline - Date.now()));
        return;
      } catch (err) {
        // On a loaded machine an Enter is sometimes not taken: the quick input still shows our filter. Only then
        // is it pressed again (an accepted row hides the quick input, so nothing runs twice); otherwise the row
        // was taken and what it opens gets the rest of the time.
        const state = await this.quickInputState();
        const notTaken = state.visible && state.value === filter;
        if (notTaken && attempt < 5 && Date.now() < deadline) continue;
        try {
          if (notTaken || Date.now() >= deadline) throw err;
          await accepted(deadline - Date.now());
          return;
        } catch (last) {
          const now = await this.quickInputState();
          throw new Error(`${(last as Error).message.split('\n')[0]} (after ${attempt} Enter; the quick input: ${JSON.stringify(now)})`, { cause: last });
        }
      }
    }
  }

  /** Whether the quick input shows, its text, and its first rows (for retries and error messages). */
  async quickInputState(): Promise<{ visible: boolean; value: string | null; rows: string[] }> {
    const visible = await this.quickInput.isVisible().catch(() => false);
    const value = await this.quickInput.inputValue({ timeout: 1_000 }).catch(() => null);
    const rows = (await this.page.locator('.quick-input-list .monaco-list-row').allInnerTexts().catch(() => [] as string[]))
      .slice(0, 5)
      .map((t) => t.replace(/\s+/g, ' ').trim());
    return { visible, value, rows };
  }

  /** Waits for a notification toast containing `text`; returns its full message. */
  async waitForNotification(text: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<string> {
    try {
      const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
      await toast.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 20_000 });
      return (await toast.locator('.notification-list-item-message').innerText()).trim();
    } catch (err) {
      this.fail(`wait for notification ${String(text)}`, err);
    }
  }

  /** The messages of the notification toasts showing now. */
  async notifications(): Promise<string[]> {
    const items = this.page.locator('.notifications-toasts .notification-list-item-message');
    return (await items.allInnerTexts()).map((t) => t.trim());
  }

  /** Clicks an action of a notification toast (e.g. 'Sign' on "Received new state"). */
  async clickNotificationAction(text: string | RegExp, action: string): Promise<void> {
    try {
      const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
      await toast.getByRole('button', { name: action, exact: true }).click({ timeout: 10_000 });
    } catch (err) {
      this.fail(`click "${action}" on notification ${String(text)}`, err);
    }
  }

  /** Shows an activity-bar view container (e.g. 'Explorer', later 'SynChannel'). */
  async openViewContainer(title: string): Promise<void> {
    try {
      const item = this.page.locator('.part.activitybar .action-item .action-label').and(this.page.locator(`[aria-label^="${title}"]`)).first();
      await item.waitFor({ state: 'visible', timeout: 20_000 });
      // A click on the container that is already shown hides the sidebar: the extension may show its container
      // itself between our look and our click, so look again after each click.
      for (let i = 0; i < 3; i++) {
        const checked = (await item.locator('xpath=..').getAttribute('class'))?.includes('checked');
        if (checked && (await this.page.locator('.part.sidebar').isVisible())) break;
        await item.click();
        await this.page.waitForTimeout(300);
      }
      await this.page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: 10_000 });
    } catch (err) {
      this.fail(`open view container "${title}"`, err);
    }
  }

  /** The pane of a view in the sidebar by its header title (expanded if collapsed). */
  async view(title: string): Promise<Locator> {
    try {
      const pane = this.page.locator('.part.sidebar .pane', {
        has: this.page.locator('.pane-header', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`, 'i') }),
      }).first();
      const header = pane.locator('.pane-header').first();
      await header.waitFor({ state: 'visible', timeout: 20_000 });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      return pane;
    } catch (err) {
      this.fail(`find view "${title}"`, err);
    }
  }

  /** The rows of a tree/list view, as their visible text. */
  async treeItems(view: Locator): Promise<string[]> {
    return (await view.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /**
   * The content frame of a webview: the visible one whose editor tab (or view) is titled `title`,
   * or, without a title, the most recently shown. Webviews are nested iframes (host -> active-frame).
   */
  async webview(title?: string, opts: { timeoutMs?: number } = {}): Promise<FrameLocator> {
    const timeout = opts.timeoutMs ?? 30_000;
    try {
      if (title) {
        await this.page.locator('.tabs-container .tab', { hasText: title }).first().click({ timeout });
      }
      const outer = this.page.locator('iframe.webview.ready:visible').last();
      await outer.waitFor({ state: 'visible', timeout });
      const content = outer.contentFrame().locator('iframe#active-frame');
      await content.waitFor({ state: 'attached', timeout });
      return content.contentFrame();
    } catch (err) {
      this.fail(`find webview ${title ? `"${title}"` : ''}`, err);
    }
  }

  /** The element the visible webview is drawn in (for screenshots of just the webview). */
  webviewElement(): Locator {
    return this.page.locator('iframe.webview.ready:visible').last();
  }

  /**
   * Saves a PNG into docs/screenshots/<name>.png (or `dir`): the whole window, or one element
   * (a view pane from view(), webviewElement(), ...). Returns the file path.
   */
  async screenshot(name: string, target?: Locator, opts: { dir?: string } = {}): Promise<string> {
    const dir = opts.dir ?? SCREENSHOT_DIR;
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${basename(name, '.png')}.png`);
    try {
      // Let animations (toasts, list transitions) settle so the picture is stable.
      await this.page.waitForTimeout(300);
      if (target) await target.screenshot({ path, animations: 'disabled' });
      else await this.page.screenshot({ path, animations: 'disabled' });
    } catch (err) {
      this.fail(`screenshot ${name}`, err);
    }
    return path;
  }

  /**
   * VS Code's own activation time of an extension, as Developer: Show Running Extensions shows it: the extension
   * host's codeLoadingTime + activateCallTime, in ms. `extensionId` is what the row names (publisher.name, or the
   * display name of a marketplace extension). Waits until the extension has finished activating.
   */
  async activationTime(extensionId: string, opts: { timeoutMs?: number } = {}): Promise<number> {
    const timeout = opts.timeoutMs ?? 20_000;
    try {
      await this.runCommand('Developer: Show Running Extensions', { timeoutMs: timeout });
      const row = this.page
        .locator('.runtime-extensions-editor .monaco-list-row')
        .filter({ has: this.page.locator('.name', { hasText: new RegExp(`^\\s*${escapeRegExp(extensionId)}\\s*$`, 'i') }) })
        .first();
      const time = row.locator('.activation-time');
      await time.filter({ hasText: /\d+ms/ }).waitFor({ state: 'visible', timeout });
      const text = (await time.innerText()).trim();
      const ms = /(\d+)ms/.exec(text)?.[1];
      if (ms === undefined) throw new Error(`unexpected activation text "${text}"`);
      return Number(ms);
    } catch (err) {
      this.fail(`read the activation time of ${extensionId}`, err);
    }
  }

  /** Closes this window (its browser context); the host's other windows stay. */
  async close(): Promise<void> {
    await this.page.context().close().catch(() => {});
  }

  /** The modal dialog showing `text` (VS Code's own dialog in the browser); fails when none shows up. */
  async dialog(text: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<Locator> {
    try {
      const box = this.page.locator('.monaco-dialog-box', { hasText: text }).first();
      await box.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 15_000 });
      return box;
    } catch (err) {
      this.fail(`wait for a dialog ${String(text)}`, err);
    }
  }

  /** Whether the keyboard focus is in the open quick input (a quick pick, the palette). */
  async quickInputHasFocus(): Promise<boolean> {
    return this.page.evaluate(() => !!document.activeElement?.closest('.quick-input-widget'));
  }

  /** Dismisses the palette / open quick input, if any. */
  async escape(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
