/**
 * NYSE holiday and early-close rules for 2000–2030, plus the explicit exceptions table.
 *
 * Sources:
 * - NYSE Group holiday and early-closings calendars (press releases, Business Wire / ICE):
 *   2021-12-27 (2022–2024), 2024-11-08 (2025–2027), 2025-12-23 (2026–2028). These give the
 *   holiday dates, the 1:00 p.m. early closes and the 5:00 p.m. end of the late trading session on
 *   early-close days.
 * - NYSE Rule 7.2 (Holidays): a holiday on a Sunday is observed on the Monday after; on a Saturday,
 *   on the Friday before, unless that Friday ends a monthly or yearly accounting period. So New
 *   Year's Day on a Saturday (2005, 2011, 2022, 2028) is not observed at all (the 2022 and 2028
 *   releases state it: "no holiday observed, pursuant to NYSE Rule 7.2").
 * - History before the releases (2000–2021): NYSE "Closings" history as transcribed by
 *   pandas_market_calendars (holidays/nyse.py, built from the NYSE closings PDF) and checked
 *   against QuantConnect LEAN's Data/market-hours/market-hours-database.json (Equity-usa holidays
 *   and earlyCloses 1998–2023); the two agree on every 2000–2022 date below.
 * 2029–2030 are not yet published by NYSE: they follow the same rules and may need updating.
 */

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2030;

/** Minutes after New York midnight. */
export const PRE_OPEN_MIN = 4 * 60;
export const OPEN_MIN = 9 * 60 + 30;
export const CLOSE_MIN = 16 * 60;
export const EARLY_CLOSE_MIN = 13 * 60;
export const POST_CLOSE_MIN = 20 * 60;
/** On 1:00 p.m. days the NYSE Arca/American/National late sessions end at 5:00 p.m. (NYSE releases). */
export const EARLY_POST_CLOSE_MIN = 17 * 60;

/**
 * Full-day closures that no rule produces. Sources: NYSE closings history (pandas_market_calendars
 * September11Closings2001, ReaganMourning2004, FordMourning2007, HurricaneSandyClosings2012,
 * GeorgeHWBushDeath2018, JimmyCarterDeath2025), the same dates in LEAN's holiday list, and ICE's
 * release naming the NYSE for the 2025-01-09 National Day of Mourning.
 */
export const SPECIAL_CLOSURES: ReadonlyArray<readonly [dateKey: string, name: string]> = [
  ['2001-09-11', 'September 11 attacks'],
  ['2001-09-12', 'September 11 attacks'],
  ['2001-09-13', 'September 11 attacks'],
  ['2001-09-14', 'September 11 attacks'],
  ['2004-06-11', 'National Day of Mourning for President Ronald Reagan'],
  ['2007-01-02', 'National Day of Mourning for President Gerald Ford'],
  ['2012-10-29', 'Hurricane Sandy'],
  ['2012-10-30', 'Hurricane Sandy'],
  ['2018-12-05', 'National Day of Mourning for President George H. W. Bush'],
  ['2025-01-09', 'National Day of Mourning for President Jimmy Carter'],
];

/**
 * 1:00 p.m. closes that the rules below do not produce: Friday 2003-12-26, the day after a
 * Thursday Christmas (pandas_market_calendars DayAfterChristmas1pmEarlyCloseAdhoc; LEAN
 * earlyCloses). The same situation in 2008, 2014 and 2025 was a full day, so it is no rule.
 */
export const SPECIAL_EARLY_CLOSES: ReadonlyArray<readonly [dateKey: string, name: string]> = [
  ['2003-12-26', 'Day after Christmas'],
];

/**
 * Sessions that opened late by announcement. 2002-09-11: opened at 12:00 for the first
 * anniversary of the attacks (pandas_market_calendars Sept11Anniversary12pmLateOpen2002).
 * Deliberately not listed: the 1–3 minute moment-of-silence delays (2001-09-17, 2001-10-08,
 * 2003-03-20, 2004-06-07, 2006-12-27) and the 2005-06-01 3:56 p.m. systems halt, which were not
 * schedule changes.
 */
