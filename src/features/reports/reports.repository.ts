// Every SQL the reports run: grouped sums over submitted regular evaluations, their answers, errors,
// plans and calls, for a period and the chosen filters. Rows come back as plain numbers; what they
// mean is decided in aggregate.ts.
import type { Knex } from 'knex';
import { isPostgres, num, parseJson, toBool } from '../../db';
import { flattenCriteria, type FlatCriterion, type RubricDefinition } from '../rubrics/rubric.model';
import { purposesOf, type Purpose, type Sample } from '../evaluations/purpose';
import type { Period } from './aggregate';
import { MAX_COUNTED_EVALUATION_SECONDS } from './aggregate';

/** Which rows a report covers. teamIds null = every team; [] = none (a supervisor without teams). */
export interface ReportScope extends Period {
  teamIds: number[] | null;
  regionId: number | null;
  category: string | null;
  language: string | null;
  /** The sample the figures are taken over (evaluations of that purpose, or all): the random sample unless told. */
  sample?: Sample;
  /** Also group every sum by the operator's team (rows then carry teamId): how the day summaries are read. */
  byTeam?: boolean;
  /** Also group every evaluation sum by its purpose, every purpose read (rows then carry purpose): the day summaries. */
  byPurpose?: boolean;
  /** Also group every sum by the call's region, category and language (rows then carry them): the day summaries' filter parts. */
  byDims?: boolean;
}

/** The part keys of a grouped row: the operator's team (byTeam), the evaluation's purpose (byPurpose), the call's region, category and language (byDims). */
export interface PartKeyed {
  teamId?: number | null;
  purpose?: Purpose;
  dimRegion?: number | null;
  dimCategory?: string | null;
  dimLanguage?: string | null;
}

/**
 * Adds the part keys to a query's columns and groups when the scope asks for them: the team (`o`
 * must be joined) and, for sums over evaluations, the purpose (`v` must be joined).
 */
function groupByPart(q: Knex.QueryBuilder, s: ReportScope, o: { purpose: boolean } = { purpose: true }): Knex.QueryBuilder {
  if (s.byTeam) q.select('o.team_id as team_id').groupBy('o.team_id');
  if (s.byPurpose && o.purpose) q.select('v.purpose as purpose').groupBy('v.purpose');
  // `c` (the call) is joined whenever byDims is set (see needsCall).
  if (s.byDims) q.select('c.region_id as dim_region', 'c.category as dim_category', 'c.language as dim_language').groupBy('c.region_id', 'c.category', 'c.language');
  return q;
}

function partOf(r: Record<string, unknown>, s: ReportScope): PartKeyed {
  const out: PartKeyed = {};
  if (s.byTeam) out.teamId = r.team_id == null ? null : Number(r.team_id);
  if (s.byPurpose && r.purpose != null) out.purpose = r.purpose as Purpose;
  if (s.byDims) {
    out.dimRegion = r.dim_region == null ? null : Number(r.dim_region);
    out.dimCategory = (r.dim_category as string | null) ?? null;
    out.dimLanguage = (r.dim_language as string | null) ?? null;
  }
  return out;
}

/** The purposes a scope's evaluations are limited to (none when read by purpose: every one, grouped). */
function purposeFilter(q: Knex.QueryBuilder, s: ReportScope, column = 'v.purpose'): void {
  if (s.byPurpose) return;
  const purposes = purposesOf(s.sample ?? 'random');
  if (purposes.length === 1) q.where(column, purposes[0]);
  else q.whereIn(column, [...purposes]);
}

/** Joins the operator (as `o`) when a team filter or team grouping needs it. */
function joinOperatorForTeam(q: Knex.QueryBuilder, s: ReportScope, operatorColumn: string): void {
  if (s.teamIds !== null || s.byTeam) q.leftJoin('operators as o', 'o.id', operatorColumn);
  if (s.teamIds !== null) q.whereIn('o.team_id', s.teamIds);
}

function needsCall(s: ReportScope): boolean {
  return s.regionId !== null || s.category !== null || s.language !== null || !!s.byDims;
}

function applyCallFilters(q: Knex.QueryBuilder, s: ReportScope, alias = 'c'): void {
  if (s.regionId !== null) q.where(`${alias}.region_id`, s.regionId);
  if (s.category !== null) q.where(`${alias}.category`, s.category);
  if (s.language !== null) q.where(`${alias}.language`, s.language);
}

