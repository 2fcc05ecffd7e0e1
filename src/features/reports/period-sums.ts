// The grouped sums a dashboard is built from, and their per-day form. Every figure the dashboard
// shows is a sum (counts, sums of scores and of their squares, seconds, shares heard, review lags
// per hour) or is derived from sums, so the sums of a period are the sums of its days added up.
// The whole service's dashboard and a team's (a supervisor's, or a team filter) read them from rows
// stored per day and part — the whole service, and each team — in report_day_summaries, instead of
// scanning every evaluation, answer and error of the period; a region, category or language filter
// reads the tables.
//
// Each stored part keeps the sums of every sample apart: the random sample (a plan's draws) at the
// top level — what operator statistics use by default — and the other purposes (targeted, on
// request, calibration) under `x`, so a dashboard can show them beside the random figures, or
// alone, without ever mixing them by accident. Pure functions: no database here.
import type { Purpose, Sample } from '../evaluations/purpose';
import { PURPOSES, purposesOf } from '../evaluations/purpose';
import type { AssignmentRow, CallVolumeRow, DayBinRow, ErrorCountRow, FlaggedAnswerRow, LagRow, MomentRow, PartKeyed, ReportScope, SpecialistWorkSums } from './reports.repository';

export interface ErrorSeverityCount {
  category: string | null;
  severity: string;
  n: number;
}

export interface OperatorErrorCount {
  operatorId: number | null;
  n: number;
}

/** The headline of one purpose's evaluations: shown beside the chosen sample. */
export interface SampleSums {
  purpose: Purpose;
  evaluations: number;
  scored: number;
  sum: number;
  critical: number;
}

/** A period's sums, whichever way they were read. */
export interface PeriodSums {
  /** per day, 10-point bin and rubric version */
  dayBins: DayBinRow[];
  /** per operator (key = operator id) */
  operators: MomentRow[];
  /** per call region (key = region id) */
  regions: MomentRow[];
  /** per operator over the previous period of the same length (the trend's baseline) */
  operatorsPrevious: MomentRow[];
  work: SpecialistWorkSums[];
  /** failed and N/A answers per criterion code */
  failed: Map<string, number>;
  na: Map<string, number>;
  /** errors that still hold, per category and severity, and per operator */
  errorsByCategory: ErrorSeverityCount[];
  errorsByOperator: OperatorErrorCount[];
  /** review lags: evaluations per hour of lag (hour h = a lag in (h − 1, h] hours) */
  lagHours: Map<number, number>;
  /** assignments of the period's active plans per specialist and status */
  assignments: AssignmentRow[];
  /** calls received per region */
  volumes: Map<number | null, number>;
  /** every purpose's headline over the period (whatever the sample), in PURPOSES order */
  samples: SampleSums[];
}

type Moment6 = [number | null, number, number, number, number, number];

/** The sums of one sample's evaluations on one day, in the compact form stored as JSON. */
export interface EvaluationSums {
  /** [bin, rubric version id, evaluations, scored, sum of scores, critical failures] */
  b: [number | null, number, number, number, number, number][];
  /** per operator: [operator id, count, n, sum, sum of squares, critical] */
  o: Moment6[];
  /** per region: the same */
  r: Moment6[];
  /** [specialist user id, evaluations, seconds sum, seconds n, heard sum, heard n] */
  w: [number, number, number, number, number, number][];
  /** [criterion code, failed, N/A] */
  f: [string, number, number][];
  /** [category, severity, errors] */
  e: [string | null, string, number][];
  /** [operator id, errors] */
  eo: [number | null, number][];
  /** [hour of review lag, evaluations] (absent in sums stored before lags were kept) */
  l?: [number, number][];
}

export type OtherPurpose = Exclude<Purpose, 'random'>;

/** The sums of one day (without the previous period), in the compact form stored as JSON. */
export interface DaySums extends EvaluationSums {
  /** [specialist user id, assignment status, assignments] */
  a: [number | null, string, number][];
  /** [region id, calls] */
  c: [number | null, number][];
  /** the other purposes' evaluation sums; the top-level evaluation sums are the random sample's */
  x?: { [P in OtherPurpose]?: EvaluationSums };
}

/**
 * Whether a scope's sums can come from the per-day summaries: they are kept for the whole service,
 * per team, and per call region, category and language of the whole service. A team scope with a
 * call filter, or two call filters together, read the tables.
 */
export function summarisable(scope: ReportScope): boolean {
  const filters = [scope.regionId, scope.category, scope.language].filter((f) => f !== null).length;
  return scope.teamIds === null ? filters <= 1 : filters === 0;
}

