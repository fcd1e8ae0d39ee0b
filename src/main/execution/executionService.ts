/**
 * Execution wired into the engine (docs/execution.md): risk engine, simulated broker (shadow),
 * the live broker (IBKR paper over the engine's IbConnection, or one that denies when no gateway
 * is configured), the order manager, the kill sequence, reconciliation on every (re)connect, the
 * live-mode guard, signal → order, quotes → simulated fills and marks, the day boundary, and the
 * coalesced `order` / `positions` / `broker` / `killProgress` events.
 */
import { performance } from 'node:perf_hooks';
import { EventName } from '@stoqey/ib';
import { Gauge, Summary } from 'prom-client';
import type {
  BrokerStatus as BrokerStatusDto,
  FlattenReport,
  GateReport,
  KillProgress,
  Order,
  OrderUpdate,
  PositionsReport,
  Signal,
  Surface,
} from '../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import { CommandError } from '../errors';
import type { IbConnection } from '../ibkr/connection';
import { IbkrBroker } from '../ibkr/ibkrBroker';
import { listen } from '../ibkr/listen';
import { sessionState } from '../marketdata/calendar';
import type { MarketEvent } from '../marketdata/provider';
import type { AlertCenter } from '../observability/alerts';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { AuditLog } from '../storage/auditLog';
import type { Db } from '../storage/db';
import type { SymbolModes } from '../symbols/symbolModes';
import { nyDateKey } from '../time/newYork';
import { commissionModel } from './commission';
import type { ExecutionConfig } from './config';
import { fillDto, orderDto, positionsReport } from './dto';
import { flatten } from './flatten';
import { KillSequence } from './killSequence';
import type { KillSwitch } from './killSwitch';
import { ExecutionLiveGuard } from './liveModeGuard';
import { OrderManager, type ExecutionUpdate, type FillView, type NewOrder } from './orderManager';
import type { OrderRecord } from './orderEvents';
import { isWorking } from './orderState';
import { ReconcileRunner } from './reconcileRunner';
import { RiskEngine } from './risk';
import { ordersForSignal } from './signalOrders';
import { SimulatedBroker, type SimQuote } from './simulatedBroker';
import type { Broker, OrderMode, OrderSide, OrderType, TimeInForce } from './types';
import { UnconfiguredBroker } from './unconfiguredBroker';

const MSG_REQ_GLOBAL_CANCEL = 58;
const ORDER_FLUSH_MS = 100;
const POSITIONS_FLUSH_MS = 500;
const CLOCK_CHECK_MS = 1000;

export interface ExecutionServiceDeps {
  config: ExecutionConfig;
  clock: Clock;
  db: Db;
  log: Logger;
  bus: EventBus;
  audit: AuditLog;
  alerts: AlertCenter;
  metrics: Metrics;
  killSwitch: KillSwitch;
  symbols: SymbolModes;
  /** The engine's IbConnection; required when config.liveBroker is 'ibkr'. */
  ib: IbConnection | null;
  /** Promotion gates for a symbol (getPromotionGates). */
  gates: (symbol: string) => GateReport;
  priorClose?: (symbol: string, dayKey: string) => number | null;
}

export interface ManualOrderInput {
  symbol: string;
  side: OrderSide;
  quantity: number;
  type: OrderType;
  limitPrice?: number;
  tif?: TimeInForce;
  mode?: OrderMode;
}

export class ExecutionService {
  readonly risk: RiskEngine;
  readonly sim: SimulatedBroker;
  readonly live: Broker;
  readonly oms: OrderManager;
  readonly kill: KillSequence;
  readonly guard: ExecutionLiveGuard;
  readonly reconciler: ReconcileRunner;
  private readonly quotes = new Map<string, SimQuote>();
  private readonly pendingOrders = new Map<string, OrderRecord>();
  private pendingFills: FillView[] = [];
  private positionsDirty = false;
  private lastBrokerJson = '';
  private globalCancelSentAt: number | null = null;
  private dayKey: string;
  private wasRegular: boolean;
  private timers: ReturnType<typeof setInterval>[] = [];
  private readonly detach: (() => void)[] = [];
  private readonly killLatency: Summary;
  private readonly lastKillLatency: Gauge;