/**
 * Submitted evaluations of the period and the scope's purposes (the random sample unless told),
 * joined to their operator (`o`) and call (`c`) only when a filter or the caller needs them: the
 * unfiltered dashboard reads evaluations alone.
 */
function evaluationsIn(db: Knex, s: ReportScope, period: Period = s, opts: { call?: boolean } = {}): Knex.QueryBuilder {
  const q = db('evaluations as v')
    .where('v.status', 'submitted');
  purposeFilter(q, s);
  q.andWhere('v.evaluation_date', '>=', period.from)
    .andWhere('v.evaluation_date', '<=', period.to);
  joinOperatorForTeam(q, s, 'v.operator_id');
  if (opts.call || needsCall(s)) {
    q.join('calls as c', 'c.id', 'v.call_id');
    applyCallFilters(q, s);
  }
  return q;
}

/** The 10-point bin (0..9) of v.score in SQL: SQLite's cast truncates, PostgreSQL's rounds, hence floor there. */
function binSql(db: Knex): string {
  return isPostgres(db) ? 'least(9, floor(v.score / 10))' : 'min(9, cast(v.score / 10 as integer))';
}
const CRITICAL_SQL = 'sum(case when v.critical_failure then 1 else 0 end)';

export interface DayBinRow extends PartKeyed {
  date: string;
  bin: number | null;
  rubricVersionId: number;
  n: number;
  scored: number;
  sum: number;
  critical: number;
}

/**
 * Per Tashkent day, 10-point bin and rubric version: the trend, the distribution, the headline
 * figures and the criteria's denominators in one pass over the covering index.
 */
export async function dayBinSums(db: Knex, s: ReportScope): Promise<DayBinRow[]> {
  const bin = binSql(db);
  const rows = await groupByPart(evaluationsIn(db, s), s)
    .select('v.evaluation_date as date', db.raw(`${bin} as bin`), 'v.rubric_version_id as version_id')
    .count({ n: '*' })
    .count({ scored: 'v.score' })
    .select(db.raw(`sum(${asDouble(db, 'v.score')}) as sum`))
    .select(db.raw(`${CRITICAL_SQL} as critical`))
    .groupBy('v.evaluation_date', db.raw(bin), 'v.rubric_version_id');
  return rows.map((r: Record<string, unknown>) => ({
    date: String(r.date),
    bin: r.bin == null ? null : Number(r.bin),
    rubricVersionId: Number(r.version_id),
    n: num(r.n),
    scored: num(r.scored),
    sum: num(r.sum),
    critical: num(r.critical),
    ...partOf(r, s),
  }));
}

export interface MomentRow {
  key: number | null;
  /** evaluations, scored or not */
  count: number;
  /** evaluations with a score: the n of the mean */
  n: number;
  sum: number;
  sumSq: number;
  critical: number;
}

/**
 * A float column as summed: PostgreSQL stores knex's float as real and sums reals in single
 * precision (seven digits), so sums are taken in double precision there; SQLite's REAL is double.
 */
function asDouble(db: Knex, column: string): string {
  return isPostgres(db) ? `cast(${column} as double precision)` : column;
}

function momentColumns(db: Knex): string[] {
  const score = asDouble(db, 'v.score');
  return ['count(*) as count', 'count(v.score) as n', `sum(${score}) as sum`, `sum(${score} * ${score}) as sum_sq`, `${CRITICAL_SQL} as critical`];
}

function momentRow(r: Record<string, unknown>, key: unknown): MomentRow {
  return { key: key == null ? null : Number(key), count: num(r.count), n: num(r.n), sum: num(r.sum), sumSq: num(r.sum_sq), critical: num(r.critical) };
}

/** Count, sum and sum of squares of scores per operator (for a period: the trend's baseline). */
export async function operatorMoments(db: Knex, s: ReportScope, period: Period = s): Promise<MomentRow[]> {
  const rows = await evaluationsIn(db, s, period).select('v.operator_id as k', ...momentColumns(db).map((c) => db.raw(c))).groupBy('v.operator_id');
  return rows.map((r: Record<string, unknown>) => momentRow(r, r.k));
}

/**
 * The same sums per operator and call region in one pass (the region needs the call joined
 * anyway); the service adds them up per operator, per team and per region.
 */
