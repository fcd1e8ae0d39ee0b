import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

let browser: Browser;
let dataDir: string;
let cleanup: () => void;
/** Servers still running if a test fails halfway; stopped after each test. */
const running = new Set<ServeProcess>();

async function serve(dir: string): Promise<ServeProcess> {
  const s = await startServe(dir);
  running.add(s);
  return s;
}

afterEach(async () => {
  for (const s of running) await s.stop();
  running.clear();
});

beforeAll(async () => {
  browser = await launchChromium();
  ({ dir: dataDir, cleanup } = tempDir());
});
afterAll(async () => {
  await browser?.close();
  cleanup?.();
});

describe('kill switch in Chromium against kestrel serve', () => {
  it('halts, stays halted across a restart, and re-arms only after confirmation', async () => {
    let server = await serve(dataDir);
    let page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let watch = watchPage(page);
    await page.goto(server.url);
    const state = page.getByTestId('trading-state');
    await expect.poll(() => state.textContent()).toContain('ACTIVE');
    await expect.poll(() => page.getByText('Engine: connected').count()).toBe(1);
    await screenshot(page, 'kill-switch-1-active');

    await page.getByRole('button', { name: /Kill switch/ }).click();
    await expect.poll(() => state.textContent()).toContain('HALTED');
    await expect.poll(() => page.getByText('Kill switch engaged').count()).toBeGreaterThan(0);
    await screenshot(page, 'kill-switch-2-halted');
    expect(watch.errors).toEqual([]);
    await page.close();

    expect(await server.stop()).toBe(0);
    server = await serve(dataDir);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    watch = watchPage(page);
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('HALTED');
    await screenshot(page, 'kill-switch-3-halted-after-restart');

    await page.getByRole('button', { name: 'Re-arm' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-arm trading?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await screenshot(page, 'kill-switch-4-confirm-rearm');
    // Declining keeps the halt.
    await dialog.getByRole('button', { name: 'Stay halted' }).click();
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('HALTED');
    await page.getByRole('button', { name: 'Re-arm' }).click();
    await dialog.getByRole('button', { name: 'Confirm re-arm' }).click();
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('ACTIVE');
    await expect.poll(() => page.getByRole('button', { name: 'Re-arm' }).count()).toBe(0);
    await screenshot(page, 'kill-switch-5-rearmed');
    expect(watch.errors).toEqual([]);
    await page.close();
    expect(await server.stop()).toBe(0);
  });

  it('engages from the keyboard with Ctrl+Shift+K', async () => {
    const t = tempDir();
    const server = await serve(t.dir);
    const page = await browser.newPage();
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('ACTIVE');
    await page.keyboard.press('Control+Shift+K');
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('HALTED');
    const health = (await (await fetch(`${server.origin}/healthz`)).json()) as { tradingState: string };
    expect(health.tradingState).toBe('HALTED');
    await page.close();
    await server.stop();
    t.cleanup();
  });
});
