import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBar } from '../../src/main/bars/types';
import { previousTradingDay, sessionForDay } from '../../src/main/marketdata/calendar';
import { SqliteBarStore } from '../../src/main/storage/barRepo';
import { openDatabase } from '../../src/main/storage/db';
import { nyDateKey } from '../../src/main/time/newYork';
import { launchChromium, screenshot, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

const MIN = 60_000;
let browser: Browser;
let server: ServeProcess;
let cleanup: () => void;
/** The session seeded before serve: the last full trading day, with 10:00–10:15 missing. */
let session: { open: number; close: number };

/**
 * The last session before today, minute by minute, with a hole and a backfilled stretch, ending
 * at `last` so the live candles continue it on the same price scale. Written while serve runs
 * (SQLite WAL takes a second writer), before the page opens the chart.
 */
function seed(dir: string, last: number): void {
  // Date.now() is fine here: the test seeds relative to the wall clock the served app runs on.
  const day = previousTradingDay(nyDateKey(Date.now()));
  const s = sessionForDay(day)!;
  session = { open: s.open, close: s.close };
  const bars: StoredBar[] = [];
  const count = (s.close - s.open) / MIN;
  // A wave around `last`, about ±2 %, ending on it.
  const at = (minute: number) => Math.round(last * (1 + 0.02 * Math.sin(((count - minute) / count) * 9)) * 100) / 100;
  for (let ts = s.open; ts < s.close; ts += MIN) {
    const minute = (ts - s.open) / MIN;
    const o = at(minute);
    const c = at(minute + 1);
    if (minute >= 30 && minute < 45) continue; // 10:00–10:15: the hole
    bars.push({
      symbol: 'NVDA',
      interval: '1m',
      ts,
      o,
      h: Math.max(o, c) + last * 0.0008,
      l: Math.min(o, c) - last * 0.0008,
      c,
      v: 1000 + ((minute * 37) % 900),
      vw: null,
      n: null,
      provider: minute >= 90 && minute < 110 ? 'import' : 'synthetic',
      asOf: ts + MIN,
      // 11:00–11:20 came later from a backfill.
      status: minute >= 90 && minute < 110 ? 'backfilled' : 'live',
    });
  }
  const db = openDatabase(dir);
  new SqliteBarStore(db).upsert(bars);
  db.close();
}

beforeAll(async () => {
  browser = await launchChromium();
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServe(t.dir, [], { KESTREL_SYNTHETIC_SESSIONS: 'always', KESTREL_BACKFILL: 'off' });
  let last: number | null = null;
  const deadline = Date.now() + 15_000;
  while (last === null) {
    if (Date.now() > deadline) throw new Error(`no NVDA price from the synthetic feed:\n${server.output()}`);
    const health = (await (await fetch(`${server.origin}/healthz`)).json()) as {
      symbols: { symbol: string; lastPrice: number | null }[];
    };
    last = health.symbols.find((x) => x.symbol === 'NVDA')?.lastPrice ?? null;
    if (last === null) await new Promise((r) => setTimeout(r, 100));
  }
  seed(t.dir, last);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

const nyClock = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

describe('chart panel in Chromium', () => {
  it('loads history with a marked gap and backfilled bars, then moves with live bars', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await page.goto(server.url);
    const panel = page.getByRole('region', { name: 'Chart' });
    // The symbol switcher is a native select; the first watched symbol (MSFT) shows first.
    const picker = panel.getByRole('combobox', { name: 'Chart symbol' });
    await expect.poll(() => picker.inputValue()).toBe('MSFT');
    await picker.selectOption('NVDA');

    // The seeded hole is reported with its times, in New York time.
    const gaps = panel.getByLabel('Gaps');
    const holeFrom = nyClock.format(session.open + 30 * MIN);
    const holeTo = nyClock.format(session.open + 45 * MIN);
    expect(holeFrom).toBe('10:00');
    await expect.poll(() => gaps.textContent(), { timeout: 10_000 }).toContain(`${holeFrom}–${holeTo} (15 min)`);

    // Live: the newest bar is the current minute and its candle moves with the synthetic trades.
    const readout = panel.getByRole('status', { name: 'Bar under the crosshair' });
    await expect
      .poll(
        async () => {
          const text = (await readout.textContent()) ?? '';
          const now = Date.now();
          return [nyClock.format(now), nyClock.format(now - MIN)].some((hhmm) => text.includes(`${hhmm} NY`));
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const first = await readout.textContent();
    await expect.poll(() => readout.textContent(), { timeout: 15_000 }).not.toBe(first);

    // Honest labels: simulated data says so; the legend tells backfilled bars and gaps apart.
    await expect.poll(() => panel.getByText('SIM', { exact: true }).count()).toBeGreaterThan(0);
    const legend = (await panel.textContent()) ?? '';
    expect(legend).toMatch(/backfilled/);
    expect(legend).toMatch(/gap \(missing session minutes\)/);
    expect(legend).toMatch(/simulated feed: no real intraday data/);

    // The crosshair's readout: hovering the left part of the chart shows a bar of the seeded session.
    const canvas = panel.getByRole('img', { name: /candlestick chart/ });
    expect(await canvas.getAttribute('aria-label')).toMatch(/^NVDA 1m/);
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    const seededDay = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      month: 'short',
      day: 'numeric',
    }).format(session.open);
    await expect.poll(() => readout.textContent()).toMatch(new RegExp(`${seededDay}, \\d\\d:\\d\\d NY.*O \\d`));
    await screenshot(page, 'chart');
    await page.mouse.move(box.x + box.width + 50, box.y - 50);
    await canvas.focus();

    // Keys 1–5 switch the interval while the chart has focus.
    await page.keyboard.press('4');
    await expect.poll(() => panel.getByRole('radio', { name: '1h' }).getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => gaps.textContent(), { timeout: 10_000 }).toContain(`${holeFrom}–${holeTo} (15 min)`);
    await expect.poll(() => readout.textContent()).toMatch(/O \d+\.\d{2}.*V /);
    await screenshot(page, 'chart-1h');
    await page.keyboard.press('1');
    await expect.poll(() => panel.getByRole('radio', { name: '1m' }).getAttribute('aria-checked')).toBe('true');

    // Back to MSFT: only live bars, no seeded history, so no gap.
    await picker.selectOption('MSFT');
    await expect.poll(() => canvas.getAttribute('aria-label')).toMatch(/^MSFT 1m/);
    await expect.poll(() => readout.textContent(), { timeout: 15_000 }).toMatch(/C \d+\.\d{2}/);

    // The bundled S&P 500 dataset opens on 1D, from the data dir's SQLite, labelled by its source.
    await picker.selectOption('SPX');
    await expect.poll(() => panel.getByRole('radio', { name: '1d' }).getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => canvas.getAttribute('aria-label')).toMatch(/^SPX 1d/);
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('source: dataset');
    // Real daily data: no SIM label and no simulated-feed note.
    expect(await panel.textContent()).not.toContain('simulated feed');
    await screenshot(page, 'chart-spx-daily');
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 90_000);
});
