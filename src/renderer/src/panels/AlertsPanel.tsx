import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AlertRecord } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useApp } from '../store/appStore';

const GLYPH = { info: 'ℹ', warning: '▲', critical: '■' } as const;
const PAGE = 50;

/** The alert centre: history from SQLite (listAlerts) merged with the live `alert` events, with acks. */
export function AlertsPanel() {
  const { client } = useApi();
  const live = useApp((s) => s.alerts);
  const link = useApp((s) => s.link);
  const setError = useApp((s) => s.setError);
  const [history, setHistory] = useState<AlertRecord[]>([]);
  const [ackedAt, setAckedAt] = useState<Record<string, number>>({});
  /** The server's unread count, and the ids it already covered when it was taken. */
  const [counted, setCounted] = useState<{ unread: number; ids: Set<string> } | null>(null);
  const [more, setMore] = useState(false);

  const all = useMemo(() => {
    const byId = new Map<string, AlertRecord>();
    for (const a of live) byId.set(a.id, { ...a, ackedAt: null });
    for (const a of history) byId.set(a.id, a);
    return [...byId.values()]
      .map((a) => (a.ackedAt === null && ackedAt[a.id] !== undefined ? { ...a, ackedAt: ackedAt[a.id]! } : a))
      .sort((x, y) => y.ts - x.ts);
  }, [live, history, ackedAt]);

  const recount = useCallback((unread: number) => setCounted({ unread, ids: new Set(all.map((a) => a.id)) }), [all]);

  // History once the engine is connected (and again after a reconnect): asking earlier fails with
  // "not connected to the engine".
  useEffect(() => {
    if (link !== 'open') return;
    let gone = false;
    client.invoke('listAlerts', { limit: PAGE }).then(
      (h) => {
        if (gone) return;
        setHistory(h.alerts);
        setMore(h.alerts.length === PAGE);
        setCounted({ unread: h.unread, ids: new Set([...h.alerts, ...useApp.getState().alerts].map((a) => a.id)) });
      },
      (err: Error) => !gone && setError(`Alert history: ${err.message}`),
    );
    return () => {
      gone = true;
    };
  }, [client, setError, link]);

  const unread =
    counted === null ? null : counted.unread + all.filter((a) => a.ackedAt === null && !counted.ids.has(a.id)).length;

  const loadOlder = () => {
    const oldest = history.at(-1);
    if (!oldest) return;
    client.invoke('listAlerts', { limit: PAGE, before: oldest.id }).then(
      (h) => {
        setHistory((prev) => [...prev, ...h.alerts]);
        setMore(h.alerts.length === PAGE);
      },
      (err: Error) => setError(`Alert history: ${err.message}`),
    );
  };
  const ack = (id: string) =>
    client.invoke('ackAlert', { id }).then(
      (r) => {
        setAckedAt((prev) => ({ ...prev, [id]: Date.now() }));
        recount(r.unread);
      },
      (err: Error) => setError(`Acknowledge: ${err.message}`),
    );
  const ackAll = () =>
    client.invoke('ackAllAlerts', {}).then(
      (r) => {
        const now = Date.now();
        setAckedAt((prev) => ({ ...prev, ...Object.fromEntries(all.map((a) => [a.id, now])) }));
        recount(r.unread);
      },
      (err: Error) => setError(`Acknowledge all: ${err.message}`),
    );

  return (
    <section className="panel" aria-labelledby="alerts-title">
      <h2 id="alerts-title">
        Alerts{' '}
        {unread !== null && unread > 0 && (
          <span className="badge" aria-label={`${unread} unread`}>
            {unread}
          </span>
        )}
        {unread !== null && unread > 0 && (
          <button type="button" onClick={() => void ackAll()}>
            Acknowledge all
          </button>
        )}
      </h2>
      {all.length === 0 ? (
        <p className="muted">No alerts yet.</p>
      ) : (
        <ol className="alerts" aria-live="polite">
          {all.map((a) => (
            <li key={a.id} className={`alert level-${a.level}${a.ackedAt === null ? ' unread' : ''}`}>
              <span aria-hidden="true">{GLYPH[a.level]}</span>
              <time dateTime={new Date(a.ts).toISOString()}>{new Date(a.ts).toLocaleString()}</time>
              <span>
                <strong>{a.title}</strong> <small className="muted">{a.kind}</small>{' '}
                {a.ackedAt === null ? (
                  <button type="button" aria-label={`Acknowledge ${a.title}`} onClick={() => void ack(a.id)}>
                    Ack
                  </button>
                ) : (
                  <small className="muted">read</small>
                )}
              </span>
              <span>{a.message}</span>
            </li>
          ))}
        </ol>
      )}
      {more && (
        <button type="button" onClick={loadOlder}>
          Older alerts
        </button>
      )}
    </section>
  );
}
