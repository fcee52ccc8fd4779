// Renders the extension's 128x128 icon (media/icon.png, the marketplace and walkthrough tile) from the SVG below
// with Debian's Chromium through playwright-core: the activity-bar glyph (media/synchannel.svg, two parties and
// the two directions of a channel) in white on a blue tile.
// Usage: node --import tsx scripts/render-icon.ts [OUT]   (OUT defaults to media/icon.png)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SIZE = 128;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 128 128">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#2AABEE"/>
      <stop offset="1" stop-color="#0A6FB8"/>
    </linearGradient>
  </defs>
  <rect x="4" y="4" width="120" height="120" rx="26" fill="url(#tile)"/>
  <g fill="none" stroke="#fff" stroke-width="8" stroke-linecap="round" stroke-linejoin="round">
    <circle cx="28" cy="64" r="14"/>
    <circle cx="100" cy="64" r="14"/>
    <path d="M44 50h40l-9-9"/>
    <path d="M84 78H44l9 9"/>
  </g>
  <text x="28" y="69.5" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="15" fill="#fff">A</text>
  <text x="100" y="69.5" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="15" fill="#fff">B</text>
</svg>`;

async function main(): Promise<void> {
  const out = process.argv[2] ?? join(ROOT, 'media', 'icon.png');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0;background:transparent">${SVG}</body></html>`);
    await page.locator('svg').screenshot({ path: out, omitBackground: true });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
