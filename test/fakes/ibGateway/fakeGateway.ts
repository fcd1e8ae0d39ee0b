// A protocol-level fake of IB Gateway for tests: a real TCP server that speaks the TWS API (server
// version 193) to the real @stoqey/ib client, with a small simulated broker behind it and a scripting API
// for the faults the execution layer has to survive.
import net from 'node:net';
import type { FrameEvent, WireValue } from './framing';
import { ClientStreamReader, encodeFrame, wireField } from './framing';
import type {
  ExecutionFilterRequest,
  FakeBar,
  FakeContract,
  FakeExecution,
  FakeOrder,
  FakeRealTimeBar,
  OrderStatusName,
  PlaceOrderRequest,
} from './messages';
import {
  ClientMsg,
  SERVER_VERSION,
  TickTypeId,
  buildAccountSummary,
  buildAccountSummaryEnd,
  buildCommissionReport,
  buildCurrentTime,
  buildError,
  buildExecutionData,
  buildExecutionDataEnd,
  buildHistoricalData,
  buildManagedAccounts,
  buildMarketDataType,
  buildNextValidId,
  buildOpenOrder,
  buildOpenOrderEnd,
  buildOrderStatus,
  buildPosition,
  buildPositionEnd,
  buildRealTimeBar,
  buildServerVersion,
  buildTickPrice,
  buildTickReqParams,
  buildTickSize,
  clientMsgName,
  gatewayMsgName,
  parseCancelOrder,
  parseIntField,
  parsePlaceOrder,
  parseReqAccountSummary,
  parseReqExecutions,
  parseReqHistoricalData,
  parseVersionedContractRequest,
  parseVersionedReqId,
} from './messages';

export interface FakeIbGatewayOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a random free port); after the first start the port is kept for restarts. */
  port?: number;
  /** Managed accounts; the first one is used for orders that name no account. Default `['DU1234567']`. */
  accounts?: string[];
  /** The lowest order id the gateway announces. Default 1. */
  nextValidId?: number;
  /** Send the 2104/2106/2158 farm notices (id -1) after the handshake. Default true. */
  farmNotices?: boolean;
  /** Connection time string in the handshake reply. */
  connectionTime?: string;
  /** Initial last prices per symbol. */
  prices?: Record<string, number>;
  /** Fill price for market orders on a symbol with no price set. Default 100. */
  defaultPrice?: number;
  /** Bid/ask are last ∓ spread/2. Default 0.02. */
  spread?: number;
  /** Commission model: per share with a minimum per execution. Defaults 0.005 and 1. */
  commissionPerShare?: number;
  minCommission?: number;
  /** A client connected with this id sees every client's executions in REQ_EXECUTIONS. */
  masterClientId?: number;
  /** Answer PLACE_ORDER with error 103 when the id was already used by that client. Default true. */
  rejectDuplicateIds?: boolean;
  /** After START_API, send openOrder + orderStatus for the client's working orders. Default false. */
  replayOpenOrdersOnConnect?: boolean;
  /** Values for REQ_ACCOUNT_SUMMARY, by tag; applied to every account. */
  accountValues?: Record<string, { value: string; currency: string }>;
  /** Clock for timestamps, execution times and REQ_CURRENT_TIME. Default Date.now. */
  now?: () => number;
}

export interface ReceivedMessage {
  /** Message name, e.g. `PLACE_ORDER`; `HANDSHAKE` for the `API\0` version offer. */
  type: string;
  msgId: number;
  /** All fields as received, index 0 being the message id. */
  fields: string[];
  connId: number;
  /** The connection's clientId once START_API has been received. */
  clientId: number | undefined;
  at: number;
}

export interface SentMessage {
  type: string;
  msgId: number;
  fields: string[];
  connId: number;
  clientId: number | undefined;
  at: number;
}

export interface PositionRecord {
  account: string;
  contract: FakeContract;
  position: number;
  avgCost: number;
}

export interface RepeatConfig {
  openOrder: number;
  orderStatus: number;
  execDetails: number;
  commissionReport: number;
}

/** What happens to the order during which the gateway drops the connection. */
export type DisconnectOutcome = 'filled' | 'working' | 'lost';

type OrderScript =
  | { kind: 'reject'; code: number; message: string; thenStatus: 'Cancelled' | 'Inactive' | undefined }
  | { kind: 'slices'; slices: number[] }
  | { kind: 'hold' }
  | { kind: 'disconnect'; outcome: DisconnectOutcome; when: 'receive' | 'ack' };

interface Connection {
  id: number;
  socket: net.Socket;
  reader: ClientStreamReader;
  clientId: number | undefined;
  /** Set as soon as the fake decides to drop the socket, so nothing more is written to it. */
  closed: boolean;
  /** The first frame on a connection is the server version reply, which carries no message id. */
  versionSent: boolean;
}

interface Subscription {
  connId: number;
  reqId: number;
  symbol: string;
}

interface OrderPlan {
  /** Remaining scripted slices; after the last one the remainder stays working. */
  slices: number[] | undefined;
  hold: boolean;
}

const WORKING: ReadonlySet<OrderStatusName> = new Set(['PreSubmitted', 'Submitted']);

const DEFAULT_ACCOUNT_VALUES: Record<string, { value: string; currency: string }> = {
  NetLiquidation: { value: '100000.00', currency: 'USD' },
  TotalCashValue: { value: '100000.00', currency: 'USD' },
  BuyingPower: { value: '400000.00', currency: 'USD' },
  AccountType: { value: 'INDIVIDUAL', currency: '' },
};

// A few real conIds so logs look familiar; anything else gets a stable synthetic id.
const KNOWN_CON_IDS: Record<string, number> = { AAPL: 265598, MSFT: 272093, SPY: 756733, QQQ: 320227571 };

