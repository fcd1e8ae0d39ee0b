/**
 * Going LIVE from the symbols table: shows the symbol's promotion gates and the broker, tries the
 * switch, and if the engine refuses, offers an override that needs a typed reason and a
 * confirmation. The engine records the override in the audit log with what it would have refused;
 * the row then says so. Rendered as one table row under the symbol (the column is ~440 px).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { GateReport, SymbolInfo } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useApp } from '../store/appStore';
import { useExecution } from './executionStore';
import { brokerText, formatTime } from './format';

type Attempt =
  | { kind: 'trying' }
  | { kind: 'live'; info: SymbolInfo; override: string | null }
  | { kind: 'refused'; message: string };

const MAX_CRITERIA = 4;

export function LivePromotion({ symbol, colSpan, onClose }: { symbol: string; colSpan: number; onClose: () => void }) {
  const { client } = useApi();
  const applySymbol = useApp((s) => s.applySymbol);
  const broker = useExecution((s) => s.broker);
  const mode = useApp((s) => s.symbols.find((x) => x.symbol === symbol)?.mode);
  const [gates, setGates] = useState<GateReport | string | null>(null);
  const [attempt, setAttempt] = useState<Attempt>({ kind: 'trying' });
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  const tried = useRef(false);

  useEffect(() => {
    let alive = true;
    client.invoke('getPromotionGates', { symbol }).then(
      (g) => alive && setGates(g),
      (err: Error) => alive && setGates(`gates unavailable: ${err.message}`),
    );
    return () => {
      alive = false;
    };
  }, [client, symbol]);

  // The switch itself is attempted once per opening (StrictMode runs effects twice in development;
  // a second attempt would be a second audited refusal).
  useEffect(() => {
    if (tried.current) return;
    tried.current = true;
    client.invoke('setSymbolMode', { symbol, mode: 'live' }).then(
      (info) => {
        applySymbol(info);
        setAttempt({ kind: 'live', info, override: null });
      },
      (err: Error) => setAttempt({ kind: 'refused', message: err.message }),
    );
  }, [client, symbol, applySymbol]);

  function askOverride(e: FormEvent) {
    e.preventDefault();
    if (reason.trim().length === 0) {
      setReasonError('Type why you override the gates; it goes to the audit log');
      return;
    }
    setReasonError(null);
    dialog.current?.showModal();
  }

  async function override() {
    dialog.current?.close();
    const why = reason.trim();
    try {
      const info = await client.invoke('setSymbolMode', {
        symbol,
        mode: 'live',
        override: { confirm: true, reason: why },
      });
      applySymbol(info);
      setAttempt({ kind: 'live', info, override: why });
    } catch (err) {
      setAttempt({ kind: 'refused', message: `Override refused: ${(err as Error).message}` });
    }
  }

  const b = brokerText(broker);
  const failing = typeof gates === 'object' && gates ? gates.criteria.filter((c) => !c.pass) : [];

  return (
    <tr className="promo-row">
      <td colSpan={colSpan}>
        <div className="promo" role="group" aria-label={`Promote ${symbol} to live`} data-testid="live-promotion">
          <div className="promo-head">
            <strong>{symbol} → LIVE</strong>
            <button type="button" className="promo-close" aria-label={`Close ${symbol} promotion`} onClick={onClose}>
              ✕
            </button>
          </div>
          <p className={`promo-line broker-${b.tone}`}>
            <span aria-hidden="true">{b.tone === 'ok' ? '✓' : '✗'}</span> {b.text}
            {broker?.connected && broker.paper ? ' · PAPER' : ''}
          </p>
          <p className="promo-line" data-testid="promotion-gates">
            {gates === null && <span className="muted">gates: checking…</span>}
            {typeof gates === 'string' && <span className="down">✗ {gates}</span>}
            {typeof gates === 'object' && gates && (
              <span className={gates.verdict === 'PASS' ? 'up' : 'down'}>
                {gates.verdict === 'PASS' ? '✓' : '✗'} gates {gates.verdict}
                {gates.verdict === 'FAIL' && ` · ${failing.length} of ${gates.criteria.length} criteria fail`}
              </span>
            )}
          </p>
          {failing.length > 0 && (
            <ul className="promo-criteria">
              {failing.slice(0, MAX_CRITERIA).map((c) => (
                <li key={c.name} title={c.detail}>
                  ✗ {c.name}: {c.value === null ? 'no data' : Number(c.value.toPrecision(4))} (needs {c.threshold})
                </li>
              ))}
              {failing.length > MAX_CRITERIA && <li className="muted">… {failing.length - MAX_CRITERIA} more</li>}
            </ul>
          )}
          {attempt.kind === 'trying' && <p className="promo-line muted">switching to live…</p>}
          {attempt.kind === 'live' && mode !== 'live' && (
            <p className="promo-line muted" role="status" data-testid="promotion-result">
              {symbol} went LIVE{attempt.override === null ? '' : ' by override'} and is now{' '}
              {mode?.toUpperCase() ?? '?'}.
            </p>
          )}
          {attempt.kind === 'live' && mode === 'live' && (
            <p className="promo-line promo-done" role="status" data-testid="promotion-result">
              {attempt.override === null
                ? `✓ ${symbol} is LIVE since ${formatTime(attempt.info.changedAt ?? Date.now(), Date.now())}.`
                : `✓ ${symbol} is LIVE by override since ${formatTime(attempt.info.changedAt ?? Date.now(), Date.now())}; recorded in the audit log with the reason “${attempt.override}”.`}
            </p>
          )}
          {attempt.kind === 'refused' && (
            <>
              <p className="promo-line promo-refused" role="alert">
                {attempt.message}
              </p>
              <form className="promo-override" onSubmit={askOverride} noValidate>
                <input
                  aria-label={`Override reason for ${symbol}`}
                  placeholder="Reason for the override (audited)"
                  maxLength={500}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  aria-invalid={reasonError !== null}
                />
                <button type="submit" className="danger">
                  Override…
                </button>
              </form>
              {reasonError && (
                <p className="promo-line down" role="alert">
                  {reasonError}
                </p>
              )}
            </>
          )}
          <dialog ref={dialog} className="confirm" aria-labelledby={`override-title-${symbol}`}>
            <h2 id={`override-title-${symbol}`}>Override and take {symbol} live?</h2>
            <p>
              The engine refused: {attempt.kind === 'refused' ? attempt.message : ''}. With the override, {symbol} sends
              its orders to the IB paper account. It is recorded in the audit log with your reason:
            </p>
            <blockquote className="override-reason">{reason.trim()}</blockquote>
            <div className="dialog-actions">
              <button type="button" onClick={() => dialog.current?.close()} autoFocus>
                Stay in shadow
              </button>
              <button type="button" className="danger" onClick={() => void override()}>
                Confirm override
              </button>
            </div>
          </dialog>
        </div>
      </td>
    </tr>
  );
}
