/**
 * Signals: the latest decision per symbol (or per dual-ticker pair) with its confidence against the
 * gate's threshold, passed or blocked and why; decision latency p50/p95/p99; and a scrolling
 * history, newest first. History loads with listSignals on open (and after a reconnect), then
 * follows the `signal` event; the stats are polled.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Signal, SignalStats } from '../../../shared/domain';
import { useApi } from '../apiContext';
import {
  blockText,
  formatLatency,
  formatSignalTime,
  GLYPH,
  legsText,
  mergeSignals,
  statusText,
  unitOf,
} from '../signals/format';
import '../signals/signals.css';
import { useApp } from '../store/appStore';

/** Rows kept in the history: a few hundred render fine without virtualisation. */
const HISTORY_CAP = 300;
const STATS_EVERY_MS = 3000;

export function SignalsPanel() {
  const { client } = useApi();
  const link = useApp((s) => s.link);
  const symbols = useApp((s) => s.symbols);
  const [history, setHistory] = useState<Signal[]>([]);
  const [stats, setStats] = useState<SignalStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (link !== 'open') return;
    // Subscribed before the load: a decision made meanwhile is merged, never lost or doubled.
    const off = client.on('signal', (s: Signal) => setHistory((h) => mergeSignals([s], h, HISTORY_CAP)));
    client.invoke('listSignals', { limit: HISTORY_CAP }).then(
      (rows) => {
        setHistory((h) => mergeSignals(h, rows, HISTORY_CAP));
        setError(null);
      },
      (err: Error) => setError(`Could not load signals: ${err.message}`),
    );
    return off;
  }, [client, link]);

  useEffect(() => {
    if (link !== 'open') return;
    let alive = true;
    const load = () =>
      client.invoke('getSignalStats', {}).then(
        (s) => {
          if (!alive) return;
          setStats(s);
          setNow(Date.now());
        },
        (err: Error) => alive && setError(`Could not load signal stats: ${err.message}`),
      );
    void load();
    const timer = window.setInterval(() => void load(), STATS_EVERY_MS);
    return () => {
      alive = false;
      window.clearInterval(timer);
    };
  }, [client, link]);

  // Decision units: the pair when both legs are watched, every other watched symbol alone.
  const units = useMemo(() => {
    const watched = symbols.map((s) => s.symbol);
    const pair = stats?.pair ?? null;
    const paired = pair !== null && pair.every((p) => watched.includes(p));
    const list = paired ? [pair.join('/')] : [];
    for (const w of watched) if (!(paired && pair.includes(w))) list.push(w);
    return list;
  }, [symbols, stats]);

  const latest = useMemo(() => {
    const m = new Map<string, Signal>();
    for (const s of history) if (!m.has(unitOf(s))) m.set(unitOf(s), s);
    return m;
  }, [history]);

  const lat = stats?.latency ?? null;

  return (
    <section className="panel signals-panel" aria-labelledby="signals-title">
      <h2 id="signals-title">Signals</h2>
      <p className="sig-latency" aria-label="Decision latency" data-testid="signal-latency">
        <span className="muted">decision latency</span>
        <span>p50 {formatLatency(lat?.p50Us ?? null)}</span>
        <span>p95 {formatLatency(lat?.p95Us ?? null)}</span>
        <span>p99 {formatLatency(lat?.p99Us ?? null)}</span>
        {stats && (
          <span className="muted" title={`over the last ${lat?.count ?? 0} decisions (window ${lat?.window ?? 0})`}>
            {stats.passed} passed · {stats.blocked} blocked
          </span>
        )}
      </p>
      <ul className="sig-latest" aria-label="Latest signal per symbol" aria-live="polite">
        {units.map((u) => {
          const s = latest.get(u);
          return s ? (
            <LatestCard key={u} unit={u} s={s} now={now} />
          ) : (
            <li key={u} className="sig-card sig-none">
              <div className="sig-card-head">
                <strong>{u}</strong>
                <span className="muted">no decision yet</span>
              </div>
              <p className="sig-status muted">
                warming up: a decision needs 50 one-minute bars, then comes at each minute close
                {stats && ` (threshold ${(stats.thresholds[u] ?? stats.defaultThreshold).toFixed(2)})`}
              </p>
            </li>
          );
        })}
      </ul>
      <h3 className="subhead" id="sig-history-title">
        History <span className="muted">({history.length}, newest first)</span>
      </h3>
      {history.length === 0 ? (
        <p className="muted">No decisions recorded yet.</p>
      ) : (
        <ol className="sig-history" tabIndex={0} aria-labelledby="sig-history-title">
          {history.map((s) => (
            <li key={`${s.ts}|${unitOf(s)}`} className={`sig-row ${s.passed ? 'sig-passed' : 'sig-blocked'}`}>
              <time dateTime={new Date(s.ts).toISOString()}>{formatSignalTime(s.ts, now)}</time>
              <span className="sig-unit">{unitOf(s)}</span>
              <Legs s={s} />
              <span className="sig-conf">{s.confidence.toFixed(2)}</span>
              <span className="sig-row-status" title={s.detail || undefined}>
                {s.passed ? (
                  <span className="sig-ok">✓ passed</span>
                ) : (
                  <>
                    <span aria-hidden="true">✕ </span>
                    <span className="visually-hidden">blocked: </span>
                    {blockText(s)}
                  </>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
      {error && (
        <p className="sig-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function LatestCard({ unit, s, now }: { unit: string; s: Signal; now: number }) {
  const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
  return (
    <li className={`sig-card ${s.passed ? 'sig-passed' : 'sig-blocked'}`} data-testid="signal-latest">
      <div className="sig-card-head">
        <strong>{unit}</strong>
        <Legs s={s} />
      </div>
      <div className="sig-meter-row">
        <div
          className="sig-meter"
          role="meter"
          aria-label={`${unit} confidence`}
          aria-valuemin={0}
          aria-valuemax={1}
          aria-valuenow={s.confidence}
          aria-valuetext={`${s.confidence.toFixed(2)}, threshold ${s.threshold.toFixed(2)}`}
        >
          <div className="sig-meter-fill" style={{ width: pct(s.confidence) }} />
          <div className="sig-meter-tick" style={{ left: pct(s.threshold) }} title={`threshold ${s.threshold}`} />
        </div>
        <span className="sig-conf">
          {s.confidence.toFixed(2)} <span className="muted">/ {s.threshold.toFixed(2)}</span>
        </span>
      </div>
      <p className="sig-status" title={s.reasons.length > 1 ? `failed checks: ${s.reasons.join(', ')}` : undefined}>
        {s.passed ? <span className="sig-ok">✓ passed</span> : <span className="sig-no">✕ {statusText(s)}</span>}
        <span className="spacer" />
        <span className={`sig-mode sig-mode-${s.mode}`}>{s.mode}</span>
        <time dateTime={new Date(s.ts).toISOString()}>{formatSignalTime(s.ts, now)}</time>
      </p>
    </li>
  );
}

/** ▲ BUY / ▼ SELL / – HOLD per leg; the words carry the meaning, the arrows and colour repeat it. */
function Legs({ s }: { s: Signal }) {
  return (
    <span className="sig-legs" title={`${s.action}: ${legsText(s)}`}>
      {s.legs.map((l) => (
        <span key={l.symbol} className={`sig-side sig-${l.side.toLowerCase()}`}>
          <span aria-hidden="true">{GLYPH[l.side]}</span> {l.side}
          {s.legs.length > 1 && <span className="sig-leg-symbol"> {l.symbol}</span>}
        </span>
      ))}
    </span>
  );
}
