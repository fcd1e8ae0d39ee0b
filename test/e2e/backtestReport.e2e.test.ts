import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/main/backtest/report';
import { buildFixtureResult } from '../helpers/backtestFixture';
import { launchChromium, SCREENSHOT_DIR, watchPage } from '../helpers/browser';
import { tempDir } from '../helpers/tmp';

let browser: Browser;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  browser = await launchChromium();
  tmp = tempDir();
});

afterAll(async () => {
  await browser?.close();
  tmp?.cleanup();
});

/** PDF page objects: `/Type /Page` but not `/Type /Pages` (the page tree). */
function countPdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

describe('backtest HTML report in Chromium', () => {
  it('opens with no console errors and no network requests, and prints to a PDF with pages', async () => {
    const result = buildFixtureResult({ policy: 'weights <v2> & "beta"' });
    const html = path.join(tmp.dir, 'report.html');
    const pdf = path.join(tmp.dir, 'report.pdf');
    const written = await writeReports(result, { html, pdf });
    expect(written).toEqual([html, pdf]);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const { errors } = watchPage(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    // The page itself is the only request: no script, font, stylesheet or image is fetched.
    expect(requests).toEqual([pathToFileURL(html).href]);
    expect(errors).toEqual([]);

    // The sections a trader looks for are there, drawn as inline SVG.
    const headings = await page.locator('h2').allInnerTexts();
    for (const h of ['EQUITY AGAINST THE BENCHMARK', 'MONTHLY RETURNS', 'TRADE RETURNS', 'PARAMETERS', 'FILL MODEL']) {
      expect(headings.some((x) => x.toUpperCase().startsWith(h))).toBe(true);
    }
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(5); // equity, underwater, histogram, 2 prices
    expect(await page.locator('svg.chart .marker').count()).toBe(result.trades.length * 2);
    expect(await page.locator('table.heatmap tbody tr').count()).toBe(2); // 2025 and 2026
    // Escaped text shows as text, not markup.
    expect(await page.locator('table.kv td', { hasText: 'weights <v2> & "beta"' }).count()).toBe(1);

    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'backtest-report.png'), fullPage: true });
    // The print layout the PDF is made from, at A4's printable width (210 mm − 2 × 11 mm margins).
    await page.setViewportSize({ width: 711, height: 1000 });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'backtest-report-print.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();

    // Minute bars: intraday axis labels and times, same checks on requests and errors.
    const minuteHtml = path.join(tmp.dir, 'minute.html');
    await writeReports(buildFixtureResult({ interval: '1m', from: '2026-03-04', to: '2026-03-06' }), {
      html: minuteHtml,
    });
    const minutePage = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const minuteWatch = watchPage(minutePage);
    const minuteRequests: string[] = [];
    minutePage.on('request', (r) => minuteRequests.push(r.url()));
    await minutePage.goto(pathToFileURL(minuteHtml).href, { waitUntil: 'load' });
    expect(minuteRequests).toEqual([pathToFileURL(minuteHtml).href]);
    expect(minuteWatch.errors).toEqual([]);
    expect(await minutePage.locator('table.trades th', { hasText: 'Entry (ET)' }).count()).toBe(1);
    await minutePage.screenshot({ path: path.join(SCREENSHOT_DIR, 'backtest-report-minute.png'), fullPage: true });
    await minutePage.close();

    const bytes = fs.readFileSync(pdf);
    fs.copyFileSync(pdf, path.join(SCREENSHOT_DIR, 'backtest-report.pdf'));
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The tear sheet runs to several A4 pages (summary, charts, trades).
    expect(countPdfPages(bytes)).toBeGreaterThanOrEqual(3);
  });
});
