// Decides who sees what (a supervisor only their teams) and assembles the dashboard's figures from
// the repository's grouped sums with the pure functions in aggregate.ts. Takes collaborators as
// arguments; never sees req/res.
import type { Knex } from 'knex';
import type { Role } from '../../auth/roles';
import { AppError, ForbiddenError, ValidationError, type FieldError } from '../../http/errors';
import type { MeanCI } from '../../stats';
import { MIN_N_FOR_RANKING } from '../../stats';
import type { ErrorCategory } from '../rubrics/rubric.model';
import {
  bandOfMean,
  bucketByWeek,
  criterionFailures,
  distribution,
  lagSummary,
  meanOf,
  periodDays,
  planFulfilment,
  previousPeriod,
  rankGroups,
  scoreGroup,
  type Band,
  type CriterionFailure,
  type LagSummary,
  type Period,
  type ScoreBands,
  type ScoreBinCount,
  type Trend,
  type WeekBucket,
} from './aggregate';
import type { ReportFilters } from './reports.schema';
import * as repo from './reports.repository';
import { daysOf } from '../../time';
import { daySumsOf, mergeDaySums, partsOf, partsOfRow, periodSumsOf, rowsPerPart, summarisable, type DaySums, type PeriodSums, type SampleSums, type TableRows } from './period-sums';
import { PURPOSES, type Purpose, type Sample } from '../evaluations/purpose';

/**
 * Roles that see the dashboard and may export. Monitoring specialists prepare the reports for
 * leadership and analyse the regions (B2.03.4 #2, B3.01.4, B3.02.4 #1); operators do not.
 */
export const REPORT_ROLES: readonly Role[] = ['leadership', 'admin', 'supervisor', 'specialist'];

/** Days within which a call should be reviewed (APCO/NENA ANS 1.107.1): the dashboard's target unless configured. */
export const DEFAULT_REVIEW_TARGET_DAYS = 5;

export interface Viewer {
  id: number;
  role: Role;
}

export interface ResolvedScope {
  scope: repo.ReportScope;
  filters: ReportFilters;
  /** teams the viewer may choose from (a supervisor: their own) */
  teamOptions: repo.NamedRow[];
  regionOptions: repo.RegionRow[];
  categoryOptions: string[];
  /** true for a supervisor: every figure is limited to their teams' operators */
  limitedToOwnTeams: boolean;
}

/**
 * Turns checked filters into the rows a viewer may see. Supervisors are limited to the teams they
 * supervise — every figure, chart and export then covers only those teams' operators (and the
 * plan and workload of work on them). A filter naming something that does not exist is a 400;
 * a supervisor naming another supervisor's team is a 403.
 */
export interface FilterOptions {
  teamOptions: repo.NamedRow[];
  regionOptions: repo.RegionRow[];
  categoryOptions: string[];
  /** the supervisor's teams; null for roles that see every team */
  ownTeamIds: number[] | null;
}

/** What the filter form offers this viewer: a supervisor only their own teams. */
export async function filterOptions(db: Knex, viewer: Viewer): Promise<FilterOptions> {
  if (!REPORT_ROLES.includes(viewer.role)) throw new ForbiddenError();
  const ownTeamIds = viewer.role === 'supervisor' ? await repo.teamIdsSupervisedBy(db, viewer.id) : null;
  const [teamOptions, regionOptions, categoryOptions] = await Promise.all([repo.teams(db, ownTeamIds), repo.regions(db), repo.callCategories(db)]);
  return { teamOptions, regionOptions, categoryOptions, ownTeamIds };
}

export async function resolveScope(db: Knex, viewer: Viewer, filters: ReportFilters): Promise<ResolvedScope> {
  const { teamOptions, regionOptions, categoryOptions, ownTeamIds } = await filterOptions(db, viewer);
  const limitedToOwnTeams = ownTeamIds !== null;
  const errors: FieldError[] = [];
  if (filters.teamId !== null && !teamOptions.some((t) => t.id === filters.teamId)) {
    if (limitedToOwnTeams && (await repo.teams(db, [filters.teamId])).length) throw new ForbiddenError('reports.filters.notYourTeam');
    errors.push({ field: 'team', key: 'reports.filters.unknownValue' });
  }
  if (filters.regionId !== null && !regionOptions.some((r) => r.id === filters.regionId)) errors.push({ field: 'region', key: 'reports.filters.unknownValue' });
  if (filters.category !== null && !categoryOptions.includes(filters.category)) errors.push({ field: 'category', key: 'reports.filters.unknownValue' });
  if (errors.length) throw new ValidationError(errors, 'reports.filters.invalid');

  const teamIds = filters.teamId !== null ? [filters.teamId] : ownTeamIds;
  return {
    scope: { from: filters.from, to: filters.to, teamIds, regionId: filters.regionId, category: filters.category, language: filters.language, sample: filters.sample },
    filters,
    teamOptions,
    regionOptions,
    categoryOptions,
    limitedToOwnTeams,
  };
}

