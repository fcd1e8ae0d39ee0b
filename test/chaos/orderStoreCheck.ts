/**
 * Checks a Kestrel data dir after a fault, read-only: SQLite's integrity check, every acknowledged
 * order and fill present, and the order manager's rebuild equal to an independent fold of the
 * stored events (status, filled quantity, average price per order; signed shares per position).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { SystemClock } from '../../src/main/clock';
import { OrderManager } from '../../src/main/execution/orderManager';
import { RiskEngine } from '../../src/main/execution/risk';
import { DB_FILE } from '../../src/main/storage/db';
import { SqliteOrderRepo } from '../../src/main/storage/orderRepo';

/** One line of the acknowledgement log the harness keeps outside the engine's data dir. */
export type Ack =
  | { type: 'order'; clientOrderId: string; status: string; mode: string; cycle: number }
  | { type: 'fill'; execId: string; clientOrderId: string; quantity: number; cycle: number };

export function appendAck(file: string, ack: Ack): void {
  fs.appendFileSync(file, `${JSON.stringify(ack)}\n`);
}

export function readAcks(file: string): Ack[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Ack);
}

export interface StoreCheck {
  integrity: string;
  lost: string[];
  corrupted: string[];
  orders: number;
  events: number;
  fills: number;
  /** clientOrderIds of every `created` event. */
  created: Set<string>;
}

const close = (a: number | null, b: number | null): boolean =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));

export function checkOrderStore(dataDir: string, acks: readonly Ack[]): StoreCheck {
  const db = new Database(path.join(dataDir, DB_FILE), { readonly: true, fileMustExist: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const repo = new SqliteOrderRepo(db);
    const events = repo.events();
    const fillRows = repo.fills();
    const lost: string[] = [];
    const corrupted: string[] = [];
    if (integrity !== 'ok') corrupted.push(`integrity_check: ${integrity}`);

    // Independent fold: the status column written with each event, Σ fill quantities and notional.
    const folded = new Map<string, { status: string; filled: number; notional: number; statuses: Set<string> }>();
    const fillEvents = new Map<string, { quantity: number; price: number; clientOrderId: string }>();
    for (const ev of events) {
      if (ev.refused !== undefined) continue;
      let f = folded.get(ev.clientOrderId);
      if (!f) {
        if (ev.kind !== 'created') {
          corrupted.push(`event ${ev.seq} (${ev.kind}) for ${ev.clientOrderId} before its 'created'`);
          continue;
        }
        f = { status: ev.status, filled: 0, notional: 0, statuses: new Set() };
        folded.set(ev.clientOrderId, f);
      }
      f.status = ev.status;
      f.statuses.add(ev.status);
      if (ev.kind === 'fill') {
        f.filled += ev.quantity;
        f.notional += ev.quantity * ev.price;
        if (fillEvents.has(ev.execId)) corrupted.push(`execution ${ev.execId} stored twice`);
        fillEvents.set(ev.execId, { quantity: ev.quantity, price: ev.price, clientOrderId: ev.clientOrderId });
      }
    }
    const rowsByExec = new Map(fillRows.map((r) => [r.execId, r]));
    for (const [execId, fe] of fillEvents) {
      const row = rowsByExec.get(execId);
      if (!row || row.quantity !== fe.quantity || row.price !== fe.price || row.clientOrderId !== fe.clientOrderId)
        corrupted.push(`fill event ${execId} has no matching fills row`);
    }
    for (const row of fillRows)
      if (!fillEvents.has(row.execId)) corrupted.push(`fills row ${row.execId} has no fill event`);

    // The order manager's own rebuild (the code path a restart takes) must equal the fold.
    const clock = new SystemClock();
    const oms = new OrderManager({
      store: repo,
      clock,
      brokers: {},
      risk: new RiskEngine({ clock, config: {}, requestHalt: () => undefined }),
      tradingState: () => 'HALTED',
      quote: () => null,
      onAlert: (_level, title, message) => corrupted.push(`rebuild: ${title}: ${message}`),
    });
    if (oms.list().length !== folded.size)
      corrupted.push(`rebuild has ${oms.list().length} orders, the events ${folded.size}`);
    const positions = new Map<string, number>();
    for (const [id, f] of folded) {
      const o = oms.get(id);
      const avg = f.filled > 0 ? f.notional / f.filled : null;
      if (!o) corrupted.push(`${id}: missing from the rebuild`);
      else if (o.status !== f.status || o.filledQty !== f.filled || !close(o.avgFillPrice, avg))
        corrupted.push(
          `${id}: rebuilt ${o.status} ${o.filledQty}@${o.avgFillPrice}, events say ${f.status} ${f.filled}@${avg}`,
        );
    }
    for (const row of fillRows) {
      const k = `${row.mode}:${row.symbol}`;
      positions.set(k, (positions.get(k) ?? 0) + (row.side === 'BUY' ? row.quantity : -row.quantity));
    }
    for (const [k, qty] of positions) {
      const [mode, symbol] = k.split(':') as ['shadow' | 'live', string];
      const rebuilt = oms.positions.quantity(mode, symbol);
      if (Math.abs(rebuilt - qty) > 1e-9) corrupted.push(`position ${k}: rebuilt ${rebuilt}, Σ fills ${qty}`);
    }

    for (const a of acks) {
      if (a.type === 'order') {
        const f = folded.get(a.clientOrderId);
        if (!f) lost.push(`acknowledged order ${a.clientOrderId} (${a.status}, cycle ${a.cycle}) is not stored`);
        else if (!f.statuses.has(a.status) && a.status !== 'INITIALIZED')
          lost.push(`acknowledged ${a.clientOrderId} ${a.status} (cycle ${a.cycle}): stored only ${[...f.statuses]}`);
      } else if (!fillEvents.has(a.execId) || !rowsByExec.has(a.execId)) {
        lost.push(`acknowledged fill ${a.execId} of ${a.clientOrderId} (cycle ${a.cycle}) is not stored`);
      }
    }
    oms.close();
    return {
      integrity,
      lost,
      corrupted,
      orders: folded.size,
      events: events.length,
      fills: fillRows.length,
      created: new Set(folded.keys()),
    };
  } finally {
    db.close();
  }
}