/** The stored part holding a team's sums (operators without a team: 'team:none'). */
export function teamPart(teamId: number | null): string {
  return teamId === null ? 'team:none' : `team:${teamId}`;
}

/** The stored part of the calls of a region ('region:none': calls without one). */
export function regionPart(regionId: number | null): string {
  return regionId === null ? 'region:none' : `region:${regionId}`;
}

/** The stored part of the calls of a category, by its id in report_call_categories ('cat:none': no category). */
export function categoryPart(categoryId: number | null): string {
  return categoryId === null ? 'cat:none' : `cat:${categoryId}`;
}

/** The stored part of the calls in a language ('lang:none': not known). */
export function languagePart(language: string | null): string {
  return language === null ? 'lang:none' : `lang:${language}`;
}

/**
 * The stored parts a summarisable scope adds up: the whole service, its teams, or the one call
 * region, category (named by its id: `categoryIds`) or language it is filtered by. A category with
 * no id has no calls, hence no part.
 */
export function partsOf(scope: ReportScope, categoryIds: ReadonlyMap<string, number> = new Map()): string[] {
  if (scope.teamIds !== null) return scope.teamIds.map(teamPart);
  if (scope.regionId !== null) return [regionPart(scope.regionId)];
  if (scope.category !== null) return categoryIds.has(scope.category) ? [categoryPart(categoryIds.get(scope.category)!)] : [];
  if (scope.language !== null) return [languagePart(scope.language)];
  return ['all'];
}

/** Every stored part a grouped row adds to: its team's, the whole service's, and its call's region, category and language. */
export function partsOfRow(row: PartKeyed, categoryIds: ReadonlyMap<string, number>): string[] {
  const out = [teamPart(row.teamId ?? null), 'all'];
  if (row.dimRegion !== undefined) out.push(regionPart(row.dimRegion));
  if (row.dimCategory !== undefined) {
    const id = row.dimCategory === null ? null : categoryIds.get(row.dimCategory);
    if (id !== undefined) out.push(categoryPart(id));
  }
  if (row.dimLanguage !== undefined) out.push(languagePart(row.dimLanguage));
  return out;
}

const momentTuple = (m: MomentRow): Moment6 => [m.key, m.count, m.n, m.sum, m.sumSq, m.critical];

/** The evaluation sums of one purpose in a stored day (none: undefined). */
function sumsOfPurpose(d: DaySums, purpose: Purpose): EvaluationSums | undefined {
  return purpose === 'random' ? d : d.x?.[purpose];
}

