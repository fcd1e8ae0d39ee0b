/**
 * What the kill switch does after HALTED is persisted (KillSwitch.onHalt): cancel every working
 * order (IB reqGlobalCancel plus the simulated broker's local sweep), move live symbols to shadow,
 * then follow the cancel confirmations against a timeout ("3 of 4 cancelled"). The kill latency is
 * the time from the command to the cancel requests being on the wire (cancelAll resolving).
 */
import { performance } from 'node:perf_hooks';
import type { KillProgress, Surface, SymbolInfo, SymbolMode } from '../../shared/domain';
import type { Clock } from '../clock';
import type { Logger } from '../observability/logger';
import type { AlertFn, OrderManager } from './orderManager';

export interface KillSequenceDeps {
  clock: Clock;
  oms: OrderManager;
  symbols: {
    list(): SymbolInfo[];
    set(symbol: string, mode: SymbolMode, surface: Surface, reason?: string): SymbolInfo;
  };
  config: () => { cancelTimeoutMs: number; liveToShadow: boolean };
  emit: (progress: KillProgress) => void;
  /** Kill latency in ms, for /metrics. */
  onLatency: (ms: number) => void;
  alert: AlertFn;
  log?: Logger;
  monotonicMs?: () => number;
  /**
   * Monotonic ms when reqGlobalCancel was last written to the socket, if a live gateway is wired:
   * cancelAll resolves only after the local bookkeeping that follows the write.
   */
  wireSentAt?: () => number | null;
}

export const IDLE_KILL_PROGRESS: KillProgress = {
  phase: 'idle',
  message: 'the kill switch has not run',
  cancelled: 0,
  total: 0,
  timedOut: false,
  latencyMs: null,
  reason: null,
  startedAt: null,
  finishedAt: null,
  shadowed: [],
  errors: [],
};

export class KillSequence {
  private state: KillProgress = IDLE_KILL_PROGRESS;
  private commandAt: number | null = null;
  private tracked = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;
  private readonly mono: () => number;

  constructor(private readonly deps: KillSequenceDeps) {
    this.mono = deps.monotonicMs ?? (() => performance.now());
    this.unsubscribe = deps.oms.onUpdate((u) => {
      // Late confirmations after a timeout still count.
      if (u.type === 'position' || (this.state.phase !== 'cancelling' && this.state.phase !== 'timedOut')) return;
      if (this.tracked.has(u.order.clientOrderId)) this.update();
    });
  }

  progress(): KillProgress {
    return this.state;
  }

  /** Stamps the kill command before HALTED is persisted: the start of the kill latency. */
  commandReceived(): void {
    this.commandAt = this.mono();
  }

  /** The halt hook. Resolves once the cancels are on the wire; confirmations are followed after. */
  async run(reason: string): Promise<void> {
    const started = this.commandAt ?? this.mono();
    this.commandAt = null;
    this.clearTimer();
    const errors: string[] = [];
    const ids = this.deps.oms.working().map((o) => o.clientOrderId);
    // IB reqGlobalCancel resolves when it is written to the socket; the local sweep at once.
    const cancelling = this.deps.oms.cancelAll();
    this.tracked = new Set(ids);
    this.state = {
      ...IDLE_KILL_PROGRESS,
      phase: 'cancelling',
      total: ids.length,
      reason,
      startedAt: this.deps.clock.now(),
      message: `cancelling ${ids.length} working order${ids.length === 1 ? '' : 's'}`,
    };
    this.deps.emit(this.state);
    let latencyMs: number | null = null;
    try {
      await cancelling;
      const sentAt = this.deps.wireSentAt?.() ?? null;
      latencyMs = (sentAt !== null && sentAt >= started ? sentAt : this.mono()) - started;
      this.deps.onLatency(latencyMs);
    } catch (err) {
      const message = `cancel all failed: ${(err as Error).message}`;
      errors.push(message);
      this.deps.log?.error({ err }, 'kill switch: cancel all failed');
      this.deps.alert('critical', 'Kill switch: cancels not sent', `${message}; trading stays HALTED`);
    }
    const shadowed: string[] = [];
    if (this.deps.config().liveToShadow) {
      for (const s of this.deps.symbols.list()) {
        if (s.mode !== 'live') continue;
        try {
          this.deps.symbols.set(s.symbol, 'shadow', 'engine', `kill switch: ${reason}`);
          shadowed.push(s.symbol);
        } catch (err) {
          errors.push(`${s.symbol} not moved to shadow: ${(err as Error).message}`);
        }
      }
    }
    this.state = { ...this.state, latencyMs, shadowed, errors };
    this.update();
    if (this.state.phase === 'cancelling') {
      const timeoutMs = this.deps.config().cancelTimeoutMs;
      this.timer = setTimeout(() => this.timeOut(timeoutMs), timeoutMs);
      this.timer.unref?.();
    }
  }

  /** Orders cancelled again after a reconnect (while HALTED) join the current count. */
  track(ids: readonly string[]): void {
    for (const id of ids) this.tracked.add(id);
    if (this.state.phase === 'idle') return;
    if (this.state.phase !== 'cancelling') {
      this.state = { ...this.state, phase: 'cancelling', timedOut: false, finishedAt: null };
      const timeoutMs = this.deps.config().cancelTimeoutMs;
      this.clearTimer();
      this.timer = setTimeout(() => this.timeOut(timeoutMs), timeoutMs);
      this.timer.unref?.();
    }
    this.update();
  }

  close(): void {
    this.clearTimer();
    this.unsubscribe();
  }

  private counts(): { done: number; total: number } {
    return this.deps.oms.cancelProgress([...this.tracked]);
  }

  private update(): void {
    const { done, total } = this.counts();
    const finished = done === total;
    this.state = {
      ...this.state,
      cancelled: done,
      total,
      message: `${done} of ${total} cancelled`,
      ...(finished ? { phase: 'done' as const, finishedAt: this.deps.clock.now() } : {}),
    };
    if (finished) this.clearTimer();
    this.deps.emit(this.state);
  }

  private timeOut(timeoutMs: number): void {
    this.timer = null;
    const { done, total } = this.counts();
    if (done === total) return this.update();
    this.state = {
      ...this.state,
      phase: 'timedOut',
      timedOut: true,
      cancelled: done,
      total,
      finishedAt: this.deps.clock.now(),
      message: `${done} of ${total} cancelled; ${total - done} not confirmed after ${timeoutMs} ms`,
    };
    this.deps.alert('critical', 'Kill switch: cancels not confirmed', this.state.message);
    this.deps.emit(this.state);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
