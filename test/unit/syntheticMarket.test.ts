import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/main/clock';
import type { MarketEvent, StreamHandlers, StreamStatus, StreamSubscription } from '../../src/main/marketdata/provider';
import { SyntheticProvider } from '../../src/main/marketdata/providers/synthetic';
import {
  SYNTHETIC_DEFAULT_SPECS,
  SyntheticMarket,
  type SyntheticMarketOptions,
} from '../../src/main/marketdata/providers/syntheticMarket';
import type { Bar, Quote, Trade } from '../../src/shared/domain';
import { Bar as BarSchema, Quote as QuoteSchema, Trade as TradeSchema } from '../../src/shared/domain';
import { fromNewYork, toNewYork } from '../../src/main/time/newYork';

const MIN = 60_000;
const HOUR = 3_600_000;

function market(opts: Partial<SyntheticMarketOptions> & { startTs: number }): SyntheticMarket {
  return new SyntheticMarket({ seed: 7, ...opts });
}

/** Advances in uneven steps, like a timer would, and returns everything emitted. */
function run(m: SyntheticMarket, to: number, stepMs = 250): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let t = m.cursor + stepMs; t < to; t += stepMs) m.advanceTo(t, (e) => out.push(e));
  m.advanceTo(to, (e) => out.push(e));
  return out;
}

const trades = (events: MarketEvent[]): Trade[] => events.flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
const bars = (events: MarketEvent[]): Bar[] => events.flatMap((e) => (e.type === 'bar' ? [e.bar] : []));
const tsOf = (e: MarketEvent): number =>
  e.type === 'trade' ? e.trade.ts : e.type === 'quote' ? e.quote.ts : e.bar.ts + MIN;

// Monday 2026-03-09, the first session after the switch to EDT (2026-03-08).
const MON_OPEN = fromNewYork(2026, 3, 9, 9, 30);
const MON_CLOSE = fromNewYork(2026, 3, 9, 16, 0);

