/**
 * The chart: candles and volume of one symbol at one interval, history from SQLite on open
 * (getBars), then live from the coalesced `bars` event. Gaps are shaded and marked, backfilled
 * bars drawn hollow in blue/purple, and simulated data labelled SIM. Signal decisions are marked
 * (▲ buy below the bar, ▼ sell above it; grey when the gate blocked them) from listSignals and
 * the live `signal` event. Keys 1–5 switch the interval while the chart has focus. Times read in
 * New York, the exchange's clock.
 */
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  CrosshairMode,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
} from 'lightweight-charts';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { BarsUpdate, ChartBar, ChartHistory, ChartInterval, Signal } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { candleOf, COLORS, formatMinutes, seriesOf, volumeOf } from '../chart/chartData';
import { formatBarTime, formatClock, formatPrice, formatVolume, fromChartTime, tickMark } from '../chart/format';
import '../chart/chart.css';
import { mergeMarkers, sideOn, signalMarkers, type SignalMarkerCounts } from '../signals/markers';
import { useApp } from '../store/appStore';
import { useLayout } from '../layout/layoutStore';
import { chartThemeOptions } from '../theme/chartTheme';

const INTERVALS: ChartInterval[] = ['1m', '5m', '15m', '1h', '1d'];
const MIN = 60_000;
/** A full reload picks up gaps found and bars backfilled since the last one. */
const RELOAD_EVERY_MS = 60_000;
/** Bars shown when a chart opens (the trader zooms out for more) and empty slots right of the newest. */
const VIEW_BARS = 600;
const RIGHT_ROOM = 8;
/** Decisions loaded per symbol for markers (about two sessions of minutes for a pair leg). */
const SIGNALS_LOADED = 2000;

interface Handles {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  volume: ISeriesApi<'Histogram'>;
  band: ISeriesApi<'Histogram'>;
  markers: ISeriesMarkersPluginApi<Time>;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function createHandles(el: HTMLElement): Handles {
  const text = cssVar('--muted', '#8b949e');
  const grid = cssVar('--border', '#30363d');
  const chart = createChart(el, {
    autoSize: true,
    layout: {
      background: { color: cssVar('--panel', '#161b22') },
      textColor: text,
      fontSize: 11,
      panes: { separatorColor: grid },
    },
    grid: { vertLines: { color: `${grid}80` }, horzLines: { color: `${grid}80` } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: grid },
    timeScale: {
      borderColor: grid,
      timeVisible: true,
      secondsVisible: false,
      tickMarkFormatter: tickMark,
      rightOffset: RIGHT_ROOM,
    },
    localization: { timeFormatter: (t: Time) => formatBarTime(fromChartTime(t)) },
  });
  // The band goes first so candles draw over it; its own hidden scale spans the full pane height.
  const band = chart.addSeries(HistogramSeries, {
    priceScaleId: 'gaps',
    color: COLORS.gapBand,
    priceLineVisible: false,
    lastValueVisible: false,
  });
  chart.priceScale('gaps').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: COLORS.up,
    downColor: COLORS.down,
    borderUpColor: COLORS.up,
    borderDownColor: COLORS.down,
    wickUpColor: COLORS.up,
    wickDownColor: COLORS.down,
  });
  const volume = chart.addSeries(
    HistogramSeries,
    { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false },
    1,
  );
  chart.panes()[1]?.setStretchFactor(0.28);
  const markers = createSeriesMarkers(candles, []);
  return { chart, candles, volume, band, markers };
}

/** The real daily history shipped with the app (resources/datasets), seeded as SPX on first start. */
const DATASET_SYMBOL = 'SPX';

