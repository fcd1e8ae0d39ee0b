/**
 * The workstation in Chromium against `kestrel serve` with the synthetic feed: (c) layout
 * screenshots at 1440×900 and 1920×1080 (dark) and 1440×900 (light) of a realistic session (120
 * seeded minute bars per symbol so signals decide live, seeded decisions, a few shadow orders),
 * written to docs/screenshots/ and checked for clipped or overflowing chrome; (a) keyboard only:
 * the palette switches a symbol off and back to shadow, Ctrl+Shift+K halts, the palette's re-arm
 * goes through its confirmation; (b) theme, bottom tab and column width survive a reload, a corrupt
 * stored layout falls back to the defaults, and "Reset layout" restores them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBar } from '../../src/main/bars/types';
import { SYNTHETIC_DEFAULT_SEED, SyntheticMarket } from '../../src/main/marketdata/providers/syntheticMarket';
import { SqliteBarStore } from '../../src/main/storage/barRepo';
import { openDatabase } from '../../src/main/storage/db';
import { SignalRepo } from '../../src/main/storage/signalRepo';
import { sessionState } from '../../src/main/marketdata/calendar';
import type { Signal } from '../../src/shared/domain';
import { launchChromium, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';
import { WsContractClient } from '../helpers/wsContractClient';

const MIN = 60_000;
const BARS = 120;
const SYMBOLS = ['NVDA', 'MSFT', 'AMD'] as const;
/** The README's screenshots are refreshed only on request (KESTREL_UPDATE_SCREENSHOTS=1), so test runs leave the tree clean. */
const DOCS = process.env.KESTREL_UPDATE_SCREENSHOTS
  ? path.resolve('docs/screenshots')
  : path.resolve('test-results/screenshots');
/** Polls wait for a browser and engine round trip, which takes longer on a loaded machine. */
const SLOW = { timeout: 10_000 };
let browser: Browser;
let server: ServeProcess;
let cleanup: () => void;

/** Minute bars ending at the synthetic feed's current price: NVDA and AMD rising, MSFT falling. */
function seedBars(now: number): StoredBar[] {
  const market = new SyntheticMarket({ seed: SYNTHETIC_DEFAULT_SEED, sessions: 'always', startTs: now });
  const current = Math.floor(now / MIN) * MIN;
  const bars: StoredBar[] = [];
  for (const symbol of SYMBOLS) {
    const q = market.quoteAt(symbol, current);
    if (q === null) throw new Error(`no synthetic quote for ${symbol}`);
    const end = q.last ?? (q.bid + q.ask) / 2;
    const dir = symbol === 'MSFT' ? -1 : 1;
    const step = end * 0.0006;
    const close = (i: number) => end + dir * step * (i - BARS + 1) + step * 2.5 * Math.sin(i * 0.7);
    for (let i = 0; i < BARS; i++) {
      const o = i === 0 ? close(0) - dir * step : close(i - 1);
      const c = close(i);
      const ts = current - (BARS - i) * MIN;
      bars.push({
        symbol,
        interval: '1m',
        ts,
        o,
        h: Math.max(o, c) + step * (0.5 + (i % 3) * 0.4),
        l: Math.min(o, c) - step * (0.5 + (i % 4) * 0.3),
        c,
        v: 1000 + ((i * 373) % 2900),
        vw: null,
        n: null,
        provider: 'synthetic',
        asOf: ts + MIN,
        status: 'live',
      });
    }
  }
  return bars;
}

/** Earlier decisions for the signals history: the pair passing, then a cooldown block. */
function seedSignals(now: number): Signal[] {
  const current = Math.floor(now / MIN) * MIN;
  const out: Signal[] = [];
  for (let k = 6; k >= 1; k--) {
    const barTs = current - k * 9 * MIN;
    const base = {
      policy: 'dual' as const,
      symbols: ['NVDA', 'MSFT'],
      action: 'BUY_A_SELL_B' as const,
      legs: [
        { symbol: 'NVDA', side: 'BUY' as const },
        { symbol: 'MSFT', side: 'SELL' as const },
      ],
      probs: [0.01, 0.01, 0.01, 0.01, 0.04, 0.01, 0.88, 0.02, 0.01],
      confidence: 0.88,
      threshold: 0.5,
      latencyUs: 18 + k,
      mode: 'shadow' as const,
    };
    out.push({ ...base, ts: barTs + MIN + 4, barTs, passed: true, reason: null, reasons: [], detail: '' });
    out.push({
      ...base,
      ts: barTs + 2 * MIN + 4,
      barTs: barTs + MIN,
      passed: false,
      reason: 'cooldown',
      reasons: ['cooldown'],
      detail: 'BUY NVDA passed 60 s ago (cooldown 120 s)',
    });
  }
  return out;
}

