import { useEffect, useState } from 'react';
import { useApp } from '../store/appStore';

const etFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  weekday: 'short',
});

export function StatusBar({ transport }: { transport: 'electron' | 'websocket' }) {
  const link = useApp((s) => s.link);
  const snapshot = useApp((s) => s.snapshot);
  const tradingState = useApp((s) => s.tradingState);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <footer className="statusbar" aria-label="Status bar">
      <span className={`link link-${link}`}>
        Engine: {link === 'open' ? 'connected' : link} ({transport === 'electron' ? 'Electron IPC' : 'WebSocket'})
      </span>
      <span>{etFormat.format(now)} ET</span>
      <span>Trading: {tradingState?.state ?? '…'}</span>
      <span className="spacer" />
      <span>
        Kestrel {snapshot?.version ?? ''} · {snapshot?.host ?? ''}
      </span>
    </footer>
  );
}
