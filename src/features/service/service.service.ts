// Who sees which calls on the Service page, and a period's sums: from the per-day stored parts
// when the scope is one of them (brought up to date first — days not summed yet, marked stale by
// a write, or counted with other thresholds are summed again), else from the tables. Takes its
// collaborators as arguments; never sees req/res.
import type { Knex } from 'knex';
import type { Role } from '../../auth/roles';
import type { Config } from '../../config';
import { ForbiddenError, ValidationError, type FieldError } from '../../http/errors';
import { daysOf, tashkentToday } from '../../time';
import * as reportsRepo from '../reports/reports.repository';
import type { ReportFilters } from '../reports/reports.schema';
import { addDayPart, emptyPeriodSums, partOf, sumDay, sumsSpec, type PeriodSums, type ServiceDaySums, type ServiceSettings } from './day-sums';
import * as repo from './service.repository';
import { partsCache } from './parts-cache';

/** Who may open the Service page: everyone but operators. Leadership sees aggregates only (no call is listed). */
export const SERVICE_ROLES: readonly Role[] = ['specialist', 'supervisor', 'leadership', 'admin'];

export function serviceSettings(config: Pick<Config, 'service'>): ServiceSettings {
  return { answerSeconds: config.service.answerSeconds, callbackMinutes: config.service.callbackMinutes };
}

// ---- keeping the stored sums current ----------------------------------------------------------

/** Sums one day (every part) from its calls and stores it; returns the parts. */
export async function sumAndStoreDay(db: Knex, day: string, s: ServiceSettings, staleToken: string | null, clock: () => Date): Promise<Map<string, ServiceDaySums>> {
  const parts = sumDay(await repo.callsOfDay(db, day), s);
  // An empty day is stored too (its 'all' part), so it is not summed again on every read.
  if (!parts.has('all')) parts.set('all', sumDay([], s).get('all') ?? { t: [], h: [], o: [], r: [], k: [], l: [], a: [], g: [], f: [], c: [] });
  await repo.saveDay(db, day, new Map([...parts].map(([p, sums]) => [p, JSON.stringify(sums)])), sumsSpec(s), staleToken, clock().toISOString());
  return parts;
}

/**
 * How long a busy today may be shown from sums already stored although calls keep arriving: at a
 * national service's pace (a call every 1.4 s) today is always stale, and summing 60,000 calls
 * again on every view would cost every viewer the time of a full day. The background job sums it
 * again every two minutes; the page says when today's figures were counted. Past days marked by a
 * late write are summed again at once.
 */
export const TODAY_GRACE_SECONDS = 120;

export interface RefreshResult {
  /** days summed again now */
  summed: string[];
  /** today, shown from sums counted at this instant though it has changed since (within the grace) */
  todayAsOf: string | null;
}

/**
 * Sums again the days from..to that have no stored sums, were marked stale by a write, or were
 * counted with other thresholds. With `today`, a stale today summed less than TODAY_GRACE_SECONDS
 * ago is left as it is (see above).
 */
export async function refreshServiceDays(db: Knex, from: string, to: string, s: ServiceSettings, clock: () => Date = () => new Date(), o: { today?: string } = {}): Promise<RefreshResult> {
  const [present, stale] = await Promise.all([repo.summarisedDays(db, from, to), repo.staleDays(db, from, to)]);
  const spec = sumsSpec(s);
  const out: RefreshResult = { summed: [], todayAsOf: null };
  for (const day of daysOf({ from, to })) {
    const stored = present.get(day);
    if (stored?.spec === spec && !stale.has(day)) continue;
    if (stored?.spec === spec && day === o.today && clock().getTime() - Date.parse(stored.computedAt) < TODAY_GRACE_SECONDS * 1000) {
      out.todayAsOf = stored.computedAt;
      continue;
    }
    await sumAndStoreDay(db, day, s, stale.get(day) ?? null, clock);
    out.summed.push(day);
  }
  return out;
}

// ---- scope --------------------------------------------------------------------------------------

export interface Viewer {
  id: number;
  role: Role;
}

export interface ServiceScope {
  from: string;
  to: string;
  /** null: every team */
  teamIds: number[] | null;
  regionId: number | null;
  category: string | null;
  language: string | null;
}

export interface ResolvedServiceScope {
  scope: ServiceScope;
  filters: ReportFilters;
  teamOptions: reportsRepo.NamedRow[];
  regionOptions: reportsRepo.RegionRow[];
  categoryOptions: string[];
  /** a supervisor's own teams (null for other roles) */
  ownTeamIds: number[] | null;
  /** figures cover some teams only: calls nobody answered belong to no team, so queue figures are not shown */
  teamScoped: boolean;
  /** a supervisor looking at the whole service */
  wholeService: boolean;
}

