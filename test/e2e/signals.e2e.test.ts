/**
 * The signals panel and the chart's signal markers in Chromium, against `kestrel serve` with the
 * synthetic feed. Before serve starts, the data dir gets 120 minute bars per symbol ending a
 * minute ago (NVDA and AMD rising, MSFT falling, ending on the synthetic feed's own price) so the
 * engine warms up and decides at the next live minute close, plus a few recorded decisions so the
 * history has rows on open. AMD's threshold is 0.99, so its decisions are blocked.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signal } from '../../src/shared/domain';
import type { StoredBar } from '../../src/main/bars/types';
import { sessionState } from '../../src/main/marketdata/calendar';
import { SYNTHETIC_DEFAULT_SEED, SyntheticMarket } from '../../src/main/marketdata/providers/syntheticMarket';
import { SqliteBarStore } from '../../src/main/storage/barRepo';
import { openDatabase } from '../../src/main/storage/db';
import { SignalRepo } from '../../src/main/storage/signalRepo';
import { launchChromium, SCREENSHOT_DIR, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

const MIN = 60_000;
const BARS = 120;
const SYMBOLS = ['NVDA', 'MSFT', 'AMD'] as const;
let browser: Browser;
let server: ServeProcess;
let cleanup: () => void;
let startedAt: number;
let seededSignals = 0;

/** Trending minute bars ending at the synthetic feed's price of the current minute. */
function seedBars(now: number): StoredBar[] {
  const market = new SyntheticMarket({ seed: SYNTHETIC_DEFAULT_SEED, sessions: 'always', startTs: now });
  const current = Math.floor(now / MIN) * MIN;
  const bars: StoredBar[] = [];
  for (const symbol of SYMBOLS) {
    const q = market.quoteAt(symbol, current);
    if (q === null) throw new Error(`no synthetic quote for ${symbol}`);
    const end = q.last ?? (q.bid + q.ask) / 2;
    const dir = symbol === 'MSFT' ? -1 : 1;
    // The pair's weights scale with each leg's price; the single policy's with a ~$200 stock.
    const step = symbol === 'AMD' ? 0.12 : end * 0.0006;
    const close = (i: number) => end + dir * step * (i - BARS + 1) + step * 0.6 * Math.sin(i * 1.7);
    for (let i = 0; i < BARS; i++) {
      const o = i === 0 ? close(0) - dir * step : close(i - 1);
      const c = close(i);
      const ts = current - (BARS - i) * MIN;
      bars.push({
        symbol,
        interval: '1m',
        ts,
        o,
        h: Math.max(o, c) + step * 0.4,
        l: Math.min(o, c) - step * 0.4,
        c,
        v: 1000 + ((i * 37) % 900),
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

/** Earlier decisions: the pair passing and then cooling down, AMD blocked on confidence. */
function seedSignals(now: number): Signal[] {
  const current = Math.floor(now / MIN) * MIN;
  const out: Signal[] = [];
  const dualProbs = [0.01, 0.01, 0.01, 0.01, 0.04, 0.01, 0.88, 0.02, 0.01];
  for (let k = 8; k >= 2; k--) {
    const barTs = current - k * 7 * MIN;
    const base = {
      policy: 'dual' as const,
      symbols: ['NVDA', 'MSFT'],
      action: 'BUY_A_SELL_B' as const,
      legs: [
        { symbol: 'NVDA', side: 'BUY' as const },
        { symbol: 'MSFT', side: 'SELL' as const },
      ],
      probs: dualProbs,
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
    out.push({
      ts: barTs + 4 * MIN + 6,
      barTs: barTs + 3 * MIN,
      policy: 'single',
      symbols: ['AMD'],
      action: 'BUY',
      legs: [{ symbol: 'AMD', side: 'BUY' }],
      probs: [0.02, 0.08, 0.9],
      confidence: 0.9,
      threshold: 0.99,
      passed: false,
      reason: 'confidence',
      reasons: ['confidence'],
      detail: 'confidence 0.90 < 0.99',
      latencyUs: 9,
      mode: 'shadow',
    });
  }
  return out;
}

beforeAll(async () => {
  browser = await launchChromium();
  const t = tempDir();
  cleanup = t.cleanup;
  // Date.now() is fine here: the seeds line up with the wall clock the served app runs on.
  startedAt = Date.now();
  const db = openDatabase(t.dir);
  new SqliteBarStore(db).upsert(seedBars(startedAt));
  const repo = new SignalRepo(db);
  const signals = seedSignals(startedAt);
  for (const s of signals) repo.append(s);
  repo.flush();
  seededSignals = signals.length;
  db.close();
  fs.writeFileSync(path.join(t.dir, 'kestrel.config.json'), JSON.stringify({ signals: { thresholds: { AMD: 0.99 } } }));
  server = await startServe(t.dir, ['--symbols', SYMBOLS.join(',')], {
    KESTREL_SYNTHETIC_SESSIONS: 'always',
    KESTREL_BACKFILL: 'off',
    KESTREL_SIGNAL_EXTENDED_HOURS: '1',
    KESTREL_SIGNAL_THRESHOLD: '0.5',
    KESTREL_SIGNAL_COOLDOWN_MS: '120000',
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

interface Health {
  symbols: { symbol: string; lastSignal: { action: string; passed: boolean; reason: string | null } | null }[];
}

async function lastSignal(symbol: string) {
  const h = (await (await fetch(`${server.origin}/healthz`)).json()) as Health;
  return h.symbols.find((s) => s.symbol === symbol)?.lastSignal ?? null;
}

async function shoot(page: Page, name: string, selector?: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file });
}

describe('signals panel and chart markers in Chromium', () => {
  it('shows history on open, then the first live decision with its confidence, reason, latency and markers', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await page.goto(server.url);
    const panel = page.getByRole('region', { name: 'Signals' });

    // History from listSignals on open: every seeded decision, newest first.
    const history = panel.getByRole('list', { name: /^History/ });
    await expect.poll(() => history.getByRole('listitem').count(), { timeout: 10_000 }).toBe(seededSignals);
    const firstRow = (await history.getByRole('listitem').first().textContent()) ?? '';
    expect(firstRow).toMatch(/AMD.*BUY.*0\.90.*low confidence 0\.90 < 0\.99/);
    expect(await history.textContent()).toMatch(/cooldown 60 s left \(BUY NVDA\)/);

    // The first live decision: the next minute close (up to ~70 s away).
    await expect.poll(() => lastSignal('NVDA'), { timeout: 80_000, interval: 1000 }).not.toBeNull();
    await expect.poll(() => lastSignal('AMD'), { timeout: 10_000, interval: 500 }).not.toBeNull();
    const pair = (await lastSignal('NVDA'))!;
    const amd = (await lastSignal('AMD'))!;
    // The seeded tapes: NVDA up and MSFT down make the pair buy NVDA and sell MSFT; AMD buys, gated.
    expect(pair.action).toBe('BUY_A_SELL_B');
    expect(amd).toMatchObject({ action: 'BUY', passed: false });
    // Passing needs a session the gate allows (regular or, with extended hours, pre/post).
    const open = sessionState(Date.now()).state !== 'closed';
    expect(pair.passed).toBe(open);

    const latest = panel.getByRole('list', { name: 'Latest signal per symbol' });
    expect(await latest.getAttribute('aria-live')).toBe('polite');
    const pairCard = latest.getByRole('listitem').filter({ hasText: 'NVDA/MSFT' });
    await expect.poll(() => history.getByRole('listitem').count(), { timeout: 10_000 }).toBeGreaterThan(seededSignals);
    await expect.poll(() => pairCard.textContent()).toMatch(/▲ BUY NVDA.*▼ SELL MSFT/);
    const meter = pairCard.getByRole('meter', { name: 'NVDA/MSFT confidence' });
    const confidence = Number(await meter.getAttribute('aria-valuenow'));
    expect(confidence).toBeGreaterThan(0.5);
    expect(await meter.getAttribute('aria-valuetext')).toMatch(/^0\.\d\d, threshold 0\.50$/);
    expect(await pairCard.textContent()).toMatch(open ? /✓ passed/ : /blocked: market closed/);
    const amdCard = latest.getByRole('listitem').filter({ hasText: 'AMD' });
    await expect.poll(() => amdCard.textContent()).toMatch(/▲ BUY.*blocked: low confidence 0\.\d\d < 0\.99/);
    expect(await amdCard.getByRole('meter').getAttribute('aria-valuetext')).toMatch(/threshold 0\.99$/);

    // Decision latency from getSignalStats.
    const latency = panel.getByTestId('signal-latency');
    await expect
      .poll(() => latency.textContent(), { timeout: 10_000 })
      .toMatch(/p50 [\d.]+ (µs|ms).*p95 [\d.]+.*p99 [\d.]+/);

    // The history is reachable by keyboard.
    await history.focus();
    expect(
      await history.evaluate(
        (el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement,
      ),
    ).toBe(true);
    await shoot(page, 'signals-panel', '.signals-panel');

    // Markers: counted next to the legend (they are drawn on canvas).
    const chart = page.getByRole('region', { name: 'Chart' });
    const picker = chart.getByRole('combobox', { name: 'Chart symbol' });
    const markers = chart.getByTestId('signal-markers');
    await picker.selectOption('NVDA');
    // Seeded: 7 passed buys and 7 gated ones (cooldown), plus the live one.
    await expect.poll(() => markers.textContent(), { timeout: 10_000 }).toMatch(/buy (1[5-9]) · ▼ sell 0/);
    expect(await markers.textContent()).toMatch(open ? /gated: 7\)/ : /gated: 8\)/);
    await shoot(page, 'chart-markers');
    await picker.selectOption('MSFT');
    await expect.poll(() => markers.textContent(), { timeout: 10_000 }).toMatch(/buy 0 · ▼ sell 1[5-9]/);
    await picker.selectOption('AMD');
    await expect.poll(() => markers.textContent(), { timeout: 10_000 }).toMatch(/buy ([89]) .*gated: \1\)/);
    // Coarser intervals: one marker per bucket and side; the 7 seeded AMD decisions sit in 7 buckets of 5 min.
    await chart.getByRole('radio', { name: '5m', exact: true }).click();
    await expect.poll(() => markers.textContent(), { timeout: 10_000 }).toMatch(/buy [78] /);
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 150_000);
});