export async function operatorRegionMoments(db: Knex, s: ReportScope): Promise<(MomentRow & PartKeyed & { regionId: number | null })[]> {
  const rows = await groupByPart(evaluationsIn(db, s, s, { call: true }), s)
    .select('v.operator_id as k', 'c.region_id as region_id', ...momentColumns(db).map((c) => db.raw(c)))
    .groupBy('v.operator_id', 'c.region_id');
  return rows.map((r: Record<string, unknown>) => ({ ...momentRow(r, r.k), regionId: r.region_id == null ? null : Number(r.region_id), ...partOf(r, s) }));
}

/** Per specialist: evaluations, and the sums behind the mean time and mean share heard (sums add up across days). */
export interface SpecialistWorkSums extends PartKeyed {
  userId: number;
  evaluations: number;
  /** seconds from opening to submitting, summed over evaluations that took 0 to 4 hours, and how many those were */
  secondsSum: number;
  secondsN: number;
  /** share of the audio heard (0..1), summed over evaluations that recorded it, and how many those were */
  heardSum: number;
  heardN: number;
}

/** Evaluations, time per evaluation and share of audio heard, per specialist. */
export async function specialistWork(db: Knex, s: ReportScope): Promise<SpecialistWorkSums[]> {
  // Instants are ISO strings on both databases; the arithmetic on them is the one thing that differs.
  const pg = isPostgres(db);
  const seconds = pg
    ? 'extract(epoch from (cast(v.submitted_at as timestamptz) - cast(v.started_at as timestamptz)))'
    : '((julianday(v.submitted_at) - julianday(v.started_at)) * 86400.0)';
  // Out-of-range durations are clamped to -1 or cap+1 and those two values then turned into null:
  // the duration is computed once per row (date parsing is the costly part of this query).
  const cap = MAX_COUNTED_EVALUATION_SECONDS;
  const clamp = pg ? `least(greatest(${seconds}, -1), ${cap + 1})` : `min(max(${seconds}, -1), ${cap + 1})`;
  const counted = `nullif(nullif(${clamp}, -1), ${cap + 1})`;
  const rows = await groupByPart(evaluationsIn(db, s), s)
    .select('v.specialist_user_id as user_id')
    .count({ n: '*' })
    .select(db.raw(`sum(${counted}) as seconds_sum`), db.raw(`count(${counted}) as seconds_n`))
    .select(db.raw(`sum(${asDouble(db, 'v.heard_share')}) as heard_sum`))
    .count({ heard_n: 'v.heard_share' })
    .groupBy('v.specialist_user_id');
  return rows.map((r: Record<string, unknown>) => ({
    userId: Number(r.user_id),
    evaluations: num(r.n),
    secondsSum: num(r.seconds_sum),
    secondsN: num(r.seconds_n),
    heardSum: num(r.heard_sum),
    heardN: num(r.heard_n),
    ...partOf(r, s),
  }));
}

/**
 * Failed and N/A answers per criterion code, in one pass over the partial index that holds only
 * such answers (evaluation_answers_flagged_idx): the condition must read exactly as the index's.
 */
export interface FlaggedAnswerRow extends PartKeyed {
  code: string;
  failed: number;
  na: number;
}

export async function flaggedAnswerCounts(db: Knex, s: ReportScope): Promise<FlaggedAnswerRow[]> {
  const rows = await groupByPart(evaluationsIn(db, s), s)
    .join('evaluation_answers as a', 'a.evaluation_id', 'v.id')
    .whereRaw('(a.failed or a.is_na)')
    .select('a.criterion_code as code')
    .select(db.raw('sum(case when a.failed then 1 else 0 end) as failed'))
    .select(db.raw('sum(case when a.is_na then 1 else 0 end) as na'))
    .groupBy('a.criterion_code');
  return (rows as Record<string, unknown>[]).map((r) => ({ code: String(r.code), failed: num(r.failed), na: num(r.na), ...partOf(r, s) }));
}

export interface LagRow extends PartKeyed {
  /** hours of review lag, rounded up: hour h holds lags in (h − 1, h] hours (0: exactly none) */
  hour: number;
  n: number;
}

/** Evaluations per hour of review lag (call end → submission), for the median and the share within target. */
export async function lagHours(db: Knex, s: ReportScope): Promise<LagRow[]> {
  const hour = isPostgres(db) ? 'cast(ceil(v.review_lag_sec / 3600.0) as integer)' : 'cast(((v.review_lag_sec + 3599) / 3600) as integer)';
  const rows = await groupByPart(evaluationsIn(db, s), s)
    .whereNotNull('v.review_lag_sec')
    .select(db.raw(`${hour} as hour`))
    .count({ n: '*' })
    .groupBy(db.raw(hour));
  return rows.map((r: Record<string, unknown>) => ({ hour: Number(r.hour), n: num(r.n), ...partOf(r, s) }));
}