// ---------------------------------------------------------------------------------------------
// The dashboard's figures

export interface OperatorRow {
  id: number;
  code: string;
  name: string;
  teamName: string | null;
  n: number;
  mean: number | null;
  ci: MeanCI | null;
  band: Band | null;
  critical: number;
  errors: number;
  tooFew: boolean;
  previousN: number;
  previousMean: number | null;
  trend: Trend;
  rank: number | null;
}

export interface TeamRow {
  id: number | null;
  name: string;
  n: number;
  mean: number | null;
  ci: MeanCI | null;
  band: Band | null;
  critical: number;
  errors: number;
  tooFew: boolean;
  previousMean: number | null;
  trend: Trend;
  rank: number | null;
}

export interface CriterionRow extends CriterionFailure {
  /** texts in uz/ru/en from the newest rubric version that has the code; null if none does */
  text: Record<'uz' | 'ru' | 'en', string> | null;
  critical: boolean;
  errorCategory: ErrorCategory | null;
}

export interface RegionRow {
  id: number | null;
  code: string | null;
  names: { uz: string; ru: string; en: string } | null;
  calls: number;
  evaluations: number;
  mean: number | null;
  band: Band | null;
}

export interface SpecialistRow {
  userId: number;
  name: string;
  evaluations: number;
  avgSeconds: number | null;
  heardShare: number | null;
  planned: number;
  done: number;
  inProgress: number;
  open: number;
  planShare: number | null;
}

export interface ErrorCategoryRow {
  category: string | null;
  minor: number;
  major: number;
  critical: number;
  total: number;
}

export interface DashboardSummary {
  /** the sample every figure below is taken over */
  sample: Sample;
  evaluations: number;
  scored: number;
  mean: number | null;
  band: Band | null;
  previousMean: number | null;
  previousEvaluations: number;
  criticalFailures: number;
  criticalShare: number | null;
  errors: number;
  planned: number;
  plannedDone: number;
  planShare: number | null;
  unassigned: number;
  operatorsEvaluated: number;
  /** review lag (call end → submitted) over the sample's evaluations */
  lag: LagSummary;
}

/** One purpose's figures over the period, shown beside the chosen sample and never mixed into it. */
export interface SampleRow {
  purpose: Purpose;
  evaluations: number;
  mean: number | null;
  band: Band | null;
  criticalFailures: number;
  /** whether this purpose is (part of) the sample the dashboard shows */
  shown: boolean;
}

export interface Dashboard {
  period: Period & { days: number };
  previous: Period;
  bands: ScoreBands;
  minN: number;
  summary: DashboardSummary;
  weeks: WeekBucket[];
  distribution: ScoreBinCount[];
  criteria: CriterionRow[];
  errorsByCategory: ErrorCategoryRow[];
  specialists: SpecialistRow[];
  regions: RegionRow[];
  operators: OperatorRow[];
  teams: TeamRow[];
  /** every purpose's headline, the chosen sample's marked */
  samples: SampleRow[];
}

function errorsPerCategory(rows: PeriodSums['errorsByCategory']): ErrorCategoryRow[] {
  const out = new Map<string | null, ErrorCategoryRow>();
  for (const r of rows) {
    const row = out.get(r.category) ?? { category: r.category, minor: 0, major: 0, critical: 0, total: 0 };
    if (r.severity === 'minor' || r.severity === 'major' || r.severity === 'critical') row[r.severity] += r.n;
    row.total += r.n;
    out.set(r.category, row);
  }
  return [...out.values()];
}

/** Adds operators' sums up per team (sums, counts and squares add; means do not). */
function sumByTeam(rows: readonly repo.MomentRow[], teamOf: (operatorId: number | null) => number | null): repo.MomentRow[] {
  const out = new Map<number | null, repo.MomentRow>();
  for (const r of rows) {
    const key = teamOf(r.key);
    const t = out.get(key) ?? { key, count: 0, n: 0, sum: 0, sumSq: 0, critical: 0 };
    t.count += r.count;
    t.n += r.n;
    t.sum += r.sum;
    t.sumSq += r.sumSq;
    t.critical += r.critical;
    out.set(key, t);
  }
  return [...out.values()];
}

