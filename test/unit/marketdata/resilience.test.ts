import { afterEach, describe, expect, it } from 'vitest';
import { fault, ok, type ProviderResult } from '../../../src/main/marketdata/provider';
import { createProviderPolicy, type ProviderPolicy } from '../../../src/main/marketdata/resilience';

// Real timers with delays of a few ms; the whole file runs in well under a second.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scripted provider call: returns the given results in order (the last one repeats). */
function script<T>(...results: ProviderResult<T>[]) {
  const calls: number[] = [];
  const fn = async (_signal: AbortSignal): Promise<ProviderResult<T>> => {
    calls.push(performance.now());
    return results[Math.min(calls.length - 1, results.length - 1)]!;
  };
  return { fn, calls };
}

const policies: ProviderPolicy[] = [];
function policy(cfg: Parameters<typeof createProviderPolicy>[0]): ProviderPolicy {
  const p = createProviderPolicy({ baseDelayMs: 1, maxDelayMs: 50, ...cfg });
  policies.push(p);
  return p;
}
afterEach(() => {
  for (const p of policies.splice(0)) p.dispose();
});

describe('createProviderPolicy: retries', () => {
  it('retries a down provider and returns the success', async () => {
    const p = policy({ maxAttempts: 3 });
    const s = script(fault<number>('down', '503'), fault<number>('down', '503'), ok(42));
    expect(await p.execute(s.fn)).toEqual({ kind: 'ok', value: 42 });
    expect(s.calls).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last fault', async () => {
    const p = policy({ maxAttempts: 3 });
    const s = script(fault<number>('down', 'connection reset'));
    const r = await p.execute(s.fn);
    expect(r).toMatchObject({ kind: 'down', message: 'connection reset' });
    expect(s.calls).toHaveLength(3);
  });

  it('honours Retry-After: the next attempt waits at least that long', async () => {
    const p = policy({ maxAttempts: 2, maxDelayMs: 1000, random: () => 0 });
    const s = script(fault<number>('throttled', '429', { retryAfterMs: 120, status: 429 }), ok(1));
    expect(await p.execute(s.fn)).toEqual({ kind: 'ok', value: 1 });
    expect(s.calls).toHaveLength(2);
    // Backoff alone would be 0.5 ms; timers may fire a hair early, so allow 5 ms of slack.
    expect(s.calls[1]! - s.calls[0]!).toBeGreaterThanOrEqual(115);
  });

  it('reports throttled instead of waiting when Retry-After exceeds maxDelayMs', async () => {
    const p = policy({ maxAttempts: 3, maxDelayMs: 50 });
    const s = script(fault<number>('throttled', '429', { retryAfterMs: 60_000, status: 429 }), ok(1));
    const r = await p.execute(s.fn);
    expect(r).toMatchObject({ kind: 'throttled', retryAfterMs: 60_000, status: 429 });
    expect(s.calls).toHaveLength(1);
    // A 503 with a long Retry-After is reported the same way: the router schedules it.
    const d = script(fault<number>('down', 'maintenance', { retryAfterMs: 3_600_000, status: 503 }), ok(1));
    const r2 = await p.execute(d.fn);
    expect(r2).toMatchObject({ kind: 'throttled', retryAfterMs: 3_600_000, status: 503 });
    expect(r2.kind !== 'ok' && r2.message).toMatch(/maintenance/);
    expect(d.calls).toHaveLength(1);
  });

  it('never retries unauthorized, even when asked to', async () => {
    const p = policy({ maxAttempts: 5, retryOn: ['down', 'unauthorized'] });
    const s = script(fault<number>('unauthorized', 'bad key', { status: 401 }), ok(1));
    expect(await p.execute(s.fn)).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(s.calls).toHaveLength(1);
  });

  it('does not retry malformed or stale by default', async () => {
    const p = policy({ maxAttempts: 5 });
    const m = script(fault<number>('malformed', 'html error page'), ok(1));
    expect((await p.execute(m.fn)).kind).toBe('malformed');
    expect(m.calls).toHaveLength(1);
    const st = script(fault<number>('stale', 'quote 20 min old'), ok(1));
    expect((await p.execute(st.fn)).kind).toBe('stale');
    expect(st.calls).toHaveLength(1);
  });

  it('turns a thrown error into a down fault', async () => {
    const p = policy({ maxAttempts: 2 });
    let n = 0;
    const r = await p.execute<number>(async () => {
      n++;
      throw new Error('socket hang up');
    });
    expect(r).toMatchObject({ kind: 'down', message: 'request failed: socket hang up' });
    expect(n).toBe(2);
  });

  it('passes an abort signal that dispose() fires', async () => {
    const p = policy({ maxAttempts: 1 });
    let seen: AbortSignal | undefined;
    const pending = p.execute<number>(async (signal) => {
      seen = signal;
      await sleep(5);
      return signal.aborted ? fault('down', 'aborted') : ok(1);
    });
    p.dispose();
    expect(await pending).toMatchObject({ kind: 'down' });
    expect(seen?.aborted).toBe(true);
    expect(await p.execute(async () => ok(1))).toMatchObject({ kind: 'down', message: 'policy disposed' });
  });
});

