// Working time and feedback (B3.01.4): who sees what (a supervisor their teams' operators;
// specialists, administrators and leadership every team; leadership without uploading), the
// figures per operator and shift and over the period, satisfaction with n, and importing a shift
// plan — all or nothing. Collaborators come in as arguments.
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { audit } from '../../audit/audit';
import { ForbiddenError, ValidationError } from '../../http/errors';
import { tashkentClock, tashkentDate, tashkentDayRange, tashkentToday, type Period } from '../../time';
import { teamIdsSupervisedBy, teams, type NamedRow } from '../reports/reports.repository';
import * as repo from './worktime.repository';
import { overlapsStored, parseShiftPlan, type PlanProblem } from './shift-plan';
import { adherence, callsPerHour, occupancy, shiftLocator, totals, workingTime, type ShiftRow, type Totals } from './worktime';

/** Who opens the working-time page. Operators do not. */
export const WORKTIME_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor', 'leadership'];
/** Who imports shift plans (a supervisor for their teams' operators). Leadership reads only. */
export const PLAN_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor'];

export interface Viewer {
  id: number;
  role: Role;
}

export interface Scope {
  /** null: every team */
  teamIds: number[] | null;
  teamOptions: NamedRow[];
  /** a supervisor: limited to their own teams */
  ownTeamsOnly: boolean;
}

/** The teams a viewer sees, narrowed to one team when asked. A supervisor naming another's team is a 403. */
export async function scopeFor(db: Knex, viewer: Viewer, teamId: number | null): Promise<Scope> {
  if (!WORKTIME_ROLES.includes(viewer.role)) throw new ForbiddenError();
  const own = viewer.role === 'supervisor' ? await teamIdsSupervisedBy(db, viewer.id) : null;
  const teamOptions = await teams(db, own);
  if (teamId !== null && !teamOptions.some((t) => t.id === teamId)) {
    if (own && (await teams(db, [teamId])).length) throw new ForbiddenError('worktime.filters.notYourTeam');
    throw new ValidationError([{ field: 'team', key: 'worktime.filters.unknownTeam' }], 'worktime.filters.invalid');
  }
  return { teamIds: teamId !== null ? [teamId] : own, teamOptions, ownTeamsOnly: own !== null };
}

export interface Derived {
  callsPerHour: number | null;
  occupancy: number | null;
  adherence: number | null;
}

export interface ShiftRowView extends ShiftRow, Derived {
  name: string;
  code: string;
  teamName: string | null;
}

export interface OperatorTotalsView extends Totals, Derived {
  operatorId: number;
  name: string;
  code: string;
  teamName: string | null;
  shifts: number;
}

export interface WorkingTimeView {
  rows: ShiftRowView[];
  operators: OperatorTotalsView[];
  summary: Totals & Derived & { operators: number; shifts: number };
  /** any planned shift in the period (else adherence cannot be measured) */
  hasPlans: boolean;
}

function derive(t: Pick<Totals, 'calls' | 'signedInSec' | 'readySec' | 'busySec' | 'plannedSec' | 'workingInPlanSec'>): Derived {
  return { callsPerHour: callsPerHour(t.calls, t.signedInSec), occupancy: occupancy(t), adherence: adherence(t) };
}

/** Per operator and shift over a period of Tashkent days, measured up to `now` at the latest. */
export async function workingTimeOf(db: Knex, shiftDayStart: string, period: Period, teamIds: readonly number[] | null, now: Date): Promise<WorkingTimeView> {
  const from = tashkentDayRange(period.from).startIso;
  const periodEnd = tashkentDayRange(period.to).endIso;
  const to = now.toISOString() < periodEnd ? now.toISOString() : periodEnd;
  const empty: WorkingTimeView = { rows: [], operators: [], summary: { ...totals([]), ...derive(totals([])), operators: 0, shifts: 0 }, hasPlans: false };
  if (to <= from) return empty;
  const [changes, plans, answered, people] = await Promise.all([repo.stateChanges(db, from, to, teamIds), repo.plannedShifts(db, from, to, teamIds), repo.answeredCalls(db, from, to, teamIds), repo.operators(db, teamIds)]);
  const who = new Map(people.map((p) => [p.id, p]));
  const rows = workingTime({ changes, plans, answered, from, to, shiftOf: shiftLocator(shiftDayStart) })
    .filter((r) => who.has(r.operatorId))
    .map((r) => {
      const p = who.get(r.operatorId)!;
      return { ...r, ...derive(r), name: p.name, code: p.code, teamName: p.teamName };
    });
  const byOperator = new Map<number, ShiftRowView[]>();
  for (const r of rows) byOperator.set(r.operatorId, [...(byOperator.get(r.operatorId) ?? []), r]);
  const operators = [...byOperator].map(([operatorId, list]) => {
    const t = totals(list);
    const p = who.get(operatorId)!;
    return { ...t, ...derive(t), operatorId, name: p.name, code: p.code, teamName: p.teamName, shifts: list.length };
  });
  operators.sort((a, b) => a.name.localeCompare(b.name));
  // Newest shift first, then by name.
  rows.sort((a, b) => b.shiftDate.localeCompare(a.shiftDate) || b.shift.localeCompare(a.shift) || a.name.localeCompare(b.name));
  const all = totals(rows);
  return { rows, operators, summary: { ...all, ...derive(all), operators: operators.length, shifts: rows.length }, hasPlans: plans.length > 0 };
}

