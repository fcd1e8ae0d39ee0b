/**
 * The trading-state machine, pure. ACTIVE trades; REDUCING allows only exposure-reducing orders;
 * HALTED denies new orders (cancels still pass). Leaving HALTED always takes an explicit re-arm.
 */
import type { TradingStateName } from '../../shared/domain';

export type TradingStateAction = 'engage' | 'reduce' | 'rearm';

export type TransitionResult = { ok: true; next: TradingStateName; changed: boolean } | { ok: false; reason: string };

export function transition(current: TradingStateName, action: TradingStateAction): TransitionResult {
  switch (action) {
    case 'engage':
      // Pressing the kill switch again is never an error: it must always be safe to press.
      return { ok: true, next: 'HALTED', changed: current !== 'HALTED' };
    case 'reduce':
      if (current === 'HALTED') return { ok: false, reason: 'trading is HALTED: re-arm before moving to REDUCING' };
      return { ok: true, next: 'REDUCING', changed: current !== 'REDUCING' };
    case 'rearm':
      if (current === 'ACTIVE') return { ok: false, reason: 'trading is already ACTIVE: nothing to re-arm' };
      return { ok: true, next: 'ACTIVE', changed: true };
  }
}

/** Whether a new order may be sent in this state; reducing orders are judged by the risk engine. */
export function allowsNewOrders(state: TradingStateName, reducesExposure: boolean): boolean {
  if (state === 'ACTIVE') return true;
  if (state === 'REDUCING') return reducesExposure;
  return false;
}
