/**
 * The one IB Gateway connection, shared by market data and (later) execution. Connected means
 * both nextValidId and managedAccounts have arrived; trading is allowed only when every managed
 * account is a paper account (DU…). The library queues requests made while disconnected and
 * sends them on reconnect, so callers must check `isConnected()` first: `ensureConnected()` does.
 */
import { EventName, IBApi } from '@stoqey/ib';
import type { Clock } from '../clock';

export const IB_DEFAULT_HOST = '127.0.0.1';
export const IB_DEFAULT_PORT = 4002;
/** Fixed: orders belong to the clientId that placed them, and a random one would orphan them. */
export const IB_DEFAULT_CLIENT_ID = 17;

/** Connectivity notices from IB (id -1, delivered on `info`). */
export const IB_CONNECTIVITY = { lost: 1100, restoredDataLost: 1101, restored: 1102, farmBroken: 2110 } as const;
export const IB_INFORMATION = new Set([2104, 2106, 2158]);

export type IbState = 'disconnected' | 'connecting' | 'connected';

export interface IbConnectionOptions {
  host?: string;
  port?: number;
  clientId?: number;
  clock: Clock;
  /** First reconnect delay, doubled up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

export class IbNotConnectedError extends Error {
  constructor(reason: string) {
    super(`IB Gateway not connected: ${reason}`);
    this.name = 'IbNotConnectedError';
  }
}

export interface IbError {
  code: number;
  reqId: number;
  message: string;
}

export class IbConnection {
  readonly api: IBApi;
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  state: IbState = 'disconnected';
  accounts: string[] = [];
  /** The highest order id we know is free: max(local, every nextValidId the gateway sent). */
  private nextId = 0;
  private gotNextId = false;
  private gotAccounts = false;
  /** 1100 received and not yet restored: the socket is up but IB is not. */
  private linkLost = false;
  private stopped = true;
  private reconnectDelay: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stateListeners = new Set<(s: IbState, reason: string) => void>();
  private readonly errorListeners = new Set<(e: IbError) => void>();
  lastReason = 'not started';

  constructor(private readonly opts: IbConnectionOptions) {
    this.host = opts.host ?? IB_DEFAULT_HOST;
    this.port = opts.port ?? IB_DEFAULT_PORT;
    this.clientId = opts.clientId ?? IB_DEFAULT_CLIENT_ID;
    this.reconnectDelay = opts.reconnectMs ?? 1000;
    this.api = new IBApi({ host: this.host, port: this.port });
    this.api.on(EventName.nextValidId, (id: number) => {
      this.nextId = Math.max(this.nextId, id);
      this.gotNextId = true;
      this.checkReady();
    });
    this.api.on(EventName.managedAccounts, (list: string) => {
      this.accounts = list
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      this.gotAccounts = true;
      this.checkReady();
    });
    this.api.on(EventName.disconnected, () => this.onDisconnected('socket closed'));
    this.api.on(EventName.error, (err: Error, code: number, reqId: number) => {
      const e = { code, reqId, message: err?.message ?? String(err) };
      for (const l of this.errorListeners) l(e);
    });
    this.api.on(EventName.info, (message: string, code: number) => {
      if (code === IB_CONNECTIVITY.lost) {
        this.linkLost = true;
        this.setState('disconnected', `IB lost its connection (1100): ${message}`);
      } else if (code === IB_CONNECTIVITY.restored || code === IB_CONNECTIVITY.restoredDataLost) {
        this.linkLost = false;
        this.checkReady();
      }
    });
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.api.disconnect();
    this.setState('disconnected', 'closed');
  }

  isConnected(): boolean {
    return this.state === 'connected';
  }

  ensureConnected(): void {
    if (!this.isConnected()) throw new IbNotConnectedError(this.lastReason);
  }

  /** Paper accounts only: every managed account must start with DU. */
  tradingAllowed(): { allowed: true } | { allowed: false; reason: string } {
    if (!this.isConnected()) return { allowed: false, reason: `not connected: ${this.lastReason}` };
    const live = this.accounts.filter((a) => !a.startsWith('DU'));
    if (this.accounts.length === 0) return { allowed: false, reason: 'the gateway reported no managed accounts' };
    if (live.length > 0)
      return {
        allowed: false,
        reason: `account ${live.join(', ')} is not a paper account (DU…); Kestrel trades paper accounts only`,
      };
    return { allowed: true };
  }

  /**
   * A fresh order id, never reused even when a restarted gateway rolls nextValidId back. `floor`
   * is the lowest acceptable id, e.g. one above the last id persisted by a previous run.
   */
  nextOrderId(floor = 0): number {
    this.ensureConnected();
    this.nextId = Math.max(this.nextId, floor);
    return this.nextId++;
  }

  onState(listener: (s: IbState, reason: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onError(listener: (e: IbError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  private connect(): void {
    if (this.stopped) return;
    this.gotNextId = false;
    this.gotAccounts = false;
    this.linkLost = false;
    this.setState('connecting', `connecting to ${this.host}:${this.port} as client ${this.clientId}`);
    this.api.connect(this.clientId);
  }

  private checkReady(): void {
    if (this.gotNextId && this.gotAccounts && !this.linkLost && this.state !== 'connected') {
      this.reconnectDelay = this.opts.reconnectMs ?? 1000;
      this.setState('connected', `accounts ${this.accounts.join(',')}`);
    }
  }

  private onDisconnected(reason: string): void {
    this.setState('disconnected', reason);
    if (this.stopped || this.timer) return;
    const wait = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.opts.maxReconnectMs ?? 30_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, wait);
    this.timer.unref?.();
  }

  private setState(state: IbState, reason: string): void {
    this.lastReason = reason;
    if (state === this.state) return;
    this.state = state;
    for (const l of this.stateListeners) l(state, reason);
  }
}
