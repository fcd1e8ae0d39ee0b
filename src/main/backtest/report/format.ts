/** Text for the HTML report: escaping, and numbers, times and durations as a trader reads them. */
import { toNewYork } from '../../time/newYork';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every piece of text that enters the page goes through here: element content and attributes alike. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export const DASH = '—';

/** A typographic minus, as financial print uses. */
function minus(text: string): string {
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

export function pct(x: number | null, digits = 2): string {
  return x === null ? DASH : minus(`${(x * 100).toFixed(digits)}%`);
}

export function signedPct(x: number | null, digits = 2): string {
  if (x === null) return DASH;
  const text = minus(`${(x * 100).toFixed(digits)}%`);
  return /^[1-9]|^0\.\d*[1-9]/.test(text) ? `+${text}` : text;
}

export function ratio(x: number | null, digits = 2): string {
  return x === null ? DASH : minus(x.toFixed(digits));
}

export function money(x: number | null): string {
  if (x === null) return DASH;
  const sign = x < 0 ? '−' : '';
  return `${sign}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function qty(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

export function price(x: number | null): string {
  return x === null ? DASH : x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
}

export function int(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** New York wall time: 'YYYY-MM-DD HH:mm ET', or the date alone for daily bars. */
export function nyTime(ts: number | null, dateOnly = false): string {
  if (ts === null) return DASH;
  const p = toNewYork(ts);
  const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  return dateOnly ? date : `${date} ${pad(p.hour)}:${pad(p.minute)} ET`;
}

/** For table cells under an '(ET)' heading: no zone suffix. */
export function nyCell(ts: number, dateOnly: boolean): string {
  return dateOnly ? nyTime(ts, true) : nyTime(ts).slice(0, 16);
}

/** Calendar days for daily bars (DST makes day spans 23 or 25 hours); minutes to days otherwise. */
export function duration(ms: number | null, daily = false): string {
  if (ms === null) return DASH;
  if (daily) return `${Math.round(ms / 86_400_000)}d`;
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min}m`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h}h` : `${h}h ${min % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