describe('createProviderPolicy: breaker', () => {
  it('does not count a call cancelled by the caller', async () => {
    const p = policy({ maxAttempts: 3, breakerThreshold: 1 });
    const ac = new AbortController();
    let n = 0;
    const pending = p.execute<number>(async (signal) => {
      n++;
      await sleep(5);
      return signal.aborted ? fault('down', 'aborted by caller') : ok(1);
    }, ac.signal);
    ac.abort();
    expect(await pending).toMatchObject({ kind: 'down', message: 'aborted by caller' });
    expect(n).toBe(1); // not retried
    expect(p.breakerState()).toBe('closed');
  });

  it('opens after N consecutive down results and then short-circuits without calling fn', async () => {
    const changes: string[] = [];
    const p = policy({
      maxAttempts: 1,
      breakerThreshold: 3,
      halfOpenAfterMs: 60_000,
      onBreakerChange: (s) => changes.push(s),
    });
    const s = script(fault<number>('down', '503'));
    for (let i = 0; i < 3; i++) expect((await p.execute(s.fn)).kind).toBe('down');
    expect(p.breakerState()).toBe('open');
    expect(changes).toEqual(['open']);
    const r = await p.execute(s.fn);
    expect(r).toMatchObject({ kind: 'down' });
    expect(r.kind !== 'ok' && r.message).toMatch(/^circuit open/);
    expect(s.calls).toHaveLength(3);
  });

  it('counts retry attempts and stops retrying once open', async () => {
    const p = policy({ maxAttempts: 10, breakerThreshold: 3, halfOpenAfterMs: 60_000 });
    const s = script(fault<number>('down', '502'));
    const r = await p.execute(s.fn);
    expect(r).toMatchObject({ kind: 'down', message: '502' });
    expect(s.calls).toHaveLength(3);
    expect(p.breakerState()).toBe('open');
  });

  it('a success resets the consecutive count', async () => {
    const p = policy({ maxAttempts: 1, breakerThreshold: 3 });
    const s = script(
      fault<number>('down', 'x'),
      fault<number>('down', 'x'),
      ok(1),
      fault<number>('down', 'x'),
      fault<number>('down', 'x'),
    );
    for (let i = 0; i < 5; i++) await p.execute(s.fn);
    expect(p.breakerState()).toBe('closed');
  });

  it('goes half-open after the delay and closes on a successful probe', async () => {
    const changes: string[] = [];
    const p = policy({
      maxAttempts: 1,
      breakerThreshold: 2,
      halfOpenAfterMs: 30,
      onBreakerChange: (s) => changes.push(s),
    });
    const down = script(fault<number>('down', '503'));
    await p.execute(down.fn);
    await p.execute(down.fn);
    expect(p.breakerState()).toBe('open');
    expect((await p.execute(down.fn)).kind).toBe('down');
    expect(down.calls).toHaveLength(2); // short-circuited while open
    await sleep(45);
    const up = script(ok(7));
    expect(await p.execute(up.fn)).toEqual({ kind: 'ok', value: 7 });
    expect(up.calls).toHaveLength(1);
    expect(p.breakerState()).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the half-open probe fails, or is only throttled', async () => {
    const p = policy({ maxAttempts: 3, breakerThreshold: 1, halfOpenAfterMs: 20 });
    const down = script(fault<number>('down', '503'));
    await p.execute(down.fn);
    expect(p.breakerState()).toBe('open');
    await sleep(30);
    await p.execute(down.fn);
    expect(down.calls).toHaveLength(2); // the probe, not retried
    expect(p.breakerState()).toBe('open');
    await sleep(30);
    const throttled = script(fault<number>('throttled', 'budget spent'));
    expect((await p.execute(throttled.fn)).kind).toBe('throttled');
    expect(p.breakerState()).toBe('open');
  });

  it('throttled neither opens the breaker nor resets its count', async () => {
    const p = policy({ maxAttempts: 1, breakerThreshold: 2 });
    const t = script(fault<number>('throttled', '429'));
    for (let i = 0; i < 10; i++) expect((await p.execute(t.fn)).kind).toBe('throttled');
    expect(p.breakerState()).toBe('closed');
    // down, throttled, down: two consecutive countable faults with a neutral one between.
    await p.execute(script(fault<number>('down', 'x')).fn);
    await p.execute(t.fn);
    expect(p.breakerState()).toBe('closed');
    await p.execute(script(fault<number>('down', 'x')).fn);
    expect(p.breakerState()).toBe('open');
  });

  it('retries throttled without a Retry-After using backoff, without tripping', async () => {
    const p = policy({ maxAttempts: 4, breakerThreshold: 2 });
    const s = script(
      fault<number>('throttled', '429'),
      fault<number>('throttled', '429'),
      fault<number>('throttled', '429'),
      ok(3),
    );
    expect(await p.execute(s.fn)).toEqual({ kind: 'ok', value: 3 });
    expect(s.calls).toHaveLength(4);
    expect(p.breakerState()).toBe('closed');
  });

  it('counts unauthorized and malformed toward the breaker, stale not', async () => {
    const p = policy({ maxAttempts: 1, breakerThreshold: 2 });
    await p.execute(script(fault<number>('stale', 'old')).fn);
    await p.execute(script(fault<number>('stale', 'old')).fn);
    expect(p.breakerState()).toBe('closed');
    await p.execute(script(fault<number>('unauthorized', '401')).fn);
    await p.execute(script(fault<number>('malformed', 'bad json')).fn);
    expect(p.breakerState()).toBe('open');
  });
});
