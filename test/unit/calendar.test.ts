import { describe, expect, it } from 'vitest';
import {
  countRegularMinutes,
  countTradingDays,
  holidayName,
  isTradingDay,
  nextRegularOpen,
  nextTradingDay,
  previousTradingDay,
  regularMinutes,
  sessionForDay,
  sessionState,
  tradingDays,
} from '../../src/main/marketdata/calendar';

const MIN = 60_000;
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

function eachDay(year: number): string[] {
  const out: string[] = [];
  for (let t = utc(year, 1, 1); t < utc(year + 1, 1, 1); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
const isWeekend = (key: string): boolean => [0, 6].includes(new Date(`${key}T00:00:00Z`).getUTCDay());

/**
 * Weekday full closures, written out independently of the rules under test.
 * 2000–2023: QuantConnect LEAN Data/market-hours/market-hours-database.json, "Equity-usa-[*]"
 * holidays (its Saturday entries 2011-01-01 and 2022-01-01 dropped: no weekday closure).
 * 2024–2028: NYSE Group holiday calendar releases of 2021-12-27, 2024-11-08 and 2025-12-23;
 * 2025-01-09 (National Day of Mourning for President Carter) announced by ICE/NYSE in Dec 2024.
 */
const KNOWN_CLOSURES: Record<number, string> = {
  2000: '01-17 02-21 04-21 05-29 07-04 09-04 11-23 12-25',
  2001: '01-01 01-15 02-19 04-13 05-28 07-04 09-03 09-11 09-12 09-13 09-14 11-22 12-25',
  2002: '01-01 01-21 02-18 03-29 05-27 07-04 09-02 11-28 12-25',
  2003: '01-01 01-20 02-17 04-18 05-26 07-04 09-01 11-27 12-25',
  2004: '01-01 01-19 02-16 04-09 05-31 06-11 07-05 09-06 11-25 12-24',
  2005: '01-17 02-21 03-25 05-30 07-04 09-05 11-24 12-26',
  2006: '01-02 01-16 02-20 04-14 05-29 07-04 09-04 11-23 12-25',
  2007: '01-01 01-02 01-15 02-19 04-06 05-28 07-04 09-03 11-22 12-25',
  2008: '01-01 01-21 02-18 03-21 05-26 07-04 09-01 11-27 12-25',
  2009: '01-01 01-19 02-16 04-10 05-25 07-03 09-07 11-26 12-25',
  2010: '01-01 01-18 02-15 04-02 05-31 07-05 09-06 11-25 12-24',
  2011: '01-17 02-21 04-22 05-30 07-04 09-05 11-24 12-26',
  2012: '01-02 01-16 02-20 04-06 05-28 07-04 09-03 10-29 10-30 11-22 12-25',
  2013: '01-01 01-21 02-18 03-29 05-27 07-04 09-02 11-28 12-25',
  2014: '01-01 01-20 02-17 04-18 05-26 07-04 09-01 11-27 12-25',
  2015: '01-01 01-19 02-16 04-03 05-25 07-03 09-07 11-26 12-25',
  2016: '01-01 01-18 02-15 03-25 05-30 07-04 09-05 11-24 12-26',
  2017: '01-02 01-16 02-20 04-14 05-29 07-04 09-04 11-23 12-25',
  2018: '01-01 01-15 02-19 03-30 05-28 07-04 09-03 11-22 12-05 12-25',
  2019: '01-01 01-21 02-18 04-19 05-27 07-04 09-02 11-28 12-25',
  2020: '01-01 01-20 02-17 04-10 05-25 07-03 09-07 11-26 12-25',
  2021: '01-01 01-18 02-15 04-02 05-31 07-05 09-06 11-25 12-24',
  2022: '01-17 02-21 04-15 05-30 06-20 07-04 09-05 11-24 12-26',
  2023: '01-02 01-16 02-20 04-07 05-29 06-19 07-04 09-04 11-23 12-25',
  2024: '01-01 01-15 02-19 03-29 05-27 06-19 07-04 09-02 11-28 12-25',
  2025: '01-01 01-09 01-20 02-17 04-18 05-26 06-19 07-04 09-01 11-27 12-25',
  2026: '01-01 01-19 02-16 04-03 05-25 06-19 07-03 09-07 11-26 12-25',
  2027: '01-01 01-18 02-15 03-26 05-31 06-18 07-05 09-06 11-25 12-24',
  2028: '01-17 02-21 04-14 05-29 06-19 07-04 09-04 11-23 12-25',
};

/**
 * 1:00 p.m. closes. 2000–2022: LEAN "earlyCloses" (its 2017-12-24 entry is a Sunday and dropped).
 * 2023–2028: the NYSE releases' footnotes.
 */
const KNOWN_EARLY_CLOSES: Record<number, string> = {
  2000: '07-03 11-24',
  2001: '07-03 11-23 12-24',
  2002: '07-05 11-29 12-24',
  2003: '07-03 11-28 12-24 12-26',
  2004: '11-26',
  2005: '11-25',
  2006: '07-03 11-24',
  2007: '07-03 11-23 12-24',
  2008: '07-03 11-28 12-24',
  2009: '11-27 12-24',
  2010: '11-26',
  2011: '11-25',
  2012: '07-03 11-23 12-24',
  2013: '07-03 11-29 12-24',
  2014: '07-03 11-28 12-24',
  2015: '11-27 12-24',
  2016: '11-25',
  2017: '07-03 11-24',
  2018: '07-03 11-23 12-24',
  2019: '07-03 11-29 12-24',
  2020: '11-27 12-24',
  2021: '11-26',
  2022: '11-25',
  2023: '07-03 11-24',
  2024: '07-03 11-29 12-24',
  2025: '07-03 11-28 12-24',
  2026: '11-27 12-24',
  2027: '11-26',
  2028: '07-03 11-24',
};

describe('NYSE calendar: days', () => {
  it('closes on exactly the published holidays, 2000–2028', () => {
    for (const [year, list] of Object.entries(KNOWN_CLOSURES)) {
      const actual = eachDay(Number(year))
        .filter((k) => !isWeekend(k) && !isTradingDay(k))
        .map((k) => k.slice(5))
        .join(' ');
      expect(actual, `closures in ${year}`).toBe(list);
    }
  });

  it('closes early on exactly the published 1:00 p.m. days, 2000–2028', () => {
    for (const [year, list] of Object.entries(KNOWN_EARLY_CLOSES)) {
      const actual = tradingDays(`${year}-01-01`, `${year}-12-31`)
        .filter((k) => sessionForDay(k)!.earlyClose)
        .map((k) => k.slice(5))
        .join(' ');
      expect(actual, `early closes in ${year}`).toBe(list);
    }
  });

  it('names holidays, including Good Friday and observed days', () => {
    expect(holidayName('2000-04-21')).toBe('Good Friday');
    expect(holidayName('2008-03-21')).toBe('Good Friday');
    expect(holidayName('2030-04-19')).toBe('Good Friday');
    expect(holidayName('2030-01-21')).toBe('Martin Luther King, Jr. Day');
    // Sunday holiday → Monday.
    expect(holidayName('2006-01-02')).toBe("New Year's Day");
    expect(holidayName('2022-06-20')).toBe('Juneteenth National Independence Day');
    expect(holidayName('2016-12-26')).toBe('Christmas Day');
    expect(holidayName('2021-07-05')).toBe('Independence Day');
    // Saturday holiday → Friday.
    expect(holidayName('2004-12-24')).toBe('Christmas Day');
    expect(holidayName('2020-07-03')).toBe('Independence Day');
    expect(holidayName('2027-06-18')).toBe('Juneteenth National Independence Day');
    // Plain trading days and weekends have no name.
    expect(holidayName('2025-07-03')).toBeNull();
    expect(holidayName('2025-07-05')).toBeNull();
  });

  it("does not move a Saturday New Year's Day to the Friday before (Rule 7.2)", () => {
    for (const key of ['2004-12-31', '2010-12-31', '2021-12-31', '2027-12-31']) {
      expect(isTradingDay(key), key).toBe(true);
      expect(sessionForDay(key)!.earlyClose, key).toBe(false);
    }
    expect(isTradingDay('2005-01-03')).toBe(true);
    expect(isTradingDay('2028-01-03')).toBe(true);
  });

  it('observes Juneteenth only from 2022', () => {
    expect(isTradingDay('2021-06-18')).toBe(true);
    expect(isTradingDay('2020-06-19')).toBe(true);
    expect(isTradingDay('2022-06-20')).toBe(false);
    expect(isTradingDay('2023-06-19')).toBe(false);
  });

  it('lists the one-off closures', () => {
    for (const key of ['2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14']) {
      expect(holidayName(key)).toBe('September 11 attacks');
    }
    expect(isTradingDay('2001-09-10')).toBe(true);
    expect(isTradingDay('2001-09-17')).toBe(true);
    expect(holidayName('2004-06-11')).toMatch(/Reagan/);
    expect(holidayName('2007-01-02')).toMatch(/Ford/);
    expect(holidayName('2012-10-29')).toBe('Hurricane Sandy');
    expect(holidayName('2012-10-30')).toBe('Hurricane Sandy');
    expect(isTradingDay('2012-10-31')).toBe(true);
    expect(holidayName('2018-12-05')).toMatch(/Bush/);
    expect(holidayName('2025-01-09')).toMatch(/Carter/);
  });

  it('has no session on weekends', () => {
    for (const key of ['2025-07-05', '2025-07-06', '2000-01-01', '2030-12-29']) {
      expect(isTradingDay(key), key).toBe(false);
      expect(sessionForDay(key), key).toBeNull();
      expect(holidayName(key), key).toBeNull();
    }
  });

  it('counts trading days per year as derived from weekdays minus weekday closures', () => {
    // 2019: 261 weekdays − 9 holidays (all on weekdays) = 252.
    // 2020: leap year from a Wednesday → 262 weekdays − 9 (Jul 4 observed Fri Jul 3) = 253.
    // 2025: 261 weekdays − 10 holidays − Carter day of mourning (Jan 9) = 250.
    // 2001: 261 − 9 − four September 11 closures = 248.  2012: 261 − 9 − two Sandy days = 250.
    // These match the yearly row counts commonly quoted for S&P 500 daily data.
    expect(countTradingDays('2019-01-01', '2019-12-31')).toBe(252);
    expect(countTradingDays('2020-01-01', '2020-12-31')).toBe(253);
    expect(countTradingDays('2025-01-01', '2025-12-31')).toBe(250);
    expect(countTradingDays('2001-01-01', '2001-12-31')).toBe(248);
    expect(countTradingDays('2012-01-01', '2012-12-31')).toBe(250);
    expect(tradingDays('2019-01-01', '2019-12-31')).toHaveLength(252);
  });

  it('walks trading days', () => {
    expect(tradingDays('2025-12-22', '2025-12-31')).toEqual([
      '2025-12-22',
      '2025-12-23',
      '2025-12-24',
      '2025-12-26',
      '2025-12-29',
      '2025-12-30',
      '2025-12-31',
    ]);
    expect(tradingDays('2025-12-27', '2025-12-28')).toEqual([]);
    expect(tradingDays('2025-12-31', '2025-12-22')).toEqual([]);
    expect(previousTradingDay('2025-12-26')).toBe('2025-12-24');
    expect(previousTradingDay('2001-09-17')).toBe('2001-09-10');
    expect(previousTradingDay('2025-07-06')).toBe('2025-07-03');
    expect(nextTradingDay('2012-10-26')).toBe('2012-10-31');
  });
});

describe('NYSE calendar: early closes', () => {
  it('closes at 13:00 New York on the 2025–2026 short days, after-hours until 17:00', () => {
    const jul3 = sessionForDay('2025-07-03')!;
    expect(jul3.earlyClose).toBe(true);
    expect(jul3.open).toBe(utc(2025, 7, 3, 13, 30)); // EDT
    expect(jul3.close).toBe(utc(2025, 7, 3, 17, 0));
    expect(jul3.postClose).toBe(utc(2025, 7, 3, 21, 0));
    const blackFriday = sessionForDay('2025-11-28')!;
    expect(blackFriday.earlyClose).toBe(true);
    expect(blackFriday.close).toBe(utc(2025, 11, 28, 18, 0)); // EST
    expect(sessionForDay('2025-12-24')!.close).toBe(utc(2025, 12, 24, 18, 0));
    expect(sessionForDay('2026-11-27')!.close).toBe(utc(2026, 11, 27, 18, 0));
    expect(sessionForDay('2026-12-24')!.earlyClose).toBe(true);
  });

  it('follows the historical July and December exceptions', () => {
    // 2002: July 4 on a Thursday made Friday July 5 the short day; since 2013 it is Wednesday July 3.
    expect(sessionForDay('2002-07-03')!.earlyClose).toBe(false);
    expect(sessionForDay('2002-07-05')!.earlyClose).toBe(true);
    expect(sessionForDay('2013-07-03')!.earlyClose).toBe(true);
    expect(sessionForDay('2013-07-05')!.earlyClose).toBe(false);
    expect(sessionForDay('2024-07-03')!.earlyClose).toBe(true);
    // Thursday before a Friday July 3 holiday is a full day.
    expect(sessionForDay('2020-07-02')!.earlyClose).toBe(false);
    expect(sessionForDay('2026-07-02')!.earlyClose).toBe(false);
    // The Friday after a Thursday Christmas: short in 2003 only.
    expect(sessionForDay('2003-12-26')!.earlyClose).toBe(true);
    for (const key of ['2008-12-26', '2014-12-26', '2025-12-26']) {
      expect(sessionForDay(key)!.earlyClose, key).toBe(false);
    }
    // New Year's Eve is a full day.
    expect(sessionForDay('2025-12-31')!.close).toBe(utc(2025, 12, 31, 21, 0));
  });

  it('opened at noon on 2002-09-11', () => {
    const s = sessionForDay('2002-09-11')!;
    expect(s.open).toBe(utc(2002, 9, 11, 16, 0));
    expect(s.close).toBe(utc(2002, 9, 11, 20, 0));
    expect(countRegularMinutes(s.preOpen, s.postClose)).toBe(240);
    expect(sessionState(utc(2002, 9, 11, 15, 59)).state).toBe('pre');
  });
});

describe('NYSE calendar: DST', () => {
  it('opens at 09:30 local on the Mondays after the switches (UTC instants)', () => {
    // 2025: EDT from Sunday March 9, EST from Sunday November 2.
    expect(sessionForDay('2025-03-07')!.open).toBe(utc(2025, 3, 7, 14, 30));
    expect(sessionForDay('2025-03-10')!.open).toBe(utc(2025, 3, 10, 13, 30));
    expect(sessionForDay('2025-03-10')!.close).toBe(utc(2025, 3, 10, 20, 0));
    expect(sessionForDay('2025-10-31')!.open).toBe(utc(2025, 10, 31, 13, 30));
    expect(sessionForDay('2025-11-03')!.open).toBe(utc(2025, 11, 3, 14, 30));
    // 2006, old rule: EDT from Sunday April 2, EST from Sunday October 29.
    expect(sessionForDay('2006-03-31')!.open).toBe(utc(2006, 3, 31, 14, 30));
    expect(sessionForDay('2006-04-03')!.open).toBe(utc(2006, 4, 3, 13, 30));
    expect(sessionForDay('2006-10-30')!.open).toBe(utc(2006, 10, 30, 14, 30));
    // Pre-market starts 04:00 local: 08:00Z in summer.
    expect(sessionForDay('2025-03-10')!.preOpen).toBe(utc(2025, 3, 10, 8, 0));
  });

  it('counts 390 minutes on the Monday after a switch', () => {
    expect(countRegularMinutes(utc(2025, 3, 10), utc(2025, 3, 11))).toBe(390);
    expect(countRegularMinutes(utc(2025, 11, 3), utc(2025, 11, 4))).toBe(390);
  });
});

describe('NYSE calendar: minutes', () => {
  it('counts 390 regular minutes on a normal day and 210 on an early close', () => {
    const normal = sessionForDay('2025-06-18')!;
    expect(countRegularMinutes(normal.preOpen, normal.postClose)).toBe(390);
    expect(countRegularMinutes(normal.open, normal.close)).toBe(390);
    const short = sessionForDay('2025-11-28')!;
    expect(countRegularMinutes(short.preOpen, short.postClose)).toBe(210);
    expect(countRegularMinutes(utc(2025, 6, 21), utc(2025, 6, 23))).toBe(0); // weekend
    expect(countRegularMinutes(utc(2025, 12, 25), utc(2025, 12, 26))).toBe(0); // Christmas
  });

  it("counts a week's minutes", () => {
    // Mon 2025-06-09 .. Fri 06-13: five full days.
    expect(countRegularMinutes(utc(2025, 6, 9), utc(2025, 6, 16))).toBe(5 * 390);
    // Thanksgiving week 2025: three full days, Thursday closed, Friday to 13:00.
    expect(countRegularMinutes(utc(2025, 11, 24), utc(2025, 12, 1))).toBe(3 * 390 + 210);
  });

  it('yields every bar open time in [from, to) and agrees with the count', () => {
    const s = sessionForDay('2025-11-28')!;
    const bars = [...regularMinutes(s.preOpen, s.postClose)];
    expect(bars).toHaveLength(210);
    expect(bars[0]).toBe(s.open);
    expect(bars.at(-1)).toBe(s.close - MIN);
    for (let i = 1; i < bars.length; i++) expect(bars[i]! - bars[i - 1]!).toBe(MIN);
    // Unaligned bounds: bars from the first whole minute at or after `from`, before `to`.
    const from = s.open + 90_500; // 09:31:30.5 → first bar 09:32
    const to = s.open + 5 * MIN + 1; // just after 09:35 → 09:35 included
    expect([...regularMinutes(from, to)]).toEqual([
      s.open + 2 * MIN,
      s.open + 3 * MIN,
      s.open + 4 * MIN,
      s.open + 5 * MIN,
    ]);
    expect(countRegularMinutes(from, to)).toBe(4);
    expect(countRegularMinutes(to, from)).toBe(0);
    expect([...regularMinutes(to, from)]).toEqual([]);
  });

  it('counts the same as the generator over many ranges', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const lo = utc(2000, 1, 1, 5);
    const span = utc(2030, 12, 20) - lo;
    for (let n = 0; n < 200; n++) {
      const from = lo + Math.floor(rand() * span);
      const to = from + Math.floor(rand() * 10 * 86_400_000);
      let generated = 0;
      let notRegular = 0;
      for (const m of regularMinutes(from, to)) {
        if (generated % 37 === 0 && sessionState(m).state !== 'regular') notRegular++;
        generated++;
      }
      expect(notRegular).toBe(0);
      expect(countRegularMinutes(from, to)).toBe(generated);
    }
  });

  it('counts whole years in constant time', () => {
    // 2019: 252 days, of which 3 short (Jul 3, Nov 29, Dec 24).
    expect(countRegularMinutes(utc(2019, 1, 1, 5), utc(2020, 1, 1, 5))).toBe(249 * 390 + 3 * 210);
  });
});

describe('NYSE calendar: session state', () => {
  it('changes phase exactly at the boundaries', () => {
    // 2025-06-18, EDT (UTC−4).
    expect(sessionState(utc(2025, 6, 18, 7, 59, 59, 999)).state).toBe('closed');
    expect(sessionState(utc(2025, 6, 18, 8, 0)).state).toBe('pre');
    expect(sessionState(utc(2025, 6, 18, 13, 29, 59, 999)).state).toBe('pre');
    expect(sessionState(utc(2025, 6, 18, 13, 30)).state).toBe('regular');
    expect(sessionState(utc(2025, 6, 18, 19, 59, 59, 999)).state).toBe('regular');
    expect(sessionState(utc(2025, 6, 18, 20, 0)).state).toBe('post');
    expect(sessionState(utc(2025, 6, 18, 23, 59, 59, 999)).state).toBe('post');
    expect(sessionState(utc(2025, 6, 19, 0, 0)).state).toBe('closed');
    const st = sessionState(utc(2025, 6, 18, 15));
    expect(st.session?.dateKey).toBe('2025-06-18');
    expect(sessionState(utc(2025, 6, 19, 0, 0)).session).toBeNull();
  });

  it('is post from 13:00 to 17:00 on an early close, and closed on holidays and weekends', () => {
    expect(sessionState(utc(2025, 11, 28, 17, 59)).state).toBe('regular');
    expect(sessionState(utc(2025, 11, 28, 18, 0)).state).toBe('post');
    expect(sessionState(utc(2025, 11, 28, 21, 59)).state).toBe('post');
    expect(sessionState(utc(2025, 11, 28, 22, 0)).state).toBe('closed');
    expect(sessionState(utc(2025, 11, 27, 15)).state).toBe('closed'); // Thanksgiving
    expect(sessionState(utc(2025, 6, 21, 15)).state).toBe('closed'); // Saturday
  });
});

describe('NYSE calendar: next open', () => {
  it('finds the next regular open strictly after ts', () => {
    const fri = sessionForDay('2025-06-20')!;
    const mon = sessionForDay('2025-06-23')!;
    expect(nextRegularOpen(fri.open - 1)).toBe(fri.open);
    expect(nextRegularOpen(fri.open)).toBe(mon.open);
    expect(nextRegularOpen(fri.close)).toBe(mon.open);
    // Over Thanksgiving and the Sandy closures.
    expect(nextRegularOpen(utc(2025, 11, 26, 21))).toBe(utc(2025, 11, 28, 14, 30));
    expect(nextRegularOpen(utc(2012, 10, 26, 21))).toBe(utc(2012, 10, 31, 13, 30));
  });
});

describe('NYSE calendar: range and input checks', () => {
  it('throws outside 2000–2030 instead of guessing', () => {
    expect(() => isTradingDay('1999-12-31')).toThrow(RangeError);
    expect(() => isTradingDay('2031-01-02')).toThrow(/2000-01-01\.\.2030-12-31/);
    expect(() => sessionState(utc(1999, 12, 31, 12))).toThrow(RangeError);
    expect(() => sessionState(utc(2031, 1, 1, 12))).toThrow(RangeError);
    expect(() => countRegularMinutes(utc(2030, 12, 1), utc(2031, 2, 1))).toThrow(RangeError);
    expect(() => previousTradingDay('2000-01-03')).toThrow(RangeError);
    expect(() => nextRegularOpen(utc(2030, 12, 31, 15))).toThrow(RangeError);
    expect(isTradingDay('2000-01-03')).toBe(true);
    expect(isTradingDay('2030-12-31')).toBe(true);
  });

  it('rejects malformed keys', () => {
    expect(() => isTradingDay('2025-7-3')).toThrow(TypeError);
    expect(() => isTradingDay('2025-02-30')).toThrow(TypeError);
    expect(() => holidayName('')).toThrow(TypeError);
  });
});