export const SPECIAL_LATE_OPENS: ReadonlyArray<readonly [dateKey: string, openMinute: number]> = [
  ['2002-09-11', 12 * 60],
];

/** Days since 1970-01-01 of a civil date. */
export function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

export function weekdayOf(dayNum: number): Weekday {
  return ((((dayNum + 4) % 7) + 7) % 7) as Weekday;
}

/** Day of month of the n-th given weekday of a month (n = -1: the last one). */
function nthWeekday(year: number, month: number, weekday: Weekday, n: number): number {
  if (n > 0) {
    const firstDow = weekdayOf(dayNumber(year, month, 1));
    return 1 + ((weekday - firstDow + 7) % 7) + (n - 1) * 7;
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lastDow = weekdayOf(dayNumber(year, month, lastDay));
  return lastDay - ((lastDow - weekday + 7) % 7);
}

/** Easter Sunday (Gregorian; anonymous algorithm, Meeus "Astronomical Algorithms" ch. 8). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

/** Rule 7.2: Sunday → Monday after, Saturday → Friday before. */
function observed(dayNum: number): number {
  const dow = weekdayOf(dayNum);
  if (dow === 0) return dayNum + 1;
  if (dow === 6) return dayNum - 1;
  return dayNum;
}

export interface YearRules {
  /** Day number → holiday name, full-day closures only (all fall on weekdays). */
  closures: Map<number, string>;
  /** Day number → reason, 1:00 p.m. closes. */
  earlyCloses: Map<number, string>;
}

export function rulesForYear(year: number): YearRules {
  const closures = new Map<number, string>();
  const earlyCloses = new Map<number, string>();
  const close = (dayNum: number, name: string): void => {
    closures.set(dayNum, name);
  };

  // New Year's Day: Sunday → Monday; Saturday → not observed (Dec 31 ends the accounting year).
  const newYear = dayNumber(year, 1, 1);
  if (weekdayOf(newYear) !== 6) close(observed(newYear), "New Year's Day");
  close(dayNumber(year, 1, nthWeekday(year, 1, 1, 3)), 'Martin Luther King, Jr. Day');
  close(dayNumber(year, 2, nthWeekday(year, 2, 1, 3)), "Washington's Birthday");
  const easter = easterSunday(year);
  close(dayNumber(year, easter.month, easter.day) - 2, 'Good Friday');
  close(dayNumber(year, 5, nthWeekday(year, 5, 1, -1)), 'Memorial Day');
  // Juneteenth became an NYSE holiday in 2022 (first observed Monday 2022-06-20).
  if (year >= 2022) close(observed(dayNumber(year, 6, 19)), 'Juneteenth National Independence Day');
  const july4 = dayNumber(year, 7, 4);
  close(observed(july4), 'Independence Day');
  close(dayNumber(year, 9, nthWeekday(year, 9, 1, 1)), 'Labor Day');
  const thanksgiving = dayNumber(year, 11, nthWeekday(year, 11, 4, 4));
  close(thanksgiving, 'Thanksgiving Day');
  const christmas = dayNumber(year, 12, 25);
  close(observed(christmas), 'Christmas Day');

  // Independence Day early close. July 3 on Mon/Tue/Thu; on a Wednesday only since 2013 — before
  // that, a Thursday July 4 made Friday July 5 the short day instead (2002-07-05). A Friday
  // July 3 is the observed holiday, and Thursday July 2 before it is a full day (2009, 2015, 2020, 2026).
  const july3 = july4 - 1;
  const july3Dow = weekdayOf(july3);
  if (july3Dow === 3 && year < 2013) {
    earlyCloses.set(july4 + 1, 'Day after Independence Day');
  } else if (july3Dow >= 1 && july3Dow <= 4) {
    earlyCloses.set(july3, 'Day before Independence Day');
  }
  earlyCloses.set(thanksgiving + 1, 'Day after Thanksgiving');
  // Christmas Eve Mon–Thu; a Friday Christmas Eve is the observed Christmas holiday.
  const christmasEve = christmas - 1;
  const eveDow = weekdayOf(christmasEve);
  if (eveDow >= 1 && eveDow <= 4) earlyCloses.set(christmasEve, 'Christmas Eve');

  return { closures, earlyCloses };
}
