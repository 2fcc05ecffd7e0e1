// The live floor's sheets in the reports export (and their CSV downloads): follow-ups by service
// and region, working time per operator and shift, satisfaction by operator, region and category.
// Called from src/features/reports/reports.export.ts.
import type { Knex } from 'knex';
import type { ReportTable, TableContext, TableSlug } from '../reports/report-tables';
import type { ResolvedScope } from '../reports/reports.service';
import { followupSheets, type SimpleSheet } from '../followups/followups.report';
import { satisfactionSheets, workingTimeSheet } from './worktime.report';

export const LIVE_TABLE_SLUGS = ['followups_service', 'followups_region', 'working_time', 'satisfaction_operator', 'satisfaction_region', 'satisfaction_category'] as const;

function toTable(slug: TableSlug, s: SimpleSheet, empty: string): ReportTable {
  return {
    slug,
    title: s.title,
    columns: s.header.map((header, i) => ({ header, type: s.rows.some((r) => typeof r[i] === 'number') ? (s.rows.every((r) => Number.isInteger(r[i]) || r[i] === '') ? 'int' : 'decimal') : 'text', width: i === 0 ? 34 : 14 })),
    rows: s.rows.map((r) => r.map((v) => (v === '' ? null : v))),
    emptyText: empty,
  };
}

export async function liveReportTables(db: Knex, resolved: ResolvedScope, ctx: TableContext, shiftDayStart: string): Promise<ReportTable[]> {
  const period = { from: resolved.filters.from, to: resolved.filters.to };
  const [followups, working, satisfaction] = await Promise.all([
    followupSheets(db, period, ctx.t, ctx.lang, ctx.generatedAt),
    workingTimeSheet(db, period, ctx.t, shiftDayStart, resolved.scope.teamIds, ctx.generatedAt),
    satisfactionSheets(db, period, ctx.t, ctx.lang, resolved.scope.teamIds),
  ]);
  const empty = ctx.t('reports.empty.noData');
  const sheets = [...followups, working, ...satisfaction];
  return sheets.map((s, i) => toTable(LIVE_TABLE_SLUGS[i]!, s, empty));
}
