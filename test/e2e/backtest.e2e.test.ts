/**
 * The Backtest panel in Chromium against a real `kestrel serve`: a daily S&P 500 run shows its
 * statistics and charts and exports files; a long synthetic minute run shows progress and is
 * cancelled; two runs are compared side by side. Screenshots: backtest-running, -result, -compare.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

let browser: Browser;
let server: ServeProcess;
let cleanup: () => void;

beforeAll(async () => {
  browser = await launchChromium();
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServe(t.dir, [], { KESTREL_BACKFILL: 'off' });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

async function openPanel(page: Page) {
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Backtests' }).click();
  const panel = page.getByRole('region', { name: 'Backtests' });
  await expect.poll(() => panel.isVisible(), { timeout: 10_000 }).toBe(true);
  return panel;
}

describe('backtest panel in Chromium', () => {
  it('runs, shows progress, cancels, shows stats, exports and compares', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    const panel = await openPanel(page);
    const form = panel.getByRole('form', { name: 'Backtest parameters' });
    const status = form.getByRole('status');
    const history = panel.getByRole('region', { name: 'Backtest history' });

    // 1. SPX daily over the whole dataset, 2000–2020 (the defaults), run to the end.
    await form.getByRole('button', { name: 'Run backtest' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^Run 1: done · [\d,]+ \/ [\d,]+ bars/);
    const result = panel.getByRole('article', { name: 'Run 1 result' });
    await expect.poll(() => result.isVisible(), { timeout: 10_000 }).toBe(true);
    const stats = result.getByRole('definition');
    expect(await result.getByRole('heading').first().textContent()).toMatch(
      /Run #1 SPX 1d all data · next-open, 1 bps, IB fixed/,
    );
    expect(await result.locator('[data-stat="totalReturn"] dd').textContent()).toMatch(/^−?\d+\.\d\d%$/);
    expect(await result.locator('[data-stat="sharpe"] dd').textContent()).toMatch(/^−?\d+\.\d\d$|^—$/);
    expect(await stats.count()).toBe(8);
    expect(await result.getByRole('img', { name: /^Equity vs benchmark: Strategy ends at/ }).count()).toBe(1);
    expect(await result.getByRole('img', { name: /^Underwater: Drawdown ends at/ }).count()).toBe(1);
    expect(
      await result
        .getByRole('table', { name: /^Trades, newest first/ })
        .getByRole('row')
        .count(),
    ).toBeGreaterThan(1);
    await screenshot(page, 'backtest-result');

    // Export HTML and JSON: the panel lists the files, and they are on disk.
    await result.getByRole('button', { name: 'Export HTML' }).click();
    await result.getByRole('button', { name: 'Export JSON' }).click();
    const exported = result.getByRole('status', { name: 'Exported files' });
    await expect.poll(() => exported.locator('code').count(), { timeout: 15_000 }).toBe(2);
    const files = await exported.locator('code').allTextContents();
    expect(files.map((f) => f.replace(/^.*[\\/]/, '')).sort()).toEqual(['report.html', 'result.json']);
    for (const f of files) expect(fs.statSync(f).size).toBeGreaterThan(1000);
    expect(
      fs.readFileSync(
        files.find((f) => f.endsWith('.html'))!,
        'utf8',
      ),
    ).toMatch(/<html/i);

    // 2. A long synthetic minute run: visible progress, then Cancel.
    await form.getByLabel('Data').selectOption('synthetic');
    await form.getByLabel('Symbols').fill('NVDA,MSFT');
    await form.getByLabel('From').fill('2024-01-01');
    await form.getByLabel('To').fill('2025-12-31');
    await form.getByRole('button', { name: 'Run backtest' }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 60_000 })
      .toMatch(/^Run 2: running · [1-9][\d,]* \/ [\d,]+ bars \(\d+%\)/);
    expect(await form.getByRole('button', { name: 'Run backtest' }).isDisabled()).toBe(true);
    const bar = form.getByRole('progressbar', { name: 'Backtest 2 progress' });
    const filled = await bar.evaluate((el) => (el as unknown as { value: number }).value);
    expect(filled).toBeGreaterThan(0);
    expect(filled).toBeLessThan(1);
    await screenshot(page, 'backtest-running');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^Run 2: cancelled/);
    await expect.poll(() => history.getByRole('button', { name: 'Open run 2' }).textContent()).toMatch(/#2cancelled/);

    // 3. A second SPX run with more slippage, then compare runs 1 and 3.
    await form.getByLabel('Data').selectOption('sp500');
    await form.getByLabel('From').fill('');
    await form.getByLabel('To').fill('');
    await form.getByLabel('Slippage (bps)').fill('25');
    await form.getByRole('button', { name: 'Run backtest' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^Run 3: done/);
    expect(await history.getByRole('checkbox', { name: 'Pick run 2 to compare' }).isDisabled()).toBe(true);
    await history.getByRole('checkbox', { name: 'Pick run 1 to compare' }).check();
    // Keyboard: the second pick with the space bar.
    await history.getByRole('checkbox', { name: 'Pick run 3 to compare' }).focus();
    await page.keyboard.press('Space');
    await history.getByRole('button', { name: 'Compare #1 and #3' }).click();
    const cmp = panel.getByRole('article', { name: 'Comparison of run 1 and run 3' });
    await expect.poll(() => cmp.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await cmp.textContent()).toMatch(
      /fill models differ: next-open, 1 bps, IB fixed vs next-open, 25 bps, IB fixed/,
    );
    const slipRow = cmp.getByRole('row', { name: /^Total return/ });
    expect(await slipRow.getByRole('cell').count()).toBe(3);
    expect(await cmp.getByRole('img', { name: /^Equity, normalised: #1 ends at .*; #3 ends at/ }).count()).toBe(1);
    await cmp.getByRole('heading').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'backtest-compare');

    expect(watch.errors).toEqual([]);
    await page.close();
  }, 180_000);
});
