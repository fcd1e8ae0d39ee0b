/**
 * Provider chaos: the real engine in this process streams from four wire fakes (Polygon, Alpaca,
 * Finnhub WebSockets and the fake IB Gateway) and backfills from those plus two REST-only ones
 * (Yahoo, Alpha Vantage), on an accelerated Clock (`speed`× the wall) that starts in a regular
 * session so minute bars and gaps come quickly. Every fake is fed the same true tape (a smooth
 * known function of time); a seeded schedule injects the fakes' faults at random: bad prices
 * (negative, zero, NaN, null, ×3, ×0.2), malformed frames, duplicates, out-of-order, stale and
 * future timestamps, silence, disconnects, 401/429 on REST, and total outages that leave gaps.
 *
 * Checks: every event delivered to consumers (bars, features, decisions) and every bar the recorder
 * emits is finite, > 0, within the engine's own 10 % jump band of the true price at its time, and not
 * from the future; failover leaves a silenced or dropped active provider within staleAfterMs + one
 * evaluation + 1 s; afterwards every missing regular minute is covered by a dead-lettered backfill
 * job (the rest were filled). Time thresholds are wall time: staleAfterMs is scaled by `speed`.
 */
import type { ProviderName } from '../../../src/shared/domain';
import type { Clock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import type { MarketEvent } from '../../../src/main/marketdata/provider';
import { silentLogger } from '../../../src/main/observability/logger';
import { EnvSecretStore } from '../../../src/main/secrets';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { alpacaTime, FakeAlpaca } from '../../fakes/providers/alpaca';
import { FakeAlphaVantage } from '../../fakes/providers/alphavantage';
import { FakeFinnhub } from '../../fakes/providers/finnhub';
import { FakePolygon } from '../../fakes/providers/polygon';
import { FakeYahoo } from '../../fakes/providers/yahoo';
import { tempDir } from '../../helpers/tmp';
import { emptyResult, prng, registerScenario, type ChaosResult } from '../harness';
import { percentile, round } from '../support/memory';

export interface ProviderChaosParams {
  /** Wall seconds of chaos. */
  seconds: number;
  /** Simulated ms per wall ms. */
  speed: number;
  /** Wall ms between injected faults. */
  faultEveryMs: number;
  /** Total outages of one symbol (all streams silent), each a gap to detect and backfill. */
  outages: number;
}

const MIN = 60_000;
const BASE: Record<string, number> = { NVDA: 180, MSFT: 480 };
const SYMBOLS = Object.keys(BASE);
const STREAMERS = ['polygon', 'alpaca', 'finnhub', 'ibkr'] as const;
type Streamer = (typeof STREAMERS)[number];
const BAND = 0.1; // the engine's own jump band (validate.ts DEFAULT_MAX_JUMP_BPS)
const EVAL_MS = 250; // MarketDataService evaluateEveryMs in the engine

class AcceleratedClock implements Clock {
  private readonly wall0 = performance.now();
  constructor(
    readonly start: number,
    readonly speed: number,
  ) {}
  now(): number {
    return Math.floor(this.start + (performance.now() - this.wall0) * this.speed);
  }
}

/** The true price: a 2 % sine over 30 minutes around the base. */
function truth(symbol: string, ts: number, start: number): number {
  return BASE[symbol]! * (1 + 0.02 * Math.sin((2 * Math.PI * (ts - start)) / (30 * MIN)));
}

function truthBar(symbol: string, ts: number, start: number) {
  const o = truth(symbol, ts, start);
  const c = truth(symbol, ts + MIN, start);
  return { ts, o, h: Math.max(o, c) * 1.0005, l: Math.min(o, c) * 0.9995, c, v: 1000 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runProviderChaos(
  p: ProviderChaosParams,
  ctx: { seed: number; log: (l: string) => void },
): Promise<ChaosResult> {
  const result = emptyResult();
  const r = prng(ctx.seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!;
  // Monday 2 March 2026, 10:00 New York: inside a regular session, so gaps are gaps.
  const sessionOpen = Date.UTC(2026, 2, 2, 14, 30);
  const start = sessionOpen + 30 * MIN;
  const clock = new AcceleratedClock(start, p.speed);
  const tr = (symbol: string, ts: number) => truth(symbol, ts, start);

  const polygon = await FakePolygon.start({ apiKey: 'poly-key' });
  const alpaca = await FakeAlpaca.start({ key: 'alp-key', secret: 'alp-secret' });
  const finnhub = await FakeFinnhub.start({ token: 'fh-token' });
  const av = await FakeAlphaVantage.start('av-key');
  const yahoo = await FakeYahoo.start();
  const gw = new FakeIbGateway({ prices: Object.fromEntries(SYMBOLS.map((s) => [s, tr(s, start)])) });
  await gw.start();
  // History for the whole session on every REST source: what backfill should find.
  const sessionBars = (symbol: string) =>
    Array.from({ length: 390 }, (_, i) => truthBar(symbol, sessionOpen + i * MIN, start));
  for (const s of SYMBOLS) {
    const bars = sessionBars(s);
    polygon.setBars(
      s,
      bars.map((b) => ({ t: b.ts, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v })),
    );
    alpaca.setBars(
      s,
      bars.map((b) => ({ t: alpacaTime(b.ts), o: b.o, h: b.h, l: b.l, c: b.c, v: b.v })),
    );
    yahoo.setChart(s, { points: bars });
    av.setIntraday(s, bars);
    gw.setHistoricalBars(
      s,
      bars.map((b) => ({
        date: String(b.ts / 1000),
        open: b.o,
        high: b.h,
        low: b.l,
        close: b.c,
        volume: b.v,
        wap: b.c,
        count: 10,
      })),
    );
  }

  const t = tempDir('kestrel-chaos-providers-');
  const config = resolveConfig({
    flags: { dataDir: t.dir, symbols: SYMBOLS.join(','), ibPort: String(gw.port) },
    env: {
      KESTREL_PROVIDERS: 'polygon,alpaca,finnhub,ibkr,yahoo,alphavantage',
      KESTREL_POLYGON_REST_URL: polygon.restUrl,
      KESTREL_POLYGON_WS_URL: polygon.wsUrl,
      KESTREL_ALPACA_REST_URL: alpaca.restUrl,
      KESTREL_ALPACA_WS_URL: alpaca.wsUrl,
      KESTREL_FINNHUB_REST_URL: finnhub.restUrl,
      KESTREL_FINNHUB_WS_URL: finnhub.wsUrl,
      KESTREL_YAHOO_REST_URL: yahoo.restUrl,
      KESTREL_ALPHAVANTAGE_REST_URL: av.restUrl,
      KESTREL_BACKFILL_LOOKBACK_DAYS: '1',
      // Wall-time meaning kept: the router checks silence on a wall-time timer.
      KESTREL_STALE_AFTER_MS: String(2000 * p.speed),
    },
  });
  const staleWallMs = config.marketdata.staleAfterMs / p.speed;
  const secrets = new EnvSecretStore({
    POLYGON_API_KEY: 'poly-key',
    ALPACA_API_KEY_ID: 'alp-key',
    ALPACA_API_SECRET_KEY: 'alp-secret',
    FINNHUB_API_KEY: 'fh-token',
    ALPHAVANTAGE_API_KEY: 'av-key',
  });
  const engine = new Engine({ config, clock, log: silentLogger(), host: 'headless', secrets });

  // --- the checks on everything consumers see ---
  const bad: string[] = [];
  let delivered = 0;
  let barsSeen = 0;
  let signalsSeen = 0;
  const inBand = (symbol: string, price: number, ts: number): boolean => {
    if (!Number.isFinite(price) || price <= 0) return false;
    // Any time in the event's minute, ± one minute for late trades and forming bars.
    const lo = Math.min(tr(symbol, ts - MIN), tr(symbol, ts), tr(symbol, ts + 2 * MIN));
    const hi = Math.max(tr(symbol, ts - MIN), tr(symbol, ts), tr(symbol, ts + 2 * MIN));
    return price >= lo * (1 - BAND) && price <= hi * (1 + BAND);
  };
  const flag = (what: string): void => {
    result.corrupted++;
    if (bad.length < 20) bad.push(what);
  };
  engine.marketData.onEvent((provider: ProviderName, e: MarketEvent) => {
    delivered++;
    const now = clock.now();
    if (e.type === 'trade') {
      const x = e.trade;
      if (!inBand(x.symbol, x.price, x.ts)) flag(`${provider} trade ${x.symbol} ${x.price} @${x.ts} reached consumers`);
      if (x.ts > now + 2000 * p.speed)
        flag(`${provider} trade ${x.symbol} from the future (${x.ts - now} ms ahead) reached consumers`);
    } else if (e.type === 'quote') {
      const q = e.quote;
      if (!inBand(q.symbol, q.bid, q.ts) || !inBand(q.symbol, q.ask, q.ts))
        flag(`${provider} quote ${q.symbol} ${q.bid}/${q.ask} reached consumers`);
    } else {
      const b = e.bar;
      if (![b.o, b.h, b.l, b.c].every((x) => inBand(b.symbol, x, b.ts)))
        flag(`${provider} bar ${b.symbol} ${JSON.stringify(b)} reached consumers`);
    }
  });
  engine.barRecorder.subscribe((bar) => {
    barsSeen++;
    if (![bar.o, bar.h, bar.l, bar.c].every((x) => inBand(bar.symbol, x, bar.ts)) || !(bar.v >= 0))
      flag(
        `bar ${bar.symbol} ${new Date(bar.ts).toISOString()} o${bar.o} h${bar.h} l${bar.l} c${bar.c} v${bar.v} recorded`,
      );
  });
  engine.bus.on('signal', (s) => {
    signalsSeen++;
    if (![...s.probs, s.confidence].every(Number.isFinite))
      flag(`signal with non-finite numbers: ${JSON.stringify(s)}`);
  });

  // --- the tape, with per-provider silences ---
  const silentUntil = new Map<string, number>(); // `${provider}|${symbol}` → wall ms
  const isSilent = (prov: Streamer, symbol: string): boolean =>
    (silentUntil.get(`${prov}|${symbol}`) ?? 0) > performance.now() ||
    (silentUntil.get(`${prov}|*`) ?? 0) > performance.now();
  let seq = 1;
  // A silenced feed sends nothing at all: no tape, no injected prints, no garbage.
  const push = (prov: Streamer, symbol: string, price: number, ts: number, id = seq++): void => {
    if (isSilent(prov, symbol)) return;
    if (prov === 'polygon') polygon.pushTrade({ sym: symbol, p: price, s: 10, t: ts, i: String(id) });
    else if (prov === 'alpaca') alpaca.pushTrade({ S: symbol, p: price, s: 10, t: alpacaTime(ts), i: id });
    else if (prov === 'finnhub') finnhub.pushTrades([{ s: symbol, p: price, t: ts, v: 10 }]);
    else gw.setPrice(symbol, price);
  };
  const pump = setInterval(() => {
    const now = clock.now();
    for (const symbol of SYMBOLS) {
      const px = Math.round(tr(symbol, now) * (1 + (r.next() - 0.5) * 0.0004) * 100) / 100;
      for (const prov of STREAMERS) push(prov, symbol, px, now);
    }
  }, 100);

  // --- failover timing ---
  const detections: { label: string; ms: number }[] = [];
  const watchFailover = (prov: Streamer, label: string, boundMs: number): void => {
    for (const symbol of SYMBOLS) {
      if (engine.marketData.router.active(symbol) !== prov) continue;
      // Timed only when there is somewhere to go: another stream connected and talking.
      const alternative = STREAMERS.some(
        (o) => o !== prov && !isSilent(o, symbol) && engine.marketData.connection(o)?.state === 'connected',
      );
      if (!alternative) continue;
      const t0 = performance.now();
      void (async () => {
        while (engine.marketData.router.active(symbol) === prov && performance.now() - t0 < 15_000) await sleep(20);
        const ms = performance.now() - t0;
        detections.push({ label: `${label} ${prov} ${symbol}`, ms });
        if (ms > boundMs)
          result.failed.push(
            `${label} of active ${prov} (${symbol}) detected after ${Math.round(ms)} ms (bound ${Math.round(boundMs)} ms)`,
          );
      })();
    }
  };

  const faults = new Map<string, number>();
  const inject = (): void => {
    const prov = pick([...STREAMERS, 'rest'] as const);
    const symbol = pick(SYMBOLS);
    const now = clock.now();
    const px = tr(symbol, now);
    const kinds =
      prov === 'rest'
        ? ['http-429', 'http-401', 'http-500', 'bad-body']
        : prov === 'ibkr'
          ? ['bad-price', 'spike', 'silence', 'disconnect']
          : [
              'bad-price',
              'spike',
              'nan',
              'malformed',
              'duplicate',
              'out-of-order',
              'stale',
              'future',
              'silence',
              'disconnect',
            ];
    const kind = pick(kinds);
    if (prov !== 'rest' && (isSilent(prov, symbol) || isSilent(prov, '*'))) return inject(); // silent: pick again
    faults.set(`${prov} ${kind}`, (faults.get(`${prov} ${kind}`) ?? 0) + 1);
    result.runs++;
    switch (kind) {
      case 'bad-price':
        if (prov === 'ibkr') gw.setPrice(symbol, pick([-1, 0]));
        else push(prov as Streamer, symbol, pick([-5, 0, -0.01]), now);
        break;
      case 'spike':
        push(prov as Streamer, symbol, Math.round(px * pick([3, 0.2, 10, 1.5]) * 100) / 100, now);
        break;
      case 'nan': {
        const body =
          prov === 'polygon'
            ? `[{"ev":"T","sym":"${symbol}","p":${pick(['NaN', 'null', '"180.1"', 'Infinity', '1e400'])},"s":1,"t":${now}}]`
            : prov === 'alpaca'
              ? `[{"T":"t","S":"${symbol}","p":${pick(['null', '"x"', '1e400'])},"s":1,"t":"${alpacaTime(now)}"}]`
              : `{"type":"trade","data":[{"s":"${symbol}","p":${pick(['null', '"x"', '1e400'])},"t":${now},"v":1}]}`;
        if (prov === 'polygon') polygon.sendRaw(body);
        else if (prov === 'alpaca') alpaca.sendRaw(body);
        else finnhub.sendRaw(body);
        break;
      }
      case 'malformed': {
        const body = pick(['{not json', '[{"ev":"T"}]', '[]', '"hello"', '[{"ev":"T","sym":42}]', '\u0000\u0001']);
        if (prov === 'polygon') polygon.sendRaw(body);
        else if (prov === 'alpaca') alpaca.sendRaw(body);
        else finnhub.sendRaw(body);
        break;
      }
      case 'duplicate': {
        const id = seq++;
        push(prov as Streamer, symbol, px, now, id);
        push(prov as Streamer, symbol, px, now, id);
        break;
      }
      case 'out-of-order':
        push(prov as Streamer, symbol, Math.round(tr(symbol, now - 30_000) * 100) / 100, now - 30_000);
        break;
      case 'stale':
        // Minutes-old prints at a price far from the one they claim.
        push(prov as Streamer, symbol, Math.round(px * 1.5 * 100) / 100, now - 10 * MIN);
        break;
      case 'future':
        push(
          prov as Streamer,
          symbol,
          Math.round(px * pick([1, 1.5]) * 100) / 100,
          now + pick([60 * MIN, 10 * MIN, 30_000]),
        );
        break;
      case 'silence': {
        const ms = r.int(staleWallMs + 500, staleWallMs + 2000);
        silentUntil.set(`${prov}|*`, performance.now() + ms);
        // IBKR's sign of life is its socket (IB sends nothing for a quiet symbol): a silent but
        // connected gateway is by design not a dead feed, so only the others are timed.
        if (prov !== 'ibkr') watchFailover(prov as Streamer, 'silence', staleWallMs + EVAL_MS + 1000);
        break;
      }
      case 'disconnect':
        watchFailover(prov as Streamer, 'disconnect', EVAL_MS + 1000);
        if (prov === 'polygon') polygon.dropSockets();
        else if (prov === 'alpaca') alpaca.dropSockets();
        else if (prov === 'finnhub') finnhub.dropSockets();
        else gw.disconnectClients();
        break;
      case 'http-429':
        pick([
          () => polygon.throttleRest(1, 3),
          () => alpaca.throttleRest(1, 3),
          () => finnhub.throttleRest(1, 3),
          () => av.throttle('perSecond', 3),
        ])();
        break;
      case 'http-401':
        pick([
          () => polygon.notEntitled(2),
          () => alpaca.setHttpFault({ status: 401, body: { message: 'unauthorized' }, times: 2 }),
        ])();
        break;
      case 'http-500':
        yahoo.setRawChart(symbol, { chart: { result: null, error: { code: 'Internal', description: 'boom' } } }, 500);
        setTimeout(() => yahoo.setChart(symbol, { points: sessionBars(symbol) }), 2000);
        break;
      default:
        av.respondWith({ Note: 'garbage', 'Time Series (1min)': { x: { '1. open': 'NaN' } } }, 2);
        break;
    }
  };

  try {
    engine.start();
    const deadline = performance.now() + 20_000;
    while (SYMBOLS.some((s) => engine.marketData.router.active(s) === null)) {
      if (performance.now() > deadline) throw new Error('no provider became active');
      await sleep(100);
    }
    await sleep(1000);
    ctx.log(`active: ${JSON.stringify(engine.marketData.router.activeBySymbol())}`);
    const end = performance.now() + p.seconds * 1000;
    // Total outages at evenly spread moments: every stream of one symbol silent for 2–3 simulated minutes.
    const outageAt = Array.from(
      { length: p.outages },
      (_, i) => performance.now() + ((i + 0.5) * p.seconds * 1000) / (p.outages + 0.5),
    );
    const outages: { symbol: string; from: number; to: number }[] = [];
    while (performance.now() < end) {
      if (outageAt.length > 0 && performance.now() >= outageAt[0]!) {
        outageAt.shift();
        const symbol = pick(SYMBOLS);
        const wallMs = (r.int(2, 3) * MIN + 10_000) / p.speed;
        for (const prov of STREAMERS) silentUntil.set(`${prov}|${symbol}`, performance.now() + wallMs);
        outages.push({ symbol, from: clock.now(), to: clock.now() + wallMs * p.speed });
        result.runs++;
      } else inject();
      await sleep(p.faultEveryMs);
    }
    silentUntil.clear();
    // Let reconnects, the last bars and backfill settle.
    const settleUntil = performance.now() + 30_000;
    await sleep(3000);
    for (;;) {
      const open = engine.backfill
        ? await engine.server.dispatch({ id: 1, cmd: 'listBackfillJobs', input: {} }, { surface: 'ui-ws' })
        : null;
      const jobs = (open && open.ok ? (open.result as { state: string }[]) : []).filter(
        (j) => j.state === 'queued' || j.state === 'running',
      );
      if (jobs.length === 0 || performance.now() > settleUntil) break;
      await sleep(250);
    }

    // --- gaps: every missing regular minute is covered by a dead-lettered job ---
    const jobsReply = await engine.server.dispatch(
      { id: 2, cmd: 'listBackfillJobs', input: { limit: 5000 } },
      { surface: 'ui-ws' },
    );
    const jobs = (jobsReply.ok ? jobsReply.result : []) as {
      symbol: string;
      fromTs: number;
      toTs: number;
      state: string;
      barsFilled: number;
      lastError: string | null;
    }[];
    let missingMinutes = 0;
    let uncovered = 0;
    const cutoff = clock.now() - 3 * MIN; // sweeps stop two minutes short of now; the forming minute
    for (const symbol of SYMBOLS) {
      const g = await engine.server.dispatch({ id: 3, cmd: 'getGapState', input: { symbol } }, { surface: 'ui-ws' });
      if (!g.ok) {
        result.failed.push(`getGapState ${symbol}: ${JSON.stringify(g)}`);
        continue;
      }
      for (const day of g.result as { missing: { fromTs: number; toTs: number }[] }[]) {
        for (const gap of day.missing) {
          for (let m = gap.fromTs; m < gap.toTs && m < cutoff; m += MIN) {
            missingMinutes++;
            const dead = jobs.some((j) => j.symbol === symbol && j.state === 'dead' && j.fromTs <= m && m < j.toTs);
            if (!dead) {
              uncovered++;
              if (uncovered <= 10)
                result.notes.push(
                  `${symbol} ${new Date(m).toISOString()} missing, neither backfilled nor dead-lettered`,
                );
            }
          }
        }
      }
    }
    result.lost += uncovered;
    const done = jobs.filter((j) => j.state === 'done');
    const dead = jobs.filter((j) => j.state === 'dead');
    if (outages.length > 0 && jobs.length === 0)
      result.failed.push(`${outages.length} outages left no backfill job: gaps not detected`);

    const det = detections.map((d) => d.ms);
    Object.assign(result.figures, {
      providers: '6 (polygon, alpaca, finnhub, ibkr streaming; yahoo, alphavantage REST)',
      wallSeconds: p.seconds,
      simulatedMinutes: round((clock.now() - start) / MIN, 1),
      faultsInjected: result.runs,
      eventsDelivered: delivered,
      barsRecorded: barsSeen,
      signals: signalsSeen,
      failovers: detections.length,
      failoverP50Ms: det.length ? round(percentile(det, 50), 0) : 'n/a',
      failoverMaxMs: det.length ? round(Math.max(...det), 0) : 'n/a',
      outages: outages.length,
      backfillDone: done.length,
      backfillDead: dead.length,
      missingMinutes,
      routerCounters: JSON.stringify(engine.marketData.router.counters),
    });
    result.notes.unshift(
      `${p.seconds} s wall at ${p.speed}× (${result.figures.simulatedMinutes} simulated minutes from 10:00 New York), ${result.runs} faults: ${[...faults].map(([k, v]) => `${k} ${v}`).join(', ')}; ${outages.length} total outages of one symbol`,
      `${delivered} events delivered, ${barsSeen} bars recorded, ${signalsSeen} signals: ${result.corrupted} invalid (finite, > 0, within ${BAND * 100} % of the true price, not from the future)`,
      `failover: ${detections.length} silences/drops of an active provider, detected in p50 ${result.figures.failoverP50Ms} ms, max ${result.figures.failoverMaxMs} ms (bounds: silence ${Math.round(staleWallMs + EVAL_MS + 1000)} ms = staleAfterMs + evaluation + 1 s; drop ${EVAL_MS + 1000} ms)`,
      `gaps: ${missingMinutes} regular minutes still missing at the end, ${uncovered} of them not dead-lettered; backfill jobs ${done.length} done (${done.reduce((s, j) => s + j.barsFilled, 0)} bars), ${dead.length} dead (${[...new Set(dead.map((j) => j.lastError?.slice(0, 80)))].join(' | ')})`,
    );
    result.notes.push(...bad);
    ctx.log(result.notes.slice(0, 4).join('\n'));
    return result;
  } finally {
    clearInterval(pump);
    await engine.stop();
    await Promise.all([polygon.stop(), alpaca.stop(), finnhub.stop(), av.stop(), yahoo.stop(), gw.stop()]);
    t.cleanup();
  }
}

registerScenario<ProviderChaosParams>({
  name: 'provider chaos',
  description:
    'Six providers from their wire fakes (Polygon, Alpaca, Finnhub, IB Gateway streaming; Yahoo, Alpha Vantage for history) on an accelerated clock inside a regular session, fed one true tape, with seeded faults: bad prices (negative, zero, NaN, null, ×3, ×0.2), malformed frames, duplicates, out-of-order, stale and future timestamps, silences, disconnects, 401/429/500 and garbage REST bodies, and total outages of a symbol. `corrupted` counts any delivered event, recorded bar or signal that is not finite, > 0, within 10 % of the true price, or is from the future; `lost` counts missing minutes neither backfilled nor dead-lettered; failover slower than staleAfterMs + one evaluation + 1 s is a failure.',
  quick: { seconds: 15, speed: 20, faultEveryMs: 150, outages: 1 },
  full: { seconds: 300, speed: 20, faultEveryMs: 100, outages: 8 },
  run: (params, ctx) => runProviderChaos(params, ctx),
});
