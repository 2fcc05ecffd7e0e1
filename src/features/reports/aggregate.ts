// Pure decisions behind the dashboard and the exports: periods, weekly buckets in Tashkent time,
// bands of averages, confidence intervals from running sums, trends, operator ranking, score
// bins, plan fulfilment and criterion failure rates. No SQL, no HTTP: the repository hands in
// grouped sums, these functions decide what they mean, and unit tests call them directly.
import { MIN_N_FOR_RANKING, isTooFewForRanking, studentTQuantile, type MeanCI } from '../../stats';
import { addDays, tashkentDate, tashkentOffsetMinutes, type Period } from '../../time';
import { bandFor, type Band, type ScoreBands } from '../evaluations/scoring';

export type { Band, ScoreBands };

// ---------------------------------------------------------------------------------------------
// Periods

export { periodDays, previousPeriod, type Period } from '../../time';

/** The default period: the last 30 days up to and including today. */
export function defaultPeriod(today: string, days = 30): Period {
  return { from: addDays(today, -(days - 1)), to: today };
}

// ---------------------------------------------------------------------------------------------
// Weeks (Monday to Sunday, on Tashkent calendar days)

/** Monday of the week a Tashkent calendar day falls in. */
export function weekStart(date: string): string {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((dow + 6) % 7));
}

/** Monday of the Tashkent week an instant falls in: 23:30 UTC on a Sunday is already Monday in Tashkent. */
export function tashkentWeekOf(instant: string | Date): string {
  return weekStart(tashkentDate(instant));
}

export interface DaySums {
  date: string;
  n: number;
  sum: number;
}

export interface WeekBucket {
  /** Monday of the week */
  weekStart: string;
  /** the first and last day of the week that lie inside the period */
  from: string;
  to: string;
  n: number;
  /** null when nothing was evaluated that week: the chart shows a gap, not a zero */
  mean: number | null;
}

/**
 * Groups per-day sums into Monday-to-Sunday weeks covering the whole period, empty weeks included,
 * so a quiet week shows as a gap rather than disappearing from the axis. Days outside the period
 * are ignored. The first and last week are clipped to the period (from/to say which days count).
 */
export function bucketByWeek(days: readonly DaySums[], period: Period): WeekBucket[] {
  const weeks = new Map<string, { n: number; sum: number }>();
  for (let w = weekStart(period.from); w <= period.to; w = addDays(w, 7)) weeks.set(w, { n: 0, sum: 0 });
  for (const d of days) {
    if (d.date < period.from || d.date > period.to) continue;
    const bucket = weeks.get(weekStart(d.date))!;
    bucket.n += d.n;
    bucket.sum += d.sum;
  }
  return [...weeks.entries()].map(([w, b]) => ({
    weekStart: w,
    from: w < period.from ? period.from : w,
    to: addDays(w, 6) > period.to ? period.to : addDays(w, 6),
    n: b.n,
    mean: b.n > 0 ? b.sum / b.n : null,
  }));
}

// ---------------------------------------------------------------------------------------------
// Bands, means, intervals

/** The band of an average score, or null when there is no average. */
export function bandOfMean(mean: number | null | undefined, bands: ScoreBands): Band | null {
  return mean == null || Number.isNaN(mean) ? null : bandFor(mean, bands);
}

/** Count, sum and sum of squares: what SQL can add up without sending every score over. */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

export function meanOf(m: Pick<Moments, 'n' | 'sum'>): number | null {
  return m.n > 0 ? m.sum / m.n : null;
}

/**
 * The same Student-t interval as stats.meanCI, computed from running sums so the database can
 * aggregate 100,000 scores instead of returning them. Null when n < 2. The variance is clamped at
 * zero: with identical scores, floating-point cancellation could make it a hair negative.
 */
export function meanCIFromMoments(m: Moments, confidence = 0.95): MeanCI | null {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (m.n < 2) return null;
  const mean = m.sum / m.n;
  const variance = Math.max(0, (m.sumSq - m.n * mean * mean) / (m.n - 1));
  const sd = Math.sqrt(variance);
  const halfWidth = studentTQuantile(1 - (1 - confidence) / 2, m.n - 1) * (sd / Math.sqrt(m.n));
  return { n: m.n, mean, sd, low: mean - halfWidth, high: mean + halfWidth, halfWidth, confidence };
}

