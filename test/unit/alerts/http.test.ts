import { describe, expect, it } from 'vitest';
import { isRetryable, maskUrl, parseRetryAfter } from '../../../src/main/alerts/http';
import { slackEscape } from '../../../src/main/alerts/slack';

describe('alert HTTP helpers', () => {
  it('masks the path and query of a webhook URL', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/secret?x=1')).toBe('https://hooks.slack.com/***');
    expect(maskUrl('http://127.0.0.1:8080/api/webhooks/1/tok')).toBe('http://127.0.0.1:8080/***');
    expect(maskUrl('not a url')).toBe('***');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-02T15:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Mon, 02 Mar 2026 15:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 14:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('retries timeouts, 429 and 5xx only', () => {
    const r = (status: number | null) => ({ status, error: 'e', retryAfterMs: null });
    expect([null, 429, 500, 503].map((s) => isRetryable(r(s)))).toEqual([true, true, true, true]);
    expect([400, 401, 404, 302].map((s) => isRetryable(r(s)))).toEqual([false, false, false, false]);
  });

  it('escapes Slack control characters so alert text makes no links or mentions', () => {
    expect(slackEscape('<!channel> a & b > c')).toBe('&lt;!channel&gt; a &amp; b &gt; c');
  });
});
