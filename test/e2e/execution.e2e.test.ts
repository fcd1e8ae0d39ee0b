/**
 * The execution surfaces in Chromium against `kestrel serve --ib-port` pointed at the fake IB
 * Gateway: a manual shadow order through the ticket lands in the blotter as virtual and filled with
 * a shadow position; a risk denial shows its reason; a symbol goes live by a confirmed, audited
 * override; live orders held working at the gateway are cancelled by the kill switch (HALTED,
 * progress to "All 3 cancelled", REQ_GLOBAL_CANCEL at the gateway, the symbol back to shadow,
 * CANCELED in the blotter); then Flatten all after its confirmation.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeIbGateway } from '../fakes/ibGateway';
import { launchChromium, screenshot, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

let browser: Browser;
let gw: FakeIbGateway;
let server: ServeProcess;
let cleanup: () => void;
let ticker: NodeJS.Timeout | undefined;

beforeAll(async () => {
  gw = new FakeIbGateway({ prices: { NVDA: 100, MSFT: 400 } });
  await gw.start();
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServe(t.dir, ['--symbols', 'NVDA,MSFT', '--ib-port', String(gw.port)], {
    KESTREL_PROVIDERS: 'ibkr',
    KESTREL_BACKFILL: 'off',
  });
  browser = await launchChromium();
});

/**
 * The gateway prints only on a change; alternate by a cent so the engine's quotes stay fresh (the
 * risk engine denies orders against a stale quote). Until this starts the feed has too few
 * observations for the promotion gates, which is how the test gets a refusal to override.
 */
function startTicking(): void {
  let flip = false;
  ticker = setInterval(() => {
    flip = !flip;
    gw.setPrice('NVDA', flip ? 100.01 : 100);
    gw.setPrice('MSFT', flip ? 400.01 : 400);
  }, 250);
}

afterAll(async () => {
  clearInterval(ticker);
  await browser?.close();
  await server?.stop();
  await gw?.stop();
  cleanup?.();
});

/** Fills the ticket and presses Enter in the quantity field. */
async function ticket(
  page: Page,
  o: { symbol: string; side: 'BUY' | 'SELL'; qty: string; type?: 'MKT' | 'LMT'; limit?: string },
): Promise<void> {
  const form = page.getByRole('form', { name: 'Order ticket' });
  await form.getByLabel('Ticket symbol').selectOption(o.symbol);
  await form.getByRole('radio', { name: new RegExp(o.side) }).click();
  await form.getByRole('radio', { name: o.type ?? 'MKT' }).click();
  if (o.limit !== undefined) await form.getByLabel('Limit price').fill(o.limit);
  await form.getByLabel('Quantity').fill(o.qty);
  await form.getByLabel('Quantity').press('Enter');
}

const orderRows = (page: Page) => page.getByTestId('orders-table').locator('tbody tr.order-row');

describe('execution surfaces in Chromium against the fake IB Gateway', () => {
  it('ticket → blotter → live override → kill switch with progress → flatten', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(10_000);
    const watch = watchPage(page);
    await page.goto(server.url);
    try {
      await flow(page, watch);
    } catch (err) {
      await screenshot(page, 'execution-failure');
      throw err;
    }
    await page.close();
  }, 120_000);
});

