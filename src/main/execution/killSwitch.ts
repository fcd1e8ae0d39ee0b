import type { Surface, TradingState } from '../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import { CommandError } from '../errors';
import type { AuditLog } from '../storage/auditLog';
import type { Db } from '../storage/db';
import type { TradingStateRepo } from '../storage/tradingStateRepo';
import { transition, type TradingStateAction } from './tradingState';

/**
 * Runs after HALTED is committed. The execution layer registers here to cancel working orders
 * and move live symbols to shadow; a failing hook is reported but never un-latches the halt.
 */
export type HaltHook = (state: TradingState) => Promise<void> | void;

export interface KillSwitchDeps {
  db: Db;
  repo: TradingStateRepo;
  audit: AuditLog;
  bus: EventBus;
  clock: Clock;
  onHookError: (err: unknown) => void;
}

const INITIAL_REASON = 'first start';

export class KillSwitch {
  private state: TradingState;
  private readonly hooks = new Set<HaltHook>();

  constructor(private readonly deps: KillSwitchDeps) {
    const saved = deps.repo.load();
    if (saved) {
      this.state = saved;
    } else {
      this.state = { state: 'ACTIVE', reason: INITIAL_REASON, changedAt: deps.clock.now(), changedBy: 'startup' };
      this.commit(this.state, 'tradingState.init', null);
    }
  }

  current(): TradingState {
    return this.state;
  }

  onHalt(hook: HaltHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Latches HALTED in SQLite first; only then tells anyone. Then runs the halt hooks. */
  async engage(reason: string, surface: Surface): Promise<TradingState> {
    const next = this.apply('engage', reason, surface);
    await this.runHooks(next);
    return next;
  }

  rearm(surface: Surface, reason = 'trader re-armed after confirmation'): TradingState {
    return this.apply('rearm', reason, surface);
  }

  reduce(reason: string, surface: Surface): TradingState {
    return this.apply('reduce', reason, surface);
  }

  private apply(action: TradingStateAction, reason: string, surface: Surface): TradingState {
    const result = transition(this.state.state, action);
    if (!result.ok) throw new CommandError('INVALID_STATE', result.reason);
    if (!result.changed) return this.state;
    const next: TradingState = { state: result.next, reason, changedAt: this.deps.clock.now(), changedBy: surface };
    try {
      this.commit(next, `tradingState.${action}`, this.state);
    } catch (err) {
      // Halting is the safe direction: it latches in memory even when the disk refuses the write.
      if (next.state !== 'HALTED') throw err;
      this.deps.onHookError(new Error(`HALTED could not be saved (${(err as Error).message}); it holds until restart`));
    }
    const before = this.state;
    this.state = next;
    if (before.state !== next.state) this.deps.bus.emit('tradingState', next);
    return next;
  }

  private commit(next: TradingState, action: string, before: TradingState | null): void {
    const { db, repo, audit } = this.deps;
    db.transaction(() => {
      repo.save(next);
      audit.append({
        ts: next.changedAt,
        surface: next.changedBy,
        action,
        subject: 'trading',
        before: before?.state ?? null,
        after: next.state,
        reason: next.reason,
      });
    })();
  }

  private async runHooks(state: TradingState): Promise<void> {
    await Promise.all(
      [...this.hooks].map(async (hook) => {
        try {
          await hook(state);
        } catch (err) {
          this.deps.onHookError(err);
        }
      }),
    );
  }
}
