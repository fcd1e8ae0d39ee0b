/**
 * Keeps the execution store current: on every (re)connect it subscribes to `order`, `positions`,
 * `broker` and `killProgress` first and then loads the lists, so nothing that happens meanwhile is
 * lost (merges are by id and timestamp). Order and position events are applied at most every
 * 100 ms: a burst of fills re-renders the blotter once.
 */
import { useEffect } from 'react';
import type { Fill, Order, PositionsReport } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useApp } from '../store/appStore';
import { FILL_CAP, ORDER_CAP, useExecution } from './executionStore';

const FLUSH_MS = 100;

export function useExecutionFeed(): void {
  const { client } = useApi();
  const link = useApp((s) => s.link);

  useEffect(() => {
    if (link !== 'open') return;
    const st = useExecution.getState();
    let orders: Order[] = [];
    let fills: Fill[] = [];
    let positions: PositionsReport | null = null;
    let timer: number | null = null;
    const flush = () => {
      timer = null;
      if (orders.length || fills.length) useExecution.getState().applyOrders(orders, fills);
      if (positions) useExecution.getState().setPositions(positions);
      orders = [];
      fills = [];
      positions = null;
    };
    const schedule = () => {
      if (timer === null) timer = window.setTimeout(flush, FLUSH_MS);
    };
    const offs = [
      client.on('order', (u) => {
        orders.push(...u.orders);
        fills.push(...u.fills);
        schedule();
      }),
      client.on('positions', (p) => {
        positions = p;
        schedule();
      }),
      client.on('broker', (b) => useExecution.getState().setBroker(b)),
      client.on('killProgress', (k) => useExecution.getState().setKill(k)),
    ];
    const fail = (what: string) => (err: Error) => st.setLoadError(`Could not load ${what}: ${err.message}`);
    st.setLoadError(null);
    void Promise.all([
      client.invoke('listOrders', { limit: ORDER_CAP }).then((o) => st.applyOrders(o, []), fail('orders')),
      client.invoke('listFills', { limit: FILL_CAP }).then((f) => st.applyOrders([], f), fail('fills')),
      client.invoke('listPositions', {}).then((p) => st.setPositions(p), fail('positions')),
      client.invoke('getBrokerStatus', {}).then((b) => st.setBroker(b), fail('the broker status')),
      client.invoke('getKillProgress', {}).then((k) => st.setKill(k), fail('the kill progress')),
    ]);
    return () => {
      offs.forEach((off) => off());
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [client, link]);
}
