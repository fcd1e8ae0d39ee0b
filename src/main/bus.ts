import type { EventName, EventPayload } from '../shared/contract';

type Handler<E extends EventName> = (payload: EventPayload<E>) => void;
type AnyHandler = (event: EventName, payload: unknown) => void;

/**
 * The in-process event bus, typed on the contract's events. A throwing subscriber is reported and
 * skipped so one bad listener cannot stop the others, or the publisher.
 */
export class EventBus {
  private readonly handlers = new Map<EventName, Set<(payload: unknown) => void>>();
  private readonly wildcard = new Set<AnyHandler>();

  constructor(private readonly onListenerError: (err: unknown, event: EventName) => void = () => {}) {}

  on<E extends EventName>(event: E, handler: Handler<E>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const h = handler as (payload: unknown) => void;
    set.add(h);
    return () => set.delete(h);
  }

  /** Every event, in publish order: the transports forward these to clients. */
  onAny(handler: AnyHandler): () => void {
    this.wildcard.add(handler);
    return () => this.wildcard.delete(handler);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const h of this.handlers.get(event) ?? []) this.call(() => h(payload), event);
    for (const h of this.wildcard) this.call(() => h(event, payload), event);
  }

  private call(fn: () => void, event: EventName): void {
    try {
      fn();
    } catch (err) {
      this.onListenerError(err, event);
    }
  }
}