  constructor(private readonly deps: ExecutionServiceDeps) {
    const { config, clock, log } = deps;
    this.dayKey = nyDateKey(clock.now());
    this.wasRegular = sessionState(clock.now()).state === 'regular';
    this.risk = new RiskEngine({ clock, config: config.risk, requestHalt: (reason) => this.autoHalt(reason) });
    this.sim = new SimulatedBroker({
      clock,
      quotes: (s) => this.quotes.get(s) ?? null,
      slippageBps: config.simulated.slippageBps,
      commission: commissionModel(config.simulated.commission),
      latencyMs: config.simulated.latencyMs,
    });
    if (config.liveBroker === 'ibkr') {
      if (!deps.ib) throw new Error('execution.liveBroker is ibkr but the engine has no IB connection');
      this.live = new IbkrBroker({
        connection: deps.ib,
        clock,
        lastUsedOrderId: () => this.lastLiveOrderId(),
        ...(config.account ? { account: config.account } : {}),
        log,
      });
    } else {
      this.live = new UnconfiguredBroker();
    }
    this.oms = new OrderManager({
      db: deps.db,
      clock,
      brokers: { shadow: this.sim, live: this.live },
      risk: this.risk,
      tradingState: () => deps.killSwitch.current().state,
      quote: (s) => this.reference(s),
      log,
      onAlert: (level, title, message) => deps.alerts.raise(level, title, message),
      onStoreFailure: (err) => this.haltOnStorageFailure(err),
      ...(deps.priorClose ? { priorClose: deps.priorClose } : {}),
    });
    this.oms.onUpdate((u) => this.onUpdate(u));
    this.killLatency = new Summary({
      name: 'kestrel_kill_latency_seconds',
      help: 'Kill command → cancel requests written to the socket (reqGlobalCancel) or swept locally',
      percentiles: [0.5, 0.99],
      registers: [deps.metrics.registry],
    });
    this.lastKillLatency = new Gauge({
      name: 'kestrel_kill_last_latency_seconds',
      help: 'Latency of the most recent kill: command → cancels on the wire',
      registers: [deps.metrics.registry],
    });
    this.kill = new KillSequence({
      clock,
      oms: this.oms,
      symbols: deps.symbols,
      config: () => config.kill,
      emit: (p) => deps.bus.emit('killProgress', p),
      onLatency: (ms) => {
        this.killLatency.observe(ms / 1000);
        this.lastKillLatency.set(ms / 1000);
      },
      alert: (level, title, message) => deps.alerts.raise(level, title, message),
      log,
      wireSentAt: () => this.globalCancelSentAt,
    });
    if (deps.ib && config.liveBroker === 'ibkr') {
      // The kill latency ends when reqGlobalCancel (message 58) is written to the socket.
      this.detach.push(
        listen(deps.ib.api, EventName.sent, (tokens: unknown[]) => {
          if (Number(tokens[0]) === MSG_REQ_GLOBAL_CANCEL) this.globalCancelSentAt = performance.now();
        }),
      );
    }
    this.detach.push(deps.killSwitch.onHalt((state) => this.kill.run(state.reason)));
    this.guard = new ExecutionLiveGuard({ brokerStatus: () => this.live.status(), gates: deps.gates });
    deps.symbols.setLiveGuard(this.guard);
    this.reconciler = new ReconcileRunner({
      clock,
      oms: this.oms,
      broker: this.live,
      mode: 'live',
      alert: (level, title, message) => deps.alerts.raise(level, title, message),
      audit: (action, subject, reason, after) =>
        deps.audit.append({ ts: clock.now(), surface: 'engine', action, subject, after, reason }),
      log,
      onReconciled: () => this.afterReconcile(),
    });
    this.detach.push(this.live.onReady(() => void this.reconciler.trigger()));
    if (deps.ib && config.liveBroker === 'ibkr') {
      const ib = deps.ib;
      this.detach.push(
        ib.onState((state, reason) => {
          this.emitBroker();
          if (state === 'disconnected') this.onBrokerDisconnect(reason);
        }),
      );
    }
    this.detach.push(deps.bus.on('signal', (s) => this.onSignal(s)));
  }

