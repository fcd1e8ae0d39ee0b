/**
 * Backtests from the app: pick data, range and fill model, run with a progress bar and a Cancel
 * button, read the statistics and charts, export each format, keep a history (SQLite, in the
 * engine) and compare two runs side by side. "Replay today" puts today's bars through the
 * backtester and shows how its decisions match the day's shadow and live fills.
 */
import { useCallback, useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type {
  BacktestComparison,
  BacktestExportFormat,
  BacktestProgress,
  BacktestRunInfo,
  BacktestView,
  ParityReport,
} from '../../../shared/domain';
import { useApi } from '../apiContext';
import { LineChart, moneyAxis, multipleAxis, pctAxis } from '../backtest/charts';
import {
  formatDiff,
  formatInt,
  formatMoney,
  formatPct,
  formatStat,
  nyDayOf,
  requestOf,
  type BacktestForm,
} from '../backtest/format';
import '../backtest/backtest.css';
import { useApp } from '../store/appStore';

const FORMATS: BacktestExportFormat[] = ['html', 'pdf', 'json', 'csv'];
const HEADLINE_KEYS = ['totalReturn', 'cagr', 'sharpe', 'sortino', 'maxDrawdown', 'trades', 'winRate', 'profitFactor'];
const TRADES_SHOWN = 100;

const INITIAL: BacktestForm = {
  data: 'sp500',
  symbols: '',
  interval: '1d',
  // Empty: the data's own span (the bundled S&P 500 runs 2000-01-03 to 2020-04-17).
  from: '',
  to: '',
  cash: '100000',
  slippageBps: '1',
  commission: 'ib-fixed',
  fillAt: 'next-open',
  allowGaps: false,
  policy: '',
  seed: '1',
};

export function BacktestPanel() {
  const { client } = useApi();
  const link = useApp((s) => s.link);
  const watched = useApp((s) => s.symbols);
  const [form, setForm] = useState<BacktestForm>(INITIAL);
  const [progress, setProgress] = useState<BacktestProgress | null>(null);
  const [runs, setRuns] = useState<BacktestRunInfo[]>([]);
  const [view, setView] = useState<BacktestView | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [comparison, setComparison] = useState<BacktestComparison | null>(null);
  const [exported, setExported] = useState<{ dir: string; files: string[] } | null>(null);
  const [parity, setParity] = useState<ParityReport | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const set = <K extends keyof BacktestForm>(key: K, value: BacktestForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const refresh = useCallback(async () => {
    const list = await client.invoke('listBacktests', { limit: 50 });
    setRuns(list);
    return list;
  }, [client]);

  const open = useCallback(
    async (runId: number) => {
      try {
        setView(await client.invoke('getBacktest', { runId, points: 800, trades: TRADES_SHOWN }));
        setExported(null);
        setError(null);
      } catch (err) {
        setError(`Could not open run ${runId}: ${(err as Error).message}`);
      }
    },
    [client],
  );

  useEffect(() => {
    if (link !== 'open') return;
    refresh()
      .then((list) => {
        const running = list.find((r) => r.status === 'running');
        if (running) setProgress({ runId: running.runId, done: 0, total: 0, status: 'running' });
      })
      .catch((err: Error) => setError(`Could not load the backtest history: ${err.message}`));
    return client.on('backtestProgress', (p) => {
      setProgress(p);
      if (p.status === 'running') return;
      void refresh().then((list) => {
        const run = list.find((r) => r.runId === p.runId);
        if (p.status === 'done') {
          setNote(`Run ${p.runId} finished`);
          void open(p.runId);
        } else if (p.status === 'cancelled') {
          setNote(`Run ${p.runId} cancelled`);
        } else {
          setError(`Run ${p.runId} failed: ${run?.error ?? 'unknown error'}`);
        }
      });
    });
  }, [client, link, refresh, open]);

  // The watched symbols are a sensible default for stored data.
  useEffect(() => {
    if (form.symbols === '' && watched.length > 0) set('symbols', watched.map((s) => s.symbol).join(','));
  }, [watched, form.symbols]);

  async function run(e: FormEvent) {
    e.preventDefault();
    const r = requestOf(form);
    if ('error' in r) {
      setError(r.error);
      return;
    }
    setBusy('run');
    try {
      const { runId } = await client.invoke('runBacktest', r.request);
      setError(null);
      setNote(null);
      setProgress((p) => (p?.runId === runId ? p : { runId, done: 0, total: 0, status: 'running' }));
      void refresh();
    } catch (err) {
      setError(`Backtest refused: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  async function cancel() {
    if (!progress) return;
    setBusy('cancel');
    try {
      await client.invoke('cancelBacktest', { runId: progress.runId });
    } catch (err) {
      setError(`Cancel refused: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  async function exportRun(format: BacktestExportFormat) {
    if (!view) return;
    setBusy(`export-${format}`);
    try {
      const out = await client.invoke('exportBacktest', { runId: view.run.runId, formats: [format] });
      setExported((prev) => ({
        dir: out.dir,
        files: [...(prev?.dir === out.dir ? prev.files.filter((f) => !out.files.includes(f)) : []), ...out.files],
      }));
      setError(null);
    } catch (err) {
      setError(`Export failed: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  async function compare() {
    const [a, b] = picked;
    if (a === undefined || b === undefined) return;
    setBusy('compare');
    try {
      setComparison(await client.invoke('compareBacktests', { a, b }));
      setError(null);
    } catch (err) {
      setError(`Compare refused: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  async function replay() {
    setBusy('replay');
    try {
      setParity(await client.invoke('replayToday', {}));
      setError(null);
    } catch (err) {
      setError(`Replay failed: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  function togglePick(runId: number, on: boolean) {
    setPicked((p) => (on ? [...p.filter((x) => x !== runId), runId].slice(-2) : p.filter((x) => x !== runId)));
  }

  const running = progress?.status === 'running';
  const pct = progress && progress.total > 0 ? progress.done / progress.total : 0;

  return (
    <section className="panel backtest" aria-labelledby="bt-heading">
      <h2 id="bt-heading" className="sr-only">
        Backtests
      </h2>
      <div className="bt-columns">
        <form className="bt-form" onSubmit={(e) => void run(e)} aria-label="Backtest parameters">
          <Field label="Data">
            {(id) => (
              <select id={id} value={form.data} onChange={(e) => set('data', e.target.value as BacktestForm['data'])}>
                <option value="sp500">S&amp;P 500 daily (SPX, bundled)</option>
                <option value="store">Stored bars</option>
                <option value="synthetic">Synthetic minute bars</option>
              </select>
            )}
          </Field>
          <Field label="Symbols">
            {(id) => (
              <input
                id={id}
                value={form.data === 'sp500' ? 'SPX' : form.symbols}
                disabled={form.data === 'sp500'}
                onChange={(e) => set('symbols', e.target.value)}
                placeholder="NVDA,MSFT"
              />
            )}
          </Field>
          <Field label="Interval">
            {(id) => (
              <select
                id={id}
                value={form.data === 'store' ? form.interval : form.data === 'sp500' ? '1d' : '1m'}
                disabled={form.data !== 'store'}
                onChange={(e) => set('interval', e.target.value as '1m' | '1d')}
              >
                <option value="1d">1d</option>
                <option value="1m">1m</option>
              </select>
            )}
          </Field>
          <Field label="From">
            {(id) => <input id={id} type="date" value={form.from} onChange={(e) => set('from', e.target.value)} />}
          </Field>
          <Field label="To">
            {(id) => <input id={id} type="date" value={form.to} onChange={(e) => set('to', e.target.value)} />}
          </Field>
          <Field label="Cash">
            {(id) => (
              <input id={id} inputMode="decimal" value={form.cash} onChange={(e) => set('cash', e.target.value)} />
            )}
          </Field>
          <Field label="Slippage (bps)">
            {(id) => (
              <input
                id={id}
                inputMode="decimal"
                value={form.slippageBps}
                onChange={(e) => set('slippageBps', e.target.value)}
              />
            )}
          </Field>
          <Field label="Commission">
            {(id) => (
              <select
                id={id}
                value={form.commission}
                onChange={(e) => set('commission', e.target.value as BacktestForm['commission'])}
              >
                <option value="ib-fixed">IB fixed</option>
                <option value="ib-tiered">IB tiered</option>
                <option value="none">None</option>
              </select>
            )}
          </Field>
          <Field label="Fill at">
            {(id) => (
              <select
                id={id}
                value={form.fillAt}
                onChange={(e) => set('fillAt', e.target.value as BacktestForm['fillAt'])}
              >
                <option value="next-open">Next bar open</option>
                <option value="same-close">Same bar close</option>
              </select>
            )}
          </Field>
          {form.data === 'synthetic' && (
            <Field label="Seed">
              {(id) => (
                <input id={id} inputMode="numeric" value={form.seed} onChange={(e) => set('seed', e.target.value)} />
              )}
            </Field>
          )}
          <Field label="Policy weights (optional)" wide>
            {(id) => (
              <input
                id={id}
                value={form.policy}
                onChange={(e) => set('policy', e.target.value)}
                placeholder="bundled demo policy"
              />
            )}
          </Field>
          <label className="bt-check">
            <input type="checkbox" checked={form.allowGaps} onChange={(e) => set('allowGaps', e.target.checked)} />
            Allow gaps
          </label>
          <div className="bt-actions bt-wide">
            <button type="submit" className="primary" disabled={running || busy === 'run'}>
              Run backtest
            </button>
            <button type="button" onClick={() => void cancel()} disabled={!running || busy === 'cancel'}>
              Cancel
            </button>
            <button type="button" onClick={() => void replay()} disabled={busy === 'replay'}>
              Replay today
            </button>
          </div>
          {progress && (
            <div className="bt-progress bt-wide" data-testid="backtest-progress">
              <progress
                aria-label={`Backtest ${progress.runId} progress`}
                max={1}
                value={progress.status === 'done' ? 1 : pct}
              />
              <span role="status">
                Run {progress.runId}: {progress.status}
                {progress.total > 0 && ` · ${formatInt(progress.done)} / ${formatInt(progress.total)} bars`}
                {progress.status === 'running' && progress.total > 0 && ` (${Math.floor(pct * 100)}%)`}
              </span>
            </div>
          )}
          {error && (
            <p className="bt-error bt-wide" role="alert">
              {error}
            </p>
          )}
          {note && !error && <p className="muted bt-wide">{note}</p>}
        </form>

        <div className="bt-results" aria-label="Backtest result" role="region">
          {parity && <Parity report={parity} onClose={() => setParity(null)} />}
          {comparison && <Comparison cmp={comparison} onClose={() => setComparison(null)} />}
          {view ? (
            <Results view={view} busy={busy} onExport={(f) => void exportRun(f)} exported={exported} />
          ) : (
            <p className="muted">Run a backtest or open one from the history.</p>
          )}
        </div>

        <div className="bt-history" role="region" aria-label="Backtest history">
          <div className="bt-history-head">
            <h3>History</h3>
            <button type="button" disabled={picked.length !== 2 || busy === 'compare'} onClick={() => void compare()}>
              Compare {picked.length === 2 ? `#${picked[0]} and #${picked[1]}` : 'two runs'}
            </button>
          </div>
          {runs.length === 0 ? (
            <p className="muted">No runs yet.</p>
          ) : (
            <ul className="bt-runs">
              {runs.map((r) => (
                <li key={r.runId} className={view?.run.runId === r.runId ? 'selected' : ''}>
                  <input
                    type="checkbox"
                    aria-label={`Pick run ${r.runId} to compare`}
                    checked={picked.includes(r.runId)}
                    disabled={r.status !== 'done'}
                    onChange={(e) => togglePick(r.runId, e.target.checked)}
                  />
                  <button
                    type="button"
                    className="bt-run"
                    disabled={r.status !== 'done'}
                    onClick={() => void open(r.runId)}
                    aria-label={`Open run ${r.runId}`}
                  >
                    <span className="bt-run-id">#{r.runId}</span>
                    <span className={`bt-status bt-${r.status}`}>{r.status}</span>
                    {r.headline && (
                      <span className={r.headline.totalReturn >= 0 ? 'up' : 'down'}>
                        {formatPct(r.headline.totalReturn)}
                      </span>
                    )}
                    <span className="bt-run-label">{r.label}</span>
                    {r.error && <span className="bt-run-error">{r.error.split('\n')[0]}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

function Results({
  view,
  busy,
  onExport,
  exported,
}: {
  view: BacktestView;
  busy: string | null;
  onExport: (f: BacktestExportFormat) => void;
  exported: { dir: string; files: string[] } | null;
}) {
  const headline = HEADLINE_KEYS.map((k) => view.stats.find((s) => s.key === k)).filter((s) => s !== undefined);
  const rest = view.stats.filter((s) => !HEADLINE_KEYS.includes(s.key));
  return (
    <article aria-label={`Run ${view.run.runId} result`}>
      <header className="bt-result-head">
        <h3>
          Run #{view.run.runId} <span className="muted">{view.run.label}</span>
        </h3>
        <div className="bt-export" role="group" aria-label="Export">
          {FORMATS.map((f) => (
            <button key={f} type="button" disabled={busy === `export-${f}`} onClick={() => onExport(f)}>
              Export {f.toUpperCase()}
            </button>
          ))}
        </div>
      </header>
      {exported && (
        <div className="bt-exported" role="status" aria-label="Exported files">
          Written to {exported.dir}:
          <ul>
            {exported.files.map((f) => (
              <li key={f}>
                <code>{f}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="muted bt-meta">
        {view.dataRange.source} · {formatInt(view.dataRange.bars)} bars ·{' '}
        {view.dataRange.firstBarTs !== null && nyDayOf(view.dataRange.firstBarTs)} –{' '}
        {view.dataRange.lastBarTs !== null && nyDayOf(view.dataRange.lastBarTs)} · fill model:{' '}
        <span title={view.fillModel.description}>{view.fillModel.name}</span>
        {view.gaps > 0 && ` · ${view.gaps} gaps allowed`}
      </p>
      <dl className="bt-stats" aria-label="Headline statistics">
        {headline.map((s) => (
          <div key={s.key} data-stat={s.key}>
            <dt>{s.label}</dt>
            <dd className={s.format === 'pct' && s.value !== null ? (s.value >= 0 ? 'up' : 'down') : ''}>
              {formatStat(s.format, s.value)}
            </dd>
          </div>
        ))}
      </dl>
      <div className="bt-charts">
        <LineChart
          title="Equity vs benchmark"
          format={moneyAxis}
          lines={[
            {
              name: 'Strategy',
              className: 'bt-line-a',
              points: view.curve.map((p) => ({ ts: p.ts, value: p.equity })),
            },
            {
              name: 'Buy and hold',
              className: 'bt-line-b',
              points: view.curve.flatMap((p) => (p.benchmark === null ? [] : [{ ts: p.ts, value: p.benchmark }])),
            },
          ]}
        />
        <LineChart
          title="Underwater"
          format={pctAxis}
          area
          lines={[
            {
              name: 'Drawdown',
              className: 'bt-area',
              points: view.curve.map((p) => ({ ts: p.ts, value: p.drawdown })),
            },
          ]}
        />
      </div>
      <details>
        <summary>All statistics ({view.stats.length})</summary>
        <table className="grid bt-all-stats">
          <tbody>
            {rest.map((s) => (
              <tr key={s.key}>
                <th scope="row">{s.label}</th>
                <td>{formatStat(s.format, s.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {view.perSymbol.length > 1 && (
        <table className="grid bt-per-symbol" aria-label="Per symbol">
          <thead>
            <tr>
              <th scope="col">Symbol</th>
              <th scope="col">Trades</th>
              <th scope="col">Win rate</th>
              <th scope="col">P&amp;L</th>
              <th scope="col">Buy &amp; hold</th>
            </tr>
          </thead>
          <tbody>
            {view.perSymbol.map((s) => (
              <tr key={s.symbol}>
                <th scope="row">{s.symbol}</th>
                <td>{s.trades}</td>
                <td>{formatPct(s.winRate)}</td>
                <td>{formatMoney(s.pnl)}</td>
                <td>{formatPct(s.buyHoldReturn)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table
        className="grid bt-trades"
        aria-label={`Trades, newest first (${view.trades.length} of ${view.tradeCount})`}
      >
        <caption>
          Trades, newest first ({view.trades.length} of {view.tradeCount})
        </caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Symbol</th>
            <th scope="col">Side</th>
            <th scope="col">Qty</th>
            <th scope="col">Entry</th>
            <th scope="col">Exit</th>
            <th scope="col">P&amp;L</th>
            <th scope="col">Return</th>
          </tr>
        </thead>
        <tbody>
          {view.trades.map((t) => (
            <tr key={t.id}>
              <td>{t.id}</td>
              <td>{t.symbol}</td>
              <td>{t.side}</td>
              <td>{formatInt(t.qty)}</td>
              <td>
                {nyDayOf(t.entryTs)} @ {t.entryPrice.toFixed(2)}
              </td>
              <td>
                {nyDayOf(t.exitTs)} @ {t.exitPrice.toFixed(2)}
              </td>
              <td className={t.pnl >= 0 ? 'up' : 'down'}>{formatMoney(t.pnl)}</td>
              <td>{formatPct(t.return)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

function Comparison({ cmp, onClose }: { cmp: BacktestComparison; onClose: () => void }) {
  return (
    <article className="bt-compare" aria-label={`Comparison of run ${cmp.a.runId} and run ${cmp.b.runId}`}>
      <header className="bt-result-head">
        <h3>
          Compare #{cmp.a.runId} vs #{cmp.b.runId}
        </h3>
        <button type="button" onClick={onClose} aria-label="Close comparison">
          ✕
        </button>
      </header>
      {cmp.notes.length > 0 && (
        <ul className="bt-notes">
          {cmp.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <LineChart
        title="Equity, normalised"
        format={multipleAxis}
        lines={[
          { name: `#${cmp.a.runId}`, className: 'bt-line-a', points: cmp.curveA },
          { name: `#${cmp.b.runId}`, className: 'bt-line-c', points: cmp.curveB },
        ]}
      />
      <table className="grid bt-compare-table">
        <thead>
          <tr>
            <th scope="col">Statistic</th>
            <th scope="col">#{cmp.a.runId}</th>
            <th scope="col">#{cmp.b.runId}</th>
            <th scope="col">Difference</th>
          </tr>
        </thead>
        <tbody>
          {cmp.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>{formatStat(r.format, r.a)}</td>
              <td>{formatStat(r.format, r.b)}</td>
              <td>{formatDiff(r.format, r.diff)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

function Parity({ report, onClose }: { report: ParityReport; onClose: () => void }) {
  const bps = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} bps`);
  return (
    <article className="bt-parity" aria-label="Replay today parity">
      <header className="bt-result-head">
        <h3>
          Replay today · {report.day} <span className="muted">{report.fillModel}</span>
        </h3>
        <button type="button" onClick={onClose} aria-label="Close replay">
          ✕
        </button>
      </header>
      {report.symbols.length === 0 ? (
        <p className="muted">Nothing to replay today.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Symbol</th>
              <th scope="col">Bars</th>
              <th scope="col">Replay orders</th>
              <th scope="col">Shadow: orders / matched / Δ price / missing / extra</th>
              <th scope="col">Live: orders / matched / Δ price / missing / extra</th>
            </tr>
          </thead>
          <tbody>
            {report.symbols.map((s) => (
              <tr key={s.symbol}>
                <th scope="row">{s.symbol}</th>
                <td>{s.bars}</td>
                <td>{s.replayFills}</td>
                {[s.shadow, s.live].map((side, i) => (
                  <td key={i}>
                    {side.fills} / {side.matched} / {bps(side.avgPriceDiffBps)} / {side.missing} / {side.extra}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.notes.length > 0 && (
        <ul className="bt-notes">
          {report.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <p className="muted">
        Orders match on symbol and side within {Math.round(report.toleranceMs / 60_000)} min; Δ price is positive when
        the day&apos;s order did worse than the replay.
      </p>
    </article>
  );
}

/** A labelled form control: the label names the control alone (a wrapping label would add the select's text). */
function Field({ label, wide, children }: { label: string; wide?: boolean; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className={`bt-field${wide ? ' bt-wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
