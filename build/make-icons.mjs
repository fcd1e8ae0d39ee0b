// Renders build/icon.svg to the PNGs electron-builder packs (icon.png 1024, icons/NxN.png for Linux).
// Run after editing the SVG: node build/make-icons.mjs (needs Debian's Chromium, like the browser tests).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const svg = fs.readFileSync(path.join(here, 'icon.svg'), 'utf8');
const sizes = [1024, 512, 256, 128, 64, 48, 32, 16];

const browser = await chromium.launch({
  executablePath: process.env.KESTREL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  fs.mkdirSync(path.join(here, 'icons'), { recursive: true });
  for (const size of sizes) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const img = svg.replace('width="1024" height="1024"', `width="${size}" height="${size}"`);
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block}</style>${img}`);
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    fs.writeFileSync(path.join(here, 'icons', `${size}x${size}.png`), png);
    if (size === 1024) fs.writeFileSync(path.join(here, 'icon.png'), png);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`icons written to ${here}`);
