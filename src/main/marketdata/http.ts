/**
 * One place that turns an HTTP exchange into a typed ProviderResult, so every REST adapter treats
 * 429, 401/403, 5xx, timeouts and bad JSON the same way. Adapters then judge the body itself
 * (Alpha Vantage, for one, throttles with HTTP 200).
 */
import { fault, ok, type ProviderResult } from './provider';

export interface GetJsonOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** Retry-After is seconds or an HTTP date; only the seconds form needs no clock. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * GETs JSON. 2xx and 404 return the parsed body (404 bodies often say "unknown symbol", which the
 * adapter must read); other statuses become faults.
 */
export async function getJson(url: string, opts: GetJsonOptions = {}): Promise<ProviderResult<JsonResponse>> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json', ...opts.headers }, signal });
  } catch (err) {
    const e = err as Error;
    return fault('down', e.name === 'TimeoutError' ? 'request timed out' : `request failed: ${e.message}`);
  }
  const text = await res.text().catch(() => '');
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const excerpt = text.slice(0, 200);
  if (res.status === 429) return fault('throttled', `HTTP 429: ${excerpt}`, { status: 429, retryAfterMs });
  if (res.status === 401 || res.status === 403)
    return fault('unauthorized', `HTTP ${res.status}: ${excerpt}`, { status: res.status });
  if (res.status >= 500) return fault('down', `HTTP ${res.status}: ${excerpt}`, { status: res.status, retryAfterMs });
  if (res.status !== 404 && (res.status < 200 || res.status >= 300)) {
    return fault('malformed', `unexpected HTTP ${res.status}: ${excerpt}`, { status: res.status });
  }
  try {
    return ok({ status: res.status, body: JSON.parse(text) as unknown });
  } catch {
    return fault('malformed', `body is not JSON: ${excerpt}`, { status: res.status });
  }
}
