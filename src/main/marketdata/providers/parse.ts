/**
 * Helpers the provider adapters share: timestamp unit conversions (each provider, and each endpoint,
 * picks its own unit), zod issue text, and one WebSocket session lifecycle so every adapter reports
 * `connecting` / `connected` / `disconnected` the same way and never throws for provider trouble.
 */
import WebSocket from 'ws';
import { z } from 'zod';
import { Symbol as DomainSymbol, type Quote, type Trade } from '../../../shared/domain';
import type { Clock } from '../../clock';
import type { FaultKind, StreamHandlers, StreamSubscription } from '../provider';

/**
 * Nanoseconds to epoch ms, rounded down. Epoch ns (~1.7e18) are beyond 2^53, so JSON.parse already
 * lost up to ~128 ns; rounding to whole microseconds first keeps a value that sits exactly on a
 * millisecond from flooring to the millisecond before.
 */
export function nsToMs(ns: number): number {
  return Math.floor(Math.round(ns / 1_000) / 1_000);
}

/** Epoch seconds (Finnhub REST) to ms. */
export function secondsToMs(s: number): number {
  return Math.round(s * 1_000);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * RFC-3339 with up to 9 fractional digits (Alpaca) to epoch ms, truncating below the millisecond
 * (so a bar's or trade's time never moves forward). Parsed by hand: Date.parse happens to truncate
 * ns strings in V8 but also accepts many non-RFC formats we want to refuse. Null when invalid.
 */
export function parseRfc3339Ms(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // Date.UTC rolls over out-of-range fields (month 13, second 61); a round trip catches them.
  const check = new Date(base);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h))
    return null;
  if (check.getUTCMinutes() !== Number(mi) || check.getUTCSeconds() !== Number(s)) return null;
  let offsetMin = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const out = base - offsetMin * 60_000;
  return out >= 0 ? out : null;
}

/** A zod string field that becomes epoch ms, or fails validation. */
export const Rfc3339Ms = z.string().transform((text, ctx) => {
  const ms = parseRfc3339Ms(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `not an RFC-3339 timestamp: ${text.slice(0, 40)}` });
    return z.NEVER;
  }
  return ms;
});

/** Finite, since a price that is not a number is never data (zero and negatives are: the validator judges). */
export const Num = z.number();
export const Size = z.number().nonnegative();
export const EpochMsWire = z.number().int().nonnegative();

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
}

export function excerpt(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The last check before data leaves an adapter: the normalised value must satisfy the shared domain
 * schema (upper-case symbol, integer ms, non-negative sizes). Prices only need to be numbers: zero,
 * negative or crossed values pass through for the router's price validator to judge.
 */
export function checkDomain<T>(
  schema: z.ZodType<T>,
  value: T,
): { ok: true; value: T } | { ok: false; message: string } {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: describeIssues(r.error) };
}

/** Deduplicated, order-preserving symbol list. */
export function uniqueSymbols(symbols: readonly string[]): string[] {
  return [...new Set(symbols)];
}

/**
 * A stream subscription that also says when the provider last spoke. Any inbound frame counts
 * (Finnhub's `ping`, Polygon/Alpaca data or status frames), so a quiet but healthy socket stays
 * "alive" while a silently dead one does not. The router compares it with its clock.
 */
export interface MonitoredSubscription extends StreamSubscription {
  /** Clock time of the last inbound frame, or null before the first. */
  readonly lastHeartbeatAt: number | null;
}

export interface StreamSessionOptions {
  url: string;
  handlers: StreamHandlers;
  clock: Clock;
  /** Time allowed from dialling until the adapter calls `markConnected` (upgrade plus the provider's auth). */
  handshakeTimeoutMs: number;
  headers?: Record<string, string>;
  /** The socket is open. */
  onOpen?: () => void;
  /** One inbound frame, already JSON-parsed (frames that are not JSON go to onMalformed here). */
  onFrame: (frame: unknown) => void;
  /** Every inbound frame's arrival, on the injected clock (adapters keep their own "last heard"). */
  onHeartbeat?: (at: number) => void;
}

