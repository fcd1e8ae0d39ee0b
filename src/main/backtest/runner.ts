/**
 * The backtest runner: the live pipeline, driven by a SimulatedClock and stored bars.
 *
 *   bar ─▶ SignalService (FeaturePipeline → policy → SignalGate) ─▶ sizing ─▶ OrderManager
 *        (RiskEngine, MemoryOrderStore) ─▶ SimulatedBroker ─▶ fills ─▶ PositionBook + cash
 *
 * Every component is the live one, configured, never told it runs in a backtest. What the runner
 * owns is time and prices: the order in which bars become visible, what the clock reads, and
 * which quote the broker sees.
 *
 * No look-ahead, by construction. Bars of all symbols are merged by open time and each bar is
 * handled in two steps:
 *   1. open (clock = bar open): the broker's quote becomes this bar's open; orders decided on the
 *      symbol's previous bar, held "on the wire" by BarScheduler until now, reach the broker and
 *      fill at that open (next-open); resting partial orders work against it.
 *   2. close (clock = bar close): positions are marked at the close, then the bar goes to the
 *      signal service, which decides on it. The service has seen only bars ≤ t. With same-close
 *      the broker's quote is the close and orders fill at once; with next-open they wait for step
 *      1 of the symbol's next bar, and no quote from t+1 exists before then.
 * The equity point of a timestamp is taken after every symbol's close step.
 *
 * Deterministic: no wall clock, no randomness, maps iterated in insertion order; the signal
 * service's latency clock is a constant (latency is not what a backtest measures).
 *
 * The gate in a backtest: its session check uses the bar's open time (daily bars: in session),
 * its freshness check the simulated clock; a daily bar's features are a session old when it
 * closes, so the freshness limit is one day for daily runs.
 */
import { performance } from 'node:perf_hooks';
import type { Signal, TradingStateName } from '../../shared/domain';
import type { StoredBar } from '../bars/types';
import { SimulatedClock } from '../clock';
import { commissionModel } from '../execution/commission';
import { MemoryOrderStore } from '../execution/orderEvents';
import { OrderManager } from '../execution/orderManager';
import { isWorking } from '../execution/orderState';
import { DEFAULT_RISK_CONFIG, RiskEngine, type RiskConfig } from '../execution/risk';
import type { Scheduler } from '../execution/scheduler';
import { SimulatedBroker, type SimQuote } from '../execution/simulatedBroker';
import { sizeOrder, type SizingRule } from '../execution/sizing';
import type { Policy } from '../inference/policy';
import { MlpPolicy } from '../inference/stub';
import { loadWeights } from '../inference/weights';
import { sessionState, type SessionPhase } from '../marketdata/calendar';
import { nyOffsetMs } from '../time/newYork';
import { DEFAULT_GATE_SETTINGS, SignalGate } from '../signals/gate';
import { SignalService } from '../signals/service';
import { DEFAULT_SIGNALS } from '../signals/config';
import { assembleResult, type RunOutput } from './assemble';
import type { BacktestParams } from './params';
import type {
  BacktestFill,
  BacktestGap,
  BacktestOrder,
  BacktestResult,
  EquityPoint,
  FillModel,
  PriceSeries,
} from './result';
import { dayEnd, type BacktestData } from './source';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Progress and the cancel flag are checked every this many bars. */
const CHECK_EVERY = 4096;

export interface RunnerEnv {
  /** Where resources/models lives (the default policy). */
  resourcesDir: string;
  /** The result's generatedAt, from the caller's clock. */
  generatedAt: number;
  /** Gaps found by the data check, listed in the result. */
  gaps: BacktestGap[];
  /** Replaces the weights file (tests: an observing policy). */
  policy?: Policy;
  /** The clock to drive (tests read it); a fresh SimulatedClock otherwise. */
  clock?: SimulatedClock;
}