// ---------------------------------------------------------------------------------------------
// Trend against the previous period

export type TrendDirection = 'up' | 'down' | 'flat' | 'unknown';

export interface Trend {
  direction: TrendDirection;
  /** current mean − previous mean; null when either side has no evaluations */
  delta: number | null;
}

/** Changes smaller than this many points read as "no change": a score moves that much by chance. */
export const TREND_FLAT_POINTS = 1;

/**
 * Direction of an operator's (or team's) average against the previous period. When either period
 * has too few evaluations for its mean to mean anything the direction is 'unknown', though the
 * delta is still given for those who want it.
 */
export function trendOf(current: Pick<Moments, 'n' | 'sum'>, previous: Pick<Moments, 'n' | 'sum'>, minN = MIN_N_FOR_RANKING, flatPoints = TREND_FLAT_POINTS): Trend {
  const cur = meanOf(current);
  const prev = meanOf(previous);
  const delta = cur !== null && prev !== null ? cur - prev : null;
  if (delta === null || isTooFewForRanking(current.n, minN) || isTooFewForRanking(previous.n, minN)) return { direction: 'unknown', delta };
  if (Math.abs(delta) < flatPoints) return { direction: 'flat', delta };
  return { direction: delta > 0 ? 'up' : 'down', delta };
}

// ---------------------------------------------------------------------------------------------
// Operators and teams: mean with its interval, ranked only when the number means something

export interface GroupSums extends Moments {
  critical: number;
}

export interface ScoredGroup {
  n: number;
  mean: number | null;
  ci: MeanCI | null;
  band: Band | null;
  critical: number;
  /** fewer evaluations than a ranking needs: shown apart and marked, never ranked */
  tooFew: boolean;
  previousN: number;
  previousMean: number | null;
  trend: Trend;
}

/** A score interval kept within 0..100: the t interval can overshoot a bounded scale, a score cannot. */
export function clampScoreCI(ci: MeanCI | null): MeanCI | null {
  return ci ? { ...ci, low: Math.max(0, ci.low), high: Math.min(100, ci.high) } : null;
}

export function scoreGroup(current: GroupSums, previous: Pick<Moments, 'n' | 'sum'>, bands: ScoreBands, minN = MIN_N_FOR_RANKING): ScoredGroup {
  const mean = meanOf(current);
  return {
    n: current.n,
    mean,
    ci: clampScoreCI(meanCIFromMoments(current)),
    band: bandOfMean(mean, bands),
    critical: current.critical,
    tooFew: isTooFewForRanking(current.n, minN),
    previousN: previous.n,
    previousMean: meanOf(previous),
    trend: trendOf(current, previous, minN),
  };
}

/**
 * Ranks rows by mean score, best first. Rows with too few evaluations get no rank and come after
 * the ranked ones (most evaluations first), so a lucky 100 on two calls never tops the table.
 * Ties share a rank (1, 2, 2, 4) and are ordered by evaluation count, then by name.
 */
