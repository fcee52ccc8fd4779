// How the extension looks, for the UI scenarios: VS Code's default themes (light, dark, high contrast) switched
// through the color theme picker, the primary sidebar's width, and a fit check that says which tree rows show
// their label or description cut (ellipsis or clipped) at a given sidebar width.
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { REPO_ROOT } from './common.js';
import { runCommandRetrying } from './ui-steps.js';
import type { Workbench } from './workbench.js';

/** Pictures the appearance helpers take by default (not the README's: those are in docs/screenshots). */
export const UI_SHOT_DIR = join(REPO_ROOT, '.vscode-test', 'screenshots');

/** VS Code's default themes: the picker's label, and the classes the workbench element gets for it. */
export const THEMES = {
  light: { label: 'Default Light Modern', kind: 'vs', id: 'vscode-theme-defaults-themes-light_modern-json' },
  dark: { label: 'Default Dark Modern', kind: 'vs-dark', id: 'vscode-theme-defaults-themes-dark_modern-json' },
  'high-contrast': { label: 'Default High Contrast', kind: 'hc-black', id: 'vscode-theme-defaults-themes-hc_black-json' },
} as const;
export type ThemeName = keyof typeof THEMES;
export const THEME_NAMES = Object.keys(THEMES) as ThemeName[];

/** The default theme the window shows now, if it is one of THEMES. */
export async function currentTheme(wb: Workbench): Promise<ThemeName | undefined> {
  const classes = ((await wb.page.locator('.monaco-workbench').first().getAttribute('class')) ?? '').split(/\s+/);
  return THEME_NAMES.find((t) => classes.includes(THEMES[t].id));
}

/** Switches the color theme as a user does (Preferences: Color Theme, pick it) and waits until the window shows it. */
export async function setColorTheme(wb: Workbench, theme: ThemeName, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeout = opts.timeoutMs ?? 15_000;
  if ((await currentTheme(wb)) === theme) return;
  // Asked twice at most: on a loaded machine the palette may take the command and no picker show (CI saw both).
  await runCommandRetrying(wb, 'Preferences: Color Theme', timeout, { opensQuickInput: true });
  await wb.pickQuickInputRow(THEMES[theme].label, THEMES[theme].label, { timeoutMs: timeout });
  await wb.page.locator(`.monaco-workbench.${THEMES[theme].kind}.${THEMES[theme].id}`).first().waitFor({ state: 'attached', timeout });
}

/**
 * Saves `target` once per theme as <dir>/<name>-<theme>.png (default dir: .vscode-test/screenshots) and returns
 * the paths; the window keeps the last theme.
 */
export async function screenshotInThemes(
  wb: Workbench,
  name: string,
  target: Locator,
  opts: { themes?: readonly ThemeName[]; dir?: string } = {},
): Promise<Record<ThemeName, string>> {
  const dir = opts.dir ?? UI_SHOT_DIR;
  mkdirSync(dir, { recursive: true });
  const paths: Partial<Record<ThemeName, string>> = {};
  for (const theme of opts.themes ?? THEME_NAMES) {
    await setColorTheme(wb, theme);
    paths[theme] = await wb.screenshot(`${name}-${theme}`, target, { dir });
  }
  return paths as Record<ThemeName, string>;
}

export async function sidebarWidth(wb: Workbench): Promise<number> {
  const box = await wb.page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the primary sidebar is not on screen');
  return box.width;
}

/**
 * Drags the sash on the primary sidebar's right edge until the sidebar is about `width` px wide (VS Code keeps
 * it at 170 px or more); returns the width it got. The mouse then leaves the sidebar, so no row shows its hover
 * actions.
 */
export async function setSidebarWidth(wb: Workbench, width: number): Promise<number> {
  const page = wb.page;
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the primary sidebar is not on screen');
  if (Math.abs(box.width - width) >= 2) {
    const edge = box.x + box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(edge, y);
    await page.mouse.down();
    await page.mouse.move(edge + (box.x + width - edge) / 2, y, { steps: 5 });
    await page.mouse.move(box.x + width, y, { steps: 5 });
    await page.mouse.up();
  }
  await page.mouse.move(box.x + Math.max(box.width, width) + 200, box.y + 10);
  await page.waitForTimeout(200); // the list lays its rows out again
  return sidebarWidth(wb);
}

