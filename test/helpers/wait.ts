/** Polls until a condition holds, for tests that watch real sockets and timers. */
export async function until<T>(what: string, fn: () => T, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  await until('condition', cond, timeoutMs);
}