/** Every purpose's headline over a scope's period (the sample's filter aside): what stands beside the chosen sample. */
export async function purposeHeadlines(db: Knex, s: ReportScope): Promise<{ purpose: Purpose; evaluations: number; scored: number; sum: number; critical: number }[]> {
  const rows = await evaluationsIn(db, { ...s, byPurpose: true, byTeam: false })
    .select('v.purpose')
    .count({ n: '*' })
    .count({ scored: 'v.score' })
    .select(db.raw(`sum(${asDouble(db, 'v.score')}) as sum`))
    .select(db.raw(`${CRITICAL_SQL} as critical`))
    .groupBy('v.purpose');
  return rows.map((r: Record<string, unknown>) => ({ purpose: r.purpose as Purpose, evaluations: num(r.n), scored: num(r.scored), sum: num(r.sum), critical: num(r.critical) }));
}

export interface RubricVersionInfo {
  id: number;
  versionNo: number;
  rubricName: string;
  criteria: FlatCriterion[];
}

/** Rubric versions with their criteria in display order. A definition that no longer parses yields no criteria. */
export async function rubricVersions(db: Knex, ids: readonly number[]): Promise<Map<number, RubricVersionInfo>> {
  if (!ids.length) return new Map();
  const rows = await db('rubric_versions as rv').join('rubrics as r', 'r.id', 'rv.rubric_id').whereIn('rv.id', [...ids]).select('rv.id', 'rv.version_no', 'rv.definition', 'r.name');
  const out = new Map<number, RubricVersionInfo>();
  for (const r of rows) {
    const def = parseJson<RubricDefinition | null>(r.definition, null);
    let criteria: FlatCriterion[] = [];
    try {
      criteria = def && Array.isArray(def.sections) ? flattenCriteria(def) : [];
    } catch {
      criteria = [];
    }
    out.set(Number(r.id), { id: Number(r.id), versionNo: Number(r.version_no), rubricName: String(r.name), criteria });
  }
  return out;
}

export interface ErrorCountRow extends PartKeyed {
  category: string | null;
  operatorId: number | null;
  severity: string;
  n: number;
}

/** Errors of the period that still hold (not voided), per category, operator and severity, of the sample's evaluations. */
export async function errorCounts(db: Knex, s: ReportScope): Promise<ErrorCountRow[]> {
  const q = db('errors as e').join('evaluations as v', 'v.id', 'e.evaluation_id').whereNull('e.voided_at').andWhere('e.error_date', '>=', s.from).andWhere('e.error_date', '<=', s.to);
  purposeFilter(q, s);
  joinOperatorForTeam(q, s, 'e.operator_id');
  if (needsCall(s)) {
    q.join('calls as c', 'c.id', 'e.call_id');
    applyCallFilters(q, s);
  }
  const rows = await groupByPart(q, s).select('e.category', 'e.operator_id', 'e.severity').count({ n: '*' }).groupBy('e.category', 'e.operator_id', 'e.severity');
  return rows.map((r: Record<string, unknown>) => ({
    category: (r.category as string | null) ?? null,
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    severity: String(r.severity),
    n: num(r.n),
    ...partOf(r, s),
  }));
}

export interface AssignmentRow extends PartKeyed {
  specialistUserId: number | null;
  status: string;
  n: number;
}

/** Assignments of the period's active plans per specialist and status. */
export async function assignmentCounts(db: Knex, s: ReportScope): Promise<AssignmentRow[]> {
  const q = db('assignments as a').join('plans as p', 'p.id', 'a.plan_id').where('p.status', 'active').andWhere('p.plan_date', '>=', s.from).andWhere('p.plan_date', '<=', s.to);
  joinOperatorForTeam(q, s, 'a.operator_id');
  if (needsCall(s)) {
    q.join('calls as c', 'c.id', 'a.call_id');
    applyCallFilters(q, s);
  }
  const rows = await groupByPart(q, s, { purpose: false }).select('a.specialist_user_id as sid', 'a.status').count({ n: '*' }).groupBy('a.specialist_user_id', 'a.status');
  return rows.map((r: Record<string, unknown>) => ({ specialistUserId: r.sid == null ? null : Number(r.sid), status: String(r.status), n: num(r.n), ...partOf(r, s) }));
}