/** One tree row as drawn: its label and description, and whether each is cut by the row's width. */
export interface RowFit {
  readonly label: string;
  readonly description: string;
  readonly labelCut: boolean;
  readonly descriptionCut: boolean;
}

/**
 * The rows of the tree(s) inside `area` as drawn now. A label or description is cut when it runs past the right
 * edge of its row's label box, which clips it (with an ellipsis).
 */
export async function treeRowFit(area: Locator): Promise<RowFit[]> {
  // No named inner functions here: the callback runs in the page, without tsx's helpers.
  return area.locator('.monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => {
      const box = row.querySelector('.monaco-icon-label-container') ?? row;
      const right = Math.min(box.getBoundingClientRect().right, row.getBoundingClientRect().right);
      const [label, description] = ['.label-name', '.label-description'].map((selector) => {
        const el = row.querySelector(selector);
        const text = (el?.textContent ?? '').trim();
        return { text, cut: !!el && text !== '' && el.getBoundingClientRect().right > right + 0.5 };
      });
      return { label: label!.text, description: description!.text, labelCut: label!.cut, descriptionCut: description!.cut };
    }),
  );
}

/**
 * The rows of `area` whose label or description is cut at a sidebar `width` (default: the window's default
 * sidebar width); the sidebar goes back to its width before.
 */
export async function cutTreeRows(wb: Workbench, area: Locator, width = wb.defaultSidebarWidth): Promise<RowFit[]> {
  const before = await sidebarWidth(wb);
  await setSidebarWidth(wb, width);
  try {
    return (await treeRowFit(area)).filter((r) => r.labelCut || r.descriptionCut);
  } finally {
    await setSidebarWidth(wb, before);
  }
}

/** One line per row for messages: `label | description` with what is cut. */
export function describeRows(rows: readonly RowFit[]): string {
  return rows
    .map((r) => `${r.label} | ${r.description}${r.labelCut ? ' [label cut]' : ''}${r.descriptionCut ? ' [description cut]' : ''}`)
    .join('\n');
}

/** How well an editor tab's icon stands out from the tab: the WCAG contrast ratio of its opaque pixels. */
export interface IconContrast {
  /** the icon's URL (from the tab label's ::before background), '' when the tab shows no icon */
  url: string;
  ratio: number;
}

/**
 * The contrast of the icon of the editor tab titled `title` against the tab's background, measured on the icon
 * as drawn (its SVG or PNG rendered to a canvas): under 3 the icon is as good as invisible.
 */
export async function tabIconContrast(wb: Workbench, title: string): Promise<IconContrast> {
  return wb.page.evaluate(async (tabTitle) => {
    const tab = [...document.querySelectorAll('.tabs-container .tab')].find((t) => (t.textContent ?? '').includes(tabTitle)) as HTMLElement | undefined;
    if (!tab) throw new Error(`no editor tab "${tabTitle}"`);
    const label = tab.querySelector('.monaco-icon-label') ?? tab;
    const bgImage = getComputedStyle(label, '::before').backgroundImage;
    const url = /url\("?([^")]*)"?\)/.exec(bgImage)?.[1] ?? '';
    if (!url) return { url: '', ratio: 1 };
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 32;
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0, 32, 32);
    // No named inner functions: the callback runs in the page, without tsx's helpers. Relative luminance (WCAG)
    // of the opaque pixels, then of the tab's background (as the last "pixel").
    const px = [...g.getImageData(0, 0, 32, 32).data];
    const bg = (getComputedStyle(tab).backgroundColor.match(/[\d.]+/g) ?? ['0', '0', '0']).map(Number);
    px.push(bg[0]!, bg[1]!, bg[2]!, 255);
    const lums: number[] = [];
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3]! < 128) continue;
      let l = 0;
      for (let k = 0; k < 3; k++) {
        const s = px[i + k]! / 255;
        l += [0.2126, 0.7152, 0.0722][k]! * (s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4);
      }
      lums.push(l);
    }
    const lb = lums.pop()!;
    const li = lums.length ? lums.reduce((a, b) => a + b, 0) / lums.length : lb;
    return { url, ratio: (Math.max(li, lb) + 0.05) / (Math.min(li, lb) + 0.05) };
  }, title);
}