/** Categories the stored sums have seen in the period and the last year (no scan of the calls). */
async function categoryOptions(db: Knex, from: string, to: string): Promise<string[]> {
  const names = await repo.partNames(db, 'category:', from, to);
  return names.map((p) => p.slice('category:'.length)).filter((c) => c !== 'none').sort();
}

/**
 * Turns checked filters into what a viewer may see. A supervisor sees their own teams by default
 * and may look at the whole service (the queue — offered and abandoned calls — belongs to no
 * team); naming another supervisor's team is a 403, as on the dashboard. A filter naming something
 * that does not exist is a 400.
 */
export async function resolveServiceScope(db: Knex, viewer: Viewer, filters: ReportFilters, o: { wholeService?: boolean } = {}): Promise<ResolvedServiceScope> {
  if (!SERVICE_ROLES.includes(viewer.role)) throw new ForbiddenError();
  const ownTeamIds = viewer.role === 'supervisor' ? await reportsRepo.teamIdsSupervisedBy(db, viewer.id) : null;
  const wholeService = ownTeamIds !== null && Boolean(o.wholeService);
  const [allTeams, regionOptions, categories] = await Promise.all([reportsRepo.teams(db), reportsRepo.regions(db), categoryOptions(db, filters.from, filters.to)]);
  const teamOptions = ownTeamIds === null ? allTeams : allTeams.filter((t) => ownTeamIds.includes(t.id));
  const errors: FieldError[] = [];
  if (filters.teamId !== null && !teamOptions.some((t) => t.id === filters.teamId)) {
    if (ownTeamIds !== null && allTeams.some((t) => t.id === filters.teamId)) throw new ForbiddenError('reports.filters.notYourTeam');
    errors.push({ field: 'team', key: 'reports.filters.unknownValue' });
  }
  if (filters.regionId !== null && !regionOptions.some((r) => r.id === filters.regionId)) errors.push({ field: 'region', key: 'reports.filters.unknownValue' });
  if (errors.length) throw new ValidationError(errors, 'reports.filters.invalid');
  // A category no stored day has seen has no calls in the period: it is shown as empty, not refused.
  const categoryOptionsList = filters.category && !categories.includes(filters.category) ? [...categories, filters.category].sort() : categories;
  const teamIds = filters.teamId !== null ? [filters.teamId] : wholeService ? null : ownTeamIds;
  return {
    scope: { from: filters.from, to: filters.to, teamIds, regionId: filters.regionId, category: filters.category, language: filters.language },
    filters,
    teamOptions,
    regionOptions,
    categoryOptions: categoryOptionsList,
    ownTeamIds,
    teamScoped: teamIds !== null,
    wholeService,
  };
}

/** The stored parts that make up a scope, or null when the scope needs the tables (two filters combined). */
export function partsFor(scope: ServiceScope): string[] | null {
  const callFilters = [scope.regionId !== null, scope.category !== null, scope.language !== null].filter(Boolean).length;
  if (scope.teamIds !== null) return callFilters ? null : scope.teamIds.map((id) => partOf.team(id));
  if (callFilters > 1) return null;
  if (scope.regionId !== null) return [partOf.region(scope.regionId)];
  if (scope.category !== null) return [partOf.category(scope.category)];
  if (scope.language !== null) return [partOf.language(scope.language)];
  return ['all'];
}

/**
 * A scope's sums: the stored parts of its days, brought up to date first; else read from the
 * tables day by day. `todayAsOf`: today's figures were counted then (a busy today within its grace).
 */
export async function servicePeriodSums(db: Knex, scope: ServiceScope, s: ServiceSettings, clock: () => Date = () => new Date()): Promise<{ sums: PeriodSums; todayAsOf: string | null }> {
  const out = emptyPeriodSums();
  const parts = partsFor(scope);
  if (parts) {
    const refreshed = await refreshServiceDays(db, scope.from, scope.to, s, clock, { today: tashkentToday(clock) });
    // Parsed parts are kept between views (parts-cache.ts); only those summed since are read again.
    const stored = await repo.storedPartRevisions(db, scope.from, scope.to, parts);
    const missing = stored.filter((x) => !partsCache.get(x.day, x.part, x.revision));
    const fresh = new Map<string, ServiceDaySums>();
    for (const row of await repo.partSums(db, [...new Set(missing.map((x) => x.day))], parts)) fresh.set(`${row.day}|${row.part}`, partsCache.set(row.day, row.part, row.revision, row.sums));
    for (const x of stored) {
      const sums = fresh.get(`${x.day}|${x.part}`) ?? partsCache.get(x.day, x.part, x.revision);
      if (sums) addDayPart(out, x.day, sums);
    }
    return { sums: out, todayAsOf: refreshed.todayAsOf };
  }
  for (const day of daysOf(scope)) {
    const calls = await repo.callsOfDay(db, day, scope);
    const all = sumDay(calls, s).get('all');
    if (all) addDayPart(out, day, all);
  }
  return { sums: out, todayAsOf: null };
}
