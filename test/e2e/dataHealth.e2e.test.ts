/**
 * The data health panel in Chromium: gap state per symbol, backfill queue depths, and the
 * dead-letter queue. Dead jobs are written into SQLite before serve starts (as a crashed or
 * long-failing backfill leaves them); the trader requeues one, purges one after confirming, and
 * sees the engine's refusal when a job is no longer dead.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previousTradingDay, sessionForDay } from '../../src/main/marketdata/calendar';
import { openDatabase } from '../../src/main/storage/db';
import { nyDateKey } from '../../src/main/time/newYork';
import { launchChromium, screenshot, watchPage } from '../helpers/browser';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

const MIN = 60_000;
let browser: Browser;
let server: ServeProcess;
let cleanup: () => void;
let dir: string;
/** Ids of the seeded dead jobs: NVDA 10:00–10:15, NVDA 11:00–11:05, MSFT 13:00–13:30. */
let ids: number[] = [];

function seedDeadJobs(dataDir: string): number[] {
  // Date.now() is fine here: the jobs sit on the last session before the served app's today.
  const day = previousTradingDay(nyDateKey(Date.now()));
  const open = sessionForDay(day)!.open;
  const db = openDatabase(dataDir);
  const insert = db.prepare(
    `INSERT INTO backfill_jobs (symbol, interval, from_ts, to_ts, tier, state, attempts, next_attempt_at, last_error,
       provider, bars_filled, created_at, updated_at)
     VALUES (?, '1m', ?, ?, ?, 'dead', 5, ?, ?, ?, 0, ?, ?)`,
  );
  const rows: [string, number, number, string, string][] = [
    ['NVDA', 30, 45, 'T1', 'HTTP 503 Service Unavailable'],
    ['NVDA', 90, 95, 'T1', 'no provider with historical bars is available'],
    ['MSFT', 210, 240, 'T2', 'empty answer for a range under 30 min old'],
  ];
  const out = rows.map(([symbol, from, to, tier, err]) => {
    const at = open + to * MIN + 3_600_000;
    const r = insert.run(symbol, open + from * MIN, open + to * MIN, tier, at, err, 'polygon', at - 600_000, at);
    return Number(r.lastInsertRowid);
  });
  db.close();
  return out;
}

beforeAll(async () => {
  browser = await launchChromium();
  const t = tempDir();
  cleanup = t.cleanup;
  dir = t.dir;
  ids = seedDeadJobs(dir);
  server = await startServe(dir, [], { KESTREL_SYNTHETIC_SESSIONS: 'always', KESTREL_BACKFILL: 'off' });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

describe('data health panel in Chromium', () => {
  it('lists dead backfill jobs; requeue moves one out, purge asks first, refusals are shown', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watch = watchPage(page);
    await page.goto(server.url);
    const panel = page.getByRole('region', { name: 'Data health' });
    const dlq = panel.getByRole('list', { name: /^Dead letters/ });
    const jobs = dlq.getByRole('listitem');
    await expect.poll(() => jobs.count(), { timeout: 10_000 }).toBe(3);
    expect(await panel.getByRole('heading', { name: /^Dead letters/ }).textContent()).toMatch(/\(3\)/);
    const first = jobs.filter({ hasText: `#${ids[0]}` });
    expect(await first.textContent()).toMatch(
      /NVDA.*10:00–10:15 NY \(15m\).*last error \(polygon\): HTTP 503.*T1 · 5 tries/,
    );

    // Gap state per watched symbol, and the queue (backfill is off in this run, and says so).
    for (const symbol of ['MSFT', 'NVDA']) {
      await expect
        .poll(() => panel.getByTestId(`gap-${symbol}`).textContent())
        .toMatch(/complete|missing|backfilling|market closed|not open yet/);
    }
    const queue = panel.getByTestId('backfill-queue');
    expect(await queue.textContent()).toMatch(/T0 0\/1000.*T1 0\/500.*T2 0\/200.*running 0.*refused 0/);
    expect(await panel.textContent()).toMatch(/backfill off/);
    await screenshot(page, 'data-health');

    // Requeue: the job leaves the dead list and counts in its tier's queue.
    await panel.getByRole('button', { name: `Requeue NVDA job ${ids[0]}` }).click();
    await expect.poll(() => jobs.count()).toBe(2);
    await expect.poll(() => panel.getByRole('status').textContent()).toMatch(/Requeued 1 NVDA job/);
    await expect.poll(() => queue.textContent()).toMatch(/T1 1\/500/);

    // Purge asks first; "Keep it" changes nothing.
    const dialog = page.getByRole('dialog', { name: 'Purge dead backfill job?' });
    await panel.getByRole('button', { name: `Purge NVDA job ${ids[1]}` }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toMatch(/NVDA job #\d+ .*11:00–11:05/);
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await jobs.count()).toBe(2);
    await panel.getByRole('button', { name: `Purge NVDA job ${ids[1]}` }).click();
    await dialog.getByRole('button', { name: 'Confirm purge' }).click();
    await expect.poll(() => jobs.count()).toBe(1);
    await expect.poll(() => panel.getByRole('status').textContent()).toMatch(/Purged 1 NVDA job/);

    // The last job is requeued behind the panel's back: purging it is refused by the engine, and said so.
    const db = openDatabase(dir);
    db.prepare(`UPDATE backfill_jobs SET state = 'queued' WHERE id = ?`).run(ids[2]);
    db.close();
    await panel.getByRole('button', { name: `Purge MSFT job ${ids[2]}` }).click();
    await dialog.getByRole('button', { name: 'Confirm purge' }).click();
    const alert = panel.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(new RegExp(`^Purge refused: .*${ids[2]}`));
    // The list catches up with the engine: nothing is dead any more.
    await expect.poll(() => panel.textContent()).toMatch(/No dead backfill jobs/);
    await screenshot(page, 'data-health-after');
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