async function readTableRows(db: Knex, scope: repo.ReportScope): Promise<TableRows> {
  // One after another: SQLite has one writer and few readers; PostgreSQL gains little from parallel small queries.
  return {
    dayBins: await repo.dayBinSums(db, scope),
    opRegion: await repo.operatorRegionMoments(db, scope),
    work: await repo.specialistWork(db, scope),
    flagged: await repo.flaggedAnswerCounts(db, scope),
    errors: await repo.errorCounts(db, scope),
    lags: await repo.lagHours(db, scope),
    assignments: await repo.assignmentCounts(db, scope),
    volumes: await repo.callVolumes(db, scope),
  };
}

/**
 * One day's stored parts — the whole service's, each team's, and each call region's, category's and
 * language's — from one read of the tables grouped by all of them; every purpose kept apart.
 */
export async function computeDayParts(db: Knex, day: string): Promise<Map<string, DaySums>> {
  const [rows, categoryIds] = await Promise.all([
    readTableRows(db, { from: day, to: day, teamIds: null, regionId: null, category: null, language: null, byTeam: true, byPurpose: true, byDims: true }),
    repo.categoryIds(db),
  ]);
  const parts = new Map<string, DaySums>();
  for (const [part, partRows] of rowsPerPart(rows, (r) => partsOfRow(r, categoryIds))) parts.set(part, daySumsOf(partRows));
  // A quiet day still gets its (empty) whole-service part: that is what marks it summed.
  if (!parts.has('all')) parts.set('all', daySumsOf({ dayBins: [], opRegion: [], work: [], flagged: [], errors: [], lags: [], assignments: [], volumes: [] }));
  return parts;
}

/**
 * Sums again, from the tables, the days from `from` to `to` that have no stored sums yet or that a
 * write has marked stale since (see the report_day_summaries migration); returns the days summed.
 */
export async function refreshDaySums(db: Knex, from: string, to: string, clock: () => Date = () => new Date()): Promise<Set<string>> {
  const [present, stale] = await Promise.all([repo.summarisedDays(db, from, to), repo.staleDays(db, from, to)]);
  const out = new Set<string>();
  for (const day of daysOf({ from, to })) {
    if (present.has(day) && !stale.has(day)) continue;
    const parts = await computeDayParts(db, day);
    await repo.saveDaySums(db, day, new Map([...parts].map(([part, sums]) => [part, JSON.stringify(sums)])), stale.get(day) ?? null, clock().toISOString());
    out.add(day);
  }
  return out;
}

/** The stored sums of the given parts for every day from `from` to `to`, brought up to date first. */
export async function freshDaySums(db: Knex, from: string, to: string, parts: readonly string[], clock: () => Date = () => new Date()): Promise<{ day: string; sums: DaySums }[]> {
  await refreshDaySums(db, from, to, clock);
  return (await repo.storedDaySums(db, from, to, parts)).map((r) => ({ day: r.day, sums: JSON.parse(r.sums) as DaySums }));
}

/** A scope's sums and its previous period's operator sums: from the day summaries when the scope allows, else from the tables. */
export async function periodSums(db: Knex, scope: repo.ReportScope, previous: Period, clock?: () => Date): Promise<PeriodSums> {
  if (summarisable(scope)) {
    const parts = partsOf(scope, scope.category !== null ? await repo.categoryIds(db) : undefined);
    const days = await freshDaySums(db, previous.from, scope.to, parts, clock);
    const current = days.filter((d) => d.day >= scope.from);
    const before = days.filter((d) => d.day < scope.from).map((d) => d.sums);
    return mergeDaySums(current, before, scope.sample ?? 'random');
  }
  return tablePeriodSums(db, scope, previous);
}

/** A scope's sums read from the tables, whatever the scope (also what the day summaries are checked against). */
export async function tablePeriodSums(db: Knex, scope: repo.ReportScope, previous: Period): Promise<PeriodSums> {
  const sums = periodSumsOf(await readTableRows(db, scope));
  const headlines = new Map((await repo.purposeHeadlines(db, scope)).map((h) => [h.purpose, h]));
  const samples: SampleSums[] = PURPOSES.map((purpose) => headlines.get(purpose) ?? { purpose, evaluations: 0, scored: 0, sum: 0, critical: 0 });
  return { ...sums, samples, operatorsPrevious: await repo.operatorMoments(db, scope, previous) };
}

