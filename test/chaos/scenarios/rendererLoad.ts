/**
 * Renderer under load: `kestrel serve` (the built app) streams from a fake Polygon WebSocket that
 * this process feeds at `rate` trades per second (JSON-array frames as Polygon sends them, spread
 * over several symbols), while headless Chromium shows the real UI. In the page, frame times come
 * from the Performance API: for each animation frame, the time from its requestAnimationFrame
 * callback until the main thread is free again after rendering (a MessageChannel task posted from
 * the callback), plus rAF intervals and long-animation-frame / longtask entries. The engine's intake
 * (kestrel_marketdata_events_total on /metrics) shows the rate really reached it, and a WebSocket
 * client counts the events per second the UI is sent (coalescing at work).
 */
import type { Browser } from 'playwright-core';
import { launchChromium, watchPage } from '../../helpers/browser';
import { startServe, type ServeProcess } from '../../helpers/serveProcess';
import { tempDir } from '../../helpers/tmp';
import { WsContractClient } from '../../helpers/wsContractClient';
import { FakePolygon } from '../../fakes/providers/polygon';
import { emptyResult, prng, registerScenario, type ChaosResult } from '../harness';
import { percentile, round } from '../support/memory';

export interface RendererLoadParams {
  /** Trades per second into the engine. */
  rate: number;
  /** Seconds measured (after a warm-up of 2 s at full rate). */
  seconds: number;
  symbols: number;
  /**
   * Frame time p95 bound, ms; null reports it without failing. The quick run inside `npm test`
   * shares two cores with other test files, so timing targets are enforced only in the full run.
   */
  maxP95Ms: number | null;
  /** Share of the fed rate the engine must take in, and animation frames per second the page must keep. */
  minIntakeShare: number;
  minFps: number;
}

const SYMBOLS = ['NVDA', 'MSFT', 'AAPL', 'AMZN', 'META', 'GOOGL', 'TSLA', 'AMD', 'AVGO', 'NFLX', 'COST', 'PEP'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polygon trade events for a random walk per symbol, `rate` per second, in frames of up to 500. */
function startFeed(poly: FakePolygon, symbols: string[], rate: number, seed: number): { stop: () => number } {
  const r = prng(seed);
  const px = new Map(symbols.map((s, i) => [s, 100 + i * 25]));
  const t0 = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate) - sent;
    for (let left = due; left > 0; left -= 500) {
      const n = Math.min(500, left);
      const now = Date.now();
      const frame = new Array<object>(n);
      for (let i = 0; i < n; i++) {
        const sym = symbols[r.int(0, symbols.length - 1)]!;
        const p = Math.max(1, px.get(sym)! * (1 + (r.next() - 0.5) * 0.0004));
        px.set(sym, p);
        frame[i] = {
          ev: 'T',
          sym,
          p: Math.round(p * 100) / 100,
          s: r.int(1, 500),
          t: now,
          i: String(sent + i),
          x: 4,
          z: 3,
        };
      }
      poly.sendRaw(frame);
      sent += n;
    }
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return sent;
    },
  };
}

async function intake(origin: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('kestrel_marketdata_events_total{') && line.includes('provider="polygon"'))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Installed in the page (browser code, kept as text: this file is typechecked without the DOM). */
const FRAME_PROBE = `(() => {
  const f = (window.__frames = { busy: [], interval: [], long: [], run: true });
  const ch = new MessageChannel();
  let start = 0;
  ch.port1.onmessage = () => f.busy.push(performance.now() - start);
  let last = performance.now();
  const loop = () => {
    const now = performance.now();
    f.interval.push(now - last);
    last = now;
    start = now;
    ch.port2.postMessage(0);
    if (f.run) requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  for (const type of ['long-animation-frame', 'longtask']) {
    try {
      new PerformanceObserver((list) => { for (const e of list.getEntries()) f.long.push(e.duration); }).observe({ type, buffered: false });
    } catch {}
  }
})()`;

const FRAME_COLLECT = `(() => {
  const f = window.__frames;
  f.run = false;
  return { busy: f.busy, interval: f.interval, long: f.long };
})()`;

