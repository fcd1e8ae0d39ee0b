/**
 * The HTML tear sheet: one self-contained file (inline CSS and SVG, no script, no external
 * resource of any kind) that opens anywhere and prints to PDF through the same Chromium path.
 * Every piece of text from the result is escaped by `esc`.
 */
import { underwater } from '../metrics';
import type { BacktestResult, PriceSeries, Trade } from '../result';
import { DASH, MONTHS, duration, esc, int, money, nyCell, nyTime, pct, price, qty, ratio, signedPct } from './format';
import { histogramBins, histogramChart, lineChart, type Marker } from './svg';

const COLORS = { strategy: '#1f4e79', benchmark: '#9aa5b1', drawdown: '#c0392b', win: '#1e8449', loss: '#c0392b' };
/** The trades table stops here; trades.csv has them all. */
const MAX_TRADE_ROWS = 250;

export function renderHtml(result: BacktestResult): string {
  const p = result.parameters;
  const title = `Backtest ${p.symbols.join(', ')} ${rangeText(result)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="Kestrel (result schema v${result.schemaVersion})">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main class="sheet">
${header(result)}
${gapBanner(result)}
${kpis(result)}
${equitySection(result)}
${statsSection(result)}
${monthlySection(result)}
${distributionSection(result)}
${symbolSection(result)}
${priceSections(result)}
${tradesSection(result)}
${parametersSection(result)}
<footer>Simulated results: ${esc(result.fillModel.name)}. Definitions of every statistic: docs/backtest-metrics.md in Kestrel. Generated ${esc(nyTime(result.generatedAt))} · result schema v${result.schemaVersion}.</footer>
</main>
</body>
</html>
`;
}

function isDaily(r: BacktestResult): boolean {
  return r.parameters.interval === '1d';
}

function rangeText(r: BacktestResult): string {
  const daily = isDaily(r);
  return `${nyTime(r.dataRange.firstBarTs, daily)} → ${nyTime(r.dataRange.lastBarTs, daily)}`;
}

/** Date labels for the x axis, precise enough for the span shown. */
function xLabeller(timestamps: readonly number[], daily: boolean): (i: number) => string {
  const first = timestamps[0] ?? 0;
  const last = timestamps[timestamps.length - 1] ?? 0;
  const spanDays = (last - first) / 86_400_000;
  return (i) => {
    const ts = timestamps[Math.max(0, Math.min(timestamps.length - 1, i))];
    if (ts === undefined) return '';
    const full = nyTime(ts, true);
    if (daily || spanDays > 20) return full;
    return `${full.slice(5)} ${nyTime(ts).slice(11, 16)}`;
  };
}

function header(r: BacktestResult): string {
  const p = r.parameters;
  return `<header class="top">
  <div>
    <div class="eyebrow">Kestrel · backtest report</div>
    <h1>${esc(p.symbols.join(' · '))}</h1>
    <div class="sub">${esc(rangeText(r))} · ${esc(p.interval === '1m' ? '1-minute bars' : 'daily bars')} · ${esc(int(r.dataRange.bars))} bars · source ${esc(r.dataRange.source)}</div>
  </div>
  <div class="fill-badge"><div class="eyebrow">Fill model</div><div class="fill-name">${esc(r.fillModel.name)}</div><div class="sub">Starting cash ${esc(money(p.initialCash))}</div></div>
</header>`;
}

function gapBanner(r: BacktestResult): string {
  if (r.gaps.length === 0) return '';
  const bars = r.gaps.reduce((s, g) => s + g.missingBars, 0);
  return `<div class="banner">Ran over ${esc(int(r.gaps.length))} data gap${r.gaps.length === 1 ? '' : 's'} (${esc(int(bars))} missing bar${bars === 1 ? '' : 's'}, allowed by --allow-gaps). They are listed below.</div>`;
}

function tone(x: number | null): string {
  return x === null || x === 0 ? '' : x > 0 ? ' pos' : ' neg';
}

