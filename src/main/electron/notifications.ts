/** Desktop notifications for the alerts that need the trader now; the decision is in ../alerts/desktop.ts. */
import { Notification } from 'electron';
import { DesktopNotifier } from '../alerts/desktop';
import { SystemClock } from '../clock';
import type { Engine } from '../engine';

export function attachDesktopNotifications(engine: Engine): () => void {
  if (!Notification.isSupported()) return () => {};
  const notifier = new DesktopNotifier(
    new SystemClock(),
    (symbol) => engine.symbols.list().find((s) => s.symbol === symbol)?.mode ?? null,
    ({ title, body }) => new Notification({ title, body }).show(),
  );
  return engine.bus.on('alert', (alert) => notifier.onAlert(alert));
}
