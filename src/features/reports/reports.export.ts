// What an export contains, assembled once for the route, the CSV downloads and the benchmark:
// the small tables from the dashboard's figures and the streamed Evaluations table with one
// column per criterion code of the period's rubric versions.
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import type { Role } from '../../auth/roles';
import { unionCodes, type ScoreBands } from './aggregate';
import { dashboardTables, evaluationsTable, type ReportTable, type StreamedTable, type TableContext } from './report-tables';
import { writeWorkbook } from './report-writers';
import * as repo from './reports.repository';
import { buildDashboard, type ResolvedScope } from './reports.service';
import { liveReportTables } from '../worktime/live-report-tables';

/** What an export needs from the configuration: the score bands and where the day shift starts. */
export interface ExportSettings {
  bands: ScoreBands;
  shiftDayStart: string;
}
import type { Config } from '../../config';
import { serviceSheetsForReport } from '../service';

/** The Evaluations table for a scope; rows are read page by page only when the table is written. */
export async function evaluationsExport(db: Knex, resolved: ResolvedScope, ctx: TableContext, pageSize?: number): Promise<StreamedTable> {
  const versionIds = await repo.versionIdsIn(db, resolved.scope);
  const versions = await repo.rubricVersions(db, versionIds);
  const codes = unionCodes(versionIds.map((id) => versions.get(id)?.criteria.map((c) => c.code) ?? []));
  return evaluationsTable(repo.evaluationPages(db, resolved.scope, pageSize), { ...ctx, codes, versions, regions: resolved.regionOptions });
}

export async function reportTables(db: Knex, resolved: ResolvedScope, ctx: TableContext, settings: ExportSettings): Promise<ReportTable[]> {
  // The live floor's sheets (follow-ups, working time, satisfaction) come after the dashboard's.
  return [...dashboardTables(await buildDashboard(db, resolved.scope, settings.bands, undefined, undefined, ctx.reviewTargetDays), ctx), ...(await liveReportTables(db, resolved, ctx, settings.shiftDayStart))];
}

/**
 * Leadership sees aggregates only (no call-level rows: the Evaluations sheet lists calls with their
 * categories, such as suicide risk). Other roles get every sheet.
 */
export function aggregatesOnly(role: Role): boolean {
  return role === 'leadership';
}

/** Writes the whole workbook for a scope to `out` (a response or a file) and ends it; `aggregatesOnly` leaves out the call-level sheet. */
export async function writeReportWorkbook(db: Knex, resolved: ResolvedScope, ctx: TableContext, out: Writable, opts: ExportSettings & { signal?: AbortSignal; pageSize?: number; aggregatesOnly?: boolean; service?: Pick<Config, 'service'> }) {
  const tables = await reportTables(db, resolved, ctx, opts);
  // The Service KPI sheets (src/features/service) over the same scope, when the caller gives their settings.
  const service = opts.service ? await serviceSheetsForReport(db, opts.service, { ...resolved.scope, filters: resolved.filters }, { t: ctx.t, lang: ctx.lang, clock: () => ctx.generatedAt }) : [];
  const streamed = opts.aggregatesOnly ? null : await evaluationsExport(db, resolved, ctx, opts.pageSize);
  return writeWorkbook(out, [...tables, ...service], streamed, { bands: opts.bands, creator: 'Sifat', signal: opts.signal });
}