export function ChartPanel() {
  const { client } = useApi();
  const symbols = useApp((s) => s.symbols);
  const link = useApp((s) => s.link);
  // Symbol and interval live in the persisted layout (the palette switches them too).
  const picked = useLayout((s) => s.chartSymbol);
  const setPicked = useLayout((s) => s.setChartSymbol);
  const interval: ChartInterval = useLayout((s) => s.chartInterval);
  const setChartInterval = useLayout((s) => s.setChartInterval);
  const theme = useLayout((s) => s.theme);
  const [history, setHistory] = useState<ChartHistory | null>(null);
  const [hovered, setHovered] = useState<ChartBar | null>(null);
  const [last, setLast] = useState<ChartBar | null>(null);
  const [error, setError] = useState<string | null>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const handles = useRef<Handles | null>(null);
  /** Bars on screen by ts, for the readout and to tell updates from appends. */
  const bars = useRef(new Map<number, ChartBar>());
  const lastTs = useRef<number | null>(null);
  /** Newest time on the candle series, whitespace of a trailing gap included: updates before it are historical. */
  const seriesEnd = useRef<number | null>(null);
  /** Bumped on every load so late answers for an older view are dropped. */
  const generation = useRef(0);
  /** 'SYMBOL|interval' on screen; live answers for another view are dropped. */
  const view = useRef('');
  /** Gaps on screen ('from-to'), to tell a new hole from a known one in live answers. */
  const knownGaps = useRef(new Set<string>());
  const reload = useRef<() => void>(() => {});
  /** Gap markers of the last load; signal markers are merged into them on every redraw. */
  const gapMarkers = useRef<SeriesMarker<Time>[]>([]);
  /** Bucket starts on the candle series (whitespace included), ascending: where markers may sit. */
  const buckets = useRef<number[]>([]);
  /** Decisions with a leg on the chart's symbol, newest first, and the symbol they are for. */
  const signals = useRef<{ symbol: string | null; list: Signal[] }>({ symbol: null, list: [] });
  const shownInterval = useRef<ChartInterval>('1m');
  const [markerCounts, setMarkerCounts] = useState<SignalMarkerCounts | null>(null);
  // A restored symbol that is no longer watched falls back to the first one.
  const symbol =
    picked !== null && symbols.length > 0 && (picked === DATASET_SYMBOL || symbols.some((s) => s.symbol === picked))
      ? picked
      : (symbols[0]?.symbol ?? null);

  // The canvas does not read CSS: re-apply the theme's colours when it changes.
  useEffect(() => {
    handles.current?.chart.applyOptions(chartThemeOptions());
  }, [theme]);

  /** Redraws gap and signal markers together (the markers plugin takes one list per series). */
  const drawMarkers = useCallback(() => {
    const h = handles.current;
    if (h === null) return;
    const sig = signals.current;
    const own =
      sig.symbol === null ? null : signalMarkers(sig.list, sig.symbol, shownInterval.current, buckets.current);
    h.markers.setMarkers(mergeMarkers(gapMarkers.current, own?.markers ?? []));
    setMarkerCounts(own?.counts ?? null);
  }, []);

  // The chart itself: created once, torn down with the panel.
  useEffect(() => {
    const el = containerRef.current;
    if (el === null) return;
    const h = createHandles(el);
    handles.current = h;
    const onMove = (p: MouseEventParams<Time>) => {
      setHovered(p.time === undefined ? null : (bars.current.get(fromChartTime(p.time)) ?? null));
    };
    h.chart.subscribeCrosshairMove(onMove);
    return () => {
      h.chart.unsubscribeCrosshairMove(onMove);
      h.chart.remove();
      handles.current = null;
    };
  }, []);

  const show = useCallback(
    (res: ChartHistory, fit: boolean) => {
      const h = handles.current;
      if (h === null) return;
      const data = seriesOf(res);
      h.band.setData(data.band);
      h.candles.setData(data.candles);
      h.volume.setData(data.volume);
      gapMarkers.current = data.markers;
      buckets.current = data.candles.map((c) => fromChartTime(c.time));
      shownInterval.current = res.interval;
      drawMarkers();
      bars.current = new Map(res.bars.map((b) => [b.ts, b]));
      knownGaps.current = new Set(res.gaps.map((g) => `${g.fromTs}-${g.toTs}`));
      const newest = res.bars[res.bars.length - 1] ?? null;
      lastTs.current = newest?.ts ?? null;
      const end = data.candles[data.candles.length - 1];
      seriesEnd.current = end === undefined ? null : fromChartTime(end.time);
      setLast(newest);
      setHistory(res);
      if (fit) {
        // Everything when it fits legibly, else the newest VIEW_BARS; room on the right for the live candle's marker.
        // After the next layout: a range set before autoSize measured the canvas is not kept.
        const n = data.candles.length;
        requestAnimationFrame(() =>
          h.chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, n - VIEW_BARS), to: n - 1 + RIGHT_ROOM }),
        );
      }
    },
    [drawMarkers],
  );

  /** Puts bars of the current interval on screen: replaces same-ts ones, appends newer ones. */
  const apply = useCallback(
    (list: readonly ChartBar[]) => {
      const h = handles.current;
      if (h === null) return;
      for (const b of list) {
        const end = seriesEnd.current;
        const historical = end !== null && b.ts < end;
        // A bar for an older empty slot (a hole being filled): the next reload draws it with its gap state.
        if (historical && !bars.current.has(b.ts)) continue;
        h.candles.update(candleOf(b), historical);
        h.volume.update(volumeOf(b), historical || b.ts === lastTs.current);
        bars.current.set(b.ts, b);
        if (!historical) {
          // A new bucket: a decision on it may have arrived before its bar did.
          const fresh = b.ts !== seriesEnd.current;
          seriesEnd.current = b.ts;
          lastTs.current = b.ts;
          setLast(b);
          if (fresh) {
            buckets.current.push(b.ts);
            drawMarkers();
          }
        } else if (b.ts === lastTs.current) setLast(b);
      }
    },
    [drawMarkers],
  );

  // Signal decisions for the markers: the recent ones on open (and after a reconnect), then live.
  useEffect(() => {
    if (symbol === null || link !== 'open') return;
    signals.current = { symbol, list: [] };
    drawMarkers();
    let live: Signal[] = [];
    let loaded = false;
    const off = client.on('signal', (s: Signal) => {
      if (sideOn(s, symbol) === null) return;
      if (!loaded) live.push(s);
      else signals.current.list.unshift(s);
      if (loaded) drawMarkers();
    });
    client.invoke('listSignals', { symbol, limit: SIGNALS_LOADED }).then(
      (rows) => {
        if (signals.current.symbol !== symbol) return;
        const known = new Set(rows.map((r) => `${r.ts}|${r.symbols.join('/')}`));
        signals.current.list = [...live.filter((s) => !known.has(`${s.ts}|${s.symbols.join('/')}`)), ...rows];
        loaded = true;
        live = [];
        drawMarkers();
      },
      (err: Error) => setError(`Could not load ${symbol} signals: ${err.message}`),
    );
    return off;
  }, [client, symbol, link, drawMarkers]);

  // History on open, on every symbol or interval change, after a reconnect, and once a minute.
  useEffect(() => {
    if (symbol === null || link !== 'open') return;
    const gen = ++generation.current;
    view.current = `${symbol}|${interval}`;
    let first = true;
    const load = () =>
      client.invoke('getBars', { symbol, interval }).then(
        (res) => {
          if (gen !== generation.current) return;
          show(res, first);
          first = false;
          setError(null);
        },
        (err: Error) => gen === generation.current && setError(`Could not load ${symbol} bars: ${err.message}`),
      );
    reload.current = () => void load();
    void load();
    const timer = window.setInterval(() => void load(), RELOAD_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [client, symbol, interval, link, show]);

  // Live bars: 1m updates go straight on; coarser intervals re-read their newest bucket.
  useEffect(() => {
    if (symbol === null) return;
    const key = `${symbol}|${interval}`;
    let inFlight = false;
    let again = false;
    const refreshTail = () => {
      if (inFlight) {
        again = true;
        return;
      }
      const from = lastTs.current;
      inFlight = true;
      client
        .invoke('getBars', { symbol, interval, ...(from === null ? {} : { fromTs: from }) })
        .then(
          (res) => {
            if (view.current !== key) return;
            const fresh = res.gaps.some((g) => !knownGaps.current.has(`${g.fromTs}-${g.toTs}`));
            if (from === null || fresh) reload.current();
            else apply(res.bars);
          },
          () => {},
        )
        .finally(() => {
          inFlight = false;
          if (again) {
            again = false;
            refreshTail();
          }
        });
    };
    return client.on('bars', (u: BarsUpdate) => {
      if (u.symbol !== symbol || view.current !== key) return;
      const newest = lastTs.current;
      // A minute skipped since the newest bar may be a hole: let the engine say, with gaps.
      const jumped = newest !== null && u.bars.some((b) => b.ts > newest + MIN);
      if (interval === '1m' && !jumped) apply(u.bars);
      else refreshTail();
    });
  }, [client, symbol, interval, apply, show]);

  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    const i = Number(e.key) - 1;
    const next = INTERVALS[i];
    if (next !== undefined && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      setChartInterval(next);
    }
  }

  const shown = hovered ?? last;
  const daily = interval === '1d';
  const missing = history?.gaps.reduce((n, g) => n + g.minutes, 0) ?? 0;

  return (
    <section className="center panel chart-panel" aria-labelledby="chart-title">
      <div className="chart-toolbar">
        <h2 id="chart-title">Chart</h2>
        <label className="chart-symbol">
          <span className="visually-hidden">Chart symbol</span>
          <select
            aria-label="Chart symbol"
            value={symbol ?? ''}
            onChange={(e) => {
              setPicked(e.target.value);
              setHovered(null);
              // The bundled dataset is daily only: open it on 1D rather than an empty minute chart.
              if (e.target.value === DATASET_SYMBOL) setChartInterval('1d');
            }}
          >
            {symbols.map((s) => (
              <option key={s.symbol} value={s.symbol}>
                {s.symbol}
              </option>
            ))}
            {!symbols.some((s) => s.symbol === DATASET_SYMBOL) && (
              <optgroup label="Bundled history">
                <option value={DATASET_SYMBOL}>{DATASET_SYMBOL} · S&amp;P 500 daily 2000–2020</option>
              </optgroup>
            )}
          </select>
        </label>
        <div className="segmented" role="radiogroup" aria-label="Interval">
          {INTERVALS.map((iv, i) => (
            <button
              key={iv}
              type="button"
              role="radio"
              className="seg"
              aria-checked={interval === iv}
              aria-keyshortcuts={String(i + 1)}
              title={`${iv} (key ${i + 1})`}
              onClick={() => setChartInterval(iv)}
            >
              {iv}
            </button>
          ))}
        </div>
        {history?.sim && (
          <span className="sim-badge chart-sim" title="Simulated feed: no real intraday data is available here">
            SIM
          </span>
        )}
        <span className="spacer" />
        <output className="chart-readout" aria-label="Bar under the crosshair" aria-live="off">
          {shown ? (
            <>
              <span>{formatBarTime(shown.ts, daily)} NY</span>
              <span>O {formatPrice(shown.o)}</span>
              <span>H {formatPrice(shown.h)}</span>
              <span>L {formatPrice(shown.l)}</span>
              <span className={shown.c >= shown.o ? 'up' : 'down'}>
                C {formatPrice(shown.c)} {shown.c >= shown.o ? '▲' : '▼'}
              </span>
              <span>V {formatVolume(shown.v)}</span>
              {shown.status !== 'live' && <span className={`chart-status-${shown.status}`}>{shown.status}</span>}
            </>
          ) : (
            <span className="muted">no bars yet</span>
          )}
        </output>
      </div>
      <div
        ref={containerRef}
        className="chart-canvas"
        tabIndex={0}
        role="img"
        aria-keyshortcuts="1 2 3 4 5"
        aria-label={`${symbol ?? 'No symbol'} ${interval} candlestick chart with volume; keys 1 to 5 switch the interval`}
        onKeyDown={onKey}
      />
      <div className="chart-legend">
        <span>
          <i className="swatch swatch-live" aria-hidden="true" /> live
        </span>
        <span>
          <i className="swatch swatch-backfilled" aria-hidden="true" /> backfilled
        </span>
        <span>
          <i className="swatch swatch-gap" aria-hidden="true" /> gap (missing session minutes)
        </span>
        {history?.sim && (
          <span className="chart-sim-note">
            <span className="sim-badge">SIM</span> simulated feed: no real intraday data is available here
          </span>
        )}
        <span className="chart-signal-legend" data-testid="signal-markers">
          <span className="sig-buy" aria-hidden="true">
            ▲
          </span>{' '}
          buy {markerCounts?.buy ?? 0} ·{' '}
          <span className="sig-sell" aria-hidden="true">
            ▼
          </span>{' '}
          sell {markerCounts?.sell ?? 0}
          {markerCounts !== null && markerCounts.gated > 0 && (
            <>
              {' '}
              (<span className="sig-gated">grey</span> = gated: {markerCounts.gated})
            </>
          )}
        </span>
        {history && history.sources.length > 0 && <span className="muted">source: {history.sources.join(', ')}</span>}
      </div>
      <p className="chart-gaps" aria-label="Gaps" aria-live="polite">
        {history === null
          ? 'Loading…'
          : history.gaps.length === 0
            ? 'No gaps in the session minutes shown.'
            : `${history.gaps.length} gap${history.gaps.length === 1 ? '' : 's'}, ${formatMinutes(missing)} missing: ` +
              history.gaps
                .slice(-3)
                .map((g) => `${formatBarTime(g.fromTs)}–${formatClock(g.toTs)} (${g.minutes} min)`)
                .join('; ') +
              (history.gaps.length > 3 ? ' …' : '')}
      </p>
      {error && (
        <p className="chart-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
