/**
 * The renderer's one way to the engine: Electron's preload client when present, else the
 * headless WebSocket. Both satisfy KestrelClient, so nothing else can tell them apart.
 */
import type { KestrelClient } from '../../shared/contract';
import { createWsClient, type LinkState } from './wsClient';

declare global {
  interface Window {
    kestrel?: KestrelClient;
  }
}

const TOKEN_KEY = 'kestrel.token';

function headlessUrl(): string {
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
  // Keep the token for reloads, but out of the address bar and of screenshots.
  if (params.has('token')) {
    sessionStorage.setItem(TOKEN_KEY, token);
    params.delete('token');
    const query = params.toString();
    history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  }
  return `ws://${location.host}/ws?token=${encodeURIComponent(token)}`;
}

export interface Api {
  client: KestrelClient;
  transport: 'electron' | 'websocket';
  onLink(listener: (state: LinkState) => void): () => void;
}

export function createApi(): Api {
  if (window.kestrel) {
    return { client: window.kestrel, transport: 'electron', onLink: (l) => (l('open'), () => {}) };
  }
  const ws = createWsClient(headlessUrl());
  return { client: ws, transport: 'websocket', onLink: ws.onLink };
}
