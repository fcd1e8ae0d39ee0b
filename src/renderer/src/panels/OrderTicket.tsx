/**
 * The manual order ticket: one line above the blotter. The order goes to the symbol's book (shadow:
 * the simulated broker; live: IB paper, after a confirmation dialog) through the same risk checks
 * as a signal, and the ticket shows what came back: the order's state, or why it was denied.
 * Enter submits, Escape clears.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Order } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useExecution } from '../execution/executionStore';
import {
  bookLabel,
  filledText,
  orderSummary,
  reasonText,
  statusText,
  statusTone,
  ticketModeText,
  validateTicket,
  type TicketDraft,
  type TicketInput,
} from '../execution/format';
import '../execution/execution.css';
import { useApp } from '../store/appStore';

const EMPTY: Omit<TicketDraft, 'symbol'> = { side: 'BUY', quantity: '', type: 'MKT', limitPrice: '' };

type Outcome =
  | { kind: 'order'; clientOrderId: string; order: Order }
  | { kind: 'refused'; text: string }
  | { kind: 'invalid'; field: 'symbol' | 'quantity' | 'limitPrice'; text: string };

export function OrderTicket() {
  const { client } = useApi();
  const symbols = useApp((s) => s.symbols);
  const [draft, setDraft] = useState<TicketDraft>({ symbol: '', ...EMPTY });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<TicketInput | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const qtyRef = useRef<HTMLInputElement>(null);

  // The order as the blotter now knows it (its state moves on after the reply).
  const latest = useExecution((s) =>
    outcome?.kind === 'order' ? s.orders.find((o) => o.clientOrderId === outcome.clientOrderId) : undefined,
  );

  // Default to the first tradable symbol; follow a symbol that goes away.
  useEffect(() => {
    if (draft.symbol && symbols.some((s) => s.symbol === draft.symbol)) return;
    const first = symbols.find((s) => s.mode !== 'off') ?? symbols[0];
    if (first) setDraft((d) => ({ ...d, symbol: first.symbol }));
  }, [symbols, draft.symbol]);

  const mode = symbols.find((s) => s.symbol === draft.symbol)?.mode;
  const set = <K extends keyof TicketDraft>(k: K, v: TicketDraft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (outcome?.kind === 'invalid') setOutcome(null);
  };

  async function send(input: TicketInput) {
    setBusy(true);
    try {
      const order = await client.invoke('placeOrder', input);
      useExecution.getState().applyOrders([order], []);
      setOutcome({ kind: 'order', clientOrderId: order.clientOrderId, order });
    } catch (err) {
      setOutcome({ kind: 'refused', text: `${orderSummary(input)} refused: ${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const v = validateTicket(draft, mode);
    if (!v.ok) {
      setOutcome({ kind: 'invalid', field: v.field, text: v.error });
      return;
    }
    if (mode === 'live') {
      setPending(v.input);
      dialog.current?.showModal();
      return;
    }
    void send(v.input);
  }

  function clear() {
    setDraft((d) => ({ symbol: d.symbol, ...EMPTY }));
    setOutcome(null);
    qtyRef.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLFormElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      clear();
    }
  }

  function confirmLive() {
    dialog.current?.close();
    if (pending) void send(pending);
    setPending(null);
  }

  const invalid = outcome?.kind === 'invalid' ? outcome : null;
  const shown = outcome?.kind === 'order' ? (latest ?? outcome.order) : null;
  const denied = shown && (shown.status === 'DENIED' || shown.status === 'REJECTED');

  return (
    <div className="ticket">
      <form className="ticket-form" aria-label="Order ticket" onSubmit={submit} onKeyDown={onKeyDown} noValidate>
        <label className="ticket-field">
          <span>Symbol</span>
          <select
            aria-label="Ticket symbol"
            value={draft.symbol}
            onChange={(e) => set('symbol', e.target.value)}
            aria-invalid={invalid?.field === 'symbol'}
          >
            {symbols.map((s) => (
              <option key={s.symbol} value={s.symbol}>
                {s.symbol}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented ticket-side" role="radiogroup" aria-label="Side">
          {(['BUY', 'SELL'] as const).map((side) => (
            <button
              key={side}
              type="button"
              role="radio"
              aria-checked={draft.side === side}
              className={`seg side-${side.toLowerCase()}`}
              onClick={() => set('side', side)}
            >
              {side === 'BUY' ? '▲' : '▼'} {side}
            </button>
          ))}
        </div>
        <label className="ticket-field">
          <span>Qty</span>
          <input
            ref={qtyRef}
            className="ticket-qty"
            aria-label="Quantity"
            inputMode="numeric"
            placeholder="shares"
            value={draft.quantity}
            onChange={(e) => set('quantity', e.target.value)}
            aria-invalid={invalid?.field === 'quantity'}
            aria-describedby="ticket-outcome"
          />
        </label>
        <div className="segmented" role="radiogroup" aria-label="Order type">
          {(['MKT', 'LMT'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="radio"
              aria-checked={draft.type === t}
              className="seg"
              onClick={() => set('type', t)}
            >
              {t}
            </button>
          ))}
        </div>
        <label className="ticket-field">
          <span>Limit</span>
          <input
            className="ticket-limit"
            aria-label="Limit price"
            inputMode="decimal"
            placeholder={draft.type === 'LMT' ? 'price' : 'MKT'}
            disabled={draft.type === 'MKT'}
            value={draft.type === 'LMT' ? draft.limitPrice : ''}
            onChange={(e) => set('limitPrice', e.target.value)}
            aria-invalid={invalid?.field === 'limitPrice'}
            aria-describedby="ticket-outcome"
          />
        </label>
        <span
          className={`book-chip book-${mode ?? 'off'}`}
          data-testid="ticket-mode"
          title="The symbol's mode decides the book"
        >
          {ticketModeText(mode)}
        </span>
        <button
          type="submit"
          className={`ticket-submit side-${draft.side.toLowerCase()}`}
          disabled={busy}
          aria-keyshortcuts="Enter"
        >
          {busy ? 'Sending…' : `${draft.side === 'BUY' ? 'Buy' : 'Sell'}${mode === 'live' ? ' LIVE…' : ''}`}
        </button>
        <button type="button" className="ticket-clear" onClick={clear} aria-keyshortcuts="Escape">
          Clear
        </button>
      </form>
      <p
        id="ticket-outcome"
        className={`ticket-outcome ${invalid || outcome?.kind === 'refused' || denied ? 'is-bad' : ''}`}
        role={invalid || outcome?.kind === 'refused' || denied ? 'alert' : 'status'}
        data-testid="ticket-outcome"
      >
        {!outcome && <span className="muted">Enter sends · Esc clears · live orders ask for confirmation</span>}
        {invalid && invalid.text}
        {outcome?.kind === 'refused' && outcome.text}
        {shown && (
          <>
            <span className={`status-chip tone-${statusTone(shown.status)}`}>{statusText(shown)}</span>{' '}
            <strong>{orderSummary(shown)}</strong>{' '}
            <span className={`book-chip book-${shown.mode}`}>{bookLabel(shown)}</span>{' '}
            {denied ? (
              <span className="ticket-reason">{reasonText(shown) ?? 'no reason given'}</span>
            ) : (
              <span className="muted">
                filled {filledText(shown)} · {shown.clientOrderId}
              </span>
            )}
          </>
        )}
      </p>
      <dialog ref={dialog} className="confirm" aria-labelledby="live-order-title" onClose={() => setPending(null)}>
        <h2 id="live-order-title">Send a LIVE order?</h2>
        <p>
          <strong>{pending ? orderSummary(pending) : ''}</strong> goes to the IB paper account <LiveAccount />. It
          passes the risk checks first.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Don&apos;t send
          </button>
          <button type="button" className="danger" onClick={confirmLive}>
            Send live order
          </button>
        </div>
      </dialog>
    </div>
  );
}

function LiveAccount() {
  const broker = useExecution((s) => s.broker);
  return <>{broker?.accounts.length ? broker.accounts.join(', ') : '(no account)'}</>;
}
