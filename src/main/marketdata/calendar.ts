/**
 * NYSE market calendar, 2000-01-01 through 2030-12-31 (New York dates).
 *
 * Sessions, New York wall clock: pre-market 04:00–09:30, regular 09:30–16:00, after-hours
 * 16:00–20:00. Early-close days end regular trading at 13:00 and after-hours at 17:00. Rules,
 * exceptions and their sources live in ./calendar/nyseRules.ts.
 *
 * Everything is precomputed per day at module load (about 11,300 days), so lookups are O(1) and
 * minute counts over any span cost two array reads. Inputs outside the table throw rather than
 * guess: holidays are not knowable by rule alone (one-off closures), so the range is explicit.
 */
import { fromNewYork, nyOffsetMs } from '../time/newYork';
import type { Weekday } from './calendar/nyseRules';
import {
  CLOSE_MIN,
  EARLY_CLOSE_MIN,
  EARLY_POST_CLOSE_MIN,
  FIRST_YEAR,
  LAST_YEAR,
  OPEN_MIN,
  POST_CLOSE_MIN,
  PRE_OPEN_MIN,
  SPECIAL_CLOSURES,
  SPECIAL_EARLY_CLOSES,
  SPECIAL_LATE_OPENS,
  dayNumber,
  rulesForYear,
  weekdayOf,
} from './calendar/nyseRules';

const MS_MIN = 60_000;
const MS_DAY = 86_400_000;

export const CALENDAR_FIRST_DAY = `${FIRST_YEAR}-01-01`;
export const CALENDAR_LAST_DAY = `${LAST_YEAR}-12-31`;

export interface MarketSession {
  /** 'YYYY-MM-DD', New York. */
  dateKey: string;
  /** Regular session open and close, epoch ms UTC; close is exclusive. */
  open: number;
  close: number;
  /** Regular trading ends at 13:00 instead of 16:00. */
  earlyClose: boolean;
  /** Start of pre-market (04:00) and end of after-hours (20:00, or 17:00 on early-close days). */
  preOpen: number;
  postClose: number;
}

export type SessionPhase = 'closed' | 'pre' | 'regular' | 'post';

export interface SessionState {
  state: SessionPhase;
  /** The trading day `ts` falls in; null when closed. */
  session: MarketSession | null;
}

// ---------------------------------------------------------------------------------------------
// The table

const DAY0 = dayNumber(FIRST_YEAR, 1, 1);
const DAY_COUNT = dayNumber(LAST_YEAR + 1, 1, 1) - DAY0;
/** Epoch ms bounds of the table: New York midnight 2000-01-01 to New York midnight 2031-01-01. */
const RANGE_START = fromNewYork(FIRST_YEAR, 1, 1);
const RANGE_END = fromNewYork(LAST_YEAR + 1, 1, 1);

const holidayNames: (string | null)[] = new Array<string | null>(DAY_COUNT).fill(null);
const preOpens = new Float64Array(DAY_COUNT).fill(NaN);
const opens = new Float64Array(DAY_COUNT).fill(NaN);
const closes = new Float64Array(DAY_COUNT).fill(NaN);
const postCloses = new Float64Array(DAY_COUNT).fill(NaN);
const early = new Uint8Array(DAY_COUNT);
/** minutesBefore[i] = regular minutes in days 0..i-1; length DAY_COUNT + 1. */
const minutesBefore = new Float64Array(DAY_COUNT + 1);
/** Ordinal of each trading day within the table (0, 1, …), or -1 on closed days. */
const tradingOrdinal = new Int32Array(DAY_COUNT).fill(-1);
/** tradingBefore[i] = trading days among days 0..i-1; length DAY_COUNT + 1. */
const tradingBefore = new Int32Array(DAY_COUNT + 1);

function keyOfIndex(i: number): string {
  const d = new Date((DAY0 + i) * MS_DAY);
  return d.toISOString().slice(0, 10);
}

function indexOfKeyUnchecked(key: string): number {
  return dayNumber(Number(key.slice(0, 4)), Number(key.slice(5, 7)), Number(key.slice(8, 10))) - DAY0;
}