function kpis(r: BacktestResult): string {
  const s = r.statistics;
  const cards: [string, string, string, string][] = [
    [
      'Total return',
      signedPct(s.returns.totalReturn),
      tone(s.returns.totalReturn),
      `Benchmark ${signedPct(s.benchmark.totalReturn)}`,
    ],
    ['CAGR', signedPct(s.returns.cagr), tone(s.returns.cagr), `over ${s.returns.years.toFixed(2)} trading years`],
    ['Sharpe', ratio(s.returns.sharpe), '', `Sortino ${ratio(s.returns.sortino)}`],
    ['Max drawdown', pct(s.drawdown.maxDrawdown), tone(s.drawdown.maxDrawdown), `Calmar ${ratio(s.returns.calmar)}`],
    ['Volatility', pct(s.returns.annualVolatility), '', 'annualised'],
    ['Trades', int(s.trades.count), '', `win rate ${pct(s.trades.winRate, 1)}`],
    ['Profit factor', ratio(s.trades.profitFactor), '', `expectancy ${money(s.trades.expectancy)}`],
    ['Exposure', pct(s.trades.exposure, 1), '', `beta ${ratio(s.benchmark.beta)} · α ${signedPct(s.benchmark.alpha)}`],
  ];
  return `<section class="kpis">${cards
    .map(
      ([label, value, cls, sub]) =>
        `<div class="kpi"><div class="kpi-label">${esc(label)}</div><div class="kpi-value${cls}">${esc(value)}</div><div class="kpi-sub">${esc(sub)}</div></div>`,
    )
    .join('')}</section>`;
}

function legend(items: [string, string, boolean?][]): string {
  return `<div class="legend">${items
    .map(
      ([name, color, dashed]) =>
        `<span><svg width="22" height="8" aria-hidden="true"><line x1="0" x2="22" y1="4" y2="4" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 3"' : ''}/></svg>${esc(name)}</span>`,
    )
    .join('')}</div>`;
}

function equitySection(r: BacktestResult): string {
  const ts = r.equityCurve.map((p) => p.ts);
  const xl = xLabeller(ts, isDaily(r));
  const equity = lineChart({
    width: 1000,
    height: 300,
    series: [
      { name: 'Benchmark', values: r.benchmarkCurve.map((p) => p.equity), color: COLORS.benchmark, dashed: true },
      { name: 'Strategy', values: r.equityCurve.map((p) => p.equity), color: COLORS.strategy },
    ],
    xLabel: xl,
    yFormat: compactMoney,
    baseline: r.parameters.initialCash,
    ariaLabel: 'Equity against the benchmark',
  });
  const dd = underwater(r.equityCurve);
  const under = lineChart({
    width: 1000,
    height: 170,
    series: [{ name: 'Drawdown', values: dd.map((p) => p.equity), color: COLORS.drawdown, area: true }],
    xLabel: xl,
    yFormat: (v) => `${(v * 100).toFixed(Math.abs(v) < 0.02 && v !== 0 ? 1 : 0)}%`,
    baseline: 0,
    ariaLabel: 'Underwater curve: drawdown from the running peak',
  });
  return `<section class="block">
  <h2>Equity against the benchmark</h2>
  ${legend([
    ['Strategy', COLORS.strategy],
    [r.statistics.benchmark.name, COLORS.benchmark, true],
  ])}
  ${equity}
  <h3>Underwater</h3>
  <p class="note">Drawdown from the running peak. Deepest ${esc(pct(r.statistics.drawdown.maxDrawdown))}, from ${esc(nyTime(r.statistics.drawdown.peakTs, isDaily(r)))} to ${esc(nyTime(r.statistics.drawdown.troughTs, isDaily(r)))}${r.statistics.drawdown.recoveryTs === null ? ', not recovered' : `, recovered ${esc(nyTime(r.statistics.drawdown.recoveryTs, isDaily(r)))}`}.</p>
  ${under}
