/**
 * Order events, fills and the client-order-id sequence in SQLite (migration 007). Writes are
 * synchronous and each is its own transaction: an order must be on disk before it is on the wire.
 */
import type { FillRow, OrderEvent, OrderEventBody, OrderEventStore, StoredOrderEvent } from '../execution/orderEvents';
import type { OrderMode, OrderStatus } from '../execution/types';
import { StorageError, type Db } from './db';

interface EventRow {
  seq: number;
  ts: number;
  client_order_id: string;
  mode: OrderMode;
  kind: OrderEventBody['kind'];
  status: OrderStatus;
  refused: string | null;
  data: string;
}

interface FillDbRow {
  exec_id: string;
  client_order_id: string;
  mode: OrderMode;
  symbol: string;
  side: FillRow['side'];
  quantity: number;
  price: number;
  commission: number | null;
  ts: number;
}

export class SqliteOrderRepo implements OrderEventStore {
  private readonly bumpSeq;
  private readonly insertEvent;
  private readonly insertFill;
  private readonly selectEvents;
  private readonly selectFills;
  private readonly updateCommission;
  private readonly appendTx;

  constructor(db: Db) {
    this.bumpSeq = db.prepare(
      `INSERT INTO order_id_seq (day, seq) VALUES (?, 1)
       ON CONFLICT (day) DO UPDATE SET seq = seq + 1 RETURNING seq`,
    );
    this.insertEvent = db.prepare(
      `INSERT INTO order_events (ts, client_order_id, mode, kind, status, refused, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // OR IGNORE: a repeated exec_id is the expected duplicate, reported as `false`, not an error.
    this.insertFill = db.prepare(
      `INSERT OR IGNORE INTO fills (exec_id, client_order_id, mode, symbol, side, quantity, price, commission, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectEvents = db.prepare('SELECT * FROM order_events ORDER BY seq');
    this.selectFills = db.prepare('SELECT * FROM fills ORDER BY ts, exec_id');
    this.updateCommission = db.prepare('UPDATE fills SET commission = ? WHERE exec_id = ? AND commission IS NULL');
    this.appendTx = db.transaction((ev: OrderEvent, status: OrderStatus, fill: FillRow | undefined): boolean => {
      if (fill) {
        const r = this.insertFill.run(
          fill.execId,
          fill.clientOrderId,
          fill.mode,
          fill.symbol,
          fill.side,
          fill.quantity,
          fill.price,
          fill.commission,
          fill.ts,
        );
        if (r.changes === 0) return false;
      }
      const { clientOrderId, mode, ts, refused, ...body } = ev;
      this.insertEvent.run(ts, clientOrderId, mode, body.kind, status, refused ?? null, JSON.stringify(body));
      return true;
    });
  }

  nextClientOrderId(day: string): string {
    if (!/^\d{8}$/.test(day)) throw new Error(`order id day must be YYYYMMDD, got ${day}`);
    const { seq } = this.bumpSeq.get(day) as { seq: number };
    return `K-${day}-${seq}`;
  }

  append(ev: OrderEvent, status: OrderStatus, fill?: FillRow): boolean {
    return this.appendTx(ev, status, fill);
  }

  setCommission(execId: string, commission: number): void {
    this.updateCommission.run(commission, execId);
  }

  events(): StoredOrderEvent[] {
    return (this.selectEvents.all() as EventRow[]).map((r) => {
      let body: OrderEventBody;
      try {
        body = JSON.parse(r.data) as OrderEventBody;
      } catch (err) {
        throw new StorageError(`order_events row ${r.seq} has unreadable data: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const ev: StoredOrderEvent = {
        ...body,
        seq: r.seq,
        ts: r.ts,
        clientOrderId: r.client_order_id,
        mode: r.mode,
        status: r.status,
      };
      if (r.refused !== null) ev.refused = r.refused;
      return ev;
    });
  }

  fills(): FillRow[] {
    return (this.selectFills.all() as FillDbRow[]).map((r) => ({
      execId: r.exec_id,
      clientOrderId: r.client_order_id,
      mode: r.mode,
      symbol: r.symbol,
      side: r.side,
      quantity: r.quantity,
      price: r.price,
      commission: r.commission,
      ts: r.ts,
    }));
  }
}