export interface CallVolumeRow extends PartKeyed {
  regionId: number | null;
  n: number;
}

/** Calls received in the period per region (the volume beside each region's scores). */
export async function callVolumes(db: Knex, s: ReportScope): Promise<CallVolumeRow[]> {
  const q = db('calls as c').whereNull('c.deleted_at').andWhere('c.call_date', '>=', s.from).andWhere('c.call_date', '<=', s.to);
  joinOperatorForTeam(q, s, 'c.operator_id');
  applyCallFilters(q, s);
  const rows = await groupByPart(q, s, { purpose: false }).select('c.region_id as k').count({ n: '*' }).groupBy('c.region_id');
  return rows.map((r: Record<string, unknown>) => ({ regionId: r.k == null ? null : Number(r.k), n: num(r.n), ...partOf(r, s) }));
}

// ---- names and filter options ----

export interface NamedRow {
  id: number;
  name: string;
}

export async function teams(db: Knex, ids?: readonly number[] | null): Promise<NamedRow[]> {
  const q = db('teams').select('id', 'name').orderBy('name');
  if (ids) q.whereIn('id', [...ids]);
  return (await q).map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

export async function teamIdsSupervisedBy(db: Knex, userId: number): Promise<number[]> {
  return (await db('teams').where('supervisor_user_id', userId).select('id')).map((r) => Number(r.id));
}

export interface RegionRow {
  id: number;
  code: string;
  names: { uz: string; ru: string; en: string };
}

export async function regions(db: Knex): Promise<RegionRow[]> {
  const rows = await db('regions').select('id', 'code', 'name_uz', 'name_ru', 'name_en').orderBy('id');
  return rows.map((r) => ({ id: Number(r.id), code: String(r.code), names: { uz: r.name_uz, ru: r.name_ru, en: r.name_en } }));
}

/** Incident categories calls have been filed under (kept by triggers on calls: no scan of the calls table). */
export async function callCategories(db: Knex): Promise<string[]> {
  const rows = await db('report_call_categories').select('category').orderBy('category');
  return rows.map((r) => String(r.category)).filter(Boolean);
}

/** Category → its id in report_call_categories (the stored day parts name categories by id). */
export async function categoryIds(db: Knex): Promise<Map<string, number>> {
  const rows = await db('report_call_categories').select('id', 'category');
  return new Map(rows.map((r) => [String(r.category), Number(r.id)]));
}

export async function userNames(db: Knex, ids: readonly number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db('users').whereIn('id', [...ids]).select('id', 'display_name');
  return new Map(rows.map((r) => [Number(r.id), String(r.display_name)]));
}

export interface OperatorInfo {
  id: number;
  code: string;
  name: string;
  teamId: number | null;
  teamName: string | null;
}

export async function operators(db: Knex, ids: readonly number[]): Promise<Map<number, OperatorInfo>> {
  const out = new Map<number, OperatorInfo>();
  // In chunks: a national service has hundreds of operators, and bound parameters are limited.
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db('operators as o')
      .leftJoin('teams as t', 't.id', 'o.team_id')
      .whereIn('o.id', ids.slice(i, i + 500))
      .select('o.id', 'o.employee_code', 'o.full_name', 'o.team_id', 't.name as team_name');
    for (const r of rows) out.set(Number(r.id), { id: Number(r.id), code: String(r.employee_code), name: String(r.full_name), teamId: r.team_id == null ? null : Number(r.team_id), teamName: r.team_name ?? null });
  }
  return out;
}

// ---- one row per evaluation, page by page ----

export interface EvaluationExportRow {
  id: number;
  evaluationDate: string;
  startedAt: string;
  submittedAt: string | null;
  score: number | null;
  result: string | null;
  criticalFailure: boolean;
  heardShare: number | null;
  rubricVersionId: number;
  purpose: Purpose;
  operatorCode: string | null;
  operatorName: string | null;
  teamName: string | null;
  specialistName: string | null;
  callExternalId: string;
  callStartedAt: string;
  callerNumber: string | null;
  callCategory: string | null;
  callLanguage: string | null;
  regionId: number | null;
  /** criterion code → answer */
  answers: Map<string, AnswerCell>;
}