export interface RunnerHooks {
  onProgress?: (done: number, total: number) => void;
  /** Polled every few thousand bars; true stops the run and it returns 'cancelled'. */
  shouldStop?: () => boolean;
}

export interface RunSummary {
  bars: number;
  decisions: number;
  passed: number;
  orders: number;
  fills: number;
  /** Alerts the OMS raised (overfills, refused fills); none expected. */
  alerts: string[];
  /** Monotonic milliseconds per phase (not part of the result: they differ run to run). */
  timings: { loadMs: number; gapCheckMs: number; loopMs: number; assembleMs: number };
}

export type RunResult =
  { status: 'done'; result: BacktestResult; summary: RunSummary } | { status: 'cancelled'; barsDone: number };

/**
 * Holds a submit "on the wire" until the symbol's next bar opens: the runner tags each submit
 * with its symbol and releases that symbol's tasks after setting the broker's quote to the open.
 */
export class BarScheduler implements Scheduler {
  tag = '';
  private readonly queue: { tag: string; fn: () => void }[] = [];

  schedule(_delayMs: number, fn: () => void): () => void {
    const item = { tag: this.tag, fn };
    this.queue.push(item);
    return () => {
      const i = this.queue.indexOf(item);
      if (i >= 0) this.queue.splice(i, 1);
    };
  }

  get pending(): number {
    return this.queue.length;
  }

  release(tag: string): void {
    if (this.queue.length === 0) return;
    const due = this.queue.filter((q) => q.tag === tag);
    if (due.length === 0) return;
    for (const q of due) this.queue.splice(this.queue.indexOf(q), 1);
    for (const q of due) q.fn();
  }
}

/** Backtest risk limits: the live checks and defaults, with the dollar and share caps left to sizing. */
export function backtestRiskConfig(params: BacktestParams): Partial<RiskConfig> {
  return {
    ...DEFAULT_RISK_CONFIG,
    maxOrderQuantity: Number.MAX_SAFE_INTEGER,
    maxOrderNotional: Number.MAX_VALUE,
    maxPositionPerSymbol: Number.MAX_SAFE_INTEGER,
    maxGrossExposure: Number.MAX_VALUE,
    dailyLossLimit: Number.MAX_VALUE,
    // Quotes are bar prices stamped with the bar's time: never stale by construction.
    maxQuoteAgeMs: null,
    ...params.risk,
  };
}

export function sizingRule(params: BacktestParams, symbols: number): SizingRule {
  return params.sizing ?? { kind: 'percentEquity', percent: Math.floor((95 / symbols) * 100) / 100 };
}

export function fillModelOf(params: BacktestParams): FillModel {
  const commission = { 'ib-fixed': 'IB fixed', 'ib-tiered': 'IB tiered', none: 'no commission' }[params.commission];
  const partial = params.maxFillPerBar !== null;
  const when =
    params.fillAt === 'next-open'
      ? 'A decision at the close of bar t fills at the open of the same symbol’s next bar (t+1)'
      : 'A decision at the close of bar t fills at that close (optimistic: no time to react)';
  return {
    name: `${params.fillAt}, ${params.slippageBps} bps, ${commission}${partial ? `, ≤ ${params.maxFillPerBar}/bar` : ''}`,
    fillAt: params.fillAt,
    slippageBps: params.slippageBps,
    commission: params.commission,
    partialFills: partial,
    description:
      `${when}, moved ${params.slippageBps} bps against the order; market orders through the simulated broker; ` +
      `commission ${commission}.` +
      (partial ? ` At most ${params.maxFillPerBar} shares per order fill per bar; the rest works on later bars.` : ''),
  };
}

interface SymbolState {
  symbol: string;
  /** Signed shares, from the fills. */
  qty: number;
  close: number;
  /** Broker quote (bid = ask = last: bars have no spread) and the risk engine's reference price. */
  readonly quote: SimQuote;
  readonly riskQuote: { price: number; ts: number };
  /** The bar handed to the signal service (reused: the service copies what it keeps). */
  readonly bar: StoredBar;
  working: number;
}

