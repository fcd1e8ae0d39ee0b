/**
 * Flatten all: a separate action from the kill switch, always behind a confirmation dialog. It
 * cancels the book's working orders, then sends reduce-only market orders until flat (allowed
 * while HALTED), and reports whether it got there.
 */
import { useMemo, useRef, useState } from 'react';
import type { FlattenReport } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useExecution } from './executionStore';
import { formatQty } from './format';
import { useRegisterActions } from '../palette/useRegisterActions';

type Scope = 'both' | 'live' | 'shadow';

function reportText(r: FlattenReport): string {
  const n = r.orders.length;
  const sent = `${n} reduce-only order${n === 1 ? '' : 's'} in ${r.rounds} round${r.rounds === 1 ? '' : 's'}`;
  if (r.flat) return `Flat: ${sent}`;
  const left = r.remaining.map((p) => `${p.symbol} ${formatQty(p.quantity)} (${p.mode})`).join(', ');
  return `Not flat after ${sent}; still open: ${left}`;
}

export function FlattenAll() {
  const { client } = useApi();
  const positions = useExecution((s) => s.positions);
  const dialog = useRef<HTMLDialogElement>(null);
  const [scope, setScope] = useState<Scope>('both');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; ok: boolean } | null>(null);
  const open = (positions?.positions ?? []).filter((p) => p.quantity !== 0);
  const inScope = open.filter((p) => scope === 'both' || p.mode === scope);
  const actions = useMemo(
    () => [
      {
        id: 'flatten.all',
        group: 'Trading',
        title: 'Flatten all positions…',
        keywords: 'close exit liquidate',
        run: () => {
          setResult(null);
          dialog.current?.showModal();
        },
      },
    ],
    [],
  );
  useRegisterActions('flatten', actions);

  async function flatten() {
    dialog.current?.close();
    setBusy(true);
    setResult(null);
    try {
      const r = await client.invoke(
        'flattenAll',
        scope === 'both' ? { confirm: true } : { confirm: true, mode: scope },
      );
      setResult({ text: reportText(r), ok: r.flat });
    } catch (err) {
      setResult({ text: `Flatten failed: ${(err as Error).message}`, ok: false });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="flatten-all"
        disabled={busy}
        onClick={() => {
          setResult(null);
          dialog.current?.showModal();
        }}
      >
        {busy ? 'Flattening…' : 'Flatten all…'}
      </button>
      {result && (
        <span className={`flatten-result ${result.ok ? 'kp-ok' : 'kp-bad'}`} role="status" data-testid="flatten-result">
          {result.text}
        </span>
      )}
      <dialog ref={dialog} className="confirm" aria-labelledby="flatten-title">
        <h2 id="flatten-title">Flatten all positions?</h2>
        <p>
          Cancels working orders, then sends reduce-only market orders, round after round, until flat. This is allowed
          while HALTED.
        </p>
        <label className="flatten-scope">
          Books{' '}
          <select value={scope} onChange={(e) => setScope(e.target.value as Scope)} aria-label="Books to flatten">
            <option value="both">live and shadow</option>
            <option value="live">live only</option>
            <option value="shadow">shadow only</option>
          </select>
        </label>
        <p className="muted">
          {inScope.length === 0
            ? 'No open positions in these books.'
            : `Open: ${inScope.map((p) => `${p.symbol} ${formatQty(p.quantity)} (${p.mode})`).join(', ')}`}
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Keep positions
          </button>
          <button type="button" className="danger" onClick={() => void flatten()}>
            Confirm flatten
          </button>
        </div>
      </dialog>
    </>
  );
}