/** "CODE=value" pairs of one evaluation's answers, one string per evaluation ("!" marks N/A). */
function answersAggregateSql(db: Knex): string {
  const pair = "criterion_code || '=' || coalesce(cast(value as text), '') || case when is_na then '!' else '' end";
  return isPostgres(db) ? `string_agg(${pair}, ',')` : `group_concat(${pair}, ',')`;
}

/** An answer as the export shows it: the value, 'na' for not applicable, null when unanswered. */
export type AnswerCell = number | 'na' | null;

/**
 * Parses answersAggregateSql's string ("OPEN-1=1,INFO-5=2,HELP-1=!") into code → answer.
 * Codes are [A-Z]+-digits, so "=" and "," cannot occur in them. Written without split() and
 * per-answer objects: an export of 100,000 evaluations parses two million of these.
 */
export function parseAnswerPairs(text: string | null | undefined): Map<string, AnswerCell> {
  const out = new Map<string, AnswerCell>();
  if (!text) return out;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq > start && eq < end) {
      const code = text.slice(start, eq);
      if (text.charCodeAt(end - 1) === 33 /* ! */) out.set(code, 'na');
      else if (eq + 1 === end) out.set(code, null);
      else {
        let value = 0;
        let ok = true;
        for (let i = eq + 1; i < end; i++) {
          const d = text.charCodeAt(i) - 48;
          if (d < 0 || d > 9) ok = false;
          value = value * 10 + d;
        }
        out.set(code, ok ? value : Number(text.slice(eq + 1, end)));
      }
    }
    start = end + 1;
  }
  return out;
}

/**
 * The period's evaluations in id order, `pageSize` at a time, each with its answers. The ids are
 * read first (one small number each, from the covering index) and the rows then fetched page by
 * page by id: a keyset "id > last" query would make SQLite re-sort the period's rows for every
 * page. Each evaluation's answers come as one aggregated string rather than twenty rows, and
 * operator, team and specialist names from small lookups: at 100,000 evaluations that is the
 * difference between seconds and tens of seconds. Memory stays at one page plus the id list.
 * Small pages: the workbook writer waits for the zip between pages, so a page is also how much
 * sheet XML can pile up (at 100,000 evaluations, pages of 100 peaked at ~220 MB RSS against ~290 MB
 * with pages of 1,000, in the same time: `npm run bench:report`).
 */
export const EXPORT_PAGE_SIZE = 100;