  /** Cancels shadow orders a previous run left working, starts the timers. */
  start(): void {
    // The simulated broker keeps nothing across a restart: its working orders are gone.
    for (const o of this.oms.working('shadow')) {
      this.oms.applyReport(
        {
          type: 'canceled',
          clientOrderId: o.clientOrderId,
          reason: 'the simulated broker does not survive a restart',
          ts: this.deps.clock.now(),
        },
        'shadow',
      );
    }
    this.sim.start();
    this.timers.push(
      setInterval(() => this.flushOrders(), ORDER_FLUSH_MS),
      setInterval(() => this.flushPositions(), POSITIONS_FLUSH_MS),
      setInterval(() => this.checkClock(), CLOCK_CHECK_MS),
      setInterval(() => this.emitBroker(), CLOCK_CHECK_MS),
    );
    for (const t of this.timers) t.unref();
    this.emitBroker();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const d of this.detach.splice(0)) d();
    this.kill.close();
    this.oms.close();
    if (this.live instanceof IbkrBroker) this.live.dispose();
    this.flushOrders();
  }

  // --- market data ---------------------------------------------------------------------------------

  /** Every validated market event: quotes work resting simulated orders and mark positions. */
  onMarketEvent(event: MarketEvent): void {
    let symbol: string;
    let mark: number | null = null;
    let ts: number;
    if (event.type === 'quote') {
      const q = event.quote;
      symbol = q.symbol;
      ts = q.ts;
      const prev = this.quotes.get(symbol);
      this.quotes.set(symbol, {
        bid: q.bid,
        ask: q.ask,
        ts,
        ...((q.last ?? prev?.last) ? { last: q.last ?? prev?.last } : {}),
      });
      mark = q.bid > 0 && q.ask > 0 ? (q.bid + q.ask) / 2 : (q.last ?? null);
    } else if (event.type === 'trade') {
      const t = event.trade;
      symbol = t.symbol;
      ts = t.ts;
      const prev = this.quotes.get(symbol);
      // A feed of trades only: the last price stands in for both sides.
      this.quotes.set(symbol, { bid: prev?.bid ?? 0, ask: prev?.ask ?? 0, last: t.price, ts });
      mark = t.price;
    } else {
      return;
    }
    this.sim.onQuote(symbol);
    if (mark !== null && mark > 0) this.oms.mark(symbol, mark, ts);
  }

  /** Reference price for risk and sizing: mid, else last. */
  reference(symbol: string): { price: number; ts: number } | null {
    const q = this.quotes.get(symbol);
    if (!q) return null;
    const price = q.bid > 0 && q.ask > 0 ? (q.bid + q.ask) / 2 : (q.last ?? 0);
    return price > 0 ? { price, ts: q.ts } : null;
  }

  // --- signals -------------------------------------------------------------------------------------

  private onSignal(signal: Signal): void {
    if (!signal.passed) return;
    const { config } = this.deps;
    const { orders, skipped } = ordersForSignal(signal, {
      mode: (s) => this.deps.symbols.mode(s),
      sizing: (s) => config.sizing.perSymbol[s] ?? config.sizing.default,
      price: (s) => this.reference(s)?.price ?? null,
      equity: (m) => config.sizing.equity[m],
      position: (m, s) => this.oms.positions.quantity(m, s),
      allowShort: config.sizing.allowShort,
    });
    for (const s of skipped) this.deps.log.info({ symbol: s.symbol, reason: s.reason }, 'signal not traded');
    for (const o of orders) this.submit(o);
  }

  // --- commands ------------------------------------------------------------------------------------

  /** The order ticket: the symbol's mode unless given; the same risk checks as signals. */
  placeOrder(input: ManualOrderInput): Order {
    const symbolMode = this.deps.symbols.mode(input.symbol);
    const mode = input.mode ?? (symbolMode === 'off' ? null : symbolMode);
    if (mode === null)
      throw new CommandError('DENIED', `${input.symbol} is off: switch it to shadow or live, or choose a mode`);
    if (mode === 'live' && symbolMode !== 'live')
      throw new CommandError(
        'DENIED',
        `${input.symbol} is ${symbolMode}, not live: live orders need the symbol in live`,
      );
    const order = this.submit({
      symbol: input.symbol,
      side: input.side,
      quantity: input.quantity,
      type: input.type,
      ...(input.limitPrice !== undefined ? { limitPrice: input.limitPrice } : {}),
      ...(input.tif ? { tif: input.tif } : {}),
      mode,
      origin: 'manual',
    });
    return orderDto(order);
  }

  cancelOrder(clientOrderId: string): Order {
    const order = this.oms.get(clientOrderId);
    if (!order) throw new CommandError('INVALID_INPUT', `unknown order ${clientOrderId}`);
    const r = this.oms.cancel(clientOrderId);
    if (!r.ok) throw new CommandError('DENIED', r.reason);
    return orderDto(this.oms.get(clientOrderId)!);
  }

  listOrders(input: { mode?: OrderMode; status?: 'working' | 'all'; symbol?: string; limit?: number } = {}): Order[] {
    const orders = this.oms
      .list()
      .filter((o) => !input.mode || o.request.mode === input.mode)
      .filter((o) => !input.symbol || o.request.symbol === input.symbol)
      .filter((o) => input.status !== 'working' || isWorking(o.status))
      .sort((a, b) => b.createdAt - a.createdAt || b.clientOrderId.localeCompare(a.clientOrderId));
    return orders.slice(0, input.limit ?? 500).map(orderDto);
  }

  listFills(input: { mode?: OrderMode; symbol?: string; clientOrderId?: string; limit?: number } = {}) {
    return this.oms
      .fills(input.clientOrderId)
      .filter((f) => (!input.mode || f.mode === input.mode) && (!input.symbol || f.symbol === input.symbol))
      .sort((a, b) => b.ts - a.ts || b.execId.localeCompare(a.execId))
      .slice(0, input.limit ?? 500)
      .map(fillDto);
  }

  positions(mode?: OrderMode): PositionsReport {
    return positionsReport(this.oms.positions, this.deps.clock.now(), mode);
  }

  async flattenAll(mode: OrderMode | undefined, surface: Surface): Promise<FlattenReport> {
    const modes: OrderMode[] = mode ? [mode] : ['shadow', 'live'];
    const { clock, audit, config } = this.deps;
    audit.append({
      ts: clock.now(),
      surface,
      action: 'execution.flatten',
      subject: modes.join(','),
      reason: 'flatten confirmed by the trader',
    });
    const r = await flatten({
      oms: this.oms,
      modes,
      timeoutMs: config.flatten.timeoutMs,
      maxRounds: config.flatten.maxRounds,
    });
    if (!r.flat) {
      this.deps.alerts.raise(
        'critical',
        'Flatten incomplete',
        `${r.remaining.map((p) => `${p.mode} ${p.symbol} ${p.quantity}`).join(', ')} still open after ${r.rounds} rounds`,
      );
    }
    return {
      flat: r.flat,
      rounds: r.rounds,
      orders: r.orders.map(orderDto),
      remaining: r.remaining.map((p) => ({ ...p })),
    };
  }

  /** The live broker's status for /healthz and the UI; name 'none' when no gateway is configured. */
  brokerStatus(): BrokerStatusDto {
    const s = this.live.status();
    return this.live instanceof UnconfiguredBroker ? { ...s, name: 'none' } : s;
  }

  killProgress(): KillProgress {
    return this.kill.progress();
  }

  /**
   * setSymbolMode('live') with the trader's confirmed override: the guard lets this one switch
   * through; the audit log records the override with what the guard would have said.
   */
  overrideLive<T>(symbol: string, reason: string, surface: Surface, apply: () => T): T {
    const verdict = this.guard.evaluate(symbol);
    this.guard.allowOnce(symbol);
    let result: T;
    try {
      result = apply();
    } finally {
      this.guard.forget(symbol);
    }
    const { clock, audit, alerts } = this.deps;
    const bypassed = verdict.allowed ? 'nothing (the guard allowed it)' : verdict.reason;
    audit.append({
      ts: clock.now(),
      surface,
      action: 'symbolMode.liveOverride',
      subject: symbol,
      before: bypassed,
      after: 'live',
      reason,
    });
    alerts.raise('warning', `${symbol} live by override`, `${reason}; bypassed: ${bypassed}`);
    return result;
  }

  // --- internals -----------------------------------------------------------------------------------

  private submit(order: NewOrder): OrderRecord {
    try {
      return this.oms.submit(order);
    } catch (err) {
      this.deps.log.error({ err, order }, 'order not recorded; nothing sent');
      this.haltOnStorageFailure(err);
      this.deps.alerts.raise('critical', 'Order not recorded', `${order.symbol}: ${(err as Error).message}`, {
        kind: 'storage',
        symbol: order.symbol,
      });
      throw new CommandError('UNAVAILABLE', `order not recorded, nothing sent: ${(err as Error).message}`);
    }
  }

  /** An order log that cannot be written: no order may go out unrecorded, so trading halts. */
  private haltOnStorageFailure(err: unknown): void {
    if (this.deps.killSwitch.current().state === 'HALTED') return;
    this.autoHalt(`the order log cannot be written (${(err as Error).message})`);
  }

  /** Risk (daily loss, reject storm) or a broker drop asks for HALTED: alert, audit, engage. */
  private autoHalt(reason: string): void {
    const { clock, audit, alerts, killSwitch, log } = this.deps;
    log.warn({ reason }, 'automatic halt');
    alerts.raise('critical', 'Automatic halt', reason, { kind: 'killSwitch' });
    try {
      audit.append({ ts: clock.now(), surface: 'engine', action: 'execution.autoHalt', subject: 'trading', reason });
    } catch (err) {
      // The same broken disk may refuse the audit row; the halt must not wait for it.
      log.error({ err }, 'automatic halt not audited');
    }
    this.kill.commandReceived();
    killSwitch.engage(`automatic: ${reason}`, 'engine').catch((err: unknown) => {
      log.error({ err }, 'automatic halt failed');
      alerts.raise('critical', 'Automatic halt failed', (err as Error).message, { kind: 'killSwitch' });
    });
  }

  private onBrokerDisconnect(reason: string): void {
    const working = this.oms.working('live').length;
    if (working === 0 || !this.deps.config.kill.haltOnDisconnect) return;
    if (this.deps.killSwitch.current().state === 'HALTED') return;
    this.autoHalt(`IB Gateway disconnected (${reason}) with ${working} live order${working === 1 ? '' : 's'} working`);
  }

  /** While HALTED, live orders found working after a reconnect are cancelled again. */
  private afterReconcile(): void {
    if (this.deps.killSwitch.current().state !== 'HALTED') return;
    const working = this.oms.working('live');
    if (working.length === 0) return;
    this.oms
      .cancelAll('live')
      .then((ids) => this.kill.track(ids))
      .catch((err: unknown) => this.deps.log.error({ err }, 'cancel after reconnect failed'));
  }

  private lastLiveOrderId(): number | null {
    let max: number | null = null;
    for (const o of this.oms.list()) {
      if (o.request.mode !== 'live' || o.brokerOrderId === null) continue;
      const id = Number(o.brokerOrderId);
      if (Number.isInteger(id) && (max === null || id > max)) max = id;
    }
    return max;
  }

  private onUpdate(u: ExecutionUpdate): void {
    if (u.type === 'position') {
      this.positionsDirty = true;
      return;
    }
    this.pendingOrders.set(u.order.clientOrderId, u.order);
    if (u.type === 'fill') {
      this.pendingFills.push(u.fill);
      this.positionsDirty = true;
    }
  }

  private flushOrders(): void {
    if (this.pendingOrders.size === 0 && this.pendingFills.length === 0) return;
    const update: OrderUpdate = {
      orders: [...this.pendingOrders.values()].map(orderDto),
      fills: this.pendingFills.map(fillDto),
    };
    this.pendingOrders.clear();
    this.pendingFills = [];
    this.deps.bus.emit('order', update);
  }

  private flushPositions(): void {
    if (!this.positionsDirty) return;
    this.positionsDirty = false;
    this.deps.bus.emit('positions', this.positions());
  }

  private emitBroker(): void {
    const status = this.brokerStatus();
    const json = JSON.stringify(status);
    if (json === this.lastBrokerJson) return;
    this.lastBrokerJson = json;
    this.deps.bus.emit('broker', status);
  }

  /** New York day boundary: risk counters reset. The close: simulated DAY orders expire. */
  private checkClock(): void {
    const now = this.deps.clock.now();
    const day = nyDateKey(now);
    if (day !== this.dayKey) {
      this.dayKey = day;
      this.risk.resetDay();
    }
    const regular = sessionState(now).state === 'regular';
    if (this.wasRegular && !regular) {
      const n = this.sim.expireDayOrders();
      if (n > 0) this.deps.log.info({ expired: n }, 'simulated DAY orders expired at the close');
    }
    this.wasRegular = regular;
  }
}
