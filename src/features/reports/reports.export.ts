// What an export contains, assembled once for the route, the CSV downloads and the benchmark:
// the small tables from the dashboard's figures and the streamed Evaluations table with one
// column per criterion code of the period's rubric versions.
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { unionCodes, type ScoreBands } from './aggregate';
import { dashboardTables, evaluationsTable, type ReportTable, type StreamedTable, type TableContext } from './report-tables';
import { writeWorkbook } from './report-writers';
import * as repo from './reports.repository';
import { buildDashboard, type ResolvedScope } from './reports.service';
import type { Config } from '../../config';
import { serviceSheetsForReport } from '../service';

/** The Evaluations table for a scope; rows are read page by page only when the table is written. */
export async function evaluationsExport(db: Knex, resolved: ResolvedScope, ctx: TableContext, pageSize?: number): Promise<StreamedTable> {
  const versionIds = await repo.versionIdsIn(db, resolved.scope);
  const versions = await repo.rubricVersions(db, versionIds);
  const codes = unionCodes(versionIds.map((id) => versions.get(id)?.criteria.map((c) => c.code) ?? []));
  return evaluationsTable(repo.evaluationPages(db, resolved.scope, pageSize), { ...ctx, codes, versions, regions: resolved.regionOptions });
}

export async function reportTables(db: Knex, resolved: ResolvedScope, ctx: TableContext, bands: ScoreBands): Promise<ReportTable[]> {
  return dashboardTables(await buildDashboard(db, resolved.scope, bands), ctx);
}

/** Writes the whole workbook for a scope to `out` (a response or a file) and ends it. */
export async function writeReportWorkbook(db: Knex, resolved: ResolvedScope, ctx: TableContext, out: Writable, opts: { bands: ScoreBands; signal?: AbortSignal; pageSize?: number; service?: Pick<Config, 'service'> }) {
  const tables = await reportTables(db, resolved, ctx, opts.bands);
  // The Service KPI sheets (src/features/service) over the same scope, when the caller gives their settings.
  const service = opts.service ? await serviceSheetsForReport(db, opts.service, { ...resolved.scope, filters: resolved.filters }, { t: ctx.t, lang: ctx.lang, clock: () => ctx.generatedAt }) : [];
  const streamed = await evaluationsExport(db, resolved, ctx, opts.pageSize);
  return writeWorkbook(out, [...tables, ...service], streamed, { bands: opts.bands, creator: 'Sifat', signal: opts.signal });
}
