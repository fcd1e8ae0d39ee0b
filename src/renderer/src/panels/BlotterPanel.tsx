/**
 * The blotter: orders with their live state (newest first; working ones can be cancelled, each
 * row opens its fills), and the positions of both books with shadow P&L beside live P&L per
 * symbol and in total. Data comes from the execution store (lists on connect, then events).
 */
import { Fragment, useMemo, useState } from 'react';
import type { Fill, Order, PnlTotals, Position } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useExecution } from '../execution/executionStore';
import {
  bookLabel,
  filledText,
  formatPnl,
  formatPrice,
  formatQty,
  formatTime,
  groupBooks,
  pnlClass,
  priceText,
  reasonText,
  SIDE_GLYPH,
  statusText,
  statusTone,
  totalPnl,
  totalsPnl,
} from '../execution/format';
import '../execution/execution.css';
import { useApp } from '../store/appStore';

export function BlotterPanel() {
  return (
    <section className="panel blotter" aria-label="Blotter">
      <OrdersTable />
      <PositionsTable />
    </section>
  );
}

function OrdersTable() {
  const { client } = useApi();
  const orders = useExecution((s) => s.orders);
  const fills = useExecution((s) => s.fills);
  const loadError = useExecution((s) => s.loadError);
  const setError = useApp((s) => s.setError);
  const [workingOnly, setWorkingOnly] = useState(false);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const now = Date.now();

  const fillsByOrder = useMemo(() => {
    const m = new Map<string, Fill[]>();
    for (const f of fills) m.set(f.clientOrderId, [...(m.get(f.clientOrderId) ?? []), f]);
    return m;
  }, [fills]);
  const shown = workingOnly ? orders.filter((o) => o.working) : orders;
  const workingCount = orders.filter((o) => o.working).length;

  async function cancel(o: Order) {
    try {
      await client.invoke('cancelOrder', { clientOrderId: o.clientOrderId });
      setError(null);
    } catch (err) {
      setError(`Cancel of ${o.clientOrderId} refused: ${(err as Error).message}`);
    }
  }

  const toggle = (id: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <div className="blotter-orders">
      <div className="blotter-head">
        <h2 id="orders-title">Orders</h2>
        <span className="muted">
          {workingCount} working · {orders.length} shown
        </span>
        <label className="blotter-filter">
          <input type="checkbox" checked={workingOnly} onChange={(e) => setWorkingOnly(e.target.checked)} /> Working
          only
        </label>
      </div>
      {loadError && (
        <p className="exec-error" role="alert">
          {loadError}
        </p>
      )}
      <div className="blotter-scroll">
        <table className="grid blotter-table" aria-labelledby="orders-title" data-testid="orders-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Symbol</th>
              <th scope="col">Side</th>
              <th scope="col" className="num">
                Qty
              </th>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Filled @ avg
              </th>
              <th scope="col">Book</th>
              <th scope="col">Origin</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={11} className="muted">
                  {workingOnly
                    ? 'No working orders.'
                    : 'No orders yet: use the ticket above, or let a shadow signal pass.'}
                </td>
              </tr>
            )}
            {shown.map((o) => {
              const of = fillsByOrder.get(o.clientOrderId) ?? [];
              const isOpen = open.has(o.clientOrderId);
              const reason = reasonText(o);
              return (
                <Fragment key={o.clientOrderId}>
                  <tr
                    data-order={o.clientOrderId}
                    data-status={o.status}
                    className={`order-row tone-${statusTone(o.status)}`}
                  >
                    <td className="num" title={new Date(o.createdAt).toISOString()}>
                      {formatTime(o.createdAt, now)}
                    </td>
                    <th scope="row">{o.symbol}</th>
                    <td className={o.side === 'BUY' ? 'side-buy' : 'side-sell'}>
                      <span aria-hidden="true">{SIDE_GLYPH[o.side]}</span> {o.side}
                    </td>
                    <td className="num">{formatQty(o.quantity)}</td>
                    <td className="nowrap">{priceText(o)}</td>
                    <td className="num">
                      {of.length > 0 ? (
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={isOpen}
                          aria-label={`${filledText(o)}: ${isOpen ? 'hide' : 'show'} ${of.length} fill${of.length === 1 ? '' : 's'} of ${o.clientOrderId}`}
                          onClick={() => toggle(o.clientOrderId)}
                        >
                          {filledText(o)} {isOpen ? '▾' : '▸'}
                        </button>
                      ) : (
                        filledText(o)
                      )}
                    </td>
                    <td>
                      <span
                        className={`book-chip book-${o.mode}`}
                        title={o.virtual ? 'Simulated broker: no money moved' : 'IB paper account'}
                      >
                        {bookLabel(o)}
                      </span>
                    </td>
                    <td className="muted">
                      {o.origin}
                      {o.reduceOnly ? ' · reduce' : ''}
                    </td>
                    <td>
                      <span className={`status-chip tone-${statusTone(o.status)}`} data-testid="order-status">
                        {statusText(o)}
                      </span>
                      {o.overfilled && <span className="status-chip tone-bad"> OVERFILL</span>}
                    </td>
                    <td>
                      {o.working && (
                        <button
                          type="button"
                          className="cancel-order"
                          disabled={o.status === 'PENDING_CANCEL'}
                          aria-label={`Cancel ${o.side} ${o.quantity} ${o.symbol} (${o.clientOrderId})`}
                          onClick={() => void cancel(o)}
                        >
                          Cancel
                        </button>
                      )}
                    </td>
                    <td className="order-reason" title={reason ?? undefined}>
                      {reason ?? ''}
                    </td>
                  </tr>
                  {isOpen && (
                    <tr className="fills-row">
                      <td colSpan={11}>
                        <ul className="fills" aria-label={`Fills of ${o.clientOrderId}`}>
                          {of.map((f) => (
                            <li key={f.execId}>
                              <span className="num">{formatTime(f.ts, now)}</span>
                              <span>
                                {SIDE_GLYPH[f.side]} {formatQty(f.quantity)} @ {formatPrice(f.price)}
                              </span>
                              <span className="muted">
                                comm {f.commission === null ? 'pending' : f.commission.toFixed(2)}
                              </span>
                              <span className="muted">{f.execId}</span>
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function PositionsTable() {
  const report = useExecution((s) => s.positions);
  const books = useMemo(() => groupBooks(report?.positions ?? []), [report]);
  return (
    <div className="blotter-positions">
      <div className="blotter-head">
        <h2 id="positions-title">Positions &amp; P&amp;L</h2>
      </div>
      {report && (
        <p className="pnl-summary" data-testid="pnl-summary">
          <PnlFigure label="Shadow P&L" totals={report.totals.shadow} />
          <PnlFigure label="Live P&L" totals={report.totals.live} />
        </p>
      )}
      <div className="blotter-scroll">
        <table className="grid positions-table" aria-labelledby="positions-title" data-testid="positions-table">
          <thead>
            <tr>
              <th scope="col">Symbol</th>
              <th scope="col">Book</th>
              <th scope="col" className="num">
                Qty
              </th>
              <th scope="col" className="num">
                Avg cost
              </th>
              <th scope="col" className="num">
                Last
              </th>
              <th scope="col" className="num">
                Unrealised
              </th>
              <th scope="col" className="num">
                Realised
              </th>
              <th scope="col" className="num">
                Daily
              </th>
              <th scope="col" className="num">
                P&amp;L
              </th>
            </tr>
          </thead>
          <tbody>
            {books.length === 0 && (
              <tr>
                <td colSpan={9} className="muted">
                  No positions.
                </td>
              </tr>
            )}
            {books.map((b) => (
              <Fragment key={b.symbol}>
                <BookRow symbol={b.symbol} mode="shadow" p={b.shadow} first />
                <BookRow symbol={b.symbol} mode="live" p={b.live} first={false} />
              </Fragment>
            ))}
          </tbody>
          {report && (
            <tfoot>
              <TotalsRow label="Shadow" totals={report.totals.shadow} />
              <TotalsRow label="Live" totals={report.totals.live} />
            </tfoot>
          )}
        </table>
      </div>
    </div>
  );
}

/** One book of a symbol; the symbol cell spans both books so shadow sits right above live. */
function BookRow({
  symbol,
  mode,
  p,
  first,
}: {
  symbol: string;
  mode: 'shadow' | 'live';
  p: Position | null;
  first: boolean;
}) {
  return (
    <tr className={`book-row book-row-${mode}`} data-symbol={symbol} data-mode={mode}>
      {first && (
        <th scope="rowgroup" rowSpan={2}>
          {symbol}
        </th>
      )}
      <td>
        <span className={`book-chip book-${mode}`}>{mode === 'shadow' ? 'SHADOW' : 'LIVE'}</span>
      </td>
      {p ? (
        <>
          <td className={`num ${p.quantity < 0 ? 'down' : ''}`}>{formatQty(p.quantity)}</td>
          <td className="num">{p.quantity === 0 ? '–' : formatPrice(p.avgCost)}</td>
          <td className="num">{formatPrice(p.lastPrice)}</td>
          <td className={`num ${pnlClass(p.unrealizedPnl)}`}>{formatPnl(p.unrealizedPnl)}</td>
          <td className={`num ${pnlClass(p.realizedPnl)}`}>{formatPnl(p.realizedPnl)}</td>
          <td className={`num ${pnlClass(p.dailyPnl)}`}>{formatPnl(p.dailyPnl)}</td>
          <td className={`num strong ${pnlClass(totalPnl(p))}`} data-testid={`pnl-${mode}-${symbol}`}>
            {formatPnl(totalPnl(p))}
          </td>
        </>
      ) : (
        <td colSpan={7} className="muted">
          no {mode} position
        </td>
      )}
    </tr>
  );
}

function TotalsRow({ label, totals }: { label: string; totals: PnlTotals }) {
  return (
    <tr className="totals-row">
      <th scope="row" colSpan={2}>
        {label} total
      </th>
      <td className="num muted" colSpan={3} title="Gross exposure">
        gross {formatPrice(totals.grossExposure)}
      </td>
      <td className={`num ${pnlClass(totals.unrealizedPnl)}`}>{formatPnl(totals.unrealizedPnl)}</td>
      <td className={`num ${pnlClass(totals.realizedPnl)}`}>{formatPnl(totals.realizedPnl)}</td>
      <td className={`num ${pnlClass(totals.dailyPnl)}`}>{formatPnl(totals.dailyPnl)}</td>
      <td className={`num strong ${pnlClass(totalsPnl(totals))}`}>{formatPnl(totalsPnl(totals))}</td>
    </tr>
  );
}

function PnlFigure({ label, totals }: { label: string; totals: PnlTotals }) {
  const v = totalsPnl(totals);
  return (
    <span className="pnl-figure">
      <span className="muted">{label}</span> <strong className={pnlClass(v)}>{formatPnl(v)}</strong>{' '}
      <span className="muted">day</span> <span className={pnlClass(totals.dailyPnl)}>{formatPnl(totals.dailyPnl)}</span>
    </span>
  );
}
