/**
 * The composition root: builds every service from Config, starts them in order and stops them in
 * reverse. Nothing here knows which transport, if any, is serving the contract.
 */
import { EventBus } from './bus';
import type { Clock } from './clock';
import type { Config } from './config';
import { KillSwitch } from './execution/killSwitch';
import { AlertCenter } from './observability/alerts';
import type { Logger } from './observability/logger';
import { AuditLog } from './storage/auditLog';
import { openDatabase, type Db } from './storage/db';
import { SettingsRepo } from './storage/settingsRepo';
import { SymbolModeRepo } from './storage/symbolModeRepo';
import { TradingStateRepo } from './storage/tradingStateRepo';
import { SymbolModes } from './symbols/symbolModes';
import { ContractServer, type CommandHandlers } from './transport/server';
import { KESTREL_VERSION } from './version';

export interface EngineOptions {
  config: Config;
  clock: Clock;
  log: Logger;
  host: 'electron' | 'headless';
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
    this.server = new ContractServer(this.handlers(), this.bus, log);
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
  }

  /** Stops intake first, then flushes and closes storage. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
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
    };
  }
}
