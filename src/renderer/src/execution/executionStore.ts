/**
 * Orders, fills, positions, the live broker and the kill sequence as the renderer knows them.
 * Filled by `useExecutionFeed` (lists on every (re)connect, then events); read by the blotter,
 * the ticket, the kill switch, the symbols table and the status bar.
 */
import { create } from 'zustand';
import type { BrokerStatus, Fill, KillProgress, Order, PositionsReport } from '../../../shared/domain';
import { mergeFills, mergeOrders } from './format';

/** Rows kept: a day of manual and signal orders renders fine without virtualisation. */
export const ORDER_CAP = 500;
export const FILL_CAP = 1000;

export interface ExecutionState {
  orders: Order[];
  fills: Fill[];
  positions: PositionsReport | null;
  broker: BrokerStatus | null;
  kill: KillProgress | null;
  /** Why the lists could not be loaded; null when they are current. */
  loadError: string | null;
  applyOrders(orders: readonly Order[], fills: readonly Fill[]): void;
  setPositions(p: PositionsReport): void;
  setBroker(b: BrokerStatus): void;
  setKill(k: KillProgress): void;
  setLoadError(e: string | null): void;
}

export const useExecution = create<ExecutionState>((set) => ({
  orders: [],
  fills: [],
  positions: null,
  broker: null,
  kill: null,
  loadError: null,
  applyOrders: (orders, fills) =>
    set((st) => ({
      orders: orders.length ? mergeOrders(st.orders, orders, ORDER_CAP) : st.orders,
      fills: fills.length ? mergeFills(st.fills, fills, FILL_CAP) : st.fills,
    })),
  // A report older than the one shown (a slow list reply after an event) is dropped.
  setPositions: (positions) => set((st) => (st.positions && st.positions.ts > positions.ts ? {} : { positions })),
  setBroker: (broker) => set({ broker }),
  setKill: (kill) => set({ kill }),
  setLoadError: (loadError) => set({ loadError }),
}));