async function flow(page: Page, watch: { errors: string[] }): Promise<void> {
  {
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('ACTIVE');
    // The status bar shows the paper broker and its account.
    await expect.poll(() => page.getByTestId('broker-status').textContent()).toBe('IB: connected · DU1234567PAPER');
    // The bottom area opens on the blotter, and the arrow keys switch tabs.
    const blotterTab = page.getByRole('tab', { name: 'Blotter' });
    expect(await blotterTab.getAttribute('aria-selected')).toBe('true');
    await blotterTab.focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Providers' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await blotterTab.getAttribute('aria-selected')).toBe('true');
    // --- MSFT to live: its gates fail (too few observations), so it needs a typed reason and a confirmed override ---
    const symbols = page.getByRole('region', { name: 'Symbols' });
    const msftModes = symbols.getByRole('radiogroup', { name: 'MSFT mode' });
    await msftModes.getByRole('radio', { name: 'live' }).click();
    const promo = page.getByTestId('live-promotion');
    await expect
      .poll(() => promo.getByRole('alert').textContent())
      .toMatch(/MSFT cannot go live: promotion gates fail/);
    await expect
      .poll(() => promo.getByTestId('promotion-gates').textContent())
      .toMatch(/✗ gates FAIL · \d of \d criteria fail/);
    expect(await promo.textContent()).toMatch(/IB: connected · DU1234567 · PAPER/);
    expect(await promo.textContent()).toMatch(/✗ samples: \d+ \(needs ≥ 30\)/);
    expect(await msftModes.getByRole('radio', { name: 'shadow' }).getAttribute('aria-checked')).toBe('true');
    // No reason, no override.
    await promo.getByRole('button', { name: 'Override…' }).click();
    await expect.poll(() => promo.getByText(/Type why you override/).count()).toBe(1);
    await promo.getByLabel('Override reason for MSFT').fill('e2e: paper test of the kill switch');
    await promo.getByRole('button', { name: 'Override…' }).click();
    const overrideDialog = page.getByRole('dialog', { name: 'Override and take MSFT live?' });
    await expect.poll(() => overrideDialog.isVisible()).toBe(true);
    await screenshot(page, 'override-confirm');
    await overrideDialog.getByRole('button', { name: 'Confirm override' }).click();
    await expect
      .poll(() => promo.getByTestId('promotion-result').textContent())
      .toMatch(/MSFT is LIVE by override since .*audit log .*e2e: paper test of the kill switch/);
    const msftLive = msftModes.getByRole('radio', { name: 'live' });
    expect(await msftLive.getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => page.getByRole('region', { name: 'Alerts' }).textContent()).toMatch(/override/i);

    startTicking();
    // Quotes must have arrived before a market order can pass the risk checks.
    await expect
      .poll(() => page.getByRole('region', { name: 'Symbols' }).getByRole('row', { name: /NVDA/ }).textContent())
      .toMatch(/100\.0\d/);

    // --- a manual shadow order: virtual, filled, with a shadow position ---
    await page.getByLabel('Ticket symbol').selectOption('NVDA');
    expect(await page.getByTestId('ticket-mode').textContent()).toBe('SHADOW · virtual');
    await ticket(page, { symbol: 'NVDA', side: 'BUY', qty: '10' });
    const outcome = page.getByTestId('ticket-outcome');
    await expect.poll(() => outcome.textContent()).toMatch(/FILLED.*BUY 10 NVDA MKT.*VIRTUAL/);
    const first = orderRows(page).first();
    await expect.poll(() => first.getAttribute('data-status')).toBe('FILLED');
    expect(await first.textContent()).toMatch(/NVDA▲ BUY10MKT10 @ 100\.0\d+VIRTUALmanualFILLED/);
    expect(gw.placedOrders()).toHaveLength(0); // shadow orders never reach the gateway
    const shadowPnl = page.getByTestId('pnl-shadow-NVDA');
    await expect.poll(() => shadowPnl.count()).toBe(1);
    expect(await shadowPnl.textContent()).toMatch(/^([+−][\d,]+\.\d\d|0\.00)$/);
    const nvdaShadow = page.locator('tr[data-symbol="NVDA"][data-mode="shadow"]');
    expect(await nvdaShadow.textContent()).toMatch(/SHADOW10100\.0\d/);
    expect(await page.locator('tr[data-symbol="NVDA"][data-mode="live"]').textContent()).toMatch(/no live position/);
    // The fills sub-list opens from the order row.
    await first.getByRole('button', { name: /show 1 fill/ }).click();
    await expect.poll(() => page.getByRole('list', { name: /^Fills of K-/ }).textContent()).toMatch(/▲ 10 @ 100\.0\d/);
    await screenshot(page, 'blotter');

    // --- bad input is stopped at the ticket; a risk denial shows its reason ---
    const form = page.getByRole('form', { name: 'Order ticket' });
    await form.getByRole('radio', { name: 'LMT' }).click();
    await form.getByLabel('Limit price').fill('');
    await form.getByLabel('Quantity').fill('1');
    await form.getByLabel('Quantity').press('Enter');
    await expect.poll(() => outcome.textContent()).toBe('A limit order needs a limit price');
    expect(await form.getByLabel('Limit price').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Quantity').press('Escape');
    await expect.poll(() => form.getByLabel('Quantity').inputValue()).toBe('');
    const before = await orderRows(page).count();
    await ticket(page, { symbol: 'NVDA', side: 'BUY', qty: '5000' });
    await expect.poll(() => outcome.textContent()).toMatch(/DENIED.*BUY 5,000 NVDA MKT.*VIRTUAL.*MAX_ORDER_QUANTITY/);
    expect(await outcome.getAttribute('role')).toBe('alert');
    await expect.poll(() => orderRows(page).count()).toBe(before + 1);
    expect(await orderRows(page).first().textContent()).toMatch(/DENIED.*MAX_ORDER_QUANTITY/);
    await screenshot(page, 'ticket-denied');

    // --- live orders: one fills (a live position), three stay working at the gateway ---
    await form.getByLabel('Ticket symbol').selectOption('MSFT');
    await expect.poll(() => page.getByTestId('ticket-mode').textContent()).toBe('LIVE · IB paper');
    const liveDialog = page.getByRole('dialog', { name: 'Send a LIVE order?' });
    async function live(o: Parameters<typeof ticket>[1], status: RegExp): Promise<void> {
      await ticket(page, o);
      await expect.poll(() => liveDialog.isVisible()).toBe(true);
      expect(await liveDialog.textContent()).toMatch(/DU1234567/);
      await liveDialog.getByRole('button', { name: 'Send live order' }).click();
      await expect.poll(() => outcome.textContent()).toMatch(status);
    }
    // Declining the dialog sends nothing.
    await ticket(page, { symbol: 'MSFT', side: 'BUY', qty: '4' });
    await expect.poll(() => liveDialog.isVisible()).toBe(true);
    await liveDialog.getByRole('button', { name: "Don't send" }).click();
    expect(gw.placedOrders()).toHaveLength(0);
    await live({ symbol: 'MSFT', side: 'BUY', qty: '5' }, /FILLED.*BUY 5 MSFT MKT.*LIVE/);
    gw.holdNextOrder();
    await live({ symbol: 'MSFT', side: 'BUY', qty: '7' }, /(SUBMITTED|ACCEPTED).*BUY 7 MSFT MKT.*LIVE/);
    await live({ symbol: 'MSFT', side: 'BUY', qty: '2', type: 'LMT', limit: '392' }, /(SUBMITTED|ACCEPTED).*LMT 392/);
    await live({ symbol: 'MSFT', side: 'BUY', qty: '3', type: 'LMT', limit: '392' }, /(SUBMITTED|ACCEPTED).*LMT 392/);
    await live({ symbol: 'MSFT', side: 'BUY', qty: '4', type: 'LMT', limit: '392' }, /(SUBMITTED|ACCEPTED).*LMT 392/);
    await expect.poll(() => gw.workingOrders(17).length).toBe(4);
    const working = page.locator('tr.order-row[data-status="ACCEPTED"]');
    await expect.poll(() => working.count()).toBe(4);
    // One is cancelled from the blotter; the kill switch gets the other three.
    await working
      .first()
      .getByRole('button', { name: /^Cancel BUY 4 MSFT/ })
      .click();
    await expect.poll(() => page.locator('tr.order-row[data-status="CANCELED"]').count()).toBe(1);
    await expect.poll(() => gw.workingOrders(17).length).toBe(3);
    await expect.poll(() => working.count()).toBe(3);
    await expect
      .poll(() => page.locator('tr[data-symbol="MSFT"][data-mode="live"]').textContent())
      .toMatch(/LIVE5400\.0\d/);
    await expect.poll(() => page.getByTestId('pnl-live-MSFT').count()).toBe(1);
    await screenshot(page, 'blotter-live');

    // --- the kill switch: HALTED, progress while the gateway is slow, then all cancelled ---
    gw.setAckDelay(1500);
    await page.getByRole('button', { name: /Kill switch/ }).click();
    await expect.poll(() => page.getByTestId('trading-state').textContent()).toContain('HALTED');
    const progress = page.getByTestId('kill-progress');
    await expect.poll(() => progress.textContent()).toMatch(/Cancelling [0-2] of 3…/);
    // The gateway holds its confirmations back: the orders show PENDING CANCEL meanwhile.
    await expect.poll(() => page.locator('tr.order-row[data-status="PENDING_CANCEL"]').count()).toBe(3);
    await screenshot(page, 'kill-progress');
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/^All 3 cancelled/);
    gw.setAckDelay(0);
    expect(await progress.textContent()).toMatch(/kill latency [\d.]+ ms/);
    expect(await progress.textContent()).toMatch(/MSFT → shadow/);
    expect(gw.receivedOfType('REQ_GLOBAL_CANCEL').length).toBeGreaterThanOrEqual(1);
    expect(gw.workingOrders(17)).toHaveLength(0);
    await expect.poll(() => msftLive.getAttribute('aria-checked')).toBe('false');
    expect(await msftModes.getByRole('radio', { name: 'shadow' }).getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => page.locator('tr.order-row[data-status="CANCELED"]').count()).toBe(4);
    expect(await page.locator('tr.order-row.tone-working').count()).toBe(0);
    // While HALTED a new order is denied with the reason.
    await ticket(page, { symbol: 'NVDA', side: 'BUY', qty: '1' });
    await expect.poll(() => outcome.textContent()).toMatch(/DENIED.*TRADING_HALTED/);
    await screenshot(page, 'kill-done');

    // --- flatten all: a separate action, only after its confirmation ---
    await page.getByRole('button', { name: 'Flatten all…' }).click();
    const flattenDialog = page.getByRole('dialog', { name: 'Flatten all positions?' });
    await expect.poll(() => flattenDialog.isVisible()).toBe(true);
    expect(await flattenDialog.textContent()).toMatch(
      /NVDA 10 \(shadow\).*MSFT 5 \(live\)|MSFT 5 \(live\).*NVDA 10 \(shadow\)/,
    );
    // Declining changes nothing.
    await flattenDialog.getByRole('button', { name: 'Keep positions' }).click();
    expect(gw.placedOrders().filter((o) => o.action === 'SELL')).toHaveLength(0);
    await page.getByRole('button', { name: 'Flatten all…' }).click();
    await screenshot(page, 'flatten-confirm');
    await flattenDialog.getByRole('button', { name: 'Confirm flatten' }).click();
    await expect
      .poll(() => page.getByTestId('flatten-result').textContent(), { timeout: 20_000 })
      .toMatch(/^Flat: 2 reduce-only orders/);
    await expect.poll(() => page.locator('tr[data-symbol="MSFT"][data-mode="live"]').textContent()).toMatch(/LIVE0/);
    await expect
      .poll(() => page.locator('tr[data-symbol="NVDA"][data-mode="shadow"]').textContent())
      .toMatch(/SHADOW0/);
    const sells = gw.placedOrders().filter((o) => o.action === 'SELL');
    expect(sells.map((o) => o.totalQty)).toEqual([5]);
    expect(await orderRows(page).first().textContent()).toMatch(/flatten · reduce/);
    await screenshot(page, 'flatten-done');
    expect(watch.errors).toEqual([]);
  }
}
