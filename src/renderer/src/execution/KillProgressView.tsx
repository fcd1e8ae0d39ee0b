/**
 * The kill sequence next to the kill switch: "Cancelling 3 of 4…", "All 4 cancelled", "Timed out:
 * 1 still working", the kill latency, the symbols moved to shadow and any failed step. Shown while
 * HALTED (or while a sequence is still running), since that is when the trader needs it.
 */
import { useApp } from '../store/appStore';
import { useExecution } from './executionStore';
import { killLatencyText, killProgressText } from './format';

export function KillProgressView() {
  const kill = useExecution((s) => s.kill);
  const state = useApp((s) => s.tradingState?.state);
  if (!kill || kill.phase === 'idle') return null;
  if (state !== 'HALTED' && kill.phase !== 'cancelling') return null;
  const latency = killLatencyText(kill.latencyMs);
  const tone = kill.phase === 'done' && kill.errors.length === 0 ? 'ok' : kill.phase === 'cancelling' ? 'busy' : 'bad';
  return (
    <div className={`kill-progress kp-${tone}`} role="status" aria-live="polite" data-testid="kill-progress">
      <strong>{killProgressText(kill)}</strong>
      {latency && <span className="kp-detail">{latency}</span>}
      {kill.shadowed.length > 0 && <span className="kp-detail">{kill.shadowed.join(', ')} → shadow</span>}
      {kill.errors.map((e) => (
        <span key={e} className="kp-error">
          {e}
        </span>
      ))}
    </div>
  );
}