export interface ScoreRow {
  label: string;
  n: number;
  mean: number;
  low: number;
}

export interface SatisfactionView {
  byOperator: ScoreRow[];
  byRegion: ScoreRow[];
  byCategory: ScoreRow[];
  /** calls scored 1, 2, 3, 4, 5 */
  distribution: number[];
  n: number;
  mean: number | null;
}

/** Satisfaction scores given in a period, by operator, region and category, each with n. */
export async function satisfactionOf(db: Knex, period: Period, teamIds: readonly number[] | null, labels: { none: string; category: (c: string) => string; region: (names: { uz: string; ru: string; en: string }) => string }): Promise<SatisfactionView> {
  const from = tashkentDayRange(period.from).startIso;
  const to = tashkentDayRange(period.to).endIso;
  const [ops, regions, byOp, byRegion, byCategory, distribution] = await Promise.all([
    repo.operators(db, null),
    repo.regionNames(db),
    repo.satisfactionBy(db, 'operator', from, to, teamIds),
    repo.satisfactionBy(db, 'region', from, to, teamIds),
    repo.satisfactionBy(db, 'category', from, to, teamIds),
    repo.scoreDistribution(db, from, to, teamIds),
  ]);
  const opName = new Map(ops.map((o) => [String(o.id), `${o.name} (${o.code})`]));
  const rows = (groups: repo.ScoreGroup[], label: (k: string) => string | undefined) =>
    groups.map((g) => ({ label: (g.key === null ? undefined : label(g.key)) ?? labels.none, n: g.n, mean: Math.round(g.mean * 100) / 100, low: g.low })).sort((a, b) => b.n - a.n || a.label.localeCompare(b.label));
  const n = distribution.reduce((s, x) => s + x, 0);
  return {
    byOperator: rows(byOp, (k) => opName.get(k)),
    byRegion: rows(byRegion, (k) => (regions.has(k) ? labels.region(regions.get(k)!) : undefined)),
    byCategory: rows(byCategory, (k) => labels.category(k)),
    distribution,
    n,
    mean: n ? Math.round((distribution.reduce((s, x, i) => s + x * (i + 1), 0) / n) * 100) / 100 : null,
  };
}

// ---- shift plans ----

/** A plan file with problems: nothing of it was stored. */
export class PlanRefused extends Error {
  constructor(readonly problems: PlanProblem[]) {
    super('shift plan refused');
  }
}

export interface PlanImported {
  shifts: number;
  added: number;
  replaced: number;
  ignoredColumns: string[];
  firstDate: string;
  lastDate: string;
}

const dotted = (iso: string) => iso.split('-').reverse().join('.');
const describeShift = (s: { startsAt: string; endsAt: string }) => `${dotted(tashkentDate(s.startsAt))} ${tashkentClock(s.startsAt)}–${tashkentClock(s.endsAt)}`;

/**
 * Checks a plan file and stores its shifts in one transaction, or throws PlanRefused with every
 * problem (header, rows, overlaps with each other or with stored shifts) and stores nothing.
 */
export async function importShiftPlan(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, file: { bytes: Uint8Array; name: string }, ip?: string): Promise<PlanImported> {
  if (!PLAN_ROLES.includes(viewer.role)) throw new ForbiddenError();
  const { db } = deps;
  const own = viewer.role === 'supervisor' ? new Set(await teamIdsSupervisedBy(db, viewer.id)) : null;
  const operators = new Map((await repo.operatorsForPlan(db)).map((o) => [o.code.toLowerCase(), o]));
  const parsed = parseShiftPlan(file.bytes, { operators, allowedTeamIds: own, today: tashkentToday(deps.clock) });
  if (!parsed.ok) throw new PlanRefused(parsed.problems);
  const { shifts } = parsed;
  const first = shifts.reduce((m, s) => (s.startsAt < m ? s.startsAt : m), shifts[0]!.startsAt);
  const last = shifts.reduce((m, s) => (s.endsAt > m ? s.endsAt : m), shifts[0]!.endsAt);
  return db.transaction(async (trx) => {
    const stored = await repo.storedShifts(trx, [...new Set(shifts.map((s) => s.operatorId))], first, last);
    const clashes = overlapsStored(shifts, stored, describeShift);
    if (clashes.length) throw new PlanRefused(clashes);
    const now = deps.clock().toISOString();
    const saved = await repo.saveShifts(trx, shifts, viewer.id, now);
    const dates = shifts.map((s) => s.shiftDate).sort();
    const result = { shifts: shifts.length, ...saved, ignoredColumns: parsed.ignoredColumns, firstDate: dates[0]!, lastDate: dates[dates.length - 1]! };
    await audit(trx, { userId: viewer.id, action: 'shiftPlan.import', entityType: 'shift_plan', details: { file: file.name, shifts: result.shifts, added: result.added, replaced: result.replaced, from: result.firstDate, to: result.lastDate }, ip }, deps.clock);
    return result;
  });
}
