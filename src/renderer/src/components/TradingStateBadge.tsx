import type { TradingStateName } from '../../../shared/domain';

const GLYPH: Record<TradingStateName, string> = { ACTIVE: '●', REDUCING: '◐', HALTED: '■' };

/** The state is always text; colour only repeats it. */
export function TradingStateBadge({ state }: { state: TradingStateName | undefined }) {
  if (!state) return <span className="badge">…</span>;
  return (
    <span
      className={`badge state-${state.toLowerCase()}`}
      role="status"
      aria-label={`Trading state ${state}`}
      data-testid="trading-state"
    >
      <span aria-hidden="true">{GLYPH[state]}</span> {state}
    </span>
  );
}
