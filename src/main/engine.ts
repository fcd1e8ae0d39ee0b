/**
 * The composition root: builds every service from Config, starts them in order and stops them in
 * reverse. Nothing here knows which transport, if any, is serving the contract.
 */
import { BackfillInputError, BackfillService, type HistorySource } from './backfill/service';
import { ChartFeed } from './bars/chartFeed';
import { seedSp500Daily, SP500_SYMBOL } from './bars/dataset';
import { BarRecorder } from './bars/recorder';
import { applyRetention } from './storage/retention';
import { toMarketBar } from './bars/types';
import { EventBus } from './bus';
import type { Clock } from './clock';
import type { Config } from './config';
import { ExecutionService } from './execution/executionService';
import { KillSwitch } from './execution/killSwitch';
import { IbConnection } from './ibkr/connection';
import { IbkrCrossCheck } from './marketdata/crossCheck';
import { createProviders } from './marketdata/providers';
import type { MarketDataProvider } from './marketdata/provider';
import { DEFAULT_ROUTER_CONFIG } from './marketdata/router';
import { QuoteRecorder } from './marketdata/quoteRecorder';
import { MarketDataService } from './marketdata/service';
import { AlertCenter, AlertInputError } from './observability/alerts';
import { AlertDispatcher } from './alerts/dispatcher';
import { watchExecutionAlerts } from './alerts/executionAlerts';
import { SqliteAlertStore } from './storage/alertRepo';
import type { Logger } from './observability/logger';
import { Metrics } from './observability/metrics';
import { EnvSecretStore, type SecretStore } from './secrets';
import { AuditLog } from './storage/auditLog';
import { BackfillRepo } from './storage/backfillRepo';
import { openDatabase, type Db } from './storage/db';
import { SqliteBarStore, SqliteQuoteLog } from './storage/barRepo';
import { ProviderSwitchRepo } from './storage/providerSwitchRepo';
import { SettingsRepo } from './storage/settingsRepo';
import { SymbolModeRepo } from './storage/symbolModeRepo';
import { TradingStateRepo } from './storage/tradingStateRepo';
import { SymbolModes } from './symbols/symbolModes';
import { CommandError } from './errors';
import { ContractServer, type CommandHandlers } from './transport/server';
import { Signals } from './signals/wiring';
import { KESTREL_VERSION } from './version';
import { BacktestService } from './backtest/service';
import { replayToday } from './backtest/replayToday';
import { BacktestRepo } from './storage/backtestRepo';
import { SettingsService } from './settings/service';
import { planBudgets } from './settings/plans';
import { sessionState } from './marketdata/calendar';

/** Raw quotes are pruned hourly; the first pass runs at start-up. */
const RETENTION_EVERY_MS = 60 * 60_000;

export interface EngineOptions {
  config: Config;
  clock: Clock;
  log: Logger;
  host: 'electron' | 'headless';
  secrets?: SecretStore;
  /** Tests inject providers pointed at fakes; otherwise they come from the config. */
  providers?: MarketDataProvider[];
  /** Inside Electron: print report PDFs with printToPDF rather than a system Chromium. */
  printPdf?: (html: string) => Promise<Uint8Array>;
  /** Register process metrics (event-loop lag, heap) for /metrics. */
  processMetrics?: boolean;
}