/** The HTTP status in ws's "Unexpected server response: 401" (a refused upgrade). */
export function upgradeStatus(message: string): number | undefined {
  const m = /Unexpected server response: (\d{3})/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * One WebSocket connection's lifecycle. It reports `connecting` at once, `connected` when the adapter
 * says the provider accepted it, and `disconnected` exactly once, with a fault kind: the adapter's
 * (auth failure, connection limit, …) or, for a bare drop, `down` (`unauthorized`/`throttled` when
 * the upgrade itself was refused with 401/403/429). `close()` is the caller's own decision and
 * reports nothing. It never reconnects: the router's breaker owns retries.
 */
export class StreamSession {
  private ws: WebSocket | null = null;
  private ended = false;
  private connected = false;
  private socketClosed = false;
  private upgradeRefusal: number | undefined;
  private lastError: string | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private readonly closeWaiters: Array<() => void> = [];
  lastHeartbeatAt: number | null = null;

  constructor(private readonly opts: StreamSessionOptions) {
    opts.handlers.onStatus({ state: 'connecting' });
    let ws: WebSocket;
    try {
      ws = new WebSocket(opts.url, { handshakeTimeout: opts.handshakeTimeoutMs, headers: opts.headers });
    } catch (err) {
      // A bad URL throws synchronously; report it like any other failure, after the caller has its handle.
      this.socketClosed = true;
      queueMicrotask(() => this.fail('down', `cannot open ${opts.url}: ${(err as Error).message}`));
      return;
    }
    this.ws = ws;
    this.handshakeTimer = setTimeout(
      () => this.fail('down', `no answer from the provider within ${opts.handshakeTimeoutMs} ms`),
      opts.handshakeTimeoutMs,
    );
    ws.on('open', () => {
      if (!this.ended) opts.onOpen?.();
    });
    ws.on('message', (data) => {
      if (this.ended) return;
      this.lastHeartbeatAt = opts.clock.now();
      opts.onHeartbeat?.(this.lastHeartbeatAt);
      const text = rawText(data);
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        opts.handlers.onMalformed(`frame is not JSON: ${excerpt(text)}`);
        return;
      }
      opts.onFrame(frame);
    });
    ws.on('error', (err) => {
      // Always followed by 'close'; remember why so the close can say it.
      this.lastError = err.message;
      this.upgradeRefusal ??= upgradeStatus(err.message);
    });
    ws.on('close', (code, reason) => {
      this.socketClosed = true;
      clearTimeout(this.handshakeTimer);
      if (!this.ended) {
        const status = this.upgradeRefusal;
        const kind: FaultKind =
          status === 401 || status === 403 ? 'unauthorized' : status === 429 ? 'throttled' : 'down';
        const why = this.lastError ?? `socket closed (code ${code}${reason.length ? `: ${reason.toString()}` : ''})`;
        this.report(kind, why);
      }
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  get isConnected(): boolean {
    return this.connected && !this.ended;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Sends JSON if the socket is open; false otherwise (the frame is simply not sent). */
  send(message: unknown): boolean {
    if (this.ended || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** The provider accepted us: stop the handshake timer and report `connected`. */
  markConnected(): void {
    if (this.ended || this.connected) return;
    this.connected = true;
    clearTimeout(this.handshakeTimer);
    this.opts.handlers.onStatus({ state: 'connected' });
  }

  /** Ends the session for a provider-stated reason: reports `disconnected` once and closes the socket. */
  fail(kind: FaultKind, message: string, retryAfterMs?: number): void {
    if (this.ended) return;
    this.report(kind, message, retryAfterMs);
    this.shutSocket();
  }

  /** The caller's own close: quiet, and resolves once the socket is gone. */
  close(): Promise<void> {
    this.ended = true;
    clearTimeout(this.handshakeTimer);
    if (this.socketClosed || !this.ws) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.shutSocket();
    return done;
  }

  private report(kind: FaultKind, message: string, retryAfterMs?: number): void {
    this.ended = true;
    clearTimeout(this.handshakeTimer);
    this.opts.handlers.onStatus({
      state: 'disconnected',
      fault: kind,
      message,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  private shutSocket(): void {
    const ws = this.ws;
    if (!ws || this.socketClosed) return;
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000);
      // A peer that never answers the close frame must not keep the socket (or the test run) alive.
      setTimeout(() => ws.terminate(), 1_000).unref();
    } else {
      ws.terminate();
    }
  }
}

const symbolVerdicts = new Map<string, boolean>();

/** The domain Symbol check, memoised: streams repeat a handful of symbols millions of times. */
export function isDomainSymbol(symbol: string): boolean {
  let ok = symbolVerdicts.get(symbol);
  if (ok === undefined) {
    ok = DomainSymbol.safeParse(symbol).success;
    if (symbolVerdicts.size < 100_000) symbolVerdicts.set(symbol, ok);
  }
  return ok;
}

const finite = (x: number) => Number.isFinite(x);
const epochMs = (x: number) => Number.isInteger(x) && x >= 0;

/**
 * The same rules as the domain Trade/Quote schemas without a zod pass per message: the wire
 * schema has already checked the types, this checks what the domain adds.
 */
export function domainTradeProblem(t: Trade): string | null {
  if (!isDomainSymbol(t.symbol)) return `symbol ${JSON.stringify(t.symbol)} is not a ticker`;
  if (!epochMs(t.ts)) return `ts ${t.ts} is not epoch ms`;
  if (!finite(t.price)) return `price ${t.price} is not finite`;
  if (!finite(t.size) || t.size < 0) return `size ${t.size} is not a non-negative number`;
  return null;
}

export function domainQuoteProblem(q: Quote): string | null {
  if (!isDomainSymbol(q.symbol)) return `symbol ${JSON.stringify(q.symbol)} is not a ticker`;
  if (!epochMs(q.ts)) return `ts ${q.ts} is not epoch ms`;
  if (!finite(q.bid) || !finite(q.ask)) return 'bid or ask is not finite';
  if (!finite(q.bidSize) || q.bidSize < 0 || !finite(q.askSize) || q.askSize < 0)
    return 'sizes must be non-negative numbers';
  return null;
}
