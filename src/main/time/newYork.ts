/**
 * Wall-clock time in America/New_York from epoch ms, without Intl or Date allocation on the hot
 * path. US DST rules: since 2007, second Sunday of March to first Sunday of November; 1987–2006,
 * first Sunday of April to last Sunday of October; both switch at 02:00 local. Checked against
 * Intl for every hour 2000–2030 in test/unit/newYork.test.ts.
 */
const MS_MIN = 60_000;
const MS_HOUR = 3_600_000;
const MS_DAY = 86_400_000;
const EST = -5 * MS_HOUR;
const EDT = -4 * MS_HOUR;

export interface NyParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** Days since 1970-01-01 to a civil date (proleptic Gregorian); H. Hinnant's algorithm. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

/** Day of month of the n-th (1-based) Sunday of a month; n = -1 for the last one. */
function nthSunday(year: number, month0: number, n: number): number {
  if (n > 0) {
    const firstDow = new Date(Date.UTC(year, month0, 1)).getUTCDay();
    return 1 + ((7 - firstDow) % 7) + (n - 1) * 7;
  }
  const lastDay = new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
  const lastDow = new Date(Date.UTC(year, month0, lastDay)).getUTCDay();
  return lastDay - lastDow;
}

interface DstWindow {
  year: number;
  /** UTC ms at which EDT starts and ends. */
  start: number;
  end: number;
  yearStart: number;
  yearEnd: number;
}

function dstWindow(year: number): DstWindow {
  const start =
    year >= 2007 ? Date.UTC(year, 2, nthSunday(year, 2, 2), 7) : Date.UTC(year, 3, nthSunday(year, 3, 1), 7);
  const end =
    year >= 2007 ? Date.UTC(year, 10, nthSunday(year, 10, 1), 6) : Date.UTC(year, 9, nthSunday(year, 9, -1), 6);
  return { year, start, end, yearStart: Date.UTC(year, 0, 1), yearEnd: Date.UTC(year + 1, 0, 1) };
}

let cached: DstWindow = dstWindow(2026);

/** UTC offset of New York at `ts`, in ms (−4 h or −5 h). */
export function nyOffsetMs(ts: number): number {
  let w = cached;
  if (ts < w.yearStart || ts >= w.yearEnd) {
    w = cached = dstWindow(new Date(ts).getUTCFullYear());
  }
  return ts >= w.start && ts < w.end ? EDT : EST;
}

/** Minutes since local midnight in New York. */
export function nyMinuteOfDay(ts: number): number {
  const local = ts + nyOffsetMs(ts);
  return Math.floor((((local % MS_DAY) + MS_DAY) % MS_DAY) / MS_MIN);
}

export function toNewYork(ts: number): NyParts {
  const local = ts + nyOffsetMs(ts);
  const days = Math.floor(local / MS_DAY);
  const msOfDay = local - days * MS_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(msOfDay / MS_HOUR),
    minute: Math.floor((msOfDay % MS_HOUR) / MS_MIN),
    second: Math.floor((msOfDay % MS_MIN) / 1000),
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

/** 'YYYY-MM-DD' of the New York calendar day containing ts. */
export function nyDateKey(ts: number): string {
  const { year, month, day } = toNewYork(ts);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Epoch ms of a New York wall-clock time. In the skipped spring-forward hour the EST reading is
 * used; in the repeated fall-back hour, the first (EDT) occurrence.
 */
export function fromNewYork(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const asEdt = wall - EDT;
  if (nyOffsetMs(asEdt) === EDT) return asEdt;
  return wall - EST;
}
