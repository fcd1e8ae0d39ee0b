import type { Browser } from 'playwright-core';
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
  server = await startServe(t.dir, [], { KESTREL_SYNTHETIC_SESSIONS: 'always' });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

describe('provider comparison panel in Chromium', () => {
  it('shows live provider rows and prices, sorts, and labels simulated data SIM', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await page.goto(server.url);
    // The bottom area opens on the blotter; Providers is the second tab.
    await page.getByRole('tab', { name: 'Providers' }).click();
    const panel = page.getByRole('region', { name: 'Providers' });
    const row = panel.getByRole('table', { name: 'Provider comparison' }).getByRole('row', { name: /synthetic/ });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/syntheticSIMactiveclosed/);
    // Prices arrive in the symbols table, with direction carried by ▲/▼ as well as colour.
    const nvda = page.getByRole('region', { name: 'Symbols' }).getByRole('row', { name: /NVDA/ });
    await expect.poll(() => nvda.textContent(), { timeout: 10_000 }).toMatch(/NVDA\d+\.\d{2}.*synthetic/);
    await expect
      .poll(() =>
        panel
          .getByRole('table', { name: 'Active provider per symbol' })
          .getByRole('row', { name: /^NVDA/ })
          .textContent(),
      )
      .toMatch(/NVDAsynthetic/);
    const first = await nvda.textContent();
    await expect.poll(() => nvda.textContent(), { timeout: 10_000 }).not.toBe(first);
    // Sorting by a column flips the indicator.
    await panel.getByRole('button', { name: /^Provider/ }).click();
    await expect
      .poll(() => panel.getByRole('columnheader', { name: /Provider/ }).getAttribute('aria-sort'))
      .toBe('descending');
    // A new symbol is watched from the UI and starts streaming from the same feed.
    await page.getByRole('textbox', { name: 'Symbol to watch' }).fill('aapl');
    await page.getByRole('button', { name: 'Watch' }).click();
    const aapl = page.getByRole('region', { name: 'Symbols' }).getByRole('row', { name: /AAPL/ });
    await expect.poll(() => aapl.textContent(), { timeout: 10_000 }).toMatch(/AAPL\d+\.\d{2}.*synthetic/);
    await page.getByRole('textbox', { name: 'Symbol to watch' }).fill('BAD SYM');
    await page.getByRole('button', { name: 'Watch' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Cannot watch BAD SYM/);
    // A quiet market is not a dead feed: the synthetic stream's heartbeat keeps it active.
    expect(await page.getByText(/^Failover/).count()).toBe(0);
    await screenshot(page, 'providers-panel');
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});