</section>`;
}

function compactMoney(v: number): string {
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  if (a >= 1e6) return `${sign}$${(a / 1e6).toFixed(a >= 1e7 ? 1 : 2)}M`;
  if (a >= 1e4) return `${sign}$${(a / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  return `${sign}$${a.toFixed(0)}`;
}

function table(rows: [string, string][], cls = ''): string {
  return `<table class="kv${cls}"><tbody>${rows
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function statsSection(r: BacktestResult): string {
  const s = r.statistics;
  const d = isDaily(r);
  const ret = table([
    ['Starting equity', money(s.returns.startEquity)],
    ['Ending equity', money(s.returns.endEquity)],
    ['Total return', signedPct(s.returns.totalReturn)],
    ['CAGR', signedPct(s.returns.cagr)],
    ['Annualised volatility', pct(s.returns.annualVolatility)],
    ['Sharpe', ratio(s.returns.sharpe)],
    ['Sortino', ratio(s.returns.sortino)],
    ['Calmar', ratio(s.returns.calmar)],
    ['Risk-free rate', pct(s.returns.riskFreeRate)],
    ['Periods per year', int(s.returns.periodsPerYear)],
  ]);
  const dd = table([
    ['Max drawdown', pct(s.drawdown.maxDrawdown)],
    ['Peak', `${nyTime(s.drawdown.peakTs, d)} · ${money(s.drawdown.peakEquity)}`],
    ['Trough', `${nyTime(s.drawdown.troughTs, d)} · ${money(s.drawdown.troughEquity)}`],
    [
      'Recovery',
      s.drawdown.peakTs === null
        ? DASH
        : s.drawdown.recoveryTs === null
          ? 'not recovered'
          : nyTime(s.drawdown.recoveryTs, d),
    ],
    ['Duration (peak to recovery)', duration(s.drawdown.durationMs, d)],
    ['Longest underwater', duration(s.drawdown.longestDurationMs, d)],
  ]);
  const t = s.trades;
  const trades = table([
    ['Trades', `${int(t.count)} (${int(t.wins)} won, ${int(t.losses)} lost)`],
    ['Win rate', pct(t.winRate, 1)],
    ['Profit factor', ratio(t.profitFactor)],
    ['Expectancy', money(t.expectancy)],
    ['Average win / loss', `${money(t.avgWin)} / ${money(t.avgLoss)}`],
    ['Largest win / loss', `${money(t.largestWin)} / ${money(t.largestLoss)}`],
    ['Average return per trade', signedPct(t.avgReturn)],
    ['Average duration', duration(t.avgDurationMs, d)],
    ['Max consecutive wins / losses', `${int(t.maxConsecutiveWins)} / ${int(t.maxConsecutiveLosses)}`],
    ['Fees', money(t.fees)],
    ['Traded notional', money(t.tradedNotional)],
    ['Turnover', t.turnover === null ? DASH : `${t.turnover.toFixed(2)}×`],
    ['Time in market', pct(t.exposure, 1)],
  ]);
  const b = s.benchmark;
  const bench = table([
    ['Benchmark', b.name],
    ['Total return', signedPct(b.totalReturn)],
    ['CAGR', signedPct(b.cagr)],
    ['Annualised volatility', pct(b.annualVolatility)],
    ['Sharpe', ratio(b.sharpe)],
    ['Max drawdown', pct(b.maxDrawdown)],
    ['Alpha (annualised)', signedPct(b.alpha)],
    ['Beta', ratio(b.beta)],
    ['Correlation', ratio(b.correlation)],
  ]);
  return `<section class="block grid2">
  <div><h2>Returns and risk</h2>${ret}<h2>Drawdown</h2>${dd}</div>
  <div><h2>Trades</h2>${trades}<h2>Benchmark</h2>${bench}</div>
</section>`;
}

/** Diverging red/green by size against the largest month. */
function heat(x: number, maxAbs: number): string {
  const t = maxAbs > 0 ? Math.min(1, Math.abs(x) / maxAbs) : 0;
  const alpha = (0.12 + 0.78 * t).toFixed(2);
  return x >= 0 ? `rgba(30,132,73,${alpha})` : `rgba(192,57,43,${alpha})`;
}

function monthlySection(r: BacktestResult): string {
  const years = [...new Set(r.monthlyReturns.map((m) => m.year))].sort((a, b) => a - b);
  const maxAbs = Math.max(0, ...r.monthlyReturns.map((m) => Math.abs(m.return)));
  const yearly = new Map(r.yearlyReturns.map((y) => [y.year, y.return]));
  const rows = years.map((y) => {
    const cells = MONTHS.map((_, k) => {
      const m = r.monthlyReturns.find((x) => x.year === y && x.month === k + 1);
      if (!m) return '<td class="empty"></td>';
      const strong = Math.abs(m.return) / (maxAbs || 1) > 0.6;
      return `<td style="background:${heat(m.return, maxAbs)}"${strong ? ' class="strong"' : ''}>${esc(signedPct(m.return, 1))}</td>`;
    }).join('');
    const yr = yearly.get(y) ?? null;
    return `<tr><th scope="row">${y}</th>${cells}<td class="year${tone(yr)}">${esc(signedPct(yr, 1))}</td></tr>`;
  });
  return `<section class="block">
  <h2>Monthly returns <span class="h-note">New York months</span></h2>
  <table class="heatmap"><thead><tr><th></th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr></thead><tbody>${rows.join('')}</tbody></table>
</section>`;
}

function distributionSection(r: BacktestResult): string {
  const returns = r.trades.map((t) => t.return);
  const hist =
    returns.length === 0
      ? '<p class="empty-note">No closed trades.</p>'
      : histogramChart({
          width: 500,
          height: 240,
          bins: histogramBins(returns),
          xFormat: (v) => pct(v, Math.abs(v) < 0.1 ? 2 : 1),
          ariaLabel: 'Distribution of trade returns',
        });
  return `<section class="block grid2">
  <div><h2>Trade returns</h2><p class="note">Net of fees, per trade; ${esc(int(returns.length))} closed trades.</p>${hist}</div>
  <div>${ordersTable(r)}${gapsTable(r)}</div>
</section>`;
}

function symbolSection(r: BacktestResult): string {
  const head = [
    'Symbol',
    'Trades',
    'Won',
    'Lost',
    'Win rate',
    'P&L',
    'Fees',
    'Profit factor',
    'Expectancy',
    'In market',
    'Buy & hold',
  ];
  const rows = r.perSymbol
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s.symbol)}</th><td>${esc(int(s.trades))}</td><td>${esc(int(s.wins))}</td><td>${esc(int(s.losses))}</td><td>${esc(pct(s.winRate, 1))}</td><td class="${tone(s.pnl).trim()}">${esc(money(s.pnl))}</td><td>${esc(money(s.fees))}</td><td>${esc(ratio(s.profitFactor))}</td><td>${esc(money(s.expectancy))}</td><td>${esc(pct(s.timeInMarket, 1))}</td><td class="${tone(s.buyHoldReturn).trim()}">${esc(signedPct(s.buyHoldReturn))}</td></tr>`,
    )
    .join('');
  return `<section class="block"><h2>By symbol</h2><table class="data"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** Index of the last point at or before ts (the bar a fill happened in), clamped to the series. */
function indexAt(points: PriceSeries['points'], ts: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.ts <= ts) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function priceSections(r: BacktestResult): string {
  const daily = isDaily(r);
  return r.prices
    .map((series, k) => {
      const pts = series.points;
      const trades = r.trades.filter((t) => t.symbol === series.symbol);
      const markers: Marker[] = [];
      if (pts.length > 0) {
        for (const t of trades) markers.push(...tradeMarkers(t, pts, daily));
      }
      const chart =
        pts.length === 0
          ? '<p class="empty-note">No prices.</p>'
          : lineChart({
              width: 1000,
              height: 260,
              series: [{ name: series.symbol, values: pts.map((p) => p.close), color: '#34495e' }],
              xLabel: xLabeller(
                pts.map((p) => p.ts),
                daily,
              ),
              yFormat: (v) => price(v),
              markers,
              ariaLabel: `${series.symbol} price with entries and exits`,
            });
      return `<section class="block symbol${k === 0 ? ' page-break' : ''}">
  <h2>${esc(series.symbol)} <span class="h-note">price with entries and exits · ${esc(int(trades.length))} trades</span></h2>
  <div class="legend"><span><svg width="12" height="10" aria-hidden="true"><path d="M6 1l-5 8h10z" fill="${COLORS.strategy}"/></svg>long entry</span><span><svg width="12" height="10" aria-hidden="true"><path d="M6 9l-5 -8h10z" fill="#8e44ad"/></svg>short entry</span><span><svg width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="4" fill="${COLORS.win}"/></svg>exit, win</span><span><svg width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="4" fill="${COLORS.loss}"/></svg>exit, loss</span></div>
  ${chart}
</section>`;
    })
    .join('\n');
}

function tradeMarkers(t: Trade, pts: PriceSeries['points'], daily: boolean): Marker[] {
  const label = `${t.side} ${qty(t.qty)} ${t.symbol}`;
  return [
    {
      index: indexAt(pts, t.entryTs),
      value: t.entryPrice,
      shape: t.side === 'LONG' ? 'up' : 'down',
      color: t.side === 'LONG' ? COLORS.strategy : '#8e44ad',
      title: `Entry ${label} @ ${price(t.entryPrice)} · ${nyTime(t.entryTs, daily)}`,
    },
    {
      index: indexAt(pts, t.exitTs),
      value: t.exitPrice,
      shape: 'circle',
      color: t.pnl >= 0 ? COLORS.win : COLORS.loss,
      title: `Exit ${label} @ ${price(t.exitPrice)} · ${nyTime(t.exitTs, daily)} · P&L ${money(t.pnl)} (${signedPct(t.return)})`,
    },
  ];
}

function tradesSection(r: BacktestResult): string {
  const daily = isDaily(r);
  const shown = r.trades.slice(0, MAX_TRADE_ROWS);
  const head = [
    '#',
    'Symbol',
    'Side',
    'Qty',
    daily ? 'Entry' : 'Entry (ET)',
    'Entry price',
    daily ? 'Exit' : 'Exit (ET)',
    'Exit price',
    'P&L',
    'Return',
    'Fees',
    'Held',
  ];
  const rows = shown
    .map(
      (t) =>
        `<tr><td>${t.id + 1}</td><td>${esc(t.symbol)}</td><td>${esc(t.side)}</td><td>${esc(qty(t.qty))}</td><td>${esc(nyCell(t.entryTs, daily))}</td><td>${esc(price(t.entryPrice))}</td><td>${esc(nyCell(t.exitTs, daily))}</td><td>${esc(price(t.exitPrice))}</td><td class="${tone(t.pnl).trim()}">${esc(money(t.pnl))}</td><td class="${tone(t.return).trim()}">${esc(signedPct(t.return))}</td><td>${esc(money(t.fees))}</td><td>${esc(duration(t.durationMs, daily))}</td></tr>`,
    )
    .join('');
  const more =
    r.trades.length > shown.length
      ? `<p class="note">Showing the first ${esc(int(shown.length))} of ${esc(int(r.trades.length))} trades; the CSV export has all of them.</p>`
      : '';
  const body =
    r.trades.length === 0
      ? '<p class="empty-note">No closed trades.</p>'
      : `<table class="data trades"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>${more}`;
  return `<section class="block flow page-break"><h2>Trades</h2>${body}</section>`;
}

function ordersTable(r: BacktestResult): string {
  const byStatus = new Map<string, number>();
  for (const o of r.orders) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  const statusRows = [...byStatus.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const body =
    r.orders.length === 0 ? '<p class="empty-note">No orders.</p>' : table(statusRows.map(([s, n]) => [s, int(n)]));
  // Why orders did not fill, most frequent reason first: a trader's first question about a run.
  const reasons = new Map<string, number>();
  for (const o of r.orders) if (o.reason !== null) reasons.set(o.reason, (reasons.get(o.reason) ?? 0) + 1);
  const top = [...reasons.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 8);
  const why =
    top.length === 0
      ? ''
      : `<h3>Reasons</h3>${table(
          top.map(([reason, n]) => [reason, int(n)]),
          ' reasons',
        )}`;
  return `<h2>Orders <span class="h-note">${esc(int(r.orders.length))} in all, by final state</span></h2>${body}${why}`;
}

function gapsTable(r: BacktestResult): string {
  const daily = isDaily(r);
  const body =
    r.gaps.length === 0
      ? '<p class="empty-note">No gaps in the requested range.</p>'
      : `<table class="data"><thead><tr><th>Symbol</th><th>From</th><th>To</th><th>Missing bars</th></tr></thead><tbody>${r.gaps
          .map(
            (g) =>
              `<tr><td>${esc(g.symbol)}</td><td>${esc(nyTime(g.fromTs, daily))}</td><td>${esc(nyTime(g.toTs, daily))}</td><td>${esc(int(g.missingBars))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<h2>Data gaps</h2>${body}`;
}

function parametersSection(r: BacktestResult): string {
  const p = r.parameters;
  const f = r.fillModel;
  const params: [string, string][] = [
    ['Symbols', p.symbols.join(', ')],
    ['Bars', p.interval],
    ['Requested range', `${nyTime(p.from, isDaily(r))} → ${nyTime(p.to, isDaily(r))} (end exclusive)`],
    ['Starting cash', money(p.initialCash)],
    ['Policy', p.policy ?? 'default'],
    ['Risk-free rate', pct(p.riskFreeRate)],
    ['Allow gaps', p.allowGaps ? 'yes' : 'no'],
    ...Object.keys(p.extra)
      .sort()
      .map((k): [string, string] => [k, String(p.extra[k] ?? 'null')]),
  ];
  const fill: [string, string][] = [
    ['Name', f.name],
    ['Fills at', f.fillAt === 'next-open' ? 'open of the next bar' : 'close of the same bar'],
    ['Slippage', `${f.slippageBps} bps`],
    ['Commission', f.commission === 'ib-fixed' ? 'IB fixed' : f.commission === 'ib-tiered' ? 'IB tiered' : 'none'],
    ['Partial fills', f.partialFills ? 'yes' : 'no'],
    ['Description', f.description || DASH],
  ];
  return `<section class="block grid2">
  <div><h2>Parameters</h2>${table(params)}</div>
  <div><h2>Fill model</h2>${table(fill)}</div>
</section>`;
}

const CSS = `
:root{--ink:#1b2430;--muted:#5b6776;--line:#dde3ea;--soft:#f4f6f9;--accent:#1f4e79;--pos:#1e8449;--neg:#c0392b}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#e9edf2;color:var(--ink);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-variant-numeric:tabular-nums}
.sheet{max-width:1080px;margin:24px auto;background:#fff;padding:28px 34px 20px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:24px;margin:2px 0 4px;letter-spacing:.2px}
h2{font-size:14px;margin:18px 0 8px;text-transform:uppercase;letter-spacing:.6px;color:var(--accent);border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:12px;margin:14px 0 2px;color:var(--muted);text-transform:uppercase;letter-spacing:.5px}
.h-note{font-weight:400;text-transform:none;letter-spacing:0;color:var(--muted);font-size:12px;margin-left:6px}
.eyebrow{font-size:11px;text-transform:uppercase;letter-spacing:.8px;color:var(--muted)}
.sub,.note{color:var(--muted);font-size:12px}
.note{margin:2px 0 6px}
.top{display:flex;justify-content:space-between;align-items:flex-end;gap:24px;border-bottom:3px solid var(--accent);padding-bottom:12px}
.fill-badge{text-align:right;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:240px}
.fill-name{font-weight:600;font-size:14px}
.banner{margin:12px 0 0;padding:8px 12px;border-left:4px solid #d68910;background:#fef5e7;font-size:12px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;margin:16px 0 6px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:9px 12px;background:linear-gradient(#fff,#fafbfc)}
.kpi-label{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.5px}
.kpi-value{font-size:22px;font-weight:650;margin:1px 0}
.kpi-sub{font-size:11px;color:var(--muted)}
.pos{color:var(--pos)}.neg{color:var(--neg)}
.block{margin-top:8px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:28px}
.grid2>div{min-width:0}
.chart{width:100%;height:auto;display:block}
.chart .grid{stroke:#edf0f4;stroke-width:1}
.chart .axis{stroke:#9aa5b1;stroke-width:1}
.chart .tick{stroke:#9aa5b1}
.chart .baseline{stroke:#5b6776;stroke-width:1;stroke-dasharray:2 3}
.chart text{font-size:11px;fill:var(--muted)}
.legend{display:flex;gap:16px;font-size:12px;color:var(--muted);margin:0 0 4px}
.legend span{display:inline-flex;align-items:center;gap:6px}
table{border-collapse:collapse;width:100%}
.kv th{font-weight:400;color:var(--muted);text-align:left;padding:3px 8px 3px 0;width:52%}
.kv td{text-align:right;padding:3px 0;font-weight:550}
.kv tr{border-bottom:1px solid #f0f2f5}
.kv.reasons th{width:auto}
.data th{font-size:11px;text-transform:uppercase;letter-spacing:.4px;color:var(--muted);font-weight:600;text-align:right;padding:5px 6px;border-bottom:1px solid var(--line)}
.data td,.data tbody th{text-align:right;padding:4px 6px;border-bottom:1px solid #f0f2f5}
.data th:first-child,.data td:first-child,.data tbody th{text-align:left}
.data tbody th{font-weight:600;color:var(--ink);font-size:13px;text-transform:none;letter-spacing:0}
.trades td{font-size:12px;white-space:nowrap}
.trades th:nth-child(2),.trades th:nth-child(3),.trades td:nth-child(2),.trades td:nth-child(3){text-align:left}
.heatmap th{font-size:11px;color:var(--muted);font-weight:600;padding:4px 2px}
.heatmap tbody th{text-align:left;color:var(--ink);padding-right:8px}
.heatmap td{text-align:center;padding:6px 2px;font-size:11.5px;border:2px solid #fff;border-radius:3px}
.heatmap td.strong{color:#fff;font-weight:600}
.heatmap td.empty{background:var(--soft)}
.heatmap td.year{font-weight:700;background:var(--soft)}
.empty-note{color:var(--muted);font-style:italic;padding:18px 0;text-align:center;border:1px dashed var(--line);border-radius:6px}
footer{margin-top:22px;padding-top:8px;border-top:1px solid var(--line);font-size:11px;color:var(--muted)}
@page{size:A4;margin:11mm}
@media print{
  body{background:#fff;font-size:11.5px}
  .sheet{max-width:none;margin:0;padding:0;box-shadow:none}
  .block,.kpis,.top,.kpi,tr{break-inside:avoid}
  .flow{break-inside:auto}
  .page-break{break-before:page}
  thead{display:table-header-group}
  h2{break-after:avoid}
  .kpi-value{font-size:19px}
  .data td,.data tbody th{font-size:10.5px;padding:3px 4px}
  .data th{font-size:9.5px;padding:4px}
}
@media screen and (max-width:760px){.grid2{grid-template-columns:1fr}.kpis{grid-template-columns:repeat(2,1fr)}.top{flex-direction:column;align-items:flex-start}.fill-badge{text-align:left}}
`;
