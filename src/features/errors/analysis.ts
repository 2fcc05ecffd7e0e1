// Error analysis: the period before a period, trends between them, and rows for the charts.
// Pure functions over counts the repository gathers.
import { addDays, periodDays, type Period } from '../../time';

export { periodDays, previousPeriod, type Period } from '../../time';

export type TrendDirection = 'up' | 'down' | 'flat' | 'new';

export interface Trend {
  current: number;
  previous: number;
  delta: number;
  /** change against the previous period in percent, one decimal; null when the previous was 0 */
  percent: number | null;
  direction: TrendDirection;
}

/** How a count moved against the previous period. More errors is "up" (bad for errors). */
export function trend(current: number, previous: number): Trend {
  const delta = current - previous;
  const percent = previous === 0 ? null : Math.round((delta / previous) * 1000) / 10;
  const direction: TrendDirection = delta === 0 ? 'flat' : previous === 0 ? 'new' : delta > 0 ? 'up' : 'down';
  return { current, previous, delta, percent, direction };
}

export interface CountRow {
  key: string;
  count: number;
}

export interface TrendRow extends Trend {
  key: string;
}

/**
 * Current and previous counts side by side, one row per key seen in either period, most errors
 * first (then the biggest rise, then the key, so the order is stable).
 */
export function compareCounts(current: readonly CountRow[], previous: readonly CountRow[]): TrendRow[] {
  const cur = new Map(current.map((r) => [r.key, r.count]));
  const prev = new Map(previous.map((r) => [r.key, r.count]));
  const keys = new Set([...cur.keys(), ...prev.keys()]);
  return [...keys]
    .map((key) => ({ key, ...trend(cur.get(key) ?? 0, prev.get(key) ?? 0) }))
    .sort((a, b) => b.current - a.current || b.delta - a.delta || a.key.localeCompare(b.key));
}

/** Every day of a period with its count (0 where nothing happened), for a line chart. */
export function dailySeries(p: Period, counts: readonly CountRow[]): { day: string; count: number }[] {
  const byDay = new Map(counts.map((r) => [r.key, r.count]));
  const out: { day: string; count: number }[] = [];
  for (let d = p.from; d <= p.to; d = addDays(d, 1)) out.push({ day: d, count: byDay.get(d) ?? 0 });
  return out;
}

export type PeriodProblem = { field: 'from' | 'to'; key: string; params?: Record<string, unknown> };

/** Checks a period typed by a user: real days, the end not before the start, not too long. */
export function checkPeriod(from: unknown, to: unknown, maxDays: number, isIsoDate: (s: unknown) => s is string): PeriodProblem[] {
  const problems: PeriodProblem[] = [];
  if (!isIsoDate(from)) problems.push({ field: 'from', key: 'errors.period.invalidDate' });
  if (!isIsoDate(to)) problems.push({ field: 'to', key: 'errors.period.invalidDate' });
  if (problems.length) return problems;
  const p = { from: from as string, to: to as string };
  if (p.to < p.from) return [{ field: 'to', key: 'errors.period.endBeforeStart' }];
  if (periodDays(p) > maxDays) return [{ field: 'to', key: 'errors.period.tooLong', params: { max: maxDays } }];
  return [];
}
