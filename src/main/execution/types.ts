/**
 * The execution vocabulary shared by the order manager, the risk engine and every broker adapter
 * (simulated, IBKR paper). Brokers report what happened as BrokerReports; only the order manager
 * turns them into order state, so every adapter is held to one state machine.
 */

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'MKT' | 'LMT';
export type TimeInForce = 'DAY' | 'GTC' | 'IOC';

/** Where an order came from: a signal, the trader's ticket, the kill switch's flatten, or found at the broker. */
export type OrderOrigin = 'signal' | 'manual' | 'flatten' | 'external';

/** shadow orders go to the simulated broker and are labelled virtual; live ones to IBKR paper. */
export type OrderMode = 'shadow' | 'live';

export type OrderStatus =
  | 'INITIALIZED'
  | 'DENIED'
  | 'SUBMITTED'
  | 'ACCEPTED'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'PENDING_CANCEL'
  | 'CANCELED'
  | 'REJECTED'
  | 'EXPIRED';

export interface OrderRequest {
  /** Unique, persisted, sent to IB as orderRef. */
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  /** Shares, > 0. */
  quantity: number;
  type: OrderType;
  /** Required for LMT. */
  limitPrice?: number;
  tif: TimeInForce;
  mode: OrderMode;
  origin: OrderOrigin;
  /** Only reduces an existing position (flatten, REDUCING state). */
  reduceOnly?: boolean;
  /** Epoch ms the request was created. */
  ts: number;
}

/** What a broker tells the order manager. Every report names the order by clientOrderId. */
export type BrokerReport =
  | { type: 'submitted'; clientOrderId: string; brokerOrderId: string; ts: number }
  | { type: 'accepted'; clientOrderId: string; brokerOrderId: string; ts: number }
  | { type: 'rejected'; clientOrderId: string; reason: string; code?: number; ts: number }
  | { type: 'cancelPending'; clientOrderId: string; ts: number }
  /** The broker refused a cancel (IB 10147/10148/161: already filled or unknown); the order works on. */
  | { type: 'cancelRejected'; clientOrderId: string; reason: string; ts: number }
  | { type: 'canceled'; clientOrderId: string; reason?: string; ts: number }
  | { type: 'expired'; clientOrderId: string; ts: number }
  | {
      type: 'fill';
      clientOrderId: string;
      /** Broker execution id; a repeat is ignored. */
      execId: string;
      quantity: number;
      price: number;
      /** Filled in later by a commission report when the broker sends it separately. */
      commission?: number;
      ts: number;
    }
  | { type: 'commission'; execId: string; commission: number; currency: string; ts: number };

export interface BrokerPosition {
  account: string;
  symbol: string;
  /** Signed shares: negative is short. */
  quantity: number;
  avgCost: number;
}

export interface BrokerOpenOrder {
  brokerOrderId: string;
  /** orderRef; absent for orders placed outside Kestrel (adopted as EXTERNAL). */
  clientOrderId: string | null;
  symbol: string;
  side: OrderSide;
  quantity: number;
  filled: number;
  type: OrderType;
  limitPrice?: number;
  status: string;
  account?: string;
}

export interface BrokerExecution {
  execId: string;
  brokerOrderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: OrderSide;
  quantity: number;
  price: number;
  ts: number;
  /** When the broker's commission report arrived with the execution. */
  commission?: number;
  account?: string;
}

/** Everything the broker knows, fetched on every (re)connect to reconcile against local state. */
export interface BrokerSnapshot {
  openOrders: BrokerOpenOrder[];
  executions: BrokerExecution[];
  positions: BrokerPosition[];
}

export interface BrokerStatus {
  name: 'simulated' | 'ibkr';
  connected: boolean;
  accounts: string[];
  paper: boolean;
  /** False with a reason when orders must not be sent (disconnected, non-paper account, ...). */
  tradingAllowed: boolean;
  reason: string | null;
}

export type SubmitResult = { ok: true } | { ok: false; reason: string };

export interface Broker {
  readonly name: BrokerStatus['name'];
  status(): BrokerStatus;
  /** Sends the order; never queues it while disconnected (denies with a reason instead). */
  submit(order: OrderRequest): SubmitResult;
  cancel(clientOrderId: string): SubmitResult;
  /** Cancels every working order at the broker (IB reqGlobalCancel). Resolves when it is on the wire. */
  cancelAll(): Promise<void>;
  /** Open orders, executions since `sinceTs` and positions, for reconciliation. */
  snapshot(sinceTs: number | null): Promise<BrokerSnapshot>;
  onReport(listener: (report: BrokerReport) => void): () => void;
  /** Fires after every (re)connect, when the adapter is ready to be reconciled. */
  onReady(listener: () => void): () => void;
}