export async function* evaluationPages(db: Knex, s: ReportScope, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<EvaluationExportRow[]> {
  const ids: number[] = (await evaluationsIn(db, s).select('v.id').orderBy('v.id')).map((r: Record<string, unknown>) => Number(r.id));
  if (!ids.length) return;
  const [operatorRows, teamRows, userRows] = await Promise.all([
    db('operators').select('id', 'employee_code', 'full_name', 'team_id'),
    db('teams').select('id', 'name'),
    db('users').whereIn('role', ['specialist', 'supervisor', 'admin']).select('id', 'display_name'),
  ]);
  const teamName = new Map(teamRows.map((t) => [Number(t.id), String(t.name)]));
  const operator = new Map(operatorRows.map((o) => [Number(o.id), { code: String(o.employee_code), name: String(o.full_name), team: o.team_id == null ? null : (teamName.get(Number(o.team_id)) ?? null) }]));
  const userName = new Map(userRows.map((u) => [Number(u.id), String(u.display_name)]));
  const answersSql = answersAggregateSql(db);

  for (let i = 0; i < ids.length; i += pageSize) {
    const chunk = ids.slice(i, i + pageSize);
    const [rows, answers] = await Promise.all([
      db('evaluations as v')
        .join('calls as c', 'c.id', 'v.call_id')
        .whereIn('v.id', chunk)
        .orderBy('v.id')
        .select(
          'v.id', 'v.evaluation_date', 'v.started_at', 'v.submitted_at', 'v.score', 'v.result', 'v.critical_failure', 'v.heard_share', 'v.rubric_version_id', 'v.purpose',
          'v.operator_id', 'v.specialist_user_id',
          'c.external_id', 'c.started_at as call_started_at', 'c.caller_number', 'c.category', 'c.language', 'c.region_id',
        ),
      db('evaluation_answers').whereIn('evaluation_id', chunk).select('evaluation_id', db.raw(`${answersSql} as pairs`)).groupBy('evaluation_id'),
    ]);
    const pairsById = new Map(answers.map((a: Record<string, unknown>) => [Number(a.evaluation_id), a.pairs as string | null]));
    yield rows.map((r: Record<string, unknown>): EvaluationExportRow => {
      const op = r.operator_id == null ? undefined : operator.get(Number(r.operator_id));
      return {
        id: Number(r.id),
        evaluationDate: String(r.evaluation_date),
        startedAt: String(r.started_at),
        submittedAt: (r.submitted_at as string | null) ?? null,
        score: r.score == null ? null : Number(r.score),
        result: (r.result as string | null) ?? null,
        criticalFailure: toBool(r.critical_failure),
        heardShare: r.heard_share == null ? null : Number(r.heard_share),
        rubricVersionId: Number(r.rubric_version_id),
        purpose: r.purpose as Purpose,
        operatorCode: op?.code ?? null,
        operatorName: op?.name ?? null,
        teamName: op?.team ?? null,
        specialistName: userName.get(Number(r.specialist_user_id)) ?? null,
        callExternalId: String(r.external_id),
        callStartedAt: String(r.call_started_at),
        callerNumber: (r.caller_number as string | null) ?? null,
        callCategory: (r.category as string | null) ?? null,
        callLanguage: (r.language as string | null) ?? null,
        regionId: r.region_id == null ? null : Number(r.region_id),
        answers: parseAnswerPairs(pairsById.get(Number(r.id))),
      };
    });
  }
}

/** Distinct rubric versions the period's evaluations used, oldest first. */
export async function versionIdsIn(db: Knex, s: ReportScope): Promise<number[]> {
  const rows = await evaluationsIn(db, s).distinct('v.rubric_version_id as id').orderBy('v.rubric_version_id');
  return rows.map((r: Record<string, unknown>) => Number(r.id));
}

// ---- per-day summaries (see period-sums.ts and migration 20261126000100) ----

/** Stored day sums of a period for some parts ('all', 'team:<id>', 'team:none'): rows of day, part and JSON text. */
export async function storedDaySums(db: Knex, from: string, to: string, parts: readonly string[]): Promise<{ day: string; part: string; sums: string }[]> {
  if (!parts.length) return [];
  const rows = await db('report_day_summaries').whereBetween('day', [from, to]).whereIn('part', [...parts]).select('day', 'part', 'sums');
  return rows.map((r) => ({ day: String(r.day), part: String(r.part), sums: String(r.sums) }));
}

/** Days of a period that have stored sums (whether stale or not): every summed day has its 'all' part. */
export async function summarisedDays(db: Knex, from: string, to: string): Promise<Set<string>> {
  return new Set((await db('report_day_summaries').whereBetween('day', [from, to]).andWhere('part', 'all').select('day')).map((r) => String(r.day)));
}

/** Days of a period marked stale by the triggers: day → the mark's token. */
export async function staleDays(db: Knex, from: string, to: string): Promise<Map<string, string>> {
  const rows = await db('report_stale_days').whereBetween('day', [from, to]).select('day', 'token');
  // As text: a bigint token may not fit a JS number exactly, and it is only ever compared back in SQL.
  return new Map(rows.map((r) => [String(r.day), String(r.token)]));
}

/**
 * Replaces a day's stored parts, then clears the day's stale mark if it still has the token seen
 * before the sums were read: a write committed meanwhile re-marked it with a new token, and the day
 * stays stale.
 */
export async function saveDaySums(db: Knex, day: string, parts: ReadonlyMap<string, string>, staleToken: string | null, now: string): Promise<void> {
  // Upserts in a fixed order, not delete-then-insert: two viewers summing the same stale day at once
  // then both succeed (the second waits for the first's rows) instead of colliding on the key.
  const rows = [...parts].sort(([a], [b]) => a.localeCompare(b)).map(([part, sums]) => ({ day, part, sums, computed_at: now }));
  await db.transaction(async (trx) => {
    // In chunks: a service with many teams has many parts, and bound parameters are limited.
    for (let i = 0; i < rows.length; i += 100) await trx('report_day_summaries').insert(rows.slice(i, i + 100)).onConflict(['day', 'part']).merge(['sums', 'computed_at']);
    // A team with no work that day any more (its operators moved) keeps no part.
    await trx('report_day_summaries').where('day', day).whereNotIn('part', rows.map((r) => r.part)).del();
  });
  if (staleToken !== null) await db('report_stale_days').where({ day, token: staleToken }).del();
}
