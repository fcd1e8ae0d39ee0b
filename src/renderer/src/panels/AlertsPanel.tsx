import { useApp } from '../store/appStore';

const GLYPH = { info: 'ℹ', warning: '▲', critical: '■' } as const;

export function AlertsPanel() {
  const alerts = useApp((s) => s.alerts);
  return (
    <section className="panel" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      {alerts.length === 0 ? (
        <p className="muted">No alerts this session.</p>
      ) : (
        <ol className="alerts" aria-live="polite">
          {[...alerts].reverse().map((a) => (
            <li key={a.id} className={`alert level-${a.level}`}>
              <span aria-hidden="true">{GLYPH[a.level]}</span>
              <time dateTime={new Date(a.ts).toISOString()}>{new Date(a.ts).toLocaleTimeString()}</time>
              <strong>{a.title}</strong>
              <span>{a.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