beforeAll(async () => {
  browser = await launchChromium();
  const t = tempDir();
  cleanup = t.cleanup;
  // Date.now() is fine here: the seeds line up with the wall clock the served app runs on.
  const now = Date.now();
  const db = openDatabase(t.dir);
  new SqliteBarStore(db).upsert(seedBars(now));
  const repo = new SignalRepo(db);
  for (const s of seedSignals(now)) repo.append(s);
  repo.flush();
  db.close();
  server = await startServe(t.dir, ['--symbols', SYMBOLS.join(',')], {
    KESTREL_SYNTHETIC_SESSIONS: 'always',
    KESTREL_BACKFILL: 'off',
    KESTREL_SIGNAL_EXTENDED_HOURS: '1',
    KESTREL_SIGNAL_THRESHOLD: '0.5',
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

async function open(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect.poll(() => page.getByText('Engine: connected').count(), { timeout: 10_000 }).toBe(1);
  await expect.poll(() => page.getByRole('radiogroup', { name: 'AMD mode' }).count(), { timeout: 10_000 }).toBe(1);
  // The alert centre waits for the connection before it asks for its history.
  await expect
    .poll(() => page.getByRole('region', { name: /^Alerts/ }).textContent(), SLOW)
    .toMatch(/No alerts yet|Ack|read/);
  expect(await page.getByText(/not connected to the engine/).count()).toBe(0);
}

const modeOf = (page: Page, symbol: string) =>
  page
    .getByRole('radiogroup', { name: `${symbol} mode` })
    .locator('[aria-checked="true"]')
    .textContent();
const tradingState = (page: Page) => page.getByTestId('trading-state').textContent();
/*
 * Browser-side checks are strings: this file is typechecked without the DOM library (tsconfig.node).
 */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'BODY';
  return el.tagName + '|' + (el.getAttribute('role') ?? '') + '|' + (el.getAttribute('aria-label') ?? el.textContent ?? '');
})()`;
const focused = (page: Page) => page.evaluate<string>(FOCUSED);

/**
 * Chrome the trader reads must not be clipped (content wider than its box), and the page itself
 * must not scroll; for vertical overflow, names what pushes the page (not content in a scroll box).
 */
const CLIPPED = `(() => {
  const out = [];
  const sel = '.topbar > *, .statusbar .sb-item, .statusbar .broker-status, .tab, .kill-switch, .seg, .grid th';
  for (const el of document.querySelectorAll(sel)) {
    if (el.offsetParent === null) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push(el.className + ': ' + (el.textContent ?? '').slice(0, 40));
  }
  if (document.documentElement.scrollWidth > innerWidth) out.push('page scrolls horizontally');
  if (document.documentElement.scrollHeight > innerHeight) {
    const below = [...document.querySelectorAll('body *')].filter((el) => {
      const r = el.getBoundingClientRect();
      if (r.bottom <= innerHeight + 1 || r.height === 0) return false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (getComputedStyle(p).overflowY !== 'visible') return false;
      return true;
    });
    out.push('page scrolls vertically: ' + below.map((el) => el.tagName + '.' + el.className).join(', '));
  }
  return out;
})()`;
const clipped = (page: Page) => page.evaluate<string[]>(CLIPPED);

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(DOCS, { recursive: true });
  const file = path.join(DOCS, `${name}.png`);
  await page.screenshot({ path: file });
  // A PNG of the viewport's size (IHDR width and height at bytes 16..24).
  const png = fs.readFileSync(file);
  const vp = page.viewportSize()!;
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([vp.width, vp.height]);
}

describe('the workstation in Chromium', () => {
  it('(c) layout screenshots of a realistic session at 1440×900 and 1920×1080, dark and light', async () => {
    // A few shadow orders, as a trader would place them.
    const token = new URL(server.url).searchParams.get('token')!;
    const ws = await WsContractClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`);
    const orders = [
      { symbol: 'NVDA', side: 'BUY', quantity: 100, type: 'MKT' },
      { symbol: 'MSFT', side: 'SELL', quantity: 40, type: 'MKT' },
      { symbol: 'AMD', side: 'BUY', quantity: 80, type: 'MKT' },
      { symbol: 'NVDA', side: 'SELL', quantity: 30, type: 'MKT' },
    ];
    // Quotes arrive a moment after start; the risk engine denies orders against no quote.
    await expect
      .poll(
        async () => {
          const snap = (await ws.call('getSnapshot')).result as { ticks: { symbol: string }[] } | undefined;
          return snap?.ticks.length ?? 0;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(SYMBOLS.length);
    for (const o of orders) {
      const r = await ws.call('placeOrder', o);
      expect(r.ok).toBe(true);
      expect(r.result).not.toMatchObject({ status: 'DENIED' });
    }
    // The heartbeat carries the New York session for the status-bar clock.
    ws.events.length = 0;
    const beat = (await ws.waitEvent('heartbeat', 3000)) as { ts: number; session?: string };
    expect(beat.session).toBe(sessionState(beat.ts).state);
    ws.close();

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await open(page);
    await page.getByRole('combobox', { name: 'Chart symbol' }).selectOption('NVDA');
    await expect
      .poll(() => page.getByTestId('orders-table').locator('tbody tr').count(), SLOW)
      .toBeGreaterThanOrEqual(4);
    // The first live decision (the next minute close) puts a latency figure in the status bar.
    await expect
      .poll(() => page.getByTestId('status-latency').textContent(), { timeout: 80_000, interval: 1000 })
      .toMatch(/p95 [\d.]+ (µs|ms)/);
    await expect
      .poll(() => page.getByTestId('signal-latency').textContent(), { timeout: 15_000 })
      .toMatch(/p95 [\d.]+ (µs|ms)/);
    await expect
      .poll(() => page.getByTestId('status-clock').textContent(), SLOW)
      .toMatch(/\d\d:\d\d:\d\d ET(PRE|REG|AFT|CLO)/);
    expect(await page.getByTestId('status-feeds').textContent()).toMatch(
      /AMD synthetic.*MSFT synthetic.*NVDA synthetic/,
    );

    await shoot(page, 'workstation-1440x900');
    expect(await clipped(page)).toEqual([]);
    // A fresh window at 1920×1080, as a trader opens it (the chart fits its bars on open).
    const wide = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const wideWatch = watchPage(wide);
    await open(wide);
    await wide.getByRole('combobox', { name: 'Chart symbol' }).selectOption('NVDA');
    await expect
      .poll(() => wide.getByTestId('orders-table').locator('tbody tr').count(), SLOW)
      .toBeGreaterThanOrEqual(4);
    await expect
      .poll(() => wide.getByTestId('signal-latency').textContent(), { timeout: 15_000 })
      .toMatch(/p95 [\d.]+ (µs|ms)/);
    await wide.waitForTimeout(500); // the chart's first fit happens on the next frame
    await shoot(wide, 'workstation-1920x1080');
    expect(await clipped(wide)).toEqual([]);
    expect(wideWatch.errors).toEqual([]);
    await wide.close();

    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    await page.waitForTimeout(300);
    await shoot(page, 'workstation-light-1440x900');
    expect(await clipped(page)).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 150_000);

  it('(a) keyboard only: palette → AMD off and back to shadow, Ctrl+Shift+K halts, palette re-arm confirms', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await open(page);
    const kb = page.keyboard;
    expect(await modeOf(page, 'AMD')).toBe('shadow');
    expect(await tradingState(page)).toContain('ACTIVE');

    // The palette: a modal with a combobox over a listbox; Escape closes it and focus comes back.
    const before = await focused(page);
    await kb.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await expect.poll(() => palette.isVisible(), SLOW).toBe(true);
    expect(await focused(page)).toBe('INPUT|combobox|Command');
    await kb.press('Escape');
    await expect.poll(() => palette.isVisible(), SLOW).toBe(false);
    expect(await focused(page)).toBe(before);

    // AMD off, then off → shadow, by typing and Enter.
    await kb.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).isVisible(), SLOW).toBe(true);
    await kb.type('amd off');
    expect(await palette.getByRole('option', { selected: true }).textContent()).toMatch(/AMD: shadow → off/);
    await kb.press('Enter');
    await expect.poll(() => modeOf(page, 'AMD'), SLOW).toBe('off');
    await kb.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).isVisible(), SLOW).toBe(true);
    await kb.type('amd shadow');
    const options = palette.getByRole('option');
    expect(await options.first().textContent()).toMatch(/AMD: off → shadow/);
    // Arrow keys move the highlight; the first option is back on ArrowUp from the second.
    await kb.press('ArrowDown');
    await kb.press('ArrowUp');
    expect(await palette.getByRole('option', { selected: true }).textContent()).toMatch(/AMD: off → shadow/);
    await kb.press('Enter');
    await expect.poll(() => modeOf(page, 'AMD'), SLOW).toBe('shadow');

    // The kill switch by its shortcut.
    await kb.press('Control+Shift+K');
    await expect.poll(() => tradingState(page), SLOW).toContain('HALTED');
    await expect.poll(() => page.getByTestId('status-trading').textContent(), SLOW).toBe('Trading HALTED');

    // Re-arm from the palette: its confirmation opens with "Stay halted" focused; Tab, Enter confirms.
    await kb.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).isVisible(), SLOW).toBe(true);
    await kb.type('re-arm');
    await kb.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Re-arm trading?' });
    await expect.poll(() => confirm.isVisible(), SLOW).toBe(true);
    expect(await focused(page)).toMatch(/^BUTTON\|\|Stay halted/);
    expect(await tradingState(page)).toContain('HALTED');
    await kb.press('Tab');
    expect(await focused(page)).toMatch(/^BUTTON\|\|Confirm re-arm/);
    await kb.press('Enter');
    await expect.poll(() => tradingState(page), SLOW).toContain('ACTIVE');

    // The shortcuts list by '?', closed by Escape.
    await kb.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => help.isVisible(), SLOW).toBe(true);
    expect(await help.textContent()).toMatch(/Ctrl\+Shift\+K.*kill switch/);
    await kb.press('Escape');
    await expect.poll(() => help.isVisible(), SLOW).toBe(false);
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('(b) theme, bottom tab and column width survive a reload; corrupt storage → defaults; Reset layout', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await open(page);
    const theme = () => page.locator('html').getAttribute('data-theme');
    const leftSplit = page.getByRole('separator', { name: 'Resize the symbols column' });
    const leftWidth = async () => Math.round((await page.locator('aside.left').boundingBox())?.width ?? 0);
    expect(await theme()).toBe('dark');
    expect(await leftSplit.getAttribute('aria-valuenow')).toBe('440');

    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.getByRole('tab', { name: 'Providers' }).click();
    await leftSplit.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    expect(await leftSplit.getAttribute('aria-valuenow')).toBe('504');
    expect(await leftWidth()).toBe(504);
    // The bottom tabs grow upwards with ↑.
    const bottomSplit = page.getByRole('separator', { name: 'Resize the bottom tabs' });
    await bottomSplit.focus();
    await page.keyboard.press('Shift+ArrowUp');
    expect(await bottomSplit.getAttribute('aria-valuenow')).toBe('414');

    await page.reload();
    await open(page);
    expect(await theme()).toBe('light');
    expect(await page.getByRole('tab', { name: 'Providers' }).getAttribute('aria-selected')).toBe('true');
    expect(await leftSplit.getAttribute('aria-valuenow')).toBe('504');
    expect(await leftWidth()).toBe(504);
    expect(await bottomSplit.getAttribute('aria-valuenow')).toBe('414');
    expect(Math.round((await page.locator('section.bottom').boundingBox())?.height ?? 0)).toBe(414);

    // A corrupt stored layout loads as the defaults rather than breaking the page.
    await page.evaluate(`localStorage.setItem('kestrel.layout.v1', '{"theme": "light", "leftWidth": "wide')`);
    await page.reload();
    await open(page);
    expect(await theme()).toBe('dark');
    expect(await leftSplit.getAttribute('aria-valuenow')).toBe('440');

    // Reset layout from the palette.
    await page.getByRole('tab', { name: 'Backtests' }).click();
    await leftSplit.focus();
    await page.keyboard.press('End');
    expect(await leftSplit.getAttribute('aria-valuenow')).toBe('720');
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).isVisible(), SLOW).toBe(true);
    await page.keyboard.type('reset layout');
    await page.keyboard.press('Enter');
    expect(await leftSplit.getAttribute('aria-valuenow')).toBe('440');
    expect(await page.getByRole('tab', { name: 'Blotter' }).getAttribute('aria-selected')).toBe('true');
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