/** Runs a backtest over loaded, checked data in this thread. */
export function runBacktest(
  data: BacktestData,
  params: BacktestParams,
  env: RunnerEnv,
  hooks: RunnerHooks = {},
): RunResult {
  const daily = data.interval === '1d';
  const series = data.series;
  const first = Math.min(...series.map((s) => s.ts[0]!));
  const clock = env.clock ?? new SimulatedClock(first);
  if (clock.now() > first) throw new Error('the runner clock is already past the first bar');

  const states = new Map<string, SymbolState>();
  for (const s of series) {
    states.set(s.symbol, {
      symbol: s.symbol,
      qty: 0,
      close: 0,
      quote: { bid: 0, ask: 0, last: 0, ts: 0 },
      riskQuote: { price: 0, ts: 0 },
      bar: {
        symbol: s.symbol,
        // The signal service decides on '1m' bars; a daily run hands it each daily bar as its decision bar.
        interval: '1m',
        ts: 0,
        o: 0,
        h: 0,
        l: 0,
        c: 0,
        v: 0,
        vw: null,
        n: null,
        provider: data.source,
        asOf: 0,
        status: 'live',
      },
      working: 0,
    });
  }
  const stateOf = (symbol: string): SymbolState => states.get(symbol)!;
  /** By series index: the loop never looks a symbol up by name. */
  const byIndex = series.map((s) => stateOf(s.symbol));

  // Execution: simulated broker → OMS (in-memory event store) → risk.
  const nextOpen = params.fillAt === 'next-open';
  const scheduler = new BarScheduler();
  const broker = new SimulatedBroker({
    clock,
    quotes: (symbol) => {
      const st = states.get(symbol);
      return st && st.quote.ts > 0 ? st.quote : null;
    },
    slippageBps: params.slippageBps,
    commission: commissionModel(params.commission),
    // next-open: every report waits for the symbol's next bar (BarScheduler ignores the delay).
    latencyMs: nextOpen ? 1 : 0,
    scheduler,
    ...(params.maxFillPerBar !== null ? { maxFillPerMatch: params.maxFillPerBar } : {}),
    account: 'BACKTEST',
  });
  const tradingState = (): TradingStateName => 'ACTIVE';
  const alerts: string[] = [];
  const risk = new RiskEngine({ clock, config: backtestRiskConfig(params) });
  let cash = params.initialCash;
  const oms = new OrderManager({
    clock,
    store: new MemoryOrderStore(),
    brokers: { shadow: broker },
    risk,
    tradingState,
    quote: (symbol) => {
      const st = states.get(symbol);
      return st && st.riskQuote.ts > 0 ? st.riskQuote : null;
    },
    onAlert: (level, title, message) => alerts.push(`${level}: ${title}: ${message}`),
    listeners: [
      (u) => {
        if (u.type === 'fill') {
          const st = stateOf(u.fill.symbol);
          const signed = u.fill.side === 'BUY' ? u.fill.quantity : -u.fill.quantity;
          st.qty += signed;
          cash -= signed * u.fill.price + (u.fill.commission ?? 0);
        } else if (u.type === 'order') {
          const st = stateOf(u.order.request.symbol);
          let n = 0;
          for (const o of oms.working('shadow')) if (o.request.symbol === st.symbol) n++;
          st.working = n;
        }
      },
    ],
  });

  // Signals: policy → gate → the service, exactly as wired live, with the gate's session read from the bar.
  const policy = env.policy ?? loadPolicyFor(params, env.resourcesDir);
  let phase: SessionPhase = 'regular';
  const symbols = series.map((s) => s.symbol);
  const threshold = params.threshold ?? DEFAULT_SIGNALS.defaultThreshold;
  const gate = new SignalGate(
    {
      ...DEFAULT_GATE_SETTINGS,
      defaultThreshold: threshold,
      // Spelled out per symbol: the same thresholds, without deriving them on every decision.
      thresholds: Object.fromEntries(symbols.map((s) => [s, threshold])),
      cooldownMs: params.cooldownMs ?? DEFAULT_SIGNALS.cooldownMs,
      maxFeatureAgeMs: daily ? DAY : DEFAULT_SIGNALS.maxFeatureAgeMs,
    },
    { clock, tradingState, session: () => phase },
  );
  const rule = sizingRule(params, symbols.length);
  let decisions = 0;
  let passed = 0;
  const dual = policy.kind === 'dual';
  if (dual && symbols.length !== 2) {
    throw new Error(`the policy ${policy.name} is a pair policy: give exactly two symbols, not ${symbols.length}`);
  }
  const service = new SignalService({
    clock,
    monotonicUs: () => 0,
    single: dual ? new MlpPolicy(loadWeights(DEFAULT_SIGNALS.weights.single, env.resourcesDir)) : policy,
    dual: dual ? policy : null,
    pair: dual ? [symbols[0]!, symbols[1]!] : null,
    gate,
    record: () => {},
    emit: (signal) => onSignal(signal),
    mode: () => 'shadow',
    isWatched: () => true,
    position: (symbol) => Math.sign(states.get(symbol)?.qty ?? 0),
  });

  const equityNow = (): number => {
    let e = cash;
    for (const st of states.values()) e += st.qty * st.close;
    return e;
  };

  function onSignal(signal: Signal): void {
    decisions++;
    if (!signal.passed) return;
    passed++;
    for (const leg of signal.legs) if (leg.side !== 'HOLD') trade(stateOf(leg.symbol), leg.side);
  }

  /** BUY: go long (from flat or short); SELL: close a long, and go short when allowed. */
  function trade(st: SymbolState, side: 'BUY' | 'SELL'): void {
    if (st.working > 0) return; // an order is still working: never stack a second one
    let target: number;
    if (side === 'BUY' ? st.qty > 0 : st.qty < 0 || (st.qty === 0 && !params.allowShort)) return;
    if (side === 'SELL' && !params.allowShort) target = 0;
    else {
      const size = sizeOrder(rule, { price: st.close, equity: equityNow() });
      if (!size.ok) return;
      target = side === 'BUY' ? size.quantity : -size.quantity;
    }
    const delta = target - st.qty;
    if (delta === 0) return;
    markAll(); // risk sees exposure at this bar's closes
    scheduler.tag = st.symbol;
    oms.submit({
      symbol: st.symbol,
      side: delta > 0 ? 'BUY' : 'SELL',
      quantity: Math.abs(delta),
      type: 'MKT',
      // GTC: a decision on a session's last bar fills at the next session's open.
      tif: 'GTC',
      mode: 'shadow',
      origin: 'signal',
    });
  }

  /**
   * Positions are marked to the latest closes before every order and at every New York day
   * boundary, not on every bar: the risk checks see the same exposure and day-start marks, and
   * equity is computed from the closes directly.
   */
  function markAll(): void {
    for (const st of states.values()) if (st.riskQuote.ts > 0) oms.mark(st.symbol, st.close, st.riskQuote.ts);
  }
  let dayEndsAt = 0;

  // Session phase of a bar's open, cached over the phase's span (one calendar lookup per phase).
  let phaseFrom = 0;
  let phaseTo = 0;
  const phaseAt = (ts: number): SessionPhase => {
    if (daily) return 'regular';
    if (ts >= phaseFrom && ts < phaseTo) return phase;
    const s = sessionState(ts);
    if (!s.session) {
      phaseFrom = ts;
      phaseTo = ts + 1;
    } else if (s.state === 'pre') {
      phaseFrom = s.session.preOpen;
      phaseTo = s.session.open;
    } else if (s.state === 'regular') {
      phaseFrom = s.session.open;
      phaseTo = s.session.close;
    } else {
      phaseFrom = s.session.close;
      phaseTo = s.session.postClose;
    }
    return s.state;
  };

  const total = series.reduce((n, s) => n + s.ts.length, 0);
  const loopStart = performance.now();
  const cursor = new Int32Array(series.length);
  const group = new Int32Array(series.length);
  // Equity marks in columns while running; objects only once, for the result.
  const eqTs = new Float64Array(total);
  const eqEquity = new Float64Array(total);
  const eqCash = new Float64Array(total);
  const eqExposure = new Float64Array(total);
  let points = 0;
  let done = 0;
  let nextCheck = CHECK_EVERY;
  hooks.onProgress?.(0, total);

  for (;;) {
    let t = Infinity;
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      const i = cursor[k]!;
      if (i < s.ts.length && s.ts[i]! < t) t = s.ts[i]!;
    }
    if (t === Infinity) break;
    let g = 0;
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      if (cursor[k]! < s.ts.length && s.ts[cursor[k]!] === t) group[g++] = k;
    }
    if (t >= dayEndsAt) {
      markAll(); // yesterday's closes are the day-start marks of daily P&L
      dayEndsAt = nyDayEnd(t);
    }

    // 1. The open: only now does the broker see a price from this bar.
    if (t > clock.now()) clock.set(t);
    if (nextOpen) {
      for (let j = 0; j < g; j++) {
        const k = group[j]!;
        const st = byIndex[k]!;
        setQuote(st.quote, series[k]!.o[cursor[k]!]!, t);
        // Resting (partially filled) orders first, then the ones arriving now: one match each per bar.
        broker.onQuote(st.symbol);
        scheduler.release(st.symbol);
      }
    }

    // 2. The close: decide on the bar.
    const closeTs = daily ? dayEnd(t) : t + MINUTE;
    if (closeTs > clock.now()) clock.set(closeTs);
    phase = phaseAt(t);
    for (let j = 0; j < g; j++) {
      const k = group[j]!;
      const s = series[k]!;
      const i = cursor[k]!;
      const st = byIndex[k]!;
      const close = s.c[i]!;
      st.close = close;
      st.riskQuote.price = close;
      st.riskQuote.ts = closeTs;
      if (!nextOpen) {
        setQuote(st.quote, close, closeTs);
        broker.onQuote(st.symbol);
      }
      const bar = st.bar;
      bar.ts = t;
      bar.o = s.o[i]!;
      bar.h = s.h[i]!;
      bar.l = s.l[i]!;
      bar.c = close;
      bar.v = s.v[i]!;
      service.onBar(bar, 'closed');
      cursor[k] = i + 1;
    }

    let equity = cash;
    let exposure = 0;
    for (let k = 0; k < byIndex.length; k++) {
      const st = byIndex[k]!;
      const value = st.qty * st.close;
      equity += value;
      exposure += value < 0 ? -value : value;
    }
    eqTs[points] = t;
    eqEquity[points] = equity;
    eqCash[points] = cash;
    eqExposure[points] = exposure;
    points++;

    done += g;
    if (done >= nextCheck) {
      nextCheck = done + CHECK_EVERY;
      hooks.onProgress?.(done, total);
      if (hooks.shouldStop?.()) {
        oms.close();
        return { status: 'cancelled', barsDone: done };
      }
    }
  }
  hooks.onProgress?.(done, total);
  oms.close();
  const loopMs = performance.now() - loopStart;

  const orders: BacktestOrder[] = oms.list().map((o) => ({
    clientOrderId: o.clientOrderId,
    symbol: o.request.symbol,
    side: o.request.side,
    type: o.request.type,
    quantity: o.request.quantity,
    limitPrice: o.request.limitPrice ?? null,
    ts: o.request.ts,
    status: o.status,
    filledQty: o.filledQty,
    avgFillPrice: o.avgFillPrice,
    fees: o.commission,
    reason: isWorking(o.status) ? 'still working when the data ended' : o.reason,
  }));
  const fills: BacktestFill[] = oms
    .fills()
    .map((f) => ({
      execId: f.execId,
      clientOrderId: f.clientOrderId,
      symbol: f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      fee: f.commission ?? 0,
      ts: f.ts,
    }))
    .sort((a, b) => a.ts - b.ts || (a.execId < b.execId ? -1 : a.execId > b.execId ? 1 : 0));
  const prices: PriceSeries[] = series.map((s) => ({
    symbol: s.symbol,
    points: Array.from(s.ts, (ts, i) => ({ ts, close: s.c[i]! })),
  }));
  const equityCurve: EquityPoint[] = new Array<EquityPoint>(points);
  for (let i = 0; i < points; i++) {
    equityCurve[i] = { ts: eqTs[i]!, equity: eqEquity[i]!, cash: eqCash[i]!, exposure: eqExposure[i]! };
  }
  const barsBySymbol: Record<string, number> = {};
  for (const s of series) barsBySymbol[s.symbol] = s.ts.length;
  const last = Math.max(...series.map((s) => s.ts[s.ts.length - 1]!));
  const run: RunOutput = {
    generatedAt: env.generatedAt,
    parameters: {
      symbols,
      interval: data.interval,
      from: data.from,
      to: data.to,
      initialCash: params.initialCash,
      riskFreeRate: params.riskFreeRate,
      allowGaps: params.allowGaps,
      policy: params.policy ?? `default: ${DEFAULT_SIGNALS.weights.single} (${policy.name})`,
      extra: {
        fillAt: params.fillAt,
        slippageBps: params.slippageBps,
        commission: params.commission,
        maxFillPerBar: params.maxFillPerBar,
        sizing: describeRule(rule),
        allowShort: params.allowShort,
        gateThreshold: gate.settings.defaultThreshold,
        gateCooldownMs: gate.settings.cooldownMs,
        gateMaxFeatureAgeMs: gate.settings.maxFeatureAgeMs,
        signalsDecided: decisions,
        signalsPassed: passed,
      },
    },
    dataRange: {
      source: data.source,
      firstBarTs: first,
      lastBarTs: last,
      bars: total,
      barsBySymbol,
    },
    fillModel: fillModelOf(params),
    equityCurve,
    prices,
    orders,
    fills,
    gaps: env.gaps,
  };
  const assembleStart = performance.now();
  const result = assembleResult(run);
  const timings = { loadMs: 0, gapCheckMs: 0, loopMs, assembleMs: performance.now() - assembleStart };
  return {
    status: 'done',
    result,
    summary: { bars: total, decisions, passed, orders: orders.length, fills: fills.length, alerts, timings },
  };
}

/** The next New York midnight after ts. */
function nyDayEnd(ts: number): number {
  const local = ts + nyOffsetMs(ts);
  const end = Math.floor(local / DAY) * DAY + DAY;
  // The offset at the boundary can differ by an hour from ts's (DST); midnight never falls in the switch.
  return end - nyOffsetMs(end - nyOffsetMs(ts));
}

function setQuote(q: SimQuote, price: number, ts: number): void {
  q.bid = price;
  q.ask = price;
  q.last = price;
  q.ts = ts;
}

function describeRule(rule: SizingRule): string {
  switch (rule.kind) {
    case 'fixedQuantity':
      return `${rule.quantity} shares`;
    case 'fixedNotional':
      return `$${rule.notional} per order`;
    case 'percentEquity':
      return `${rule.percent}% of equity per order`;
  }
}

/** The weights file the params name, or the bundled single-symbol demo policy. Throws a clear error. */
export function loadPolicyFor(params: BacktestParams, resourcesDir: string): Policy {
  const file = params.policy ?? DEFAULT_SIGNALS.weights.single;
  // A relative --policy is the trader's path (from the working directory); the default lives in resources.
  return new MlpPolicy(loadWeights(file, params.policy === null ? resourcesDir : '.'), file);
}
