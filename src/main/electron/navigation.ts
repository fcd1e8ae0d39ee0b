/**
 * Where the window may go. Pure decisions, so a unit test pins them; main.ts wires them to Electron.
 * The page never leaves its own origin and never opens a second window; a plain http(s) link is
 * handed to the system browser instead, where it cannot reach the engine.
 */

export type WindowOpenDecision = { action: 'deny'; openExternal: string | null };

/** An absolute http(s) URL with no credentials, or null for anything else (file:, javascript:, custom schemes…). */
export function externalLink(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // user:pass@host links are a phishing staple; a trader never needs one.
  if (url.username !== '' || url.password !== '') return null;
  if (url.hostname === '') return null;
  return url.toString();
}

/** window.open and target=_blank: never a new Electron window; http(s) goes to the system browser. */
export function decideWindowOpen(raw: string): WindowOpenDecision {
  return { action: 'deny', openExternal: externalLink(raw) };
}

/** Scheme + host (+ port) of a URL, compared as text: custom schemes such as app:// have an opaque URL.origin. */
function originOf(raw: string): string | null {
  try {
    const url = new URL(raw);
    if (url.host === '') return null;
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}

/**
 * In-place navigation (will-navigate, will-redirect) stays on one of our own origins: app://kestrel,
 * and the electron-vite dev server in a dev run. Everything else is denied.
 */
export function isAllowedNavigation(raw: string, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(raw);
  if (origin === null) return false;
  return allowedOrigins.some((allowed) => originOf(allowed) === origin);
}
