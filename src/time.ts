// Asia/Tashkent time: day boundaries, plan days and every date shown to a user.
// Tashkent is UTC+5 with no daylight saving, but we go through Intl so the rule lives in one place.
export const TIMEZONE = 'Asia/Tashkent';

const dayFormatter = new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** The Tashkent calendar day (YYYY-MM-DD) of an instant. */
export function tashkentDate(instant: Date | string | number): string {
  return dayFormatter.format(new Date(instant));
}

/** Offset of Tashkent from UTC at an instant, in minutes (300 today). */
export function tashkentOffsetMinutes(instant: Date): number {
  const p = Object.fromEntries(partsFormatter.formatToParts(instant).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** The UTC instant at which a Tashkent wall-clock time happens. */
export function tashkentToUtc(date: string, time = '00:00'): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a date: ${date}`);
  const [h, m] = time.split(':').map(Number);
  const guess = new Date(`${date}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`);
  return new Date(guess.getTime() - tashkentOffsetMinutes(guess) * 60000);
}

/** [start, end) of a Tashkent day as ISO UTC strings, for range filters on *_at columns. */
export function tashkentDayRange(date: string): { startIso: string; endIso: string } {
  const start = tashkentToUtc(date);
  const end = tashkentToUtc(addDays(date, 1));
  return { startIso: start.toISOString(), endIso: end.toISOString() };
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days from a to b (b - a), both YYYY-MM-DD. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

/** A span of Tashkent calendar days, both ends included (YYYY-MM-DD). */
export interface Period {
  from: string;
  to: string;
}

/** Days a period covers, both ends included. */
export function periodDays(p: Period): number {
  return daysBetween(p.from, p.to) + 1;
}

/** The period of the same length that ends the day before this one starts: a trend's baseline. */
export function previousPeriod(p: Period): Period {
  const days = periodDays(p);
  return { from: addDays(p.from, -days), to: addDays(p.from, -1) };
}

/** Every day of a period, in order. */
export function daysOf(p: Period): string[] {
  return Array.from({ length: Math.max(0, periodDays(p)) }, (_, i) => addDays(p.from, i));
}

export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** "Today" in Tashkent for a clock. */
export function tashkentToday(clock: () => Date = () => new Date()): string {
  return tashkentDate(clock());
}

/** Wall-clock "HH:MM" in Tashkent of an instant. */
export function tashkentClock(instant: Date | string): string {
  const p = Object.fromEntries(partsFormatter.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}`;
}
