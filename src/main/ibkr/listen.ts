import type { EventName, IBApi } from '@stoqey/ib';

type Emitter<A extends unknown[]> = {
  on(event: string, fn: (...args: A) => void): unknown;
  off(event: string, fn: (...args: A) => void): unknown;
};

/** Adds an IBApi listener and returns its removal; IBApi's typed overloads cannot take an event variable. */
export function listen<A extends unknown[]>(api: IBApi, event: EventName, fn: (...args: A) => void): () => void {
  const emitter = api as unknown as Emitter<A>;
  emitter.on(event, fn);
  return () => emitter.off(event, fn);
}
