/** Wires the client to the store: a snapshot on every (re)connect, then deltas from events. */
import type { Api } from '../api';
import { useApp } from './appStore';

export function connectStore(api: Api): () => void {
  const st = useApp.getState();
  const offs = [
    api.client.on('tradingState', (s) => useApp.getState().applyTradingState(s)),
    api.client.on('symbolMode', (s) => useApp.getState().applySymbol(s)),
    api.client.on('alert', (a) => useApp.getState().addAlert(a)),
    api.client.on('heartbeat', (h) => useApp.getState().heartbeat(h.ts)),
    api.client.on('ticks', (t) => useApp.getState().applyTicks(t)),
    api.client.on('providers', (rows) => useApp.getState().applyProviders(rows)),
    api.client.on('providerSwitched', (s) => useApp.getState().applySwitch(s)),
    api.onLink((link) => {
      useApp.getState().setLink(link);
      if (link === 'open') {
        api.client.invoke('getSnapshot', {}).then(
          (snap) => useApp.getState().applySnapshot(snap),
          (err: Error) => useApp.getState().setError(`could not load the engine state: ${err.message}`),
        );
      }
    }),
  ];
  st.setLink(st.link);
  return () => offs.forEach((off) => off());
}
