/** An IbkrBroker on a real IbConnection to the fake IB Gateway, with every report and IB error recorded. */
import { SystemClock } from '../../../src/main/clock';
import type { BrokerReport, OrderRequest } from '../../../src/main/execution/types';
import { IbConnection, type IbError } from '../../../src/main/ibkr/connection';
import { IbkrBroker, type IbkrBrokerOptions } from '../../../src/main/ibkr/ibkrBroker';
import { FakeIbGateway, type FakeIbGatewayOptions } from '../../fakes/ibGateway';
import { until } from '../../helpers/wait';

export const CLIENT_ID = 17;

export interface Rig {
  gw: FakeIbGateway;
  conn: IbConnection;
  broker: IbkrBroker;
  reports: BrokerReport[];
  errors: IbError[];
  readies: number;
  close(): void;
}

const open: { close(): void }[] = [];
const gateways: FakeIbGateway[] = [];

export async function startGateway(options: FakeIbGatewayOptions = {}): Promise<FakeIbGateway> {
  const gw = new FakeIbGateway(options);
  gateways.push(gw);
  await gw.start();
  return gw;
}

/** Connects a broker to `gw` and waits until it is ready (nextValidId and managedAccounts). */
export async function connectBroker(
  gw: FakeIbGateway,
  options: Partial<Omit<IbkrBrokerOptions, 'connection' | 'clock'>> = {},
  waitReady = true,
): Promise<Rig> {
  const clock = new SystemClock();
  const conn = new IbConnection({ port: gw.port, clientId: CLIENT_ID, clock, reconnectMs: 50, maxReconnectMs: 200 });
  const broker = new IbkrBroker({ connection: conn, clock, ...options });
  const rig: Rig = {
    gw,
    conn,
    broker,
    reports: [],
    errors: [],
    readies: 0,
    close: () => {
      broker.dispose();
      conn.close();
    },
  };
  broker.onReport((r) => rig.reports.push(r));
  broker.onReady(() => (rig.readies += 1));
  conn.onError((e) => rig.errors.push(e));
  open.push(rig);
  conn.start();
  if (waitReady) await until('broker ready', () => rig.readies > 0, 5000);
  return rig;
}

/** Closes every rig and gateway; returns the decoder errors (505) seen, which must be none. */
export async function cleanup(): Promise<IbError[]> {
  const decodeErrors = (open as Rig[]).flatMap((r) => r.errors.filter((e) => e.code === 505));
  for (const rig of open.splice(0)) rig.close();
  await Promise.all(gateways.splice(0).map((gw) => gw.stop()));
  return decodeErrors;
}

let seq = 0;
export function order(over: Partial<OrderRequest> = {}): OrderRequest {
  seq += 1;
  return {
    clientOrderId: `kestrel-${process.pid}-${seq}`,
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 100,
    type: 'MKT',
    tif: 'DAY',
    mode: 'live',
    origin: 'manual',
    ts: Date.now(),
    ...over,
  };
}

export function reportsFor(rig: Rig, clientOrderId: string): BrokerReport[] {
  return rig.reports.filter((r) => 'clientOrderId' in r && r.clientOrderId === clientOrderId);
}

export function typesFor(rig: Rig, clientOrderId: string): string[] {
  return reportsFor(rig, clientOrderId).map((r) => r.type);
}

/** Lets in-flight messages land so a test can assert that nothing more arrives. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
