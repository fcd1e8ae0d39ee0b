import type { Alert, AlertLevel } from '../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';

/** Keeps the recent alerts for the snapshot and publishes each one as an event. */
export class AlertCenter {
  private readonly recent: Alert[] = [];
  private seq = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly capacity = 200,
  ) {}

  raise(level: AlertLevel, title: string, message: string): Alert {
    const ts = this.clock.now();
    const alert: Alert = { id: `${ts}-${++this.seq}`, ts, level, title, message };
    this.recent.push(alert);
    if (this.recent.length > this.capacity) this.recent.shift();
    this.bus.emit('alert', alert);
    return alert;
  }

  list(): Alert[] {
    return [...this.recent];
  }
}
