/** One JSON POST to a channel, with a timeout; the URL is a secret and never appears in a result. */

export interface PostResult {
  /** The HTTP status, or null when no response came. */
  status: number | null;
  error: string | null;
  /** From Retry-After on a 429 or 5xx, in ms. */
  retryAfterMs: number | null;
}

/** Scheme and host only: the path and query of a Slack or Discord webhook are its credentials. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/***`;
  } catch {
    return '***';
  }
}

/** Retry-After is either seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const raw = header.trim();
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Timeouts, connection failures, 429 and 5xx may pass on a later try; other 4xx will not. */
export function isRetryable(r: PostResult): boolean {
  return r.status === null || r.status === 429 || r.status >= 500;
}

export interface PostOptions {
  timeoutMs: number;
  /** Aborts on engine stop. */
  signal?: AbortSignal;
  /** For an HTTP-date Retry-After. */
  now: number;
}

export async function postJson(url: string, body: unknown, opts: PostOptions): Promise<PostResult> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'kestrel-alerts' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal,
    });
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { status: res.status, error: null, retryAfterMs: null };
    const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    const why = res.status >= 300 && res.status < 400 ? 'redirects are not followed' : snippet;
    return {
      status: res.status,
      error: scrub(`HTTP ${res.status}${why ? `: ${why}` : ''}`, url),
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), opts.now),
    };
  } catch (err) {
    const error = timeout.aborted
      ? `timed out after ${opts.timeoutMs} ms`
      : opts.signal?.aborted
        ? 'cancelled: the engine is stopping'
        : describe(err);
    return { status: null, error: scrub(error, url), retryAfterMs: null };
  }
}

/** fetch says "fetch failed"; the cause (ECONNREFUSED, ENOTFOUND, ...) is what the trader needs. */
function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}

/** Removes the URL, and its path and query on their own (a receiver may echo them back in an error body). */
function scrub(text: string, url: string): string {
  let out = text.split(url).join(maskUrl(url));
  try {
    const u = new URL(url);
    for (const secret of [u.search, u.pathname, ...u.pathname.split('/'), ...u.searchParams.values()]) {
      if (secret.length >= 4 && secret !== '/') out = out.split(secret).join('***');
    }
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}