/** Everything the dashboard shows for a scope (its sample: the random one unless the scope says). */
export async function buildDashboard(
  db: Knex,
  scope: repo.ReportScope,
  bands: ScoreBands,
  minN = MIN_N_FOR_RANKING,
  clock?: () => Date,
  reviewTargetDays = DEFAULT_REVIEW_TARGET_DAYS,
): Promise<Dashboard> {
  const sample: Sample = scope.sample ?? 'random';
  const previous = previousPeriod(scope);
  const sums = await periodSums(db, scope, previous, clock);
  const { dayBins, assignments, volumes, failed, na, work, operators: opNow, regions: regionNow, operatorsPrevious: opPrev } = sums;

  // Operators of either period or with errors: their names and teams, for every table below.
  const opIds = [...new Set([...opNow, ...opPrev].map((r) => r.key).concat(sums.errorsByOperator.map((r) => r.operatorId)))].filter((k): k is number => k !== null);
  const opInfo = await repo.operators(db, opIds);
  const teamOf = (operatorId: number | null) => (operatorId === null ? null : (opInfo.get(operatorId)?.teamId ?? null));
  const errorsByOperator = new Map(sums.errorsByOperator.map((r) => [r.operatorId, r.n]));
  const errorsByTeam = new Map<number | null, number>();
  for (const r of sums.errorsByOperator) {
    const team = teamOf(r.operatorId);
    errorsByTeam.set(team, (errorsByTeam.get(team) ?? 0) + r.n);
  }
  const teamNow = sumByTeam(opNow, teamOf);
  const prevTotals = sumByTeam(opPrev, teamOf);

  // Headline figures, trend and distribution from the per-day, per-bin sums.
  const byDay = new Map<string, { n: number; sum: number }>();
  const bins = new Map<number, number>();
  let evaluations = 0;
  let scored = 0;
  let sum = 0;
  let critical = 0;
  const versionCounts = new Map<number, number>();
  for (const r of dayBins) {
    versionCounts.set(r.rubricVersionId, (versionCounts.get(r.rubricVersionId) ?? 0) + r.n);
    evaluations += r.n;
    scored += r.scored;
    sum += r.sum;
    critical += r.critical;
    const d = byDay.get(r.date) ?? { n: 0, sum: 0 };
    d.n += r.scored;
    d.sum += r.sum;
    byDay.set(r.date, d);
    if (r.bin !== null) bins.set(r.bin, (bins.get(r.bin) ?? 0) + r.n);
  }
  const weeks = bucketByWeek([...byDay.entries()].map(([date, d]) => ({ date, ...d })), scope);
  const mean = meanOf({ n: scored, sum });
  const prevN = prevTotals.reduce((s, r) => s + r.n, 0);
  const prevMean = meanOf({ n: prevN, sum: prevTotals.reduce((s, r) => s + r.sum, 0) });

  // Operators: current against previous, ranked only with enough evaluations.
  const prevByOp = new Map(opPrev.map((r) => [r.key, r]));
  const operatorsUnranked = opNow
    .filter((r) => r.key !== null)
    .map((r) => {
      const info = opInfo.get(r.key!);
      const prev = prevByOp.get(r.key) ?? { n: 0, sum: 0 };
      const g = scoreGroup(r, prev, bands, minN);
      return { id: r.key!, code: info?.code ?? '', name: info?.name ?? `#${r.key}`, teamName: info?.teamName ?? null, ...g, n: r.n, errors: errorsByOperator.get(r.key) ?? 0 };
    });
  const operators: OperatorRow[] = rankGroups(operatorsUnranked);

  // Teams (operators without a team are grouped as one row with id null).
  const teamPrevById = new Map(prevTotals.map((r) => [r.key, r]));
  const teamNames = new Map((await repo.teams(db)).map((t) => [t.id, t.name]));
  const teams: TeamRow[] = rankGroups(
    teamNow.map((r) => {
      const g = scoreGroup(r, teamPrevById.get(r.key) ?? { n: 0, sum: 0 }, bands, minN);
      return { id: r.key, name: r.key === null ? '' : (teamNames.get(r.key) ?? `#${r.key}`), n: r.n, mean: g.mean, ci: g.ci, band: g.band, critical: g.critical, errors: errorsByTeam.get(r.key) ?? 0, tooFew: g.tooFew, previousMean: g.previousMean, trend: g.trend };
    }),
  );

  // Criteria failing most, with their texts from the newest version that has each code.
  const versions = await repo.rubricVersions(db, [...versionCounts.keys()]);
  const versionCodes = new Map([...versions.values()].map((v) => [v.id, v.criteria.map((c) => c.code)]));
  const newestFirst = [...versions.values()].sort((a, b) => b.id - a.id);
  const criteria: CriterionRow[] = criterionFailures(versionCounts, versionCodes, failed, na).map((c) => {
    const def = newestFirst.map((v) => v.criteria.find((x) => x.code === c.code)).find(Boolean);
    return { ...c, text: def ? def.text : null, critical: def?.critical ?? false, errorCategory: def?.errorCategory ?? null };
  });

  // Specialists: workload and plan fulfilment side by side.
  const plan = planFulfilment(assignments);
  const planBy = new Map(plan.bySpecialist.map((p) => [p.specialistUserId, p]));
  const workBy = new Map(work.map((w) => [w.userId, w]));
  const specialistIds = [...new Set([...workBy.keys(), ...planBy.keys()])];
  const names = await repo.userNames(db, specialistIds);
  const specialists: SpecialistRow[] = specialistIds
    .map((id) => {
      const w = workBy.get(id);
      const p = planBy.get(id);
      return {
        userId: id,
        name: names.get(id) ?? `#${id}`,
        evaluations: w?.evaluations ?? 0,
        avgSeconds: w && w.secondsN > 0 ? w.secondsSum / w.secondsN : null,
        heardShare: w && w.heardN > 0 ? w.heardSum / w.heardN : null,
        planned: p?.planned ?? 0,
        done: p?.done ?? 0,
        inProgress: p?.inProgress ?? 0,
        open: p?.open ?? 0,
        planShare: p?.share ?? null,
      };
    })
    .sort((a, b) => b.evaluations - a.evaluations || b.planned - a.planned || a.name.localeCompare(b.name));

  // Regions: every region (a region with calls but no evaluations is worth seeing), plus "no region".
  const regionList = await repo.regions(db);
  const regionMoments = new Map(regionNow.map((r) => [r.key, r]));
  const regions: RegionRow[] = regionList
    .map((r) => ({ id: r.id as number | null, code: r.code as string | null, names: r.names as RegionRow['names'] }))
    .concat(regionMoments.has(null) || volumes.has(null) ? [{ id: null, code: null, names: null }] : [])
    .map((r) => {
      const m = regionMoments.get(r.id);
      const mMean = m ? meanOf(m) : null;
      return { ...r, calls: volumes.get(r.id) ?? 0, evaluations: m?.count ?? 0, mean: mMean, band: bandOfMean(mMean, bands) };
    });

  const errorRows = errorsPerCategory(sums.errorsByCategory).sort((a, b) => b.total - a.total || String(a.category).localeCompare(String(b.category)));
  return {
    period: { from: scope.from, to: scope.to, days: periodDays(scope) },
    previous,
    bands,
    minN,
    summary: {
      sample,
      evaluations,
      scored,
      mean,
      band: bandOfMean(mean, bands),
      previousMean: prevMean,
      previousEvaluations: prevTotals.reduce((s, r) => s + r.count, 0),
      criticalFailures: critical,
      criticalShare: evaluations > 0 ? critical / evaluations : null,
      errors: errorRows.reduce((s, r) => s + r.total, 0),
      planned: plan.planned,
      plannedDone: plan.done,
      planShare: plan.planned > 0 ? plan.done / plan.planned : null,
      unassigned: plan.unassigned,
      operatorsEvaluated: operators.length,
      lag: lagSummary(sums.lagHours, reviewTargetDays),
    },
    weeks,
    distribution: distribution(bins, bands),
    criteria,
    errorsByCategory: errorRows,
    specialists,
    regions,
    operators,
    teams,
    samples: sums.samples.map((x) => {
      const m = meanOf({ n: x.scored, sum: x.sum });
      return { purpose: x.purpose, evaluations: x.evaluations, mean: m, band: bandOfMean(m, bands), criticalFailures: x.critical, shown: sample === 'all' || sample === x.purpose };
    }),
  };
}

/** Unknown CSV table names are 404s, like any unknown page. */
export class UnknownTableError extends AppError {
  constructor(name: string) {
    super(404, 'reports.export.unknownTable', { name });
  }
}
