/**
 * The composition root: builds every service from Config, starts them in order and stops them in
 * reverse. Nothing here knows which transport, if any, is serving the contract.
 */
import { BarRecorder } from './bars/recorder';
import { EventBus } from './bus';
import type { Clock } from './clock';
import type { Config } from './config';
import { KillSwitch } from './execution/killSwitch';
import { IbConnection } from './ibkr/connection';
import { IbkrCrossCheck } from './marketdata/crossCheck';
import { createProviders } from './marketdata/providers';
import type { MarketDataProvider } from './marketdata/provider';
import { DEFAULT_ROUTER_CONFIG } from './marketdata/router';
import { MarketDataService } from './marketdata/service';
import { AlertCenter } from './observability/alerts';
import type { Logger } from './observability/logger';
import { Metrics } from './observability/metrics';
import { EnvSecretStore, type SecretStore } from './secrets';
import { AuditLog } from './storage/auditLog';
import { openDatabase, type Db } from './storage/db';
import { SqliteBarStore } from './storage/barRepo';
import { ProviderSwitchRepo } from './storage/providerSwitchRepo';
import { SettingsRepo } from './storage/settingsRepo';
import { SymbolModeRepo } from './storage/symbolModeRepo';
import { TradingStateRepo } from './storage/tradingStateRepo';
import { SymbolModes } from './symbols/symbolModes';
import { CommandError } from './errors';
import { ContractServer, type CommandHandlers } from './transport/server';
import { KESTREL_VERSION } from './version';

export interface EngineOptions {
  config: Config;
  clock: Clock;
  log: Logger;
  host: 'electron' | 'headless';
  secrets?: SecretStore;
  /** Tests inject providers pointed at fakes; otherwise they come from the config. */
  providers?: MarketDataProvider[];
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
  readonly server: ContractServer;
  readonly metrics: Metrics;
  readonly marketData: MarketDataService;
  readonly bars: SqliteBarStore;
  readonly barRecorder: BarRecorder;
  private barTimers: ReturnType<typeof setInterval>[] = [];
  /** The shared IB Gateway connection; present when IBKR is configured. */
  readonly ib: IbConnection | null;
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
    this.alerts = new AlertCenter(this.bus, clock);
    this.killSwitch = new KillSwitch({
      db: this.db,
      repo: new TradingStateRepo(this.db),
      audit: this.audit,
      bus: this.bus,
      clock,
      onHookError: (err) => {
        log.error({ err }, 'halt hook failed');
        this.alerts.raise('critical', 'Halt follow-up failed', `trading stays HALTED; ${(err as Error).message}`);
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
    this.switches = new ProviderSwitchRepo(this.db);
    const md = config.marketdata;
    this.ib = md.providers.includes('ibkr') ? new IbConnection({ ...config.ib, clock }) : null;
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
        plans: {},
        maxJumpBps: 1000,
        mismatchBps: 10,
        gateWindowMs: 30 * 60_000,
        evaluateEveryMs: 250,
        uiFlushEveryMs: 100,
      },
    });
    this.bus.on('providerSwitched', (s) => {
      if (s.from !== null) {
        this.alerts.raise('warning', `Failover ${s.symbol}`, `${s.from} → ${s.to ?? 'none'}: ${s.reason}`);
      }
    });
    this.bars = new SqliteBarStore(this.db);
    this.barRecorder = new BarRecorder(this.bars, clock);
    this.barRecorder.onListenerError = (err) => log.error({ err }, 'bar listener failed');
    this.marketData.onEvent((provider, event) => this.barRecorder.onEvent(provider, event));
    this.server = new ContractServer(this.handlers(), this.bus, log);
  }

  /** Writes queued bars; a storage failure keeps them queued and tells the trader. */
  private flushBars(): void {
    try {
      this.barRecorder.flush();
    } catch (err) {
      this.opts.log.error({ err }, 'bar write failed; bars stay queued');
      this.alerts.raise(
        'critical',
        'Bar storage failed',
        `bars are kept in memory and retried: ${(err as Error).message}`,
      );
    }
  }

  uptimeS(): number {
    return Math.max(0, (this.opts.clock.now() - this.startedAt) / 1000);
  }

  start(): void {
    const { clock, config, log } = this.opts;
    const state = this.killSwitch.current();
    log.info({ dataDir: config.dataDir, tradingState: state.state, version: KESTREL_VERSION }, 'engine started');
    if (state.state === 'HALTED') {
      this.alerts.raise('warning', 'Trading is HALTED', `latched since a previous session: ${state.reason}`);
    }
    this.heartbeat = setInterval(() => {
      this.bus.emit('heartbeat', {
        ts: clock.now(),
        uptimeS: this.uptimeS(),
        tradingState: this.killSwitch.current().state,
      });
    }, config.heartbeatMs);
    this.heartbeat.unref();
    this.barTimers.push(
      setInterval(() => this.barRecorder.tick(), 250),
      setInterval(() => this.flushBars(), 1000),
    );
    for (const t of this.barTimers) t.unref();
    this.ib?.start();
    this.marketData.start(this.symbols.list().map((s) => s.symbol));
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
      })),
    };
  }

  /** Stops intake first, then flushes and closes storage. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    await this.marketData.stop();
    this.ib?.close();
    for (const t of this.barTimers) clearInterval(t);
    this.barRecorder.tick();
    this.flushBars();
    // WAL checkpoint so the next start does not replay a large log.
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
    this.opts.log.info('engine stopped');
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
        const before = this.killSwitch.current().state;
        const state = await this.killSwitch.engage(reason, ctx.surface);
        if (before !== 'HALTED') this.alerts.raise('critical', 'Kill switch engaged', reason);
        return state;
      },
      rearm: ({ reason }, ctx) => this.killSwitch.rearm(ctx.surface, reason),
      listSymbols: () => this.symbols.list(),
      setSymbolMode: ({ symbol, mode, reason }, ctx) => this.symbols.set(symbol, mode, ctx.surface, reason),
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
      getPromotionGates: (target) => this.marketData.gates(target),
    };
  }
}
