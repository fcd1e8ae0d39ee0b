import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

let browser: Browser;
let server: ServeProcess;
let dataDir: string;
let cleanup: () => void;

beforeAll(async () => {
  browser = await launchChromium();
  ({ dir: dataDir, cleanup } = tempDir());
  server = await startServe(dataDir);
});
afterAll(async () => {
  await server?.stop();
  await browser?.close();
  cleanup?.();
});

describe('settings dialog in Chromium against kestrel serve', () => {
  it('opens with Ctrl+, saves a risk limit and a threshold, shows the confirmation and inline errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await page.goto(server.url);
    await expect.poll(() => page.getByText('Engine: connected').count()).toBe(1);

    await page.keyboard.press('Control+,');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => dialog.getByLabel('Gateway host').inputValue()).toBe('127.0.0.1');

    // Risk: a new per-order quantity limit, saved and applied at once.
    await dialog.getByRole('tab', { name: 'Risk' }).click();
    const qty = dialog.getByLabel('Max order quantity');
    await qty.fill('250');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const status = dialog.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('risk.maxOrderQuantity');
    expect(await status.textContent()).toContain('applied now');
    expect(await status.textContent()).toContain('audit log');
    await screenshot(page, 'settings');

    // Signals: the default confidence threshold, with the arrow keys between tabs.
    await dialog.getByRole('tab', { name: 'Risk' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => dialog.getByRole('tab', { name: 'Signals' }).getAttribute('aria-selected')).toBe('true');
    await dialog.getByLabel('Confidence threshold').fill('0.72');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('signals.defaultThreshold');

    // A bad value: the engine's zod error shows under the field, nothing is saved.
    await dialog.getByLabel('Confidence threshold').fill('1.5');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const inline = dialog.locator('#setting-signals-defaultThreshold-error');
    await expect.poll(() => inline.textContent()).toMatch(/1/);
    expect(await dialog.getByLabel('Confidence threshold').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByRole('alert').first().isVisible()).toBe(true);
    await screenshot(page, 'settings-invalid');

    // Keys in headless mode: a note, and the inputs are disabled.
    await dialog.getByRole('tab', { name: 'Keys' }).click();
    await expect.poll(() => dialog.getByText(/reads keys from the environment/).count()).toBe(1);
    expect(await dialog.getByRole('textbox', { name: 'POLYGON_API_KEY' }).isDisabled()).toBe(true);

    // Back on Risk after reopening: the saved value is what the form shows.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.getByRole('button', { name: /Settings/ }).click();
    await dialog.getByRole('tab', { name: 'Risk' }).click();
    await expect.poll(() => dialog.getByLabel('Max order quantity').inputValue()).toBe('250');

    // The mirror file has both changes, and the audit log recorded them.
    const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'kestrel.config.json'), 'utf8')) as {
      execution: { risk: { maxOrderQuantity: number } };
      signals: { defaultThreshold: number };
    };
    expect(file.execution.risk.maxOrderQuantity).toBe(250);
    expect(file.signals.defaultThreshold).toBe(0.72);
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});