/** One sample's period sums (without the previous period) in their stored per-day form. */
function toEvaluationSums(s: Omit<PeriodSums, 'operatorsPrevious' | 'samples'>): EvaluationSums {
  return {
    b: s.dayBins.map((r) => [r.bin, r.rubricVersionId, r.n, r.scored, r.sum, r.critical]),
    o: s.operators.map(momentTuple),
    r: s.regions.map(momentTuple),
    w: s.work.map((w) => [w.userId, w.evaluations, w.secondsSum, w.secondsN, w.heardSum, w.heardN]),
    f: [...new Set([...s.failed.keys(), ...s.na.keys()])].sort().map((code) => [code, s.failed.get(code) ?? 0, s.na.get(code) ?? 0]),
    e: s.errorsByCategory.map((r) => [r.category, r.severity, r.n]),
    eo: s.errorsByOperator.map((r) => [r.operatorId, r.n]),
    l: [...s.lagHours.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/** One day's sums of the random sample (read from the tables for that day alone) in their stored form. */
export function toDaySums(s: Omit<PeriodSums, 'operatorsPrevious' | 'samples'>): DaySums {
  return { ...toEvaluationSums(s), a: s.assignments.map((r) => [r.specialistUserId, r.status, r.n]), c: [...s.volumes.entries()] };
}

function addMoments(into: Map<number | null, MomentRow>, rows: EvaluationSums['o']): void {
  for (const [key, count, n, sum, sumSq, critical] of rows) {
    const m = into.get(key);
    if (m) {
      m.count += count;
      m.n += n;
      m.sum += sum;
      m.sumSq += sumSq;
      m.critical += critical;
    } else into.set(key, { key, count, n, sum, sumSq, critical });
  }
}

function addTo<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/**
 * Adds days (and parts of a day) up for one sample: the period's sums from its days', and the
 * previous period's operator sums from its days'. Every purpose's headline is added up too, so the
 * figures of the other samples can stand beside the chosen one.
 */
export function mergeDaySums(days: readonly { day: string; sums: DaySums }[], previousDays: readonly DaySums[], sample: Sample = 'random'): PeriodSums {
  const purposes = purposesOf(sample);
  const operators = new Map<number | null, MomentRow>();
  const regions = new Map<number | null, MomentRow>();
  const previous = new Map<number | null, MomentRow>();
  const work = new Map<number, SpecialistWorkSums>();
  const failed = new Map<string, number>();
  const na = new Map<string, number>();
  const errorsByCategory = new Map<string, ErrorSeverityCount>();
  const errorsByOperator = new Map<number | null, number>();
  const lagHours = new Map<number, number>();
  const assignments = new Map<string, AssignmentRow>();
  const volumes = new Map<number | null, number>();
  const samples = new Map<Purpose, SampleSums>(PURPOSES.map((purpose) => [purpose, { purpose, evaluations: 0, scored: 0, sum: 0, critical: 0 }]));

  const bins = new Map<string, DayBinRow>();
  for (const { day, sums: daySums } of days) {
    for (const purpose of PURPOSES) {
      const own = sumsOfPurpose(daySums, purpose);
      if (!own) continue;
      const headline = samples.get(purpose)!;
      for (const [, , n, scored, sum, critical] of own.b) {
        headline.evaluations += n;
        headline.scored += scored;
        headline.sum += sum;
        headline.critical += critical;
      }
    }
    for (const purpose of purposes) {
      const sums = sumsOfPurpose(daySums, purpose);
      if (!sums) continue;
      for (const [bin, rubricVersionId, n, scored, sum, critical] of sums.b) {
        const key = `${day}|${bin}|${rubricVersionId}`;
        const row = bins.get(key);
        if (row) {
          row.n += n;
          row.scored += scored;
          row.sum += sum;
          row.critical += critical;
        } else bins.set(key, { date: day, bin, rubricVersionId, n, scored, sum, critical });
      }
      addMoments(operators, sums.o);
      addMoments(regions, sums.r);
      for (const [userId, evaluations, secondsSum, secondsN, heardSum, heardN] of sums.w) {
        const w = work.get(userId);
        if (w) {
          w.evaluations += evaluations;
          w.secondsSum += secondsSum;
          w.secondsN += secondsN;
          w.heardSum += heardSum;
          w.heardN += heardN;
        } else work.set(userId, { userId, evaluations, secondsSum, secondsN, heardSum, heardN });
      }
      for (const [code, f, n] of sums.f) {
        if (f) addTo(failed, code, f);
        if (n) addTo(na, code, n);
      }
      for (const [category, severity, n] of sums.e) {
        const key = `${category ?? ''}\u0000${severity}`;
        const row = errorsByCategory.get(key);
        if (row) row.n += n;
        else errorsByCategory.set(key, { category, severity, n });
      }
      for (const [operatorId, n] of sums.eo) addTo(errorsByOperator, operatorId, n);
      for (const [hour, n] of sums.l ?? []) addTo(lagHours, hour, n);
    }
    for (const [specialistUserId, status, n] of daySums.a) {
      const key = `${specialistUserId ?? ''}\u0000${status}`;
      const row = assignments.get(key);
      if (row) row.n += n;
      else assignments.set(key, { specialistUserId, status, n });
    }
    for (const [regionId, n] of daySums.c) addTo(volumes, regionId, n);
  }
  for (const sums of previousDays) for (const purpose of purposes) addMoments(previous, sumsOfPurpose(sums, purpose)?.o ?? []);

  return {
    dayBins: [...bins.values()],
    operators: [...operators.values()],
    regions: [...regions.values()],
    operatorsPrevious: [...previous.values()],
    work: [...work.values()],
    failed,
    na,
    errorsByCategory: [...errorsByCategory.values()],
    errorsByOperator: [...errorsByOperator.entries()].map(([operatorId, n]) => ({ operatorId, n })),
    lagHours,
    assignments: [...assignments.values()],
    volumes,
    samples: [...samples.values()],
  };
}

/** Adds up the rows of one array that share a key (the first `keyLength` entries), summing the rest. */
function addUpRows<T extends unknown[]>(rows: readonly T[], keyLength: number): T[] {
  const out = new Map<string, T>();
  for (const r of rows) {
    const key = keyLength === 1 ? String(r[0]) : JSON.stringify(r.slice(0, keyLength));
    const have = out.get(key);
    if (!have) out.set(key, [...r] as T);
    else for (let i = keyLength; i < r.length; i++) (have[i] as number) += r[i] as number;
  }
  return [...out.values()];
}

function addUpEvaluationSums(e: EvaluationSums): EvaluationSums {
  return {
    b: addUpRows(e.b, 2), o: addUpRows(e.o, 1), r: addUpRows(e.r, 1), w: addUpRows(e.w, 1),
    f: addUpRows(e.f, 1).sort((a, b) => a[0].localeCompare(b[0])), e: addUpRows(e.e, 2), eo: addUpRows(e.eo, 1),
    l: addUpRows(e.l ?? [], 1).sort((a, b) => a[0] - b[0]),
  };
}

/** One day's sums with the rows that share a key added up (rows read in finer groups, say by call region, come apart). */
export function addUpDaySums(d: DaySums): DaySums {
  const out: DaySums = { ...addUpEvaluationSums(d), a: addUpRows(d.a, 2), c: addUpRows(d.c, 1) };
  for (const purpose of PURPOSES) {
    if (purpose === 'random') continue;
    const own = d.x?.[purpose];
    if (own) (out.x ??= {})[purpose] = addUpEvaluationSums(own);
  }
  return out;
}

/** The grouped rows behind a scope's sums, as the repository returns them (with part keys when read by part). */
export interface TableRows {
  dayBins: DayBinRow[];
  /** per operator and call region */
  opRegion: (MomentRow & PartKeyed & { regionId: number | null })[];
  work: SpecialistWorkSums[];
  flagged: FlaggedAnswerRow[];
  errors: ErrorCountRow[];
  lags: LagRow[];
  assignments: AssignmentRow[];
  volumes: CallVolumeRow[];
}

function emptyRows(): TableRows {
  return { dayBins: [], opRegion: [], work: [], flagged: [], errors: [], lags: [], assignments: [], volumes: [] };
}

/** Splits rows read by part into one set of rows per stored part (a row goes to each of its parts). */
export function rowsPerPart(rows: TableRows, partsOf: (row: PartKeyed) => string[]): Map<string, TableRows> {
  const out = new Map<string, TableRows>();
  for (const k of Object.keys(rows) as (keyof TableRows)[]) {
    for (const r of rows[k]) {
      for (const key of partsOf(r)) {
        let part = out.get(key);
        if (!part) out.set(key, (part = emptyRows()));
        (part[k] as PartKeyed[]).push(r);
      }
    }
  }
  return out;
}

/** Evaluation rows of one purpose (rows read without purposes belong to the sample they were read for, kept at the top level). */
function evaluationSumsOf(rows: TableRows, purpose: Purpose): EvaluationSums {
  const of = <T extends PartKeyed>(xs: readonly T[]) => xs.filter((r) => (r.purpose ?? 'random') === purpose);
  const opRegion = of(rows.opRegion);
  const errors = of(rows.errors);
  return {
    b: of(rows.dayBins).map((r) => [r.bin, r.rubricVersionId, r.n, r.scored, r.sum, r.critical]),
    o: opRegion.map((m) => momentTuple(m)),
    r: opRegion.map((m) => [m.regionId, m.count, m.n, m.sum, m.sumSq, m.critical]),
    w: of(rows.work).map((w) => [w.userId, w.evaluations, w.secondsSum, w.secondsN, w.heardSum, w.heardN]),
    f: of(rows.flagged).map((r) => [r.code, r.failed, r.na]),
    e: errors.map((r) => [r.category, r.severity, r.n]),
    eo: errors.map((r) => [r.operatorId, r.n]),
    l: of(rows.lags).map((r) => [r.hour, r.n]),
  };
}

/**
 * Rows as one day's sums, not yet added up (a key may repeat: mergeDaySums adds them). The bins
 * lose their date, so this is for one day's rows, or for rows whose bins are taken as they are.
 */
function rowsAsDaySums(rows: TableRows): DaySums {
  const out: DaySums = {
    ...evaluationSumsOf(rows, 'random'),
    a: rows.assignments.map((r) => [r.specialistUserId, r.status, r.n]),
    c: rows.volumes.map((r) => [r.regionId, r.n]),
  };
  for (const purpose of PURPOSES) {
    if (purpose === 'random') continue;
    const own = evaluationSumsOf(rows, purpose);
    if (own.b.length || own.e.length) (out.x ??= {})[purpose] = own;
  }
  return out;
}

/** One day's rows (of one stored part) as that day's stored sums. */
export function daySumsOf(rows: TableRows): DaySums {
  return addUpDaySums(rowsAsDaySums(rows));
}

/** A period's rows, read from the tables for any scope (already limited to its sample), as its sums (the dated bins kept as read). */
export function periodSumsOf(rows: TableRows): Omit<PeriodSums, 'operatorsPrevious' | 'samples'> {
  const { operatorsPrevious: _none, samples: _samples, ...sums } = mergeDaySums([{ day: '', sums: rowsAsDaySums({ ...rows, dayBins: [] }) }], []);
  return { ...sums, dayBins: rows.dayBins.map(({ date, bin, rubricVersionId, n, scored, sum, critical }) => ({ date, bin, rubricVersionId, n, scored, sum, critical })) };
}
