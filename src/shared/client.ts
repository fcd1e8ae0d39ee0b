/**
 * Builds the typed client the renderer uses from any request/response carrier. The preload wraps
 * Electron IPC with it and the renderer wraps the WebSocket with it, so both behave the same.
 */
import { KestrelError } from './errors';
import type {
  CommandInput,
  CommandName,
  CommandOutput,
  EventFrame,
  EventName,
  EventPayload,
  KestrelClient,
  RequestFrame,
  ResponseFrame,
} from './contract';

export interface Carrier {
  request(frame: RequestFrame): Promise<ResponseFrame>;
  onEvent(listener: (frame: EventFrame) => void): () => void;
}

export function createKestrelClient(carrier: Carrier): KestrelClient {
  let nextId = 1;
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  carrier.onEvent((frame) => {
    for (const h of handlers.get(frame.event) ?? []) h(frame.payload);
  });
  return {
    async invoke<C extends CommandName>(cmd: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
      const reply = await carrier.request({ id: nextId++, cmd, input });
      if (!reply.ok) throw new KestrelError(reply.error.code, reply.error.message);
      return reply.result as CommandOutput<C>;
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      const h = handler as (payload: unknown) => void;
      set.add(h);
      return () => set.delete(h);
    },
  };
}