(function build(): void {
  const earlySet = new Set<number>();
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
    const { closures, earlyCloses } = rulesForYear(year);
    for (const [dayNum, name] of closures) holidayNames[dayNum - DAY0] = name;
    for (const dayNum of earlyCloses.keys()) earlySet.add(dayNum - DAY0);
  }
  for (const [key, name] of SPECIAL_CLOSURES) holidayNames[indexOfKeyUnchecked(key)] = name;
  for (const [key] of SPECIAL_EARLY_CLOSES) earlySet.add(indexOfKeyUnchecked(key));
  const lateOpens = new Map(SPECIAL_LATE_OPENS.map(([key, minute]) => [indexOfKeyUnchecked(key), minute]));

  for (let i = 0; i < DAY_COUNT; i++) {
    minutesBefore[i + 1] = minutesBefore[i]!;
    tradingBefore[i + 1] = tradingBefore[i]!;
    const dow: Weekday = weekdayOf(DAY0 + i);
    if (dow === 0 || dow === 6 || holidayNames[i] !== null) continue;
    const { year, month, day } = civil(i);
    const isEarly = earlySet.has(i);
    const openMin = lateOpens.get(i) ?? OPEN_MIN;
    const closeMin = isEarly ? EARLY_CLOSE_MIN : CLOSE_MIN;
    preOpens[i] = fromNewYork(year, month, day, Math.floor(PRE_OPEN_MIN / 60), PRE_OPEN_MIN % 60);
    opens[i] = fromNewYork(year, month, day, Math.floor(openMin / 60), openMin % 60);
    closes[i] = fromNewYork(year, month, day, Math.floor(closeMin / 60), closeMin % 60);
    const postMin = isEarly ? EARLY_POST_CLOSE_MIN : POST_CLOSE_MIN;
    postCloses[i] = fromNewYork(year, month, day, Math.floor(postMin / 60), postMin % 60);
    early[i] = isEarly ? 1 : 0;
    minutesBefore[i + 1] = minutesBefore[i]! + (closeMin - openMin);
    tradingOrdinal[i] = tradingBefore[i]!;
    tradingBefore[i + 1] = tradingBefore[i]! + 1;
  }
})();

