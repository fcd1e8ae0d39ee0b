/**
 * Data health: per watched symbol, the newest trading day's gap state (complete, minutes missing,
 * backfilling); backfill queue depth per tier against its cap; and the dead-letter queue, whose
 * jobs the trader can requeue or purge (purge asks first). Engine refusals are shown in the panel.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackfillJob, BackfillStatus, BackfillTier, DayGapStateDto } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { formatMinutes } from '../chart/chartData';
import { describeDay, earlierMissing, jobRange } from '../dataHealth/format';
import { nyDay } from '../signals/format';
import '../dataHealth/dataHealth.css';
import { useApp } from '../store/appStore';

const TIERS: BackfillTier[] = ['T0', 'T1', 'T2'];
const REFRESH_MS = 10_000;
const DEAD_SHOWN = 200;

type Purge = { ids: number[]; label: string } | null;

export function DataHealthPanel() {
  const { client } = useApi();
  const link = useApp((s) => s.link);
  const symbols = useApp((s) => s.symbols);
  const [status, setStatus] = useState<BackfillStatus | null>(null);
  const [days, setDays] = useState<Record<string, DayGapStateDto[]>>({});
  const [dead, setDead] = useState<BackfillJob[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [purge, setPurge] = useState<Purge>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const deadCount = useRef<number | null>(null);
  const names = symbols.map((s) => s.symbol).join(',');

  const refresh = useCallback(async () => {
    const list = names ? names.split(',') : [];
    const [st, jobs, ...gaps] = await Promise.all([
      client.invoke('getBackfillStatus', {}),
      client.invoke('listBackfillJobs', { state: 'dead', limit: DEAD_SHOWN }),
      ...list.map((symbol) => client.invoke('getGapState', { symbol })),
    ]);
    deadCount.current = st.dead;
    setStatus(st);
    setDead(jobs);
    setDays(Object.fromEntries(list.map((s, i) => [s, gaps[i] ?? []])));
  }, [client, names]);

  const reload = useCallback(
    () => refresh().catch((err: Error) => setError(`Could not load data health: ${err.message}`)),
    [refresh],
  );

  useEffect(() => {
    if (link !== 'open') return;
    void reload();
    const timer = window.setInterval(() => void reload(), REFRESH_MS);
    // Depths arrive live; a change in the dead count means the list changed too.
    const off = client.on('backfill', (st: BackfillStatus) => {
      const before = deadCount.current;
      deadCount.current = st.dead;
      setStatus(st);
      if (before !== st.dead) void reload();
    });
    return () => {
      window.clearInterval(timer);
      off();
    };
  }, [client, link, reload]);

  async function requeue(ids: number[], label: string) {
    setBusy(true);
    try {
      const r = await client.invoke('requeueBackfill', { ids });
      setError(null);
      setNote(
        `Requeued ${r.requeued} ${label}` +
          (r.skipped > 0 ? `; ${r.skipped} stayed dead because their tier's queue is full` : ''),
      );
    } catch (err) {
      setNote(null);
      setError(`Requeue refused: ${(err as Error).message}`);
    } finally {
      setBusy(false);
      void reload();
    }
  }

  async function confirmPurge() {
    const p = purge;
    dialog.current?.close();
    setPurge(null);
    if (p === null) return;
    setBusy(true);
    try {
      const r = await client.invoke('purgeBackfill', { ids: p.ids });
      setError(null);
      setNote(`Purged ${r.purged} ${p.label}; the minutes stay missing and listed in the gap state`);
    } catch (err) {
      setNote(null);
      setError(`Purge refused: ${(err as Error).message}`);
    } finally {
      setBusy(false);
      void reload();
    }
  }

  function askPurge(ids: number[], label: string) {
    setPurge({ ids, label });
    dialog.current?.showModal();
  }

  const deadIds = dead?.map((j) => j.id) ?? [];
  const today = nyDay(Date.now());

  return (
    <section className="panel data-health" aria-labelledby="dh-title">
      <h2 id="dh-title">Data health</h2>
      <table className="grid dh-gaps" aria-label="Gap state per symbol, newest trading day">
        <tbody>
          {symbols.map(({ symbol }) => {
            const list = days[symbol];
            const day = list?.[list.length - 1];
            if (list === undefined) {
              return (
                <tr key={symbol}>
                  <th scope="row">{symbol}</th>
                  <td className="muted">loading…</td>
                </tr>
              );
            }
            if (day === undefined) {
              return (
                <tr key={symbol}>
                  <th scope="row">{symbol}</th>
                  <td className="muted">no trading day in the lookback</td>
                </tr>
              );
            }
            const d = describeDay(day);
            const earlier = earlierMissing(list);
            return (
              <tr key={symbol} data-testid={`gap-${symbol}`}>
                <th scope="row">{symbol}</th>
                <td>
                  <span className={`dh-state dh-${d.health}`}>
                    <span aria-hidden="true">{d.health === 'ok' ? '●' : d.health === 'idle' ? '○' : '▲'} </span>
                    {d.label}
                  </span>
                  <span className="dh-detail">
                    {day.date === today ? 'today' : day.date}: {d.detail}
                  </span>
                  {earlier.minutes > 0 && (
                    <span className="dh-detail">
                      earlier {earlier.days} day{earlier.days === 1 ? '' : 's'}: {formatMinutes(earlier.minutes)}{' '}
                      missing
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h3 className="subhead" id="dh-queue-title">
        Backfill queue {status && !status.enabled && <span className="dh-off">backfill off</span>}
      </h3>
      {status === null ? (
        <p className="muted">loading…</p>
      ) : (
        <div className="dh-queue" aria-labelledby="dh-queue-title" data-testid="backfill-queue">
          {TIERS.map((t) => (
            <span key={t} className="dh-tier" title={`${t}: queued or running jobs / cap`}>
              <strong>{t}</strong> {status.depths[t]}
              <span className="muted">/{status.caps[t]}</span>
              <span className="dh-bar" aria-hidden="true">
                <span style={{ width: `${Math.min(100, (status.depths[t] / Math.max(1, status.caps[t])) * 100)}%` }} />
              </span>
            </span>
          ))}
          <span>running {status.running}</span>
          <span className={status.refused > 0 ? 'dh-warn' : undefined}>refused {status.refused}</span>
        </div>
      )}

      <div className="dh-dlq-head">
        <h3 className="subhead" id="dh-dlq-title">
          Dead letters {dead !== null && `(${dead.length}${dead.length === DEAD_SHOWN ? '+' : ''})`}
        </h3>
        {deadIds.length > 1 && (
          <span className="dh-actions">
            <button type="button" disabled={busy} onClick={() => void requeue(deadIds, `${deadIds.length} jobs`)}>
              Requeue all
            </button>
            <button
              type="button"
              className="dh-purge"
              disabled={busy}
              onClick={() => askPurge(deadIds, `${deadIds.length} dead jobs`)}
            >
              Purge all…
            </button>
          </span>
        )}
      </div>
      {dead === null ? null : dead.length === 0 ? (
        <p className="muted">No dead backfill jobs.</p>
      ) : (
        <ul className="dh-dlq" aria-labelledby="dh-dlq-title">
          {dead.map((j) => (
            <li key={j.id} className="dh-job">
              <div className="dh-job-main">
                <strong>{j.symbol}</strong> <span>{jobRange(j)}</span>
              </div>
              {j.lastError && (
                <div className="dh-job-error">
                  last error{j.provider && ` (${j.provider})`}: {j.lastError}
                </div>
              )}
              <div className="dh-actions">
                <span className="muted" title="tier, failed attempts, job id">
                  {j.tier} · {j.attempts} {j.attempts === 1 ? 'try' : 'tries'} · #{j.id}
                </span>
                <span className="spacer" />
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Requeue ${j.symbol} job ${j.id}`}
                  onClick={() => void requeue([j.id], `${j.symbol} job #${j.id}`)}
                >
                  Requeue
                </button>
                <button
                  type="button"
                  className="dh-purge"
                  disabled={busy}
                  aria-label={`Purge ${j.symbol} job ${j.id}`}
                  onClick={() => askPurge([j.id], `${j.symbol} job #${j.id} (${jobRange(j)})`)}
                >
                  Purge…
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {note && (
        <p className="dh-note" role="status">
          {note}
        </p>
      )}
      {error && (
        <p className="dh-error" role="alert">
          {error}
        </p>
      )}
      <dialog ref={dialog} className="confirm" aria-labelledby="dh-purge-title" onClose={() => setPurge(null)}>
        <h2 id="dh-purge-title">Purge dead backfill job?</h2>
        <p>
          {purge?.label}: the job is deleted and will not be retried. Its minutes stay missing and remain listed in the
          gap state.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Keep it
          </button>
          <button type="button" className="danger" onClick={() => void confirmPurge()}>
            Confirm purge
          </button>
        </div>
      </dialog>
    </section>
  );
}
