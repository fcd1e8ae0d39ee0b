/**
 * The status bar: engine link, broker (IB connection and account), the feed per symbol, the New
 * York clock with the session (from the engine's heartbeat), decision-latency p95 and the trading
 * state. Every state reads as text; colour only repeats it.
 */
import { useEffect, useState } from 'react';
import type { SignalStats } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { BrokerStatusText } from '../execution/BrokerStatusText';
import { formatLatency } from '../signals/format';
import { useApp } from '../store/appStore';

const etFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  weekday: 'short',
});
const STATS_EVERY_MS = 5_000;
type Session = 'pre' | 'regular' | 'post' | 'closed';
const SESSION_TEXT: Record<Session, string> = {
  pre: 'PRE-MARKET',
  regular: 'REGULAR',
  post: 'AFTER-HOURS',
  closed: 'CLOSED',
};

export function StatusBar({ transport }: { transport: 'electron' | 'websocket' }) {
  const { client } = useApi();
  const link = useApp((s) => s.link);
  const snapshot = useApp((s) => s.snapshot);
  const tradingState = useApp((s) => s.tradingState);
  const symbols = useApp((s) => s.symbols);
  const active = useApp((s) => s.activeProviders);
  const [now, setNow] = useState(() => Date.now());
  const [session, setSession] = useState<Session | null>(null);
  const [stats, setStats] = useState<SignalStats | null>(null);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => client.on('heartbeat', (h) => setSession(h.session ?? null)), [client]);
  useEffect(() => {
    if (link !== 'open') return;
    let alive = true;
    const load = () =>
      client.invoke('getSignalStats', {}).then(
        (s) => alive && setStats(s),
        () => {}, // the signals panel reports failures; the bar just keeps the last figure
      );
    void load();
    const t = setInterval(() => void load(), STATS_EVERY_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [client, link]);

  const p95 = stats?.latency.p95Us ?? null;
  const state = tradingState?.state;
  return (
    <footer className="statusbar" aria-label="Status bar">
      <span className={`sb-item link link-${link}`} title={transport === 'electron' ? 'Electron IPC' : 'WebSocket'}>
        Engine: {link === 'open' ? 'connected' : link}
      </span>
      <BrokerStatusText />
      <span className="sb-item sb-feeds" data-testid="status-feeds" title="Active market-data provider per symbol">
        {symbols.length === 0
          ? 'Feeds: –'
          : symbols.map((s) => (
              <span key={s.symbol} className="sb-feed">
                {s.symbol} <span className="muted">{active[s.symbol] ?? '–'}</span>
              </span>
            ))}
      </span>
      <span className="spacer" />
      <span
        className="sb-item"
        data-testid="status-latency"
        title="Decision latency, 95th percentile of recent decisions"
      >
        p95 {p95 === null ? '–' : formatLatency(p95)}
      </span>
      <span className="sb-item sb-clock" data-testid="status-clock">
        <time>{etFormat.format(now)} ET</time>
        {session && <span className={`sb-session session-${session}`}>{SESSION_TEXT[session]}</span>}
      </span>
      <span className={`sb-item sb-state state-text-${state?.toLowerCase() ?? 'unknown'}`} data-testid="status-trading">
        Trading {state ?? '…'}
      </span>
      <span className="sb-item muted" title={snapshot?.host ?? ''}>
        v{snapshot?.version ?? ''}
      </span>
    </footer>
  );
}