export function rankGroups<T extends { n: number; mean: number | null; tooFew: boolean; name: string }>(rows: readonly T[]): (T & { rank: number | null })[] {
  const ranked = rows.filter((r) => !r.tooFew && r.mean !== null).sort((a, b) => b.mean! - a.mean! || b.n - a.n || a.name.localeCompare(b.name));
  const unranked = rows.filter((r) => r.tooFew || r.mean === null).sort((a, b) => b.n - a.n || a.name.localeCompare(b.name));
  const out: (T & { rank: number | null })[] = [];
  ranked.forEach((r, i) => {
    const prev = out[i - 1];
    const rank = prev && prev.mean === r.mean ? prev.rank : i + 1;
    out.push({ ...r, rank });
  });
  for (const r of unranked) out.push({ ...r, rank: null });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Score distribution

/** Ten bins of ten points; 100 falls in the last one. */
export const SCORE_BIN_COUNT = 10;

/** The bin (0..9) of a score. */
export function scoreBin(score: number): number {
  return Math.min(SCORE_BIN_COUNT - 1, Math.max(0, Math.floor(score / 10)));
}

export interface ScoreBinCount {
  bin: number;
  /** "0–9", …, "90–100" */
  label: string;
  low: number;
  high: number;
  n: number;
  /** band of the bin's lowest score, for its colour */
  band: Band;
}

export function distribution(counts: ReadonlyMap<number, number> | Record<number, number>, bands: ScoreBands): ScoreBinCount[] {
  const get = (bin: number) => (counts instanceof Map ? counts.get(bin) : (counts as Record<number, number>)[bin]) ?? 0;
  return Array.from({ length: SCORE_BIN_COUNT }, (_, bin) => {
    const low = bin * 10;
    const high = bin === SCORE_BIN_COUNT - 1 ? 100 : low + 9;
    return { bin, label: `${low}–${high}`, low, high, n: get(bin), band: bandFor(low, bands) };
  });
}

// ---------------------------------------------------------------------------------------------
// Plan fulfilment

export interface AssignmentCount {
  specialistUserId: number | null;
  status: string;
  n: number;
}

export interface PlanFulfilment {
  specialistUserId: number;
  planned: number;
  done: number;
  inProgress: number;
  open: number;
  /** done ÷ planned, 0..1; null with nothing planned */
  share: number | null;
}

/** Statuses that count as planned work for a specialist; 'cancelled' and 'unassigned' do not. */
export const PLANNED_STATUSES = ['new', 'in_progress', 'done'] as const;

export function planFulfilment(rows: readonly AssignmentCount[]): { bySpecialist: PlanFulfilment[]; unassigned: number; planned: number; done: number } {
  const by = new Map<number, PlanFulfilment>();
  let unassigned = 0;
  for (const r of rows) {
    if (r.status === 'unassigned' || r.specialistUserId == null) {
      if (r.status !== 'cancelled') unassigned += r.n;
      continue;
    }
    if (!(PLANNED_STATUSES as readonly string[]).includes(r.status)) continue;
    const p = by.get(r.specialistUserId) ?? { specialistUserId: r.specialistUserId, planned: 0, done: 0, inProgress: 0, open: 0, share: null };
    p.planned += r.n;
    if (r.status === 'done') p.done += r.n;
    else if (r.status === 'in_progress') p.inProgress += r.n;
    else p.open += r.n;
    by.set(r.specialistUserId, p);
  }
  const bySpecialist = [...by.values()].map((p) => ({ ...p, share: p.planned > 0 ? p.done / p.planned : null }));
  return {
    bySpecialist,
    unassigned,
    planned: bySpecialist.reduce((s, p) => s + p.planned, 0),
    done: bySpecialist.reduce((s, p) => s + p.done, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Criteria failing most

export interface CriterionFailure {
  code: string;
  /** evaluations whose rubric version has the criterion */
  evaluated: number;
  na: number;
  /** evaluated − N/A: where the criterion counted */
  applicable: number;
  failed: number;
  /** failed ÷ applicable, 0..1; null when it never applied */
  failShare: number | null;
}

/**
 * Failure rates per criterion code. Submitted evaluations answer every criterion of their rubric
 * version, so "evaluated" is the count of evaluations per version summed over the versions that
 * contain the code; only failures and N/A answers need to be read from the answers table, which
 * keeps the query to a fraction of the two million answer rows a busy quarter holds.
 * Sorted by failures, then share, then code; codes never failed stay in (with 0).
 */
export function criterionFailures(
  versionCounts: ReadonlyMap<number, number>,
  versionCodes: ReadonlyMap<number, readonly string[]>,
  failed: ReadonlyMap<string, number>,
  na: ReadonlyMap<string, number>,
): CriterionFailure[] {
  const evaluated = new Map<string, number>();
  for (const [versionId, count] of versionCounts) {
    for (const code of versionCodes.get(versionId) ?? []) evaluated.set(code, (evaluated.get(code) ?? 0) + count);
  }
  // A failure for a code no known version lists (a definition changed by hand) still shows.
  for (const code of failed.keys()) if (!evaluated.has(code)) evaluated.set(code, 0);
  const out: CriterionFailure[] = [];
  for (const [code, ev] of evaluated) {
    const naCount = na.get(code) ?? 0;
    const failedCount = failed.get(code) ?? 0;
    const applicable = Math.max(failedCount, ev - naCount);
    out.push({ code, evaluated: ev, na: naCount, applicable, failed: failedCount, failShare: applicable > 0 ? failedCount / applicable : null });
  }
  return out.sort((a, b) => b.failed - a.failed || (b.failShare ?? 0) - (a.failShare ?? 0) || a.code.localeCompare(b.code));
}

/** Criterion codes of several rubric versions in one list: the first version's order, then codes the others add. */
export function unionCodes(versions: ReadonlyArray<readonly string[]>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const codes of versions) for (const c of codes) if (!seen.has(c)) (seen.add(c), out.push(c));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Specialists' time per evaluation

/**
 * Seconds from opening to submitting an evaluation counts towards the average only below this:
 * a draft left open overnight says nothing about how long listening and scoring take.
 */
export const MAX_COUNTED_EVALUATION_SECONDS = 4 * 3600;

// ---------------------------------------------------------------------------------------------
// Excel and CSV values

/**
 * An instant as a Date whose UTC fields are Tashkent wall-clock time. ExcelJS writes a Date as
 * its UTC serial number, so the cell then shows the time people in Tashkent saw, whatever the
 * time zone of the server or of the person opening the file.
 */
export function excelTashkentDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return new Date(t + offsetAt(t) * 60000);
}

// The offset is looked up once per UTC hour (offsets only change on hour boundaries): an export of
// 100,000 evaluations would otherwise format 100,000 dates through Intl.
const offsetByHour = new Map<number, number>();
function offsetAt(t: number): number {
  const hour = Math.floor(t / 3600000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    if (offsetByHour.size > 10000) offsetByHour.clear();
    offset = tashkentOffsetMinutes(new Date(hour * 3600000));
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** A calendar day as an Excel date (midnight UTC, shown as the same day everywhere). */
export function excelDay(date: string | null | undefined): Date | null {
  return date ? new Date(`${date}T00:00:00Z`) : null;
}

/** "YYYY-MM-DD HH:MM" in Tashkent, for CSV. */
export function tashkentDateTimeText(iso: string | null | undefined): string {
  const d = excelTashkentDate(iso);
  return d ? d.toISOString().slice(0, 16).replace('T', ' ') : '';
}

// ---------------------------------------------------------------------------------------------
// Review lag (call end → evaluation submitted), from evaluations counted per hour of lag

export interface LagSummary {
  /** evaluations with a lag */
  n: number;
  /** the median lag in hours, to the hour above (hour bins hold lags in (h − 1, h] hours) */
  medianHours: number | null;
  /** share of evaluations submitted within the target (target days × 24 hours) */
  withinTarget: number | null;
  targetDays: number;
}

/**
 * Median and share within target from lags counted per hour (rounded up). The median is the hour
 * in which the middle evaluation falls (the lower middle for an even count); the share within
 * target is exact, since the target is a whole number of hours. Pure.
 */
export function lagSummary(hours: ReadonlyMap<number, number>, targetDays: number): LagSummary {
  const bins = [...hours.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const n = bins.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return { n, medianHours: null, withinTarget: null, targetDays };
  const middle = Math.ceil(n / 2);
  let seen = 0;
  let medianHours = bins[bins.length - 1][0];
  for (const [h, c] of bins) {
    seen += c;
    if (seen >= middle) {
      medianHours = h;
      break;
    }
  }
  const within = bins.filter(([h]) => h <= targetDays * 24).reduce((s, [, c]) => s + c, 0);
  return { n, medianHours, withinTarget: within / n, targetDays };
}