function syntheticConId(symbol: string): number {
  let hash = 7;
  for (const ch of symbol) hash = (hash * 31 + ch.charCodeAt(0)) % 900_000_000;
  return 100_000_000 + hash;
}

const nyParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** IB reports execution times as `yyyyMMdd HH:mm:ss <tz>`; the fake always uses US/Eastern. */
export function formatIbTime(epochMs: number): string {
  const parts: Record<string, string> = {};
  for (const part of nyParts.formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  return `${parts.year}${parts.month}${parts.day} ${parts.hour}:${parts.minute}:${parts.second} US/Eastern`;
}

/**
 * Parses an execution filter time, `yyyyMMdd-HH:mm:ss` or `yyyyMMdd HH:mm:ss`, optionally followed by a
 * time zone. `US/Eastern` / `America/New_York` are honoured; anything else (or none) is read as UTC, the
 * fake gateway's local time. Unparseable means no time filter.
 */
export function parseFilterTime(raw: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})[-\s]+(\d{2}):(\d{2})(?::(\d{2}))?\s*(\S*)/.exec(raw.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, zone] = match;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  if (zone !== 'US/Eastern' && zone !== 'America/New_York') return wall;
  // New York's offset at that moment: format the instant as NY wall time and compare.
  const offset = parseFilterTime(formatIbTime(wall).replace(' US/Eastern', '')) ?? wall;
  return wall + (wall - offset);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export class FakeIbGateway {
  readonly received: ReceivedMessage[] = [];
  readonly sent: SentMessage[] = [];

  private readonly host: string;
  private boundPort: number | undefined;
  private server: net.Server | undefined;
  private readonly connections = new Map<number, Connection>();
  private nextConnId = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  private accounts: string[];
  private farmNotices: boolean;
  private readonly connectionTime: string;
  private readonly defaultPrice: number;
  private readonly spread: number;
  private readonly commissionPerShare: number;
  private readonly minCommission: number;
  private readonly masterClientId: number | undefined;
  private readonly rejectDuplicateIds: boolean;
  private readonly replayOpenOrdersOnConnect: boolean;
  private readonly accountValues: Record<string, { value: string; currency: string }>;

  // Broker state. Orders are keyed by `${clientId}:${orderId}`: ids are only unique per client.
  private readonly orders = new Map<string, FakeOrder>();
  private readonly plans = new Map<string, OrderPlan>();
  private readonly executionLog: FakeExecution[] = [];
  private readonly positionBook = new Map<string, PositionRecord>();
  private readonly usedIds = new Map<number, number>();
  private readonly idCounter = new Map<number, number>();
  private idFloor: number;
  private permIdSeq = 1_000_001;
  private execSeq = 1;
  private readonly lastPrices = new Map<string, number>();
  private readonly historicalBars = new Map<string, FakeBar[]>();

  // Subscriptions, per connection.
  private readonly mktDataSubs: Subscription[] = [];
  private readonly realTimeBarSubs: Subscription[] = [];
  private readonly positionSubs = new Set<number>();

  // Scripted faults.
  private readonly orderScripts: OrderScript[] = [];
  private ackDelayMs = 0;
  private repeat: RepeatConfig = { openOrder: 1, orderStatus: 1, execDetails: 1, commissionReport: 1 };

  constructor(options: FakeIbGatewayOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port && options.port > 0 ? options.port : undefined;
    this.accounts = options.accounts ?? ['DU1234567'];
    this.idFloor = options.nextValidId ?? 1;
    this.farmNotices = options.farmNotices ?? true;
    this.connectionTime = options.connectionTime ?? '20260101 12:00:00 EST';
    this.defaultPrice = options.defaultPrice ?? 100;
    this.spread = options.spread ?? 0.02;
    this.commissionPerShare = options.commissionPerShare ?? 0.005;
    this.minCommission = options.minCommission ?? 1;
    this.masterClientId = options.masterClientId;
    this.rejectDuplicateIds = options.rejectDuplicateIds ?? true;
    this.replayOpenOrdersOnConnect = options.replayOpenOrdersOnConnect ?? false;
    this.accountValues = options.accountValues ?? DEFAULT_ACCOUNT_VALUES;
    this.now = options.now ?? (() => Date.now());
    for (const [symbol, price] of Object.entries(options.prices ?? {})) this.lastPrices.set(symbol, price);
  }

  // ------------------------------------------------------------------------------------------------------
  // Lifecycle

  get port(): number {
    if (this.boundPort === undefined) throw new Error('FakeIbGateway: not started');
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<number> {
    if (this.server) return this.port;
    const server = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.boundPort ?? 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('FakeIbGateway: unexpected address');
    this.boundPort = address.port;
    this.server = server;
    return this.boundPort;
  }

  /** Closes the listener and every client socket. Pending delayed work is dropped. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    for (const conn of [...this.connections.values()]) {
      conn.closed = true;
      conn.socket.destroy();
      this.forgetConnection(conn);
    }
    this.mktDataSubs.length = 0;
    this.realTimeBarSubs.length = 0;
    this.positionSubs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Stops and starts again on the same port. `state: 'keep'` (default) keeps orders, executions and
   * positions, like a gateway restart while IB's servers keep the account; `'reset'` forgets them.
   * `nextValidId` rolls the announced id back (the gateway lost its id bookkeeping), whatever was used.
   */
  async restart(options: { state?: 'keep' | 'reset'; nextValidId?: number; downtimeMs?: number } = {}): Promise<void> {
    await this.stop();
    if (options.state === 'reset') this.resetState();
    if (options.nextValidId !== undefined) {
      this.idFloor = options.nextValidId;
      this.idCounter.clear();
    }
    if (options.downtimeMs) await new Promise((resolve) => setTimeout(resolve, options.downtimeMs));
    await this.start();
  }

  /** Drops every client connection (or one client's) while the listener stays up. */
  disconnectClients(clientId?: number): void {
    for (const conn of [...this.connections.values()]) {
      if (clientId === undefined || conn.clientId === clientId) this.dropConnection(conn);
    }
  }

  /** Client ids with a live, started API connection. */
  connectedClientIds(): number[] {
    return [...this.connections.values()]
      .filter((conn) => !conn.closed && conn.clientId !== undefined)
      .map((conn) => conn.clientId as number);
  }

  // ------------------------------------------------------------------------------------------------------
  // Scripting

  setAccounts(accounts: string[]): void {
    this.accounts = [...accounts];
  }

  setFarmNotices(enabled: boolean): void {
    this.farmNotices = enabled;
  }

  /** Overrides the id floor for the next handshake / REQ_IDS without a restart. */
  setNextValidId(orderId: number): void {
    this.idFloor = orderId;
    this.idCounter.clear();
  }

  /**
   * The next new order is rejected: error `code` (default 201) with `message` on its id, and no fill. IB
   * sends no orderStatus for a rejection by default; `thenStatus` adds one (some rejections do get one).
   */
  rejectNextOrder(options: { message?: string; code?: number; thenStatus?: 'Cancelled' | 'Inactive' } = {}): void {
    this.orderScripts.push({
      kind: 'reject',
      code: options.code ?? 201,
      message: options.message ?? 'Order rejected - reason:Simulated rejection',
      thenStatus: options.thenStatus,
    });
  }

  /**
   * The next new order fills in slices (quantities, or a count of equal slices), each with its own execId.
   * If the slices add up to less than the order, the remainder stays working until `fillOrder`/cancel.
   */
  fillNextOrderInSlices(slices: number[] | number): void {
    this.orderScripts.push({
      kind: 'slices',
      slices: typeof slices === 'number' ? new Array<number>(slices).fill(0) : [...slices],
    });
  }

  /** The next new order is accepted but never fills on its own (use `fillOrder`). */
  holdNextOrder(): void {
    this.orderScripts.push({ kind: 'hold' });
  }

  /**
   * Drops the client's socket on the next PLACE_ORDER, either right after receiving it (no ack at all)
   * or after acknowledging it. `outcome` decides what the broker did meanwhile: filled it, left it
   * working, or never saw it.
   */
  disconnectOnNextOrder(options: { outcome?: DisconnectOutcome; when?: 'receive' | 'ack' } = {}): void {
    this.orderScripts.push({
      kind: 'disconnect',
      outcome: options.outcome ?? 'filled',
      when: options.when ?? 'receive',
    });
  }

  /** Delays the handling of PLACE_ORDER / CANCEL_ORDER / REQ_GLOBAL_CANCEL by this many ms. */
  setAckDelay(ms: number): void {
    this.ackDelayMs = Math.max(0, ms);
  }

  /** Sends each order lifecycle message this many times (IB does repeat them). */
  setRepeat(repeat: Partial<RepeatConfig>): void {
    this.repeat = { ...this.repeat, ...repeat };
  }

  duplicateExecDetails(times = 2): void {
    this.setRepeat({ execDetails: times });
  }

  /** Drops every pending script and fault, back to a well-behaved gateway. */
  clearFaults(): void {
    this.orderScripts.length = 0;
    this.ackDelayMs = 0;
    this.repeat = { openOrder: 1, orderStatus: 1, execDetails: 1, commissionReport: 1 };
  }

  /** Sets the last price, pushes bid/ask/last ticks to subscribers and fills working orders it crosses. */
  setPrice(symbol: string, price: number): void {
    this.lastPrices.set(symbol, price);
    for (const sub of this.mktDataSubs.filter((s) => s.symbol === symbol)) {
      const conn = this.connections.get(sub.connId);
      if (conn) this.sendQuote(conn, sub.reqId, price);
    }
    for (const order of [...this.orders.values()]) {
      if (order.contract.symbol === symbol && WORKING.has(order.status)) this.tryFill(order);
    }
  }

  lastPrice(symbol: string): number | undefined {
    return this.lastPrices.get(symbol);
  }

  /** Pushes a bar to every real-time bar subscription on the symbol; returns how many got it. */
  pushRealTimeBar(symbol: string, bar: FakeRealTimeBar): number {
    let delivered = 0;
    for (const sub of this.realTimeBarSubs.filter((s) => s.symbol === symbol)) {
      const conn = this.connections.get(sub.connId);
      if (conn && this.send(conn, buildRealTimeBar(sub.reqId, bar))) delivered += 1;
    }
    return delivered;
  }

  /** Bars answered to REQ_HISTORICAL_DATA for the symbol (whatever the duration/bar size asked). */
  setHistoricalBars(symbol: string, bars: FakeBar[]): void {
    this.historicalBars.set(symbol, [...bars]);
  }

  setPosition(account: string, symbol: string, position: number, avgCost: number): void {
    const key = `${account}|${symbol}`;
    this.positionBook.set(key, { account, contract: this.stockContract(symbol), position, avgCost });
    this.pushPosition(this.positionBook.get(key) as PositionRecord);
  }

  /**
   * Fills (part of) a working order as if the market did it: `qty` defaults to the remainder and `price`
   * to the last price. Works while the owning client is disconnected (the reports are then lost).
   */
  fillOrder(orderId: number, options: { clientId?: number; qty?: number; price?: number } = {}): FakeExecution {
    const order = this.findOrder(orderId, options.clientId);
    if (!WORKING.has(order.status)) throw new Error(`order ${orderId} is ${order.status}`);
    const qty = Math.min(options.qty ?? order.totalQty - order.filled, order.totalQty - order.filled);
    return this.fill(order, qty, options.price ?? this.marketPrice(order.contract.symbol));
  }

  /** Lets a held order (hold script, finished slice plan, 'working' disconnect) fill by market rules again. */
  releaseOrder(orderId: number, clientId?: number): void {
    const order = this.findOrder(orderId, clientId);
    const plan = this.plans.get(`${order.clientId}:${order.orderId}`);
    if (plan) plan.hold = false;
    this.tryFill(order);
  }

  /** Cancels a working order from the broker side (e.g. end of day), reporting 202 + Cancelled. */
  cancelOrderByBroker(orderId: number, clientId?: number): void {
    this.cancel(this.findOrder(orderId, clientId));
  }

  /**
   * Sends an arbitrary message to a connected client (chaos tests: unknown ids, malformed layouts).
   * Returns false if that client is not connected.
   */
  sendRaw(clientId: number, fields: WireValue[]): boolean {
    const conn = this.ownerConnection(clientId);
    return conn ? this.send(conn, fields) : false;
  }

  // ------------------------------------------------------------------------------------------------------
  // Inspection

  order(orderId: number, clientId?: number): FakeOrder | undefined {
    try {
      return this.findOrder(orderId, clientId);
    } catch {
      return undefined;
    }
  }

  allOrders(): FakeOrder[] {
    return [...this.orders.values()];
  }

  workingOrders(clientId?: number): FakeOrder[] {
    return this.allOrders().filter((o) => WORKING.has(o.status) && (clientId === undefined || o.clientId === clientId));
  }

  executions(): FakeExecution[] {
    return [...this.executionLog];
  }

  positions(): PositionRecord[] {
    return [...this.positionBook.values()];
  }

  receivedOfType(type: string): ReceivedMessage[] {
    return this.received.filter((m) => m.type === type);
  }

  sentOfType(type: string, clientId?: number): SentMessage[] {
    return this.sent.filter((m) => m.type === type && (clientId === undefined || m.clientId === clientId));
  }

  /** Every PLACE_ORDER received (optionally from one client), decoded, in arrival order. */
  placedOrders(clientId?: number): (PlaceOrderRequest & { clientId: number | undefined; at: number })[] {
    return this.receivedOfType('PLACE_ORDER')
      .filter((m) => clientId === undefined || m.clientId === clientId)
      .map((m) => ({ ...parsePlaceOrder(m.fields), clientId: m.clientId, at: m.at }));
  }

  /** Order ids of every PLACE_ORDER received (optionally from one client), in arrival order. */
  placedOrderIds(clientId?: number): number[] {
    return this.receivedOfType('PLACE_ORDER')
      .filter((m) => clientId === undefined || m.clientId === clientId)
      .map((m) => parseIntField(m.fields[1]));
  }

  clearRecords(): void {
    this.received.length = 0;
    this.sent.length = 0;
  }

  /** Polls until `predicate` returns something truthy and returns it; rejects after `timeoutMs`. */
  async waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 2000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() >= deadline) throw new Error(`FakeIbGateway.waitFor timed out after ${timeoutMs} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Waits for a received message of `type` (that also matches `match`, if given). */
  waitForReceived(type: string, match?: (m: ReceivedMessage) => boolean, timeoutMs = 2000): Promise<ReceivedMessage> {
    return this.waitFor(
      () => this.received.find((m) => m.type === type && (match ? match(m) : true)),
      timeoutMs,
      `a ${type} from the client`,
    );
  }

  // ------------------------------------------------------------------------------------------------------
  // Connections and framing

  private onConnection(socket: net.Socket): void {
    socket.setNoDelay(true);
    const conn: Connection = {
      id: this.nextConnId++,
      socket,
      reader: new ClientStreamReader(),
      clientId: undefined,
      closed: false,
      versionSent: false,
    };
    this.connections.set(conn.id, conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      let events: FrameEvent[];
      try {
        events = conn.reader.push(chunk);
      } catch {
        this.dropConnection(conn);
        return;
      }
      for (const event of events) {
        if (conn.closed) return;
        if (event.kind === 'handshake') {
          this.record(conn, 'HANDSHAKE', -1, [event.range?.raw ?? '']);
          if (!event.range || event.range.min > SERVER_VERSION || event.range.max < SERVER_VERSION) {
            this.dropConnection(conn);
            return;
          }
          this.send(conn, buildServerVersion(this.connectionTime));
        } else {
          this.onMessage(conn, event.fields);
        }
      }
    });
    socket.on('error', () => this.dropConnection(conn));
    socket.on('close', () => this.forgetConnection(conn));
  }

  /** Stops writing to the client and closes the socket after flushing what was already written. */
  private dropConnection(conn: Connection): void {
    if (!conn.closed) {
      conn.closed = true;
      conn.socket.end();
      // end() flushes pending writes; make sure the socket goes away even if the peer never closes.
      setTimeout(() => conn.socket.destroy(), 200).unref();
    }
    this.forgetConnection(conn);
  }

  private forgetConnection(conn: Connection): void {
    conn.closed = true;
    this.connections.delete(conn.id);
    const keep = (s: Subscription): boolean => s.connId !== conn.id;
    this.mktDataSubs.splice(0, this.mktDataSubs.length, ...this.mktDataSubs.filter(keep));
    this.realTimeBarSubs.splice(0, this.realTimeBarSubs.length, ...this.realTimeBarSubs.filter(keep));
    this.positionSubs.delete(conn.id);
  }

  private record(conn: Connection, type: string, msgId: number, fields: string[]): void {
    this.received.push({ type, msgId, fields, connId: conn.id, clientId: conn.clientId, at: this.now() });
  }

  /** Writes one message; returns false (and writes nothing) if the connection is gone. */
  private send(conn: Connection, fields: WireValue[]): boolean {
    if (conn.closed || conn.socket.destroyed || !conn.socket.writable) return false;
    const msgId = Number(fields[0]);
    // The handshake reply's first field is the server version, not a message id.
    const type = conn.versionSent ? gatewayMsgName(msgId) : 'SERVER_VERSION';
    conn.versionSent = true;
    this.sent.push({
      type,
      msgId,
      fields: fields.map(wireField),
      connId: conn.id,
      clientId: conn.clientId,
      at: this.now(),
    });
    conn.socket.write(encodeFrame(fields));
    return true;
  }

  private sendTimes(conn: Connection, fields: WireValue[], times: number): void {
    for (let i = 0; i < Math.max(1, times); i += 1) this.send(conn, fields);
  }

  /** The live connection of the client that owns an order, if it is connected. */
  private ownerConnection(clientId: number): Connection | undefined {
    for (const conn of this.connections.values()) {
      if (!conn.closed && conn.clientId === clientId) return conn;
    }
    return undefined;
  }

  private defer(fn: () => void): void {
    if (this.ackDelayMs <= 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.ackDelayMs);
    this.timers.add(timer);
  }

  // ------------------------------------------------------------------------------------------------------
  // Message dispatch

  private onMessage(conn: Connection, fields: string[]): void {
    const msgId = parseIntField(fields[0], -1);
    this.record(conn, clientMsgName(msgId), msgId, fields);
    if (msgId === ClientMsg.START_API) {
      this.onStartApi(conn, parseIntField(fields[2]));
      return;
    }
    const clientId = conn.clientId;
    // Like the real gateway, nothing but START_API is served before the API has started.
    if (clientId === undefined) return;
    switch (msgId) {
      case ClientMsg.REQ_CURRENT_TIME:
        this.send(conn, buildCurrentTime(Math.floor(this.now() / 1000)));
        break;
      case ClientMsg.REQ_IDS:
        this.send(conn, buildNextValidId(this.nextIdFor(clientId)));
        break;
      case ClientMsg.REQ_MANAGED_ACCTS:
        this.send(conn, buildManagedAccounts(this.accounts));
        break;
      case ClientMsg.PLACE_ORDER: {
        const request = parsePlaceOrder(fields);
        // A disconnect script acts on receipt, before any (possibly delayed) handling.
        const script = this.peekNewOrderScript(clientId, request.orderId);
        if (script?.kind === 'disconnect' && script.when === 'receive') {
          this.orderScripts.shift();
          this.dropConnection(conn);
          if (script.outcome !== 'lost') {
            this.acceptOrder(clientId, request, {
              silentFill: script.outcome === 'filled',
              hold: script.outcome === 'working',
            });
          }
          return;
        }
        this.defer(() => this.onPlaceOrder(conn, clientId, request));
        break;
      }
      case ClientMsg.CANCEL_ORDER: {
        const { orderId } = parseCancelOrder(fields);
        this.defer(() => this.onCancelOrder(conn, clientId, orderId));
        break;
      }
      case ClientMsg.REQ_GLOBAL_CANCEL:
        this.defer(() => {
          for (const order of this.workingOrders()) this.cancel(order);
        });
        break;
      case ClientMsg.REQ_OPEN_ORDERS:
      case ClientMsg.REQ_AUTO_OPEN_ORDERS:
        this.sendOpenOrders(conn, this.workingOrders(clientId));
        break;
      case ClientMsg.REQ_ALL_OPEN_ORDERS:
        this.sendOpenOrders(conn, this.workingOrders());
        break;
      case ClientMsg.REQ_EXECUTIONS:
        this.onReqExecutions(conn, clientId, parseReqExecutions(fields));
        break;
      case ClientMsg.REQ_POSITIONS:
        this.positionSubs.add(conn.id);
        for (const record of this.positionBook.values()) {
          this.send(conn, buildPosition(record.account, record.contract, record.position, record.avgCost));
        }
        this.send(conn, buildPositionEnd());
        break;
      case ClientMsg.CANCEL_POSITIONS:
        this.positionSubs.delete(conn.id);
        break;
      case ClientMsg.REQ_ACCOUNT_SUMMARY:
        this.onReqAccountSummary(conn, parseReqAccountSummary(fields));
        break;
      case ClientMsg.REQ_MKT_DATA: {
        const { reqId, contract } = parseVersionedContractRequest(fields);
        this.mktDataSubs.push({ connId: conn.id, reqId, symbol: contract.symbol });
        this.send(conn, buildMarketDataType(reqId, 1));
        this.send(conn, buildTickReqParams(reqId));
        const last = this.lastPrices.get(contract.symbol);
        if (last !== undefined) this.sendQuote(conn, reqId, last);
        break;
      }
      case ClientMsg.CANCEL_MKT_DATA:
        this.unsubscribe(this.mktDataSubs, conn.id, parseVersionedReqId(fields));
        break;
      case ClientMsg.REQ_REAL_TIME_BARS: {
        const { reqId, contract } = parseVersionedContractRequest(fields);
        this.realTimeBarSubs.push({ connId: conn.id, reqId, symbol: contract.symbol });
        break;
      }
      case ClientMsg.CANCEL_REAL_TIME_BARS:
        this.unsubscribe(this.realTimeBarSubs, conn.id, parseVersionedReqId(fields));
        break;
      case ClientMsg.REQ_HISTORICAL_DATA: {
        const { reqId, contract } = parseReqHistoricalData(fields);
        const bars = this.historicalBars.get(contract.symbol);
        if (!bars || bars.length === 0) {
          this.send(
            conn,
            buildError(reqId, 162, 'Historical Market Data Service error message:HMDS query returned no data'),
          );
        } else {
          const first = bars[0] as FakeBar;
          const last = bars[bars.length - 1] as FakeBar;
          this.send(conn, buildHistoricalData(reqId, first.date, last.date, bars));
        }
        break;
      }
      default:
        // Recorded above; everything else (market data type, cancels of one-shot requests, ...) is ignored.
        break;
    }
  }

  private onStartApi(conn: Connection, clientId: number): void {
    if (conn.clientId !== undefined) return;
    if (this.ownerConnection(clientId)) {
      this.send(
        conn,
        buildError(-1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.'),
      );
      this.dropConnection(conn);
      return;
    }
    conn.clientId = clientId;
    this.send(conn, buildManagedAccounts(this.accounts));
    this.send(conn, buildNextValidId(this.nextIdFor(clientId)));
    if (this.farmNotices) {
      this.send(conn, buildError(-1, 2104, 'Market data farm connection is OK:usfarm'));
      this.send(conn, buildError(-1, 2106, 'HMDS data farm connection is OK:ushmds'));
      this.send(conn, buildError(-1, 2158, 'Sec-def data farm connection is OK:secdefnj'));
    }
    if (this.replayOpenOrdersOnConnect) {
      for (const order of this.workingOrders(clientId)) {
        this.send(conn, buildOpenOrder(order));
        this.send(conn, buildOrderStatus(order));
      }
    }
  }

  private unsubscribe(list: Subscription[], connId: number, reqId: number): void {
    const index = list.findIndex((s) => s.connId === connId && s.reqId === reqId);
    if (index >= 0) list.splice(index, 1);
  }

  // ------------------------------------------------------------------------------------------------------
  // Orders

  private nextIdFor(clientId: number): number {
    return Math.max(this.idFloor, (this.idCounter.get(clientId) ?? 0) + 1);
  }

  private noteIdUsed(clientId: number, orderId: number): void {
    this.usedIds.set(clientId, Math.max(this.usedIds.get(clientId) ?? 0, orderId));
    this.idCounter.set(clientId, Math.max(this.idCounter.get(clientId) ?? 0, orderId));
  }

  /** The script that would apply to this PLACE_ORDER, if it is a new order (modifications use none). */
  private peekNewOrderScript(clientId: number, orderId: number): OrderScript | undefined {
    if (this.orders.has(`${clientId}:${orderId}`)) return undefined;
    return this.orderScripts[0];
  }

  private onPlaceOrder(conn: Connection, clientId: number, request: PlaceOrderRequest): void {
    const key = `${clientId}:${request.orderId}`;
    const existing = this.orders.get(key);
    if (existing) {
      this.modifyOrder(conn, existing, request);
      return;
    }
    if (this.rejectDuplicateIds && request.orderId <= (this.usedIds.get(clientId) ?? 0)) {
      this.send(conn, buildError(request.orderId, 103, 'Duplicate order id'));
      return;
    }
    if (request.account !== '' && !this.accounts.includes(request.account)) {
      this.noteIdUsed(clientId, request.orderId);
      this.send(
        conn,
        buildError(
          request.orderId,
          321,
          `Error validating request.-'bL' : cause - Invalid account code ${request.account}`,
        ),
      );
      return;
    }
    const script = this.orderScripts.shift();
    if (script?.kind === 'reject') {
      // Kept (not working) so the id counts as used and tests can inspect it.
      const order = this.newOrder(clientId, request);
      order.status = script.thenStatus ?? 'Inactive';
      this.send(conn, buildError(request.orderId, script.code, script.message));
      if (script.thenStatus) this.sendTimes(conn, buildOrderStatus(order), this.repeat.orderStatus);
      return;
    }
    if (script?.kind === 'disconnect') {
      // when === 'ack': acknowledge first, then vanish; the broker carries on.
      const order = this.acceptOrder(clientId, request, { silentFill: false, hold: true });
      this.dropConnection(conn);
      if (script.outcome === 'filled') this.fill(order, order.totalQty, this.marketPrice(order.contract.symbol));
      else if (script.outcome === 'lost') this.forgetOrder(order);
      return;
    }
    this.acceptOrder(clientId, request, {
      silentFill: false,
      hold: script?.kind === 'hold',
      slices: script?.kind === 'slices' ? script.slices : undefined,
    });
  }

  /**
   * Creates a working order, reports PreSubmitted then Submitted to its owner, and fills it if the market
   * allows. `silentFill` fills it straight away whatever the order type (used when the client is away).
   */
  private acceptOrder(
    clientId: number,
    request: PlaceOrderRequest,
    options: { silentFill: boolean; hold?: boolean; slices?: number[] | undefined },
  ): FakeOrder {
    const order = this.newOrder(clientId, request);
    const key = `${clientId}:${order.orderId}`;
    this.plans.set(key, { slices: options.slices, hold: options.hold ?? false });
    this.reportOrder(order);
    if (!order.transmit) return order; // held in the gateway, like an untransmitted TWS order
    order.status = 'Submitted';
    this.reportOrder(order);
    if (options.silentFill) this.fill(order, order.totalQty, this.marketPrice(order.contract.symbol));
    else this.tryFill(order);
    return order;
  }

  /** Records a new order (status PreSubmitted) and marks its id as used. */
  private newOrder(clientId: number, request: PlaceOrderRequest): FakeOrder {
    this.noteIdUsed(clientId, request.orderId);
    const order: FakeOrder = {
      orderId: request.orderId,
      clientId,
      permId: this.permIdSeq++,
      contract: this.completeContract(request.contract),
      action: request.action,
      totalQty: request.totalQty,
      orderType: request.orderType,
      lmtPrice: request.lmtPrice,
      auxPrice: request.auxPrice,
      tif: request.tif || 'DAY',
      account: request.account || (this.accounts[0] ?? ''),
      orderRef: request.orderRef,
      transmit: request.transmit,
      parentId: request.parentId,
      outsideRth: request.outsideRth,
      status: 'PreSubmitted',
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      placedAt: this.now(),
    };
    this.orders.set(`${clientId}:${order.orderId}`, order);
    return order;
  }

  private forgetOrder(order: FakeOrder): void {
    const key = `${order.clientId}:${order.orderId}`;
    this.orders.delete(key);
    this.plans.delete(key);
  }

  private modifyOrder(conn: Connection, order: FakeOrder, request: PlaceOrderRequest): void {
    if (!WORKING.has(order.status)) {
      const [code, message] =
        order.status === 'Filled' ? [104, "Can't modify a filled order."] : [103, 'Duplicate order id'];
      this.send(conn, buildError(order.orderId, code, message));
      return;
    }
    order.totalQty = Math.max(request.totalQty, order.filled);
    order.orderType = request.orderType;
    order.lmtPrice = request.lmtPrice;
    order.auxPrice = request.auxPrice;
    order.tif = request.tif || order.tif;
    order.orderRef = request.orderRef;
    if (request.transmit && !order.transmit) {
      order.transmit = true;
      order.status = 'Submitted';
    }
    this.reportOrder(order);
    this.tryFill(order);
  }

  private onCancelOrder(conn: Connection, clientId: number, orderId: number): void {
    const order = this.orders.get(`${clientId}:${orderId}`);
    if (!order) {
      this.send(conn, buildError(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`));
      return;
    }
    if (!WORKING.has(order.status)) {
      this.send(
        conn,
        buildError(
          orderId,
          10148,
          `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${order.status}.`,
        ),
      );
      return;
    }
    this.cancel(order);
  }

  private cancel(order: FakeOrder): void {
    order.status = 'Cancelled';
    const conn = this.ownerConnection(order.clientId);
    if (!conn) return;
    this.send(conn, buildError(order.orderId, 202, 'Order Canceled - reason:'));
    this.sendTimes(conn, buildOrderStatus(order), this.repeat.orderStatus);
  }

  /** openOrder + orderStatus to the owner, each repeated as scripted. */
  private reportOrder(order: FakeOrder): void {
    const conn = this.ownerConnection(order.clientId);
    if (!conn) return;
    this.sendTimes(conn, buildOpenOrder(order), this.repeat.openOrder);
    this.sendTimes(conn, buildOrderStatus(order), this.repeat.orderStatus);
  }

  private marketPrice(symbol: string): number {
    return this.lastPrices.get(symbol) ?? this.defaultPrice;
  }

  /** Fills a working order if its type and the current price allow, following its slice plan. */
  private tryFill(order: FakeOrder): void {
    if (!order.transmit || !WORKING.has(order.status)) return;
    const key = `${order.clientId}:${order.orderId}`;
    const plan = this.plans.get(key) ?? { slices: undefined, hold: false };
    if (plan.hold) return;
    const last = this.lastPrices.get(order.contract.symbol);
    const buy = order.action === 'BUY';
    let fillPrice: number | undefined;
    if (order.orderType === 'MKT') {
      fillPrice = this.marketPrice(order.contract.symbol);
    } else if (order.orderType === 'LMT' && last !== undefined && order.lmtPrice !== undefined) {
      if (buy ? last <= order.lmtPrice : last >= order.lmtPrice) fillPrice = last;
    } else if (order.orderType === 'STP' && last !== undefined && order.auxPrice !== undefined) {
      if (buy ? last >= order.auxPrice : last <= order.auxPrice) fillPrice = last;
    }
    if (fillPrice === undefined) return;
    if (plan.slices) {
      const slices = this.resolveSlices(plan.slices, order.totalQty - order.filled);
      plan.slices = undefined;
      for (const qty of slices) if (qty > 0 && WORKING.has(order.status)) this.fill(order, qty, fillPrice);
      // A partial plan leaves the rest working and keeps it from filling by itself.
      if (WORKING.has(order.status)) plan.hold = true;
      this.plans.set(key, plan);
      return;
    }
    this.fill(order, order.totalQty - order.filled, fillPrice);
  }

  /** Zeros in a slice plan mean "equal shares of the remainder" (from `fillNextOrderInSlices(n)`). */
  private resolveSlices(slices: number[], remaining: number): number[] {
    if (slices.every((s) => s === 0)) {
      const n = slices.length;
      const base = Math.floor(remaining / n);
      return slices.map((_, i) => (i === n - 1 ? remaining - base * (n - 1) : base));
    }
    const out: number[] = [];
    let left = remaining;
    for (const slice of slices) {
      const qty = Math.min(slice, left);
      out.push(qty);
      left -= qty;
    }
    return out;
  }

  private fill(order: FakeOrder, qty: number, price: number): FakeExecution {
    const previous = order.filled;
    order.filled = previous + qty;
    order.avgFillPrice = round((order.avgFillPrice * previous + price * qty) / order.filled, 6);
    order.lastFillPrice = price;
    if (order.filled >= order.totalQty) order.status = 'Filled';
    const seq = this.execSeq++;
    const exec: FakeExecution = {
      execId: `0000e0d5.${(0x65a00000 + order.permId).toString(16)}.${String(seq).padStart(2, '0')}.01`,
      orderId: order.orderId,
      clientId: order.clientId,
      permId: order.permId,
      contract: order.contract,
      account: order.account,
      side: order.action === 'BUY' ? 'BOT' : 'SLD',
      shares: qty,
      price,
      cumQty: order.filled,
      avgPrice: order.avgFillPrice,
      orderRef: order.orderRef,
      time: this.now(),
      commission: round(Math.max(this.minCommission, qty * this.commissionPerShare), 4),
      commissionCurrency: order.contract.currency || 'USD',
    };
    this.executionLog.push(exec);
    this.applyToPosition(exec);
    const conn = this.ownerConnection(order.clientId);
    if (conn) {
      this.sendTimes(conn, buildExecutionData(-1, exec, formatIbTime(exec.time)), this.repeat.execDetails);
      if (order.status === 'Filled') this.sendTimes(conn, buildOpenOrder(order), this.repeat.openOrder);
      this.sendTimes(conn, buildOrderStatus(order), this.repeat.orderStatus);
      this.sendTimes(conn, buildCommissionReport(exec), this.repeat.commissionReport);
    }
    return exec;
  }

  private applyToPosition(exec: FakeExecution): void {
    const key = `${exec.account}|${exec.contract.symbol}`;
    const record = this.positionBook.get(key) ?? {
      account: exec.account,
      contract: exec.contract,
      position: 0,
      avgCost: 0,
    };
    const signed = exec.side === 'BOT' ? exec.shares : -exec.shares;
    const next = record.position + signed;
    if (record.position === 0 || Math.sign(record.position) === Math.sign(signed)) {
      record.avgCost = round(
        (record.avgCost * Math.abs(record.position) + exec.price * exec.shares) / Math.abs(next),
        6,
      );
    } else if (Math.sign(next) !== Math.sign(record.position) && next !== 0) {
      record.avgCost = exec.price; // flipped through zero
    } else if (next === 0) {
      record.avgCost = 0;
    }
    record.position = next;
    this.positionBook.set(key, record);
    this.pushPosition(record);
  }

  private pushPosition(record: PositionRecord): void {
    for (const connId of this.positionSubs) {
      const conn = this.connections.get(connId);
      if (conn) this.send(conn, buildPosition(record.account, record.contract, record.position, record.avgCost));
    }
  }

  private sendOpenOrders(conn: Connection, orders: FakeOrder[]): void {
    for (const order of orders) {
      this.send(conn, buildOpenOrder(order));
      this.send(conn, buildOrderStatus(order));
    }
    this.send(conn, buildOpenOrderEnd());
  }

  private findOrder(orderId: number, clientId?: number): FakeOrder {
    const matches = this.allOrders().filter(
      (o) => o.orderId === orderId && (clientId === undefined || o.clientId === clientId),
    );
    if (matches.length !== 1) {
      throw new Error(`FakeIbGateway: ${matches.length === 0 ? 'no' : 'ambiguous'} order ${orderId}; pass clientId`);
    }
    return matches[0] as FakeOrder;
  }

  // ------------------------------------------------------------------------------------------------------
  // Reports

  private onReqExecutions(conn: Connection, clientId: number, filter: ExecutionFilterRequest): void {
    // Each client sees its own executions; the master client sees everyone's (as documented by IB).
    const seesAll = this.masterClientId !== undefined && clientId === this.masterClientId;
    const since = filter.time ? parseFilterTime(filter.time) : undefined;
    const side = filter.side.toUpperCase();
    const matching = this.executionLog.filter(
      (e) =>
        (seesAll || e.clientId === clientId) &&
        (filter.clientId === undefined || e.clientId === filter.clientId) &&
        (filter.account === '' || e.account === filter.account) &&
        (filter.symbol === '' || e.contract.symbol === filter.symbol) &&
        (filter.secType === '' || e.contract.secType === filter.secType) &&
        (side === '' || (side === 'BUY' ? e.side === 'BOT' : side === 'SELL' ? e.side === 'SLD' : e.side === side)) &&
        (since === undefined || e.time >= since),
    );
    for (const exec of matching) {
      this.send(conn, buildExecutionData(filter.reqId, exec, formatIbTime(exec.time)));
      this.send(conn, buildCommissionReport(exec));
    }
    this.send(conn, buildExecutionDataEnd(filter.reqId));
  }

  private onReqAccountSummary(conn: Connection, request: { reqId: number; tags: string[] }): void {
    const tags = request.tags.length > 0 ? request.tags : Object.keys(this.accountValues);
    for (const account of this.accounts) {
      for (const tag of tags) {
        const entry = this.accountValues[tag];
        if (entry) this.send(conn, buildAccountSummary(request.reqId, account, tag, entry.value, entry.currency));
      }
    }
    this.send(conn, buildAccountSummaryEnd(request.reqId));
  }

  private sendQuote(conn: Connection, reqId: number, last: number): void {
    const half = this.spread / 2;
    this.send(conn, buildTickPrice(reqId, TickTypeId.BID, round(last - half, 6), 100));
    this.send(conn, buildTickPrice(reqId, TickTypeId.ASK, round(last + half, 6), 100));
    this.send(conn, buildTickPrice(reqId, TickTypeId.LAST, last, 100));
    // IB also sends sizes on their own. The client needs that for the bid: it drops the size carried by a
    // bid TICK_PRICE because BID_SIZE is tick type 0 (a falsy check in the 1.6.10 decoder).
    this.send(conn, buildTickSize(reqId, TickTypeId.BID_SIZE, 100));
    this.send(conn, buildTickSize(reqId, TickTypeId.ASK_SIZE, 100));
    this.send(conn, buildTickSize(reqId, TickTypeId.LAST_SIZE, 100));
    this.send(conn, buildTickSize(reqId, TickTypeId.VOLUME, 1000));
  }

  // ------------------------------------------------------------------------------------------------------
  // Helpers

  private stockContract(symbol: string): FakeContract {
    return this.completeContract({
      conId: 0,
      symbol,
      secType: 'STK',
      lastTradeDate: '',
      strike: '',
      right: '',
      multiplier: '',
      exchange: 'SMART',
      primaryExch: '',
      currency: 'USD',
      localSymbol: '',
      tradingClass: '',
    });
  }

  /** Fills in what IB resolves for the client: conId, local symbol, trading class. */
  private completeContract(contract: FakeContract): FakeContract {
    return {
      ...contract,
      conId: contract.conId || (KNOWN_CON_IDS[contract.symbol] ?? syntheticConId(contract.symbol)),
      secType: contract.secType || 'STK',
      exchange: contract.exchange || 'SMART',
      currency: contract.currency || 'USD',
      localSymbol: contract.localSymbol || contract.symbol,
      tradingClass:
        contract.tradingClass || (contract.secType === 'STK' || contract.secType === '' ? 'NMS' : contract.symbol),
    };
  }

  private resetState(): void {
    this.orders.clear();
    this.plans.clear();
    this.executionLog.length = 0;
    this.positionBook.clear();
    this.usedIds.clear();
    this.idCounter.clear();
  }
}
