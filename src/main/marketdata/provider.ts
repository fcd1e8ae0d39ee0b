/**
 * What every market-data source offers, whatever its wire format. Adapters normalise into the
 * shared domain types (timestamps epoch ms UTC) and report failures as typed results: exceptions
 * are for bugs, never for a provider having a bad day.
 */
import type { Bar, ProviderName, Quote, Trade } from '../../shared/domain';

export type FaultKind = 'throttled' | 'unauthorized' | 'malformed' | 'stale' | 'down';

export type ProviderResult<T> =
  | { kind: 'ok'; value: T }
  | {
      kind: FaultKind;
      message: string;
      /** From Retry-After or the provider's own words, when it says how long to wait. */
      retryAfterMs?: number;
      /** HTTP status when there was one. */
      status?: number;
    };

export function ok<T>(value: T): ProviderResult<T> {
  return { kind: 'ok', value };
}

export function fault<T>(
  kind: FaultKind,
  message: string,
  extra: { retryAfterMs?: number; status?: number } = {},
): ProviderResult<T> {
  return { kind, message, ...extra };
}

export interface ProviderCapabilities {
  stream: { trades: boolean; quotes: boolean; bars: boolean };
  latestQuote: boolean;
  historicalBars: boolean;
}

export type MarketEvent =
  | { type: 'trade'; trade: Trade }
  | { type: 'quote'; quote: Quote }
  /** A provider-built bar (Polygon AM, Alpaca b, IBKR real-time bars). */
  | { type: 'bar'; bar: Bar };

export type StreamStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  /** The stream stopped; `fault` says why, and whether retrying can help (never after unauthorized). */
  | { state: 'disconnected'; fault: FaultKind; message: string; retryAfterMs?: number };

export interface StreamHandlers {
  onEvent(event: MarketEvent): void;
  onStatus(status: StreamStatus): void;
  /** A frame that failed to parse or validate: counted as malformed, never turned into data. */
  onMalformed(message: string): void;
}

export interface StreamSubscription {
  /** Replace the subscribed symbols. */
  setSymbols(symbols: readonly string[]): void;
  close(): Promise<void>;
  /**
   * Clock time of the last sign of life (any frame, ping or tick), when the stream knows it. A
   * quiet market sends no trades for seconds; liveness must not depend on them.
   */
  readonly lastHeartbeatAt?: number | null;
}

export interface MarketDataProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  latestQuote?(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>>;
  /** 1-minute bars whose open time is in [fromMs, toMs), oldest first. */
  historicalBars?(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<ProviderResult<Bar[]>>;
  /**
   * Opens the live stream. The adapter does not reconnect by itself: it reports `disconnected`
   * and the router's breaker decides when to try again.
   */
  stream?(symbols: readonly string[], handlers: StreamHandlers): StreamSubscription;
}