function civil(i: number): { year: number; month: number; day: number } {
  const d = new Date((DAY0 + i) * MS_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

// ---------------------------------------------------------------------------------------------
// Input checks

const KEY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function rangeError(what: string): RangeError {
  return new RangeError(
    `NYSE calendar covers ${CALENDAR_FIRST_DAY}..${CALENDAR_LAST_DAY} (New York); ${what} is outside it`,
  );
}

/** Day index of a 'YYYY-MM-DD' key; throws on malformed keys and keys outside the table. */
function indexOfKey(key: string): number {
  const m = KEY_RE.exec(key);
  if (!m) throw new TypeError(`Expected a 'YYYY-MM-DD' date key, got ${JSON.stringify(key)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const dayNum = dayNumber(year, month, day);
  const check = new Date(dayNum * MS_DAY);
  if (check.getUTCMonth() + 1 !== month || check.getUTCDate() !== day) {
    throw new TypeError(`Not a calendar date: ${key}`);
  }
  const i = dayNum - DAY0;
  if (i < 0 || i >= DAY_COUNT) throw rangeError(`date ${key}`);
  return i;
}

function checkTs(ts: number, allowEnd = false): void {
  if (!Number.isFinite(ts)) throw new TypeError(`Expected an epoch-ms timestamp, got ${ts}`);
  if (ts < RANGE_START || ts > RANGE_END || (!allowEnd && ts === RANGE_END)) {
    throw rangeError(`timestamp ${new Date(ts).toISOString()}`);
  }
}

/** Day index of the New York day containing ts (ts already checked). */
function indexOfTs(ts: number): number {
  return Math.floor((ts + nyOffsetMs(ts)) / MS_DAY) - DAY0;
}

function sessionAt(i: number): MarketSession {
  return {
    dateKey: keyOfIndex(i),
    open: opens[i]!,
    close: closes[i]!,
    earlyClose: early[i] === 1,
    preOpen: preOpens[i]!,
    postClose: postCloses[i]!,
  };
}

// ---------------------------------------------------------------------------------------------
// Days

/** True when the NYSE holds a regular session on this New York date. */
export function isTradingDay(dateKey: string): boolean {
  return tradingOrdinal[indexOfKey(dateKey)]! >= 0;
}

/** Name of the holiday or one-off closure on this date; null on trading days and plain weekends. */
export function holidayName(dateKey: string): string | null {
  return holidayNames[indexOfKey(dateKey)] ?? null;
}

/** The day's session, or null on weekends and holidays. */
export function sessionForDay(dateKey: string): MarketSession | null {
  const i = indexOfKey(dateKey);
  return tradingOrdinal[i]! >= 0 ? sessionAt(i) : null;
}

/** The last trading day strictly before dateKey (which need not be a trading day itself). */
export function previousTradingDay(dateKey: string): string {
  const i = indexOfKey(dateKey);
  for (let j = i - 1; j >= 0; j--) if (tradingOrdinal[j]! >= 0) return keyOfIndex(j);
  throw rangeError(`the trading day before ${dateKey}`);
}

/** The first trading day strictly after dateKey. */
export function nextTradingDay(dateKey: string): string {
  const i = indexOfKey(dateKey);
  for (let j = i + 1; j < DAY_COUNT; j++) if (tradingOrdinal[j]! >= 0) return keyOfIndex(j);
  throw rangeError(`the trading day after ${dateKey}`);
}

/** Trading days from fromKey to toKey, both inclusive, in order; empty if toKey < fromKey. */
export function tradingDays(fromKey: string, toKey: string): string[] {
  const from = indexOfKey(fromKey);
  const to = indexOfKey(toKey);
  const out: string[] = [];
  for (let i = from; i <= to; i++) if (tradingOrdinal[i]! >= 0) out.push(keyOfIndex(i));
  return out;
}

/** Number of trading days from fromKey to toKey, both inclusive; O(1), no allocation. */
export function countTradingDays(fromKey: string, toKey: string): number {
  const from = indexOfKey(fromKey);
  const to = indexOfKey(toKey);
  return to < from ? 0 : tradingBefore[to + 1]! - tradingBefore[from]!;
}

// ---------------------------------------------------------------------------------------------
// Instants

/**
 * Phase at ts: pre-market [preOpen, open), regular [open, close), after-hours [close, postClose),
 * otherwise closed (including all of weekends and holidays).
 */
export function sessionState(ts: number): SessionState {
  checkTs(ts);
  const i = indexOfTs(ts);
  if (tradingOrdinal[i]! < 0 || ts < preOpens[i]! || ts >= postCloses[i]!) return { state: 'closed', session: null };
  const state: SessionPhase = ts < opens[i]! ? 'pre' : ts < closes[i]! ? 'regular' : 'post';
  return { state, session: sessionAt(i) };
}

/** The first regular-session open strictly after ts. */
export function nextRegularOpen(ts: number): number {
  checkTs(ts);
  for (let i = indexOfTs(ts); i < DAY_COUNT; i++) {
    if (tradingOrdinal[i]! >= 0 && opens[i]! > ts) return opens[i]!;
  }
  throw rangeError(`the regular open after ${new Date(ts).toISOString()}`);
}

/** Regular-session 1-minute bar open times before ts, counted from the start of the table. */
function regularMinutesBefore(ts: number): number {
  if (ts >= RANGE_END) return minutesBefore[DAY_COUNT]!;
  const i = indexOfTs(ts);
  let n = minutesBefore[i]!;
  if (tradingOrdinal[i]! >= 0 && ts > opens[i]!) {
    // Bar starts are whole minutes (New York offsets are whole hours), so count ceil((t - open)/1 min).
    n += Math.ceil((Math.min(ts, closes[i]!) - opens[i]!) / MS_MIN);
  }
  return n;
}

/** Number of regular-session 1-minute bar open times in [fromTs, toTs); no allocation. */
export function countRegularMinutes(fromTs: number, toTs: number): number {
  checkTs(fromTs, true);
  checkTs(toTs, true);
  if (toTs <= fromTs) return 0;
  return regularMinutesBefore(toTs) - regularMinutesBefore(fromTs);
}

/**
 * Every regular-session 1-minute bar open time in [fromTs, toTs), ascending. Gap detection walks
 * this against stored bars: anything it does not yield is closed time, never a gap.
 */
export function* regularMinutes(fromTs: number, toTs: number): Generator<number, void, undefined> {
  checkTs(fromTs, true);
  checkTs(toTs, true);
  if (toTs <= fromTs) return;
  // fromTs < toTs <= RANGE_END here, so both day indexes are inside the table.
  const last = indexOfTs(toTs - 1);
  const start = Math.ceil(fromTs / MS_MIN) * MS_MIN;
  for (let i = indexOfTs(fromTs); i <= last; i++) {
    if (tradingOrdinal[i]! < 0) continue;
    const end = Math.min(closes[i]!, toTs);
    for (let m = Math.max(opens[i]!, start); m < end; m += MS_MIN) yield m;
  }
}
