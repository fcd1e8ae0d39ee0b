/** The exchange clock for display: every panel shows New York time the same way. */
const NY = 'America/New_York';
const clock = new Intl.DateTimeFormat('en-US', {
  timeZone: NY,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const dayClock = new Intl.DateTimeFormat('en-US', {
  timeZone: NY,
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone: NY, year: 'numeric', month: '2-digit', day: '2-digit' });

/** 'YYYY-MM-DD' of the New York day containing ts. */
export function nyDay(ts: number): string {
  return dayKey.format(ts);
}

/** New York time of ts; with the date as well when it is not the same New York day as now. */
export function formatNyStamp(ts: number, now: number): string {
  return nyDay(ts) === nyDay(now) ? clock.format(ts) : dayClock.format(ts);
}
