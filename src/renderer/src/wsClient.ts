/**
 * The contract over the headless WebSocket, with the same KestrelClient interface as the Electron
 * preload. Reconnects with backoff; pending requests fail with UNAVAILABLE when the link drops.
 */
import { createKestrelClient } from '../../shared/client';
import {
  KestrelError,
  type EventFrame,
  type KestrelClient,
  type RequestFrame,
  type ResponseFrame,
} from '../../shared/contract';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface WsClient extends KestrelClient {
  onLink(listener: (state: LinkState) => void): () => void;
}

export function createWsClient(url: string): WsClient {
  let socket: WebSocket | null = null;
  let backoffMs = 250;
  const pending = new Map<RequestFrame['id'], (reply: ResponseFrame) => void>();
  const eventListeners = new Set<(frame: EventFrame) => void>();
  const linkListeners = new Set<(state: LinkState) => void>();

  const setLink = (state: LinkState) => linkListeners.forEach((l) => l(state));

  function connect(): void {
    setLink('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      backoffMs = 250;
      setLink('open');
    };
    ws.onmessage = (msg) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      if (frame && typeof frame === 'object' && 'event' in frame) {
        eventListeners.forEach((l) => l(frame as EventFrame));
      } else if (frame && typeof frame === 'object' && 'id' in frame) {
        const reply = frame as ResponseFrame;
        const resolve = reply.id === null ? undefined : pending.get(reply.id);
        if (resolve && reply.id !== null) {
          pending.delete(reply.id);
          resolve(reply);
        }
      }
    };
    ws.onclose = () => {
      for (const [id, resolve] of pending)
        resolve({ id, ok: false, error: { code: 'UNAVAILABLE', message: 'connection to the engine lost' } });
      pending.clear();
      setLink('closed');
      setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 5000);
    };
  }
  connect();

  const client = createKestrelClient({
    request: (frame) =>
      new Promise<ResponseFrame>((resolve) => {
        pending.set(frame.id, resolve);
        if (!socket || socket.readyState !== WebSocket.OPEN) {
          pending.delete(frame.id);
          resolve({ id: frame.id, ok: false, error: { code: 'UNAVAILABLE', message: 'not connected to the engine' } });
          return;
        }
        socket.send(JSON.stringify(frame));
      }),
    onEvent: (listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
  });
  return {
    ...client,
    onLink: (listener) => {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
  };
}

export { KestrelError };