export async function runRendererLoad(
  p: RendererLoadParams,
  ctx: { seed: number; log: (l: string) => void },
): Promise<ChaosResult> {
  const result = emptyResult();
  const t = tempDir('kestrel-chaos-render-');
  const symbols = SYMBOLS.slice(0, p.symbols);
  const poly = await FakePolygon.start({ apiKey: 'chaos-key' });
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let client: WsContractClient | undefined;
  try {
    serve = await startServe(t.dir, ['--symbols', symbols.join(',')], {
      KESTREL_PROVIDERS: 'polygon',
      POLYGON_API_KEY: 'chaos-key',
      KESTREL_POLYGON_REST_URL: poly.restUrl,
      KESTREL_POLYGON_WS_URL: poly.wsUrl,
      KESTREL_BACKFILL: 'off',
      KESTREL_LOG_LEVEL: 'warn',
    });
    const deadline = Date.now() + 15_000;
    while (poly.openSockets === 0 || poly.subscribed.size === 0) {
      if (Date.now() > deadline)
        throw new Error(`the engine never subscribed to the fake Polygon: ${serve.output().slice(-500)}`);
      await sleep(50);
    }
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const watch = watchPage(page);
    await page.goto(serve.url);
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await sleep(1000);

    const feed = startFeed(poly, symbols, p.rate, ctx.seed);
    await sleep(2000); // warm-up at full rate
    const token = new URL(serve.url).searchParams.get('token')!;
    client = await WsContractClient.connect(`ws://127.0.0.1:${serve.port}/ws?token=${token}`);
    const intake0 = await intake(serve.origin);
    const w0 = performance.now();
    await page.evaluate(FRAME_PROBE);
    await sleep(p.seconds * 1000);
    const frames = (await page.evaluate(FRAME_COLLECT)) as { busy: number[]; interval: number[]; long: number[] };
    const intake1 = await intake(serve.origin);
    const wallS = (performance.now() - w0) / 1000;
    const uiEvents = client.events.length;
    const sent = feed.stop();
    const byEvent = new Map<string, number>();
    for (const e of client.events) byEvent.set(e.event, (byEvent.get(e.event) ?? 0) + 1);

    const intakeRate = (intake1 - intake0) / wallS;
    const busy = frames.busy.slice(1);
    const interval = frames.interval.slice(1);
    result.runs = busy.length;
    Object.assign(result.figures, {
      feedRatePerS: p.rate,
      engineIntakePerS: Math.round(intakeRate),
      uiEventsPerS: round(uiEvents / wallS, 1),
      frames: busy.length,
      frameP50Ms: round(percentile(busy, 50)),
      frameP95Ms: round(percentile(busy, 95)),
      frameP99Ms: round(percentile(busy, 99)),
      rafIntervalP50Ms: round(percentile(interval, 50)),
      rafIntervalP95Ms: round(percentile(interval, 95)),
      longFrames: frames.long.length,
    });
    if (busy.length < p.seconds * p.minFps)
      result.failed.push(`only ${busy.length} animation frames in ${p.seconds} s: the page is starved`);
    if (p.maxP95Ms !== null && percentile(busy, 95) > p.maxP95Ms)
      result.failed.push(
        `frame time p95 ${round(percentile(busy, 95))} ms under ${p.rate} msg/s (bound ${p.maxP95Ms} ms)`,
      );
    if (intakeRate < p.rate * p.minIntakeShare)
      result.failed.push(
        `the engine took in ${Math.round(intakeRate)} msg/s, not the ${p.rate} fed: the load did not reach it`,
      );
    const uiRate = uiEvents / wallS;
    // Coalescing: ticks ≤ 10 Hz, bars ≤ 4 Hz per symbol, plus a few slow streams; never the raw rate.
    const uiBound = 10 + 4 * p.symbols + 20;
    if (uiRate > uiBound)
      result.failed.push(`the UI was sent ${round(uiRate, 1)} events/s (coalescing bound ${uiBound}/s)`);
    if (watch.errors.length > 0) result.failed.push(`page errors: ${watch.errors.slice(0, 3).join(' | ')}`);
    result.notes.push(
      `${p.rate} trades/s over ${p.symbols} symbols from a fake Polygon WebSocket for ${p.seconds} s (${sent} sent in all); engine intake ${Math.round(intakeRate)} msg/s; UI sent ${round(uiRate, 1)} events/s (${[...byEvent].map(([k, v]) => `${k} ${v}`).join(', ')})`,
      `frame time (rAF callback → main thread free after rendering): p50 ${result.figures.frameP50Ms} ms, p95 ${result.figures.frameP95Ms} ms, p99 ${result.figures.frameP99Ms} ms over ${busy.length} frames (bound p95 ≤ ${p.maxP95Ms} ms); rAF interval p50 ${result.figures.rafIntervalP50Ms} ms, p95 ${result.figures.rafIntervalP95Ms} ms; ${frames.long.length} long-animation-frame/longtask entries`,
    );
    ctx.log(result.notes.join('\n'));
    return result;
  } finally {
    client?.close();
    await browser?.close();
    await serve?.stop();
    await poly.stop();
    t.cleanup();
  }
}

registerScenario<RendererLoadParams>({
  name: 'renderer load',
  description:
    'Headless Chromium on the real UI served by `kestrel serve` while a fake Polygon WebSocket streams 20,000 trades per second into the engine. Frame time is measured in the page with the Performance API (rAF callback to the main thread free after rendering; long-animation-frame entries); p95 must be ≤ 16 ms, the engine must really take in the rate (/metrics), and the UI must be sent coalesced events, not the raw stream.',
  quick: { rate: 20_000, seconds: 5, symbols: 10, maxP95Ms: null, minIntakeShare: 0.25, minFps: 2 },
  full: { rate: 20_000, seconds: 60, symbols: 10, maxP95Ms: 16, minIntakeShare: 0.9, minFps: 20 },
  run: (params, ctx) => runRendererLoad(params, ctx),
});