describe('SyntheticMarket', () => {
  it('is deterministic for a seed, whatever the step size, and differs across seeds', () => {
    const a = run(market({ startTs: MON_OPEN }), MON_OPEN + 20 * MIN, 250);
    const b = run(market({ startTs: MON_OPEN }), MON_OPEN + 20 * MIN, 1_337);
    const c = run(market({ startTs: MON_OPEN, seed: 8 }), MON_OPEN + 20 * MIN, 250);
    expect(a.length).toBeGreaterThan(1_000);
    expect(b).toEqual(a);
    expect(trades(c).map((t) => t.price)).not.toEqual(trades(a).map((t) => t.price));
  });

  it('emits each event exactly once, in time order, and each minute bar after its minute', () => {
    const events = run(market({ startTs: MON_OPEN - 90_000 }), MON_OPEN + 10 * MIN, 777);
    for (let i = 1; i < events.length; i++) expect(tsOf(events[i]!)).toBeGreaterThanOrEqual(tsOf(events[i - 1]!));
    const ids = trades(events).map((t) => `${t.symbol}/${t.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(bars(events).map((b) => b.ts)).toEqual(
      Array.from({ length: 10 }, (_, i) => [MON_OPEN + i * MIN, MON_OPEN + i * MIN]).flat(),
    );
  });

  it('trades nothing on a Saturday or at 03:00 ET, and trades through a regular-hours hour (nyse)', () => {
    const sat = fromNewYork(2026, 3, 7, 0, 0);
    expect(run(market({ startTs: sat }), sat + 24 * HOUR, 60_000)).toEqual([]);
    const threeAm = fromNewYork(2026, 3, 9, 3, 0);
    expect(run(market({ startTs: threeAm }), threeAm + HOUR, 1_000)).toEqual([]);
    // Good Friday 2026-04-03: the calendar's holiday, not a weekend.
    const goodFriday = fromNewYork(2026, 4, 3, 9, 30);
    expect(run(market({ startTs: goodFriday }), goodFriday + 6 * HOUR, 60_000)).toEqual([]);

    const ten = fromNewYork(2026, 3, 9, 10, 0);
    const events = run(market({ startTs: ten }), ten + HOUR);
    const t = trades(events);
    expect(t.length).toBeGreaterThan(1_000);
    expect(new Set(t.map((x) => x.symbol))).toEqual(new Set(['NVDA', 'MSFT']));
    for (const x of t) {
      const ny = toNewYork(x.ts);
      expect(ny.hour).toBe(10);
    }
  });

  it('keeps every event inside the regular session, across DST, and honours early closes', () => {
    // Friday 2026-03-06 (EST) to Monday 2026-03-09 (EDT), stepping a minute at a time.
    const from = fromNewYork(2026, 3, 6, 0, 0);
    const events = run(market({ startTs: from }), fromNewYork(2026, 3, 10, 0, 0), 60_000);
    const t = trades(events);
    expect(t.length).toBeGreaterThan(10_000);
    const outside = t.filter((x) => {
      const { hour, minute, weekday } = toNewYork(x.ts);
      const min = hour * 60 + minute;
      return !(weekday === 5 || weekday === 1) || min < 9 * 60 + 30 || min >= 16 * 60;
    });
    expect(outside).toEqual([]);
    // Friday's first trade at 14:30Z (EST), Monday's at 13:30Z (EDT).
    const fri = t.filter((x) => toNewYork(x.ts).weekday === 5);
    const mon = t.filter((x) => toNewYork(x.ts).weekday === 1);
    expect(Math.min(...fri.map((x) => x.ts))).toBeGreaterThanOrEqual(Date.UTC(2026, 2, 6, 14, 30));
    expect(Math.min(...fri.map((x) => x.ts))).toBeLessThan(Date.UTC(2026, 2, 6, 14, 31));
    expect(Math.min(...mon.map((x) => x.ts))).toBeLessThan(Date.UTC(2026, 2, 9, 13, 31));

    // The day after Thanksgiving 2026 closes at 13:00.
    const blackFriday = fromNewYork(2026, 11, 27, 9, 30);
    const bf = trades(run(market({ startTs: blackFriday }), blackFriday + 7 * HOUR, 60_000));
    expect(bf.length).toBeGreaterThan(0);
    expect(Math.max(...bf.map((x) => x.ts))).toBeLessThan(fromNewYork(2026, 11, 27, 13, 0));
  });

  it("with sessions 'always' trades at 03:00 ET on a Saturday", () => {
    const sat = fromNewYork(2026, 3, 7, 3, 0);
    const t = trades(run(market({ startTs: sat, sessions: 'always' }), sat + 10 * MIN));
    expect(t.length).toBeGreaterThan(100);
  });

  it('trades thinly before the open and after the close only with extendedHours', () => {
    const pre = fromNewYork(2026, 3, 9, 7, 0);
    expect(trades(run(market({ startTs: pre }), pre + HOUR, 60_000))).toEqual([]);
    const thin = trades(run(market({ startTs: pre, extendedHours: true }), pre + HOUR, 60_000));
    const regular = trades(run(market({ startTs: MON_OPEN + 2 * HOUR }), MON_OPEN + 3 * HOUR, 60_000));
    expect(thin.length).toBeGreaterThan(0);
    expect(thin.length * 5).toBeLessThan(regular.length);
    const post = fromNewYork(2026, 3, 9, 20, 0);
    expect(trades(run(market({ startTs: post, extendedHours: true }), post + HOUR, 60_000))).toEqual([]);
  });

  it('has U-shaped volume: the first and last 30 minutes beat midday, averaged over a week', () => {
    const m = market({ startTs: 0 });
    let open = 0;
    let close = 0;
    let midday = 0;
    for (const day of [9, 10, 11, 12, 13]) {
      for (const symbol of ['NVDA', 'MSFT']) {
        const sum = (h0: number, m0: number, h1: number, m1: number): number =>
          m
            .bars(symbol, fromNewYork(2026, 3, day, h0, m0), fromNewYork(2026, 3, day, h1, m1))
            .reduce((s, b) => s + b.v, 0);
        open += sum(9, 30, 10, 0) / 30;
        close += sum(15, 30, 16, 0) / 30;
        midday += sum(11, 30, 14, 0) / 150;
      }
    }
    expect(open).toBeGreaterThan(1.4 * midday);
    expect(close).toBeGreaterThan(1.3 * midday);
  });

  it('never crosses or locks a quote, prints trades within the prevailing quote, on a tick grid', () => {
    const events = run(market({ startTs: MON_OPEN }), MON_OPEN + 30 * MIN);
    const last = new Map<string, Quote>();
    let inside = 0;
    for (const e of events) {
      if (e.type === 'quote') {
        const q = e.quote;
        expect(QuoteSchema.safeParse(q).success).toBe(true);
        expect(q.ask).toBeGreaterThan(q.bid);
        expect(q.bid).toBeGreaterThan(0);
        expect(Math.abs(q.bid * 100 - Math.round(q.bid * 100))).toBeLessThan(1e-6);
        // A few cents, a few bps.
        expect(q.ask - q.bid).toBeLessThan(0.2);
        last.set(q.symbol, q);
      } else if (e.type === 'trade') {
        const t = e.trade;
        expect(TradeSchema.safeParse(t).success).toBe(true);
        const q = last.get(t.symbol)!;
        expect(t.price).toBeGreaterThanOrEqual(q.bid);
        expect(t.price).toBeLessThanOrEqual(q.ask);
        expect(t.size).toBeGreaterThan(0);
        if (t.price > q.bid && t.price < q.ask) inside++;
      }
    }
    expect(inside).toBeGreaterThan(0);
  });

  it('prices stay plausible around the base and move with the configured volatility', () => {
    const m = market({ startTs: 0 });
    const closes: number[] = [];
    for (let d = 2; d <= 27; d++) {
      const day = m.bars('NVDA', fromNewYork(2026, 2, d, 15, 59), fromNewYork(2026, 2, d, 16, 0));
      if (day[0]) closes.push(day[0].c);
    }
    expect(closes.length).toBe(19); // February 2026: 20 weekdays less Presidents' Day.
    const base = SYNTHETIC_DEFAULT_SPECS.find((s) => s.symbol === 'NVDA')!.basePrice;
    for (const c of closes) expect(c / base).toBeGreaterThan(0.4);
    for (const c of closes) expect(c / base).toBeLessThan(2.5);
    const rets = closes.slice(1).map((c, i) => Math.log(c / closes[i]!));
    const sd = Math.sqrt(rets.reduce((s, r) => s + r * r, 0) / rets.length);
    // Daily sd for 50% annual vol is 3.1%; a loose band catches a broken scale.
    expect(sd).toBeGreaterThan(0.01);
    expect(sd).toBeLessThan(0.08);
  });

  it('builds consistent bars that equal the aggregate of the streamed trades', () => {
    const live = market({ startTs: MON_OPEN });
    const events = run(live, MON_OPEN + 15 * MIN, 333);
    const fromStream = bars(events).filter((b) => b.symbol === 'NVDA');
    const backfill = market({ startTs: 0 }).bars('NVDA', MON_OPEN, MON_OPEN + 15 * MIN);
    expect(backfill).toHaveLength(15);
    expect(backfill).toEqual(fromStream);
    const nvdaTrades = trades(events).filter((t) => t.symbol === 'NVDA');
    for (const b of backfill) {
      expect(BarSchema.safeParse(b).success).toBe(true);
      expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
      expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
      expect(b.v).toBeGreaterThanOrEqual(0);
      const inMinute = nvdaTrades.filter((t) => t.ts >= b.ts && t.ts < b.ts + MIN);
      expect(b.n).toBe(inMinute.length);
      expect(b.o).toBe(inMinute[0]!.price);
      expect(b.c).toBe(inMinute.at(-1)!.price);
      expect(b.v).toBe(inMinute.reduce((s, t) => s + t.size, 0));
      expect(b.vw!).toBeGreaterThanOrEqual(b.l);
      expect(b.vw!).toBeLessThanOrEqual(b.h);
    }
    // Minute to minute the path is continuous: no jump bigger than a few percent.
    for (let i = 1; i < backfill.length; i++) {
      expect(Math.abs(backfill[i]!.o / backfill[i - 1]!.c - 1)).toBeLessThan(0.02);
    }
  });

  it('gives the same bars for the same seed regardless of access order or cache state', () => {
    const a = market({ startTs: 0 });
    const b = market({ startTs: 0 });
    const week = a.bars('MSFT', fromNewYork(2026, 3, 9), fromNewYork(2026, 3, 14));
    // Warm b's caches with other days and symbols first, then ask day by day backwards.
    b.bars('NVDA', fromNewYork(2025, 6, 2), fromNewYork(2025, 6, 30));
    const pieces: Bar[] = [];
    for (let d = 13; d >= 9; d--)
      pieces.unshift(...b.bars('MSFT', fromNewYork(2026, 3, d), fromNewYork(2026, 3, d + 1)));
    expect(week.length).toBe(5 * 390);
    expect(pieces).toEqual(week);
    // Unknown symbols get stable derived parameters.
    expect(a.bars('ZZZQ', MON_OPEN, MON_OPEN + 5 * MIN)).toEqual(b.bars('ZZZQ', MON_OPEN, MON_OPEN + 5 * MIN));
  });

  it('returns the quote in force at a time, looking back to the last session when closed', () => {
    const m = market({ startTs: 0 });
    const mid = m.quoteAt('NVDA', MON_OPEN + 2 * HOUR + 12_345)!;
    expect(mid.ts).toBeLessThanOrEqual(MON_OPEN + 2 * HOUR + 12_345);
    expect(mid.ts).toBeGreaterThan(MON_OPEN + 2 * HOUR - MIN);
    expect(mid.last).toBeGreaterThan(0);
    const saturday = m.quoteAt('NVDA', fromNewYork(2026, 3, 14, 12, 0))!;
    expect(saturday.ts).toBeLessThan(fromNewYork(2026, 3, 13, 16, 0));
    expect(saturday.ts).toBeGreaterThan(fromNewYork(2026, 3, 13, 15, 59));
    expect(market({ startTs: 0 }).quoteAt('NVDA', fromNewYork(2026, 3, 14, 12, 0))).toEqual(saturday);
  });

  it('streams 50 symbols quickly with bounded memory', () => {
    const symbols = Array.from({ length: 50 }, (_, i) => `S${String.fromCharCode(65 + (i % 26))}${i}`);
    const m = market({ startTs: MON_OPEN, symbols });
    let count = 0;
    const started = performance.now();
    // One trading hour in 250 ms ticks: 14,400 calls.
    for (let t = MON_OPEN + 250; t <= MON_OPEN + HOUR; t += 250) m.advanceTo(t, () => count++);
    const elapsed = performance.now() - started;
    expect(count).toBeGreaterThan(50_000);
    expect(elapsed).toBeLessThan(5_000);
    // Stream on across a week: caches stay small.
    for (let t = MON_OPEN + HOUR; t <= MON_OPEN + 5 * 24 * HOUR; t += 10 * MIN) m.advanceTo(t, () => {});
    const stats = m.cacheStats();
    expect(stats.symbols).toBe(50);
    expect(stats.plans).toBeLessThanOrEqual(16);
    expect(stats.paths).toBeLessThanOrEqual(50 * 4);
    expect(stats.levels).toBeLessThanOrEqual(50 * 64);
  });
});

describe('SyntheticProvider', () => {
  const subs: StreamSubscription[] = [];
  afterEach(async () => {
    for (const s of subs.splice(0)) await s.close();
  });

  function collect(): { handlers: StreamHandlers; events: MarketEvent[]; statuses: StreamStatus[]; bad: string[] } {
    const events: MarketEvent[] = [];
    const statuses: StreamStatus[] = [];
    const bad: string[] = [];
    return {
      handlers: {
        onEvent: (e) => events.push(e),
        onStatus: (s) => statuses.push(s),
        onMalformed: (m) => bad.push(m),
      },
      events,
      statuses,
      bad,
    };
  }

  const until = async (cond: () => boolean, ms = 3_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('is named synthetic and advertises what it offers', () => {
    const p = new SyntheticProvider({ clock: new SimulatedClock(0) });
    expect(p.name).toBe('synthetic');
    expect(p.capabilities).toEqual({
      stream: { trades: true, quotes: true, bars: true },
      latestQuote: true,
      historicalBars: true,
    });
  });

  it('streams from the clock on a timer, follows setSymbols, and stops on close', async () => {
    const clock = new SimulatedClock(MON_OPEN);
    const p = new SyntheticProvider({ clock, tickMs: 5, seed: 3 });
    const c = collect();
    const sub = p.stream(['NVDA', 'bad symbol'], c.handlers);
    subs.push(sub);
    await until(() => c.statuses.length >= 2);
    expect(c.statuses).toEqual([{ state: 'connecting' }, { state: 'connected' }]);
    expect(c.bad).toHaveLength(1);
    clock.advance(3_000);
    await until(() => c.events.length > 0);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.events.every((e) => e.type !== 'trade' || e.trade.symbol === 'NVDA')).toBe(true);
    expect(c.events.every((e) => tsOf(e) < MON_OPEN + 3_000)).toBe(true);

    sub.setSymbols(['MSFT']);
    clock.advance(3_000);
    await until(() => c.events.some((e) => e.type === 'quote' && e.quote.symbol === 'MSFT'));
    await new Promise((r) => setTimeout(r, 30));
    const afterSwitch = c.events.filter((e) => tsOf(e) >= MON_OPEN + 3_000);
    expect(afterSwitch.every((e) => e.type !== 'quote' || e.quote.symbol === 'MSFT')).toBe(true);

    // The same seed reproduces the stream exactly.
    const replay = new SyntheticMarket({ seed: 3, symbols: ['NVDA'], startTs: MON_OPEN }).advanceTo(MON_OPEN + 3_000);
    expect(c.events.filter((e) => tsOf(e) < MON_OPEN + 3_000)).toEqual(replay);

    await sub.close();
    const n = c.events.length;
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 40));
    expect(c.events.length).toBe(n);
  });

  it('skips ahead after a stall instead of replaying a burst', async () => {
    const clock = new SimulatedClock(MON_OPEN);
    const p = new SyntheticProvider({ clock, tickMs: 5, maxCatchUpMs: 1_000 });
    const c = collect();
    subs.push(p.stream(['NVDA'], c.handlers));
    clock.advance(30 * MIN);
    await until(() => c.events.length > 0);
    await new Promise((r) => setTimeout(r, 30));
    const first = Math.min(...c.events.map(tsOf));
    expect(first).toBeGreaterThanOrEqual(MON_OPEN + 30 * MIN - 1_000);
  });

  it('serves deterministic backfill of completed minutes and a latest quote', async () => {
    const clock = new SimulatedClock(MON_OPEN + 10 * MIN + 30_000);
    const a = new SyntheticProvider({ clock, seed: 11 });
    const b = new SyntheticProvider({ clock, seed: 11 });
    const ra = await a.historicalBars('NVDA', MON_OPEN - HOUR, MON_CLOSE);
    const rb = await b.historicalBars('NVDA', MON_OPEN - HOUR, MON_CLOSE);
    expect(ra.kind).toBe('ok');
    if (ra.kind !== 'ok') return;
    // Only the ten minutes that have ended; the 10th minute is still running.
    expect(ra.value.map((x) => x.ts)).toEqual(Array.from({ length: 10 }, (_, i) => MON_OPEN + i * MIN));
    expect(rb).toEqual(ra);
    const other = await new SyntheticProvider({ clock, seed: 12 }).historicalBars('NVDA', MON_OPEN, MON_CLOSE);
    expect(other).not.toEqual(ra);

    const q = await a.latestQuote('NVDA');
    expect(q.kind).toBe('ok');
    if (q.kind === 'ok') {
      expect(q.value.provider).toBe('synthetic');
      expect(q.value.ask).toBeGreaterThan(q.value.bid);
      expect(q.value.ts).toBeLessThanOrEqual(clock.now());
    }
    expect((await a.historicalBars('not a symbol', 0, 1)).kind).toBe('malformed');
    expect((await a.historicalBars('NVDA', 0, MON_CLOSE)).kind).toBe('malformed');
    expect(await a.historicalBars('NVDA', MON_CLOSE, MON_OPEN)).toEqual({ kind: 'ok', value: [] });
  });
});
