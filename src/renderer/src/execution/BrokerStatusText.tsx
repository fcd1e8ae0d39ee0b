/** The live broker in the status bar: connection, account and a PAPER badge (only DU… accounts trade). */
import { useExecution } from './executionStore';
import { brokerText } from './format';

export function BrokerStatusText() {
  const broker = useExecution((s) => s.broker);
  const { text, tone } = brokerText(broker);
  return (
    <span className={`broker-status broker-${tone}`} data-testid="broker-status" title={broker?.reason ?? undefined}>
      {text}
      {broker?.connected && (
        <span className={`paper-badge ${broker.paper ? '' : 'not-paper'}`}>{broker.paper ? 'PAPER' : 'NOT PAPER'}</span>
      )}
    </span>
  );
}