export class Engine {
  readonly bus: EventBus;
  readonly db: Db;
  readonly audit: AuditLog;
  readonly settings: SettingsRepo;
  readonly killSwitch: KillSwitch;
  readonly symbols: SymbolModes;
  readonly alerts: AlertCenter;
  /** Outbound alert channels: webhook, Slack, Discord (docs/alerts.md). */
  readonly alertChannels: AlertDispatcher;
  readonly server: ContractServer;
  readonly metrics: Metrics;
  readonly marketData: MarketDataService;
  readonly bars: SqliteBarStore;
  readonly barRecorder: BarRecorder;
  /** Gap detection and the backfill queue (docs/backfill.md). */
  readonly backfill: BackfillService;
  readonly quotes: QuoteRecorder;
  readonly chartFeed: ChartFeed;
  /** Features → policy → gate → SQLite + `signal` events (docs/signals.md). */
  readonly signals: Signals;
  private barTimers: ReturnType<typeof setInterval>[] = [];
  /** The shared IB Gateway connection; present when IBKR is configured. */
  readonly ib: IbConnection | null;
  /** Risk, brokers, orders, positions, kill sequence, reconciliation (docs/execution.md). */
  readonly execution: ExecutionService;
  /** Backtests from the app: worker runs, history in SQLite, compare, export (docs/backtest.md). */
  readonly backtests: BacktestService;
  /** Editable settings, keys and the kestrel.config.json mirror (docs/settings.md). */
  readonly settingsService: SettingsService;
  private readonly switches: ProviderSwitchRepo;
  private readonly startedAt: number;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly opts: EngineOptions) {
    const { config, clock, log } = opts;
    this.startedAt = clock.now();
    this.bus = new EventBus((err, event) => log.error({ err, event }, 'event listener failed'));
    this.db = openDatabase(config.dataDir);
    this.audit = new AuditLog(this.db);
    this.settings = new SettingsRepo(this.db);
    this.alerts = new AlertCenter(this.bus, clock, 200, new SqliteAlertStore(this.db));
    this.alerts.onStoreError = (err) => log.error({ err }, 'alert history write failed; alerts kept in memory');
    this.killSwitch = new KillSwitch({
      db: this.db,
      repo: new TradingStateRepo(this.db),
      audit: this.audit,
      bus: this.bus,
      clock,
      onHookError: (err) => {
        log.error({ err }, 'halt hook failed');
        this.alerts.raise('critical', 'Halt follow-up failed', `trading stays HALTED; ${(err as Error).message}`, {
          kind: 'killSwitch',
        });
      },
    });
    this.symbols = new SymbolModes({
      db: this.db,
      repo: new SymbolModeRepo(this.db),
      audit: this.audit,
      bus: this.bus,
      clock,
      tradingState: () => this.killSwitch.current().state,
      watched: config.symbols,
    });
    this.metrics = new Metrics(opts.processMetrics ?? false);
    // --- alerts (docs/alerts.md): history above, outbound channels and execution-derived alerts here ---
    this.alertChannels = new AlertDispatcher({ config: config.alerts, clock, version: KESTREL_VERSION, log });
    this.alertChannels.watchMetrics(this.metrics.registry);
    this.bus.on('alert', (a) => this.alertChannels.dispatch(a));
    watchExecutionAlerts(this.bus, (level, title, message, o) => this.alerts.raise(level, title, message, o));
    // --- end alerts ---
    this.switches = new ProviderSwitchRepo(this.db);
    const md = config.marketdata;
    // One connection for market data and the live broker: orders belong to its fixed clientId.
    this.ib =
      md.providers.includes('ibkr') || config.execution.liveBroker === 'ibkr'
        ? new IbConnection({ ...config.ib, clock })
        : null;
    const ib = this.ib;
    this.marketData = new MarketDataService({
      clock,
      bus: this.bus,
      log,
      metrics: this.metrics,
      providers:
        opts.providers ??
        createProviders({
          names: md.providers,
          urls: md.urls,
          secrets: opts.secrets ?? new EnvSecretStore(process.env),
          clock,
          syntheticSessions: md.syntheticSessions,
          ib: ib ?? undefined,
          replay: {
            ...md.replay,
            // Runs when the stream starts, after start() has seeded the bundled dataset.
            load: () =>
              this.symbols
                .list()
                .flatMap((s) => this.bars.range(s.symbol, md.replay.interval, 0, Number.MAX_SAFE_INTEGER))
                .map(toMarketBar),
          },
        }),
      recordSwitch: (s) => this.switches.append(s),
      crossCheck: ib
        ? new IbkrCrossCheck(
            clock,
            () => ib.isConnected(),
            (d) =>
              this.alerts.raise(
                'warning',
                `Price divergence ${d.symbol}`,
                `${d.provider} ${d.price} vs IBKR ${d.ibkrPrice} (${d.diffBps.toFixed(1)} bps)`,
                { symbol: d.symbol },
              ),
          )
        : undefined,
      config: {
        router: {
          ...DEFAULT_ROUTER_CONFIG,
          strategy: md.routing,
          priority: md.providers,
          allowlist: md.allowlist,
          staleAfterMs: md.staleAfterMs,
          switchBackAfterMs: md.switchBackAfterMs,
        },
        shadow: md.shadow ? { provider: md.shadow, symbols: config.symbols } : null,
        plans: planBudgets(md.plans),
        maxJumpBps: 1000,
        mismatchBps: 10,
        gateWindowMs: 30 * 60_000,
        evaluateEveryMs: 250,
        uiFlushEveryMs: 100,
      },
    });
    this.bus.on('providerSwitched', (s) => {
      // Providers going off during shutdown are not failovers anyone needs to hear about.
      if (s.from !== null && !this.stopped) {
        this.alerts.raise('warning', `Failover ${s.symbol}`, `${s.from} → ${s.to ?? 'none'}: ${s.reason}`, {
          kind: 'failover',
          symbol: s.symbol,
        });
      }
    });
    this.bars = new SqliteBarStore(this.db);
    this.barRecorder = new BarRecorder(this.bars, clock);
    this.barRecorder.onListenerError = (err) => log.error({ err }, 'bar listener failed');
    this.barRecorder.onReconciled = (d) =>
      log.info({ symbol: d.symbol, ts: d.ts, diff: d.diff }, 'provider bar replaced the built bar');
    this.marketData.onEvent((provider, event) => {
      // Decision latency (docs/signals.md) starts at the event whose handling closes a bar.
      this.signals.eventStarted();
      try {
        this.barRecorder.onEvent(provider, event);
      } finally {
        this.signals.eventEnded();
      }
    });
    // --- raw quotes, retention and the bundled dataset (docs/bars.md) ---
    this.quotes = new QuoteRecorder(new SqliteQuoteLog(this.db));
    this.marketData.onEvent((_provider, event) => {
      if (event.type === 'quote') this.quotes.add(event.quote);
    });
    this.metrics.watchBarCounters(() => ({
      ...this.barRecorder.aggregator.counters,
      ...this.barRecorder.counters,
      written: this.barRecorder.buffer.counters.written,
      writeFailures: this.barRecorder.buffer.counters.failures,
      quotesWritten: this.quotes.counters.written,
      quotesDropped: this.quotes.counters.dropped,
    }));
    // --- end raw quotes ---
    // --- chart feed (docs/chart.md): getBars answers and the coalesced `bars` event ---
    this.chartFeed = new ChartFeed({
      store: this.bars,
      clock,
      forming: (symbol) => this.barRecorder.aggregator.forming(symbol),
      isSim: (symbol) => {
        // History-only symbols (the bundled dataset, imports) are not streamed, so not simulated.
        if (!this.symbols.list().some((s) => s.symbol === symbol)) return false;
        const rows = this.marketData.providerRows();
        const active = rows.find((r) => r.name === this.marketData.router.active(symbol));
        return active ? active.sim : rows.every((r) => r.sim);
      },
      emit: (update) => this.bus.emit('bars', update),
    });
    this.barRecorder.subscribe((bar) => this.chartFeed.onBar(bar));
    // --- end chart feed ---
    // --- signals (docs/signals.md): closed 1m bars → features → policy → gate → SQLite + `signal` ---
    this.signals = new Signals({
      signals: config.signals,
      resourcesDir: config.resourcesDir,
      clock,
      db: this.db,
      metrics: this.metrics,
      tradingState: () => this.killSwitch.current().state,
      mode: (symbol) => this.symbols.mode(symbol),
      watched: () => this.symbols.list().map((s) => s.symbol),
      emit: (signal) => this.bus.emit('signal', signal),
      onProblem: (title, message, err) => {
        log.error({ err, message }, title);
        this.alerts.raise('critical', title, message);
      },
    });
    this.barRecorder.subscribe((bar, kind) => this.signals.service.onBar(bar, kind));
    // --- end signals ---
    // --- gap detection and backfill (docs/backfill.md) ---
    this.backfill = new BackfillService({
      clock,
      config: config.backfill,
      repo: new BackfillRepo(this.db),
      store: this.bars,
      sources: () => this.historySources(),
      symbols: () => this.symbols.list().map((s) => s.symbol),
      pendingBars: () => this.barRecorder.queuedBars(),
      // An hour's margin: the next retention pass prunes up to an hour further than the last.
      retainedFrom: (now) =>
        config.retention.barDays === null ? null : now - config.retention.barDays * 86_400_000 + 3_600_000,
      onDead: (job) =>
        this.alerts.raise(
          'warning',
          `Backfill failed ${job.symbol}`,
          `job ${job.id} (${new Date(job.fromTs).toISOString()} to ${new Date(job.toTs).toISOString()}) ` +
            `moved to the dead-letter queue after ${job.attempts} attempts: ${job.lastError ?? 'unknown error'}`,
          { kind: 'dataGap', symbol: job.symbol },
        ),
      onStatus: (status) => this.bus.emit('backfill', status),
      onError: (err) => log.error({ err }, 'backfill failed'),
    });
    this.barRecorder.subscribe((bar, kind) => this.backfill.onBar(bar, kind));
    // --- end backfill ---
    // --- execution (docs/execution.md): risk → OMS → simulated/IBKR brokers, kill sequence, reconciliation ---
    this.execution = new ExecutionService({
      config: config.execution,
      clock,
      db: this.db,
      log,
      bus: this.bus,
      audit: this.audit,
      alerts: this.alerts,
      metrics: this.metrics,
      killSwitch: this.killSwitch,
      symbols: this.symbols,
      ib: this.ib,
      gates: (symbol) => this.marketData.gates({ symbol }, this.signals.service.latencyP95Ms(symbol)),
    });
    this.marketData.onEvent((_provider, event) => this.execution.onMarketEvent(event));
    // --- end execution ---
    // --- backtests (docs/backtest.md "In the app") ---
    this.backtests = new BacktestService({
      repo: new BacktestRepo(this.db),
      clock,
      dataDir: config.dataDir,
      resourcesDir: config.resourcesDir,
      emit: (p) => this.bus.emit('backtestProgress', p),
      ...(opts.printPdf ? { printPdf: opts.printPdf } : {}),
    });
    // --- end backtests ---
    // --- settings (docs/settings.md): validated, audited, mirrored; applied now where the component allows ---
    this.settingsService = new SettingsService({
      config,
      host: opts.host,
      clock,
      db: this.db,
      audit: this.audit,
      repo: this.settings,
      secrets: opts.secrets ?? new EnvSecretStore(process.env),
      env: process.env,
      runtime: {
        risk: (r) => {
          this.execution.risk.updateConfig(r);
          Object.assign(config.execution.risk, r);
        },
        signals: (s) => {
          Object.assign(this.signals.gate.settings, s);
          Object.assign(config.signals, s);
        },
        kill: ({ rejectStormCount, rejectStormWindowMs, haltOnDisconnect, liveToShadow }) => {
          this.execution.risk.updateConfig({ rejectStormCount, rejectStormWindowMs });
          Object.assign(config.execution.risk, { rejectStormCount, rejectStormWindowMs });
          // The kill sequence and the disconnect watch read this object when they run.
          Object.assign(config.execution.kill, { haltOnDisconnect, liveToShadow });
        },
        alerts: ({ channels }) => {
          config.alerts = { ...config.alerts, channels };
          this.alertChannels.reconfigure(config.alerts);
        },
      },
      emit: (view) => this.bus.emit('settings', view),
    });
    // --- end settings ---
    this.server = new ContractServer(this.handlers(), this.bus, log);
  }

  /** Writes queued bars and quotes; a storage failure keeps them queued and tells the trader. */
  private flushBars(): void {
    try {
      this.barRecorder.flush();
      this.quotes.flush();
    } catch (err) {
      this.opts.log.error({ err }, 'bar write failed; bars stay queued');
      this.alerts.raise(
        'critical',
        'Bar storage failed',
        `bars are kept in memory and retried: ${(err as Error).message}`,
        { kind: 'storage' },
      );
    }
  }

  /** Real daily history on a fresh install: the bundled S&P 500 bars (resources/datasets). */
  private seedDataset(): void {
    const r = seedSp500Daily(this.bars, this.opts.config.resourcesDir);
    if ('error' in r) {
      this.opts.log.warn({ error: r.error }, 'bundled dataset not loaded');
      this.alerts.raise('warning', 'Bundled dataset not loaded', r.error);
    } else if (r.seeded > 0) {
      this.opts.log.info({ bars: r.seeded, symbol: SP500_SYMBOL }, 'bundled dataset loaded');
    }
  }

  /** Prunes raw quotes (and minute bars, if configured); a failure is logged and retried next time. */
  private applyRetention(): void {
    try {
      const r = applyRetention(this.db, this.opts.config.retention, this.opts.clock);
      if (r.quotesDeleted + r.barsDeleted > 0) this.opts.log.info(r, 'retention applied');
    } catch (err) {
      this.opts.log.error({ err }, 'retention failed');
    }
  }

  /** Providers with historical bars, each request through its connection's budget and breaker. */
  private historySources(): HistorySource[] {
    const rows = new Map(this.marketData.providerRows().map((r) => [r.name, r]));
    return this.marketData.providerNames().flatMap((name): HistorySource[] => {
      const provider = this.marketData.provider(name);
      const conn = this.marketData.connection(name);
      const row = rows.get(name);
      const history = provider?.historicalBars?.bind(provider);
      if (!provider?.capabilities.historicalBars || !history || !conn || !row) return [];
      return [
        {
          name,
          health: row.health,
          available: row.breaker !== 'open' && conn.state !== 'unauthorized',
          fetch: (symbol, fromTs, toTs, signal) =>
            conn.request((policySignal) => history(symbol, fromTs, toTs, AbortSignal.any([policySignal, signal]))),
        },
      ];
    });
  }

  uptimeS(): number {
    return Math.max(0, (this.opts.clock.now() - this.startedAt) / 1000);
  }

  start(): void {
    const { clock, config, log } = this.opts;
    const state = this.killSwitch.current();
    log.info({ dataDir: config.dataDir, tradingState: state.state, version: KESTREL_VERSION }, 'engine started');
    if (state.state === 'HALTED') {
      this.alerts.raise('warning', 'Trading is HALTED', `latched since a previous session: ${state.reason}`, {
        kind: 'killSwitch',
      });
    }
    this.heartbeat = setInterval(() => {
      const ts = clock.now();
      this.bus.emit('heartbeat', {
        ts,
        uptimeS: this.uptimeS(),
        tradingState: this.killSwitch.current().state,
        ...sessionOf(ts),
      });
    }, config.heartbeatMs);
    this.heartbeat.unref();
    this.barTimers.push(
      setInterval(() => {
        this.signals.eventStarted(); // a tick that closes bars starts their decision latency
        try {
          this.barRecorder.tick();
        } finally {
          this.signals.eventEnded();
        }
      }, 250),
      setInterval(() => this.flushBars(), 1000),
    );
    // Chart updates: one coalesced `bars` event per symbol per tick, so at most 4 Hz.
    this.barTimers.push(setInterval(() => this.chartFeed.flush(this.symbols.list().map((s) => s.symbol)), 250));
    for (const t of this.barTimers) t.unref();
    this.seedDataset();
    this.applyRetention();
    this.barTimers.push(setInterval(() => this.applyRetention(), RETENTION_EVERY_MS));
    for (const t of this.barTimers) t.unref();
    const interrupted = this.backtests.recoverInterrupted();
    if (interrupted > 0) log.warn({ interrupted }, 'backtests left running by the last session marked failed');
    this.execution.start(); // before the gateway connects: its first onReady reconciles
    this.ib?.start();
    this.signals.start(this.bars); // warm-up from stored bars, then batched decision writes
    this.marketData.start(this.symbols.list().map((s) => s.symbol));
    this.backfill.start();
  }

  /** What /healthz reports; monitoring scripts and our own tests poll it. */
  health() {
    const ticks = new Map(this.marketData.latestTicks().map((t) => [t.symbol, t]));
    return {
      status: 'ok',
      tradingState: this.killSwitch.current().state,
      uptimeS: Math.round(this.uptimeS()),
      providers: this.marketData.providerRows().map((r) => ({
        name: r.name,
        state: r.state,
        breaker: r.breaker,
        health: r.health,
        successRate: r.successRate,
        latencyP95Ms: r.latencyP95Ms,
        freshnessP95Ms: r.freshnessP95Ms,
        mismatchRate: r.mismatchRate,
      })),
      symbols: this.symbols.list().map((s) => ({
        symbol: s.symbol,
        mode: s.mode,
        activeProvider: this.marketData.router.active(s.symbol),
        lastPrice: ticks.get(s.symbol)?.last ?? null,
        lastEventTs: ticks.get(s.symbol)?.ts ?? null,
        lastSignal: this.signals.lastSignal(s.symbol),
      })),
      broker: this.execution.brokerStatus(),
    };
  }

  /** Stops intake first, then flushes and closes storage. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.backtests.stop();
    await this.backfill.stop();
    await this.marketData.stop();
    this.execution.stop();
    this.ib?.close();
    for (const t of this.barTimers) clearInterval(t);
    this.barRecorder.tick();
    this.flushBars();
    this.signals.stop();
    await this.alertChannels.stop();
    // WAL checkpoint so the next start does not replay a large log.
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
    this.opts.log.info('engine stopped');
  }

  /** Bad backfill input (unknown job, bad day) becomes a typed INVALID_INPUT. */
  private backfillCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof BackfillInputError) throw new CommandError('INVALID_INPUT', err.message);
      throw err;
    }
  }

  /** An unknown alert id or channel index becomes a typed INVALID_INPUT. */
  private alertCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof AlertInputError) throw new CommandError('INVALID_INPUT', err.message);
      throw err;
    }
  }

  private handlers(): CommandHandlers {
    return {
      getSnapshot: () => ({
        version: KESTREL_VERSION,
        host: this.opts.host,
        serverTime: this.opts.clock.now(),
        uptimeS: this.uptimeS(),
        tradingState: this.killSwitch.current(),
        symbols: this.symbols.list(),
        alerts: this.alerts.list(),
        providers: this.marketData.providerRows(),
        ticks: this.marketData.latestTicks(),
        activeProviders: this.marketData.router.activeBySymbol(),
      }),
      getTradingState: () => this.killSwitch.current(),
      engageKillSwitch: async ({ reason }, ctx) => {
        this.execution.kill.commandReceived(); // kill latency starts at the command
        const before = this.killSwitch.current().state;
        const state = await this.killSwitch.engage(reason, ctx.surface);
        if (before !== 'HALTED') this.alerts.raise('critical', 'Kill switch engaged', reason, { kind: 'killSwitch' });
        return state;
      },
      rearm: ({ reason }, ctx) => this.killSwitch.rearm(ctx.surface, reason),
      listSymbols: () => this.symbols.list(),
      setSymbolMode: ({ symbol, mode, reason, override }, ctx) =>
        mode === 'live' && override
          ? this.execution.overrideLive(symbol, override.reason, ctx.surface, () =>
              this.symbols.set(symbol, mode, ctx.surface, `override confirmed: ${override.reason}`),
            )
          : this.symbols.set(symbol, mode, ctx.surface, reason),
      addSymbol: ({ symbol }, ctx) => {
        const info = this.symbols.add(symbol, ctx.surface);
        this.marketData.setSymbols(this.symbols.list().map((s) => s.symbol));
        return info;
      },
      listProviders: () => this.marketData.providerRows(),
      failover: ({ symbol, to }, ctx) => {
        const r = this.marketData.failover(symbol, to);
        if ('error' in r) throw new CommandError('DENIED', r.error);
        this.audit.append({
          ts: r.ts,
          surface: ctx.surface,
          action: 'marketdata.failover',
          subject: symbol,
          before: r.from,
          after: r.to,
          reason: r.reason,
        });
        return r;
      },
      getPromotionGates: (target) =>
        this.marketData.gates(target, 'symbol' in target ? this.signals.service.latencyP95Ms(target.symbol) : null),
      listSignals: (input) => this.signals.list(input),
      getSignalStats: () => this.signals.stats(),
      getBars: (input) => this.chartFeed.getBars(input),
      // --- backfill ---
      getGapState: ({ symbol, fromDay, toDay }) =>
        this.backfillCall(() => this.backfill.gapState(symbol, fromDay, toDay)),
      listBackfillJobs: (input) => this.backfill.list(input?.state, input?.limit ?? 100),
      requeueBackfill: (sel) => this.backfillCall(() => this.backfill.requeue(sel)),
      purgeBackfill: (sel) => this.backfillCall(() => this.backfill.purge(sel)),
      getBackfillStatus: () => this.backfill.status(),
      // --- end backfill ---
      // --- alerts (docs/alerts.md) ---
      listAlerts: (input) => this.alertCall(() => this.alerts.history(input?.limit ?? 100, input?.before)),
      ackAlert: ({ id }) => this.alertCall(() => ({ unread: this.alerts.ack(id) })),
      ackAllAlerts: () => this.alerts.ackAll(),
      getAlertChannels: () => this.alertChannels.status(),
      testAlertChannel: ({ index }) => this.alertCall(() => this.alertChannels.test(index)),
      // --- end alerts ---
      // --- execution ---
      listOrders: (input) => this.execution.listOrders(input ?? {}),
      listFills: (input) => this.execution.listFills(input ?? {}),
      listPositions: (input) => this.execution.positions(input?.mode),
      placeOrder: (input) => this.execution.placeOrder(input),
      cancelOrder: ({ clientOrderId }) => this.execution.cancelOrder(clientOrderId),
      flattenAll: ({ mode }, ctx) => this.execution.flattenAll(mode, ctx.surface),
      getBrokerStatus: () => this.execution.brokerStatus(),
      getKillProgress: () => this.execution.killProgress(),
      // --- end execution ---
      // --- backtests ---
      runBacktest: (input) => this.backtests.start(input),
      cancelBacktest: ({ runId }) => this.backtests.cancel(runId),
      listBacktests: (input) => this.backtests.list(input?.limit ?? 100),
      getBacktest: ({ runId, points, trades }) => this.backtests.view(runId, points, trades),
      compareBacktests: ({ a, b }) => this.backtests.compare(a, b),
      exportBacktest: ({ runId, formats }) => this.backtests.export(runId, formats),
      replayToday: () => {
        this.flushBars(); // the replay reads SQLite: write the queued bars first
        return replayToday({
          clock: this.opts.clock,
          dataDir: this.opts.config.dataDir,
          symbols: () => this.symbols.list().map((s) => s.symbol),
          countBars: (symbol, from, to) => this.bars.columns(symbol, '1m', from, to).time.length,
          fills: () => this.execution.listFills({ limit: 10_000 }),
          run: (params) => this.backtests.runReplay(params),
          threshold: this.opts.config.signals.defaultThreshold,
          cooldownMs: this.opts.config.signals.cooldownMs,
        }).catch((err: Error) => {
          throw err instanceof CommandError ? err : new CommandError('UNAVAILABLE', `replay failed: ${err.message}`);
        });
      },
      // --- end backtests ---
      // --- settings ---
      getSettings: () => this.settingsService.view(),
      updateSettings: ({ section, values }, ctx) => this.settingsService.update(section, values, ctx.surface),
      setKey: ({ name, value }, ctx) => this.settingsService.setKey(name, value, ctx.surface),
      clearKey: ({ name }, ctx) => this.settingsService.clearKey(name, ctx.surface),
      // --- end settings ---
    };
  }
}

/** The session for the heartbeat; the calendar only covers its table's years, so outside them none is sent. */
function sessionOf(ts: number): { session?: 'pre' | 'regular' | 'post' | 'closed' } {
  try {
    return { session: sessionState(ts).state };
  } catch {
    return {};
  }
}
