// The Service page's tables, defined once: the tables under its charts, the CSV downloads and the
// Excel sheets all come from these definitions, so a figure reads the same everywhere. Headers and
// labels are translated here.
import type { Language, Translate } from '../../i18n';
import { excelDay, excelTashkentDate } from '../reports/aggregate';
import type { CellValue, ColumnType, TableColumn } from '../reports/report-tables';
import type { KpiRow, ServiceModel } from './service-model';

/** Every table a CSV can be asked for, in workbook order. */
export const SERVICE_TABLE_SLUGS = [
  'service-summary', 'service-monthly', 'service-trend', 'service-hours', 'service-weekdays', 'service-heatmap', 'service-operators', 'service-teams',
  'service-regions', 'service-categories', 'service-languages', 'service-answer-times', 'service-card-fields', 'service-checks',
] as const;
export type ServiceTableSlug = (typeof SERVICE_TABLE_SLUGS)[number];

export function isServiceTableSlug(v: string): v is ServiceTableSlug {
  return (SERVICE_TABLE_SLUGS as readonly string[]).includes(v);
}

/** A column, with the key the page picks its shorter tables by. */
export interface ServiceColumn extends TableColumn {
  key: string;
}

export interface ServiceTable {
  slug: ServiceTableSlug;
  /** sheet name (≤ 31 characters) */
  title: string;
  columns: ServiceColumn[];
  rows: CellValue[][];
  emptyText: string;
}

export interface ServiceTableContext {
  t: Translate;
  lang: Language;
  /** labels of the chosen filters, for the summary */
  filterLabels: { team: string | null; region: string | null; category: string | null; language: string | null };
  generatedAt: Date;
}

const round = (v: number | null | undefined, digits = 1): number | null => (v == null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function col(t: Translate, key: string, type: ColumnType, width: number, params?: Record<string, unknown>, id = key): ServiceColumn {
  return { key: id, header: t(`service.col.${key}`, params ?? {}), type, width };
}

interface KpiColumnOptions {
  /** the first column's header key */
  label: string;
  labelType?: ColumnType;
  /** the operator's code and team before the figures */
  operator?: boolean;
  /** longest-10 % and review-lag median columns (rows that carry histograms) */
  histograms?: boolean;
}

function kpiColumns(t: Translate, m: ServiceModel, o: KpiColumnOptions): ServiceColumn[] {
  return [
    col(t, o.label, o.labelType ?? 'text', o.label === 'operator' ? 26 : 20),
    ...(o.operator ? [col(t, 'operatorCode', 'text', 12), col(t, 'team', 'text', 20)] : []),
    col(t, 'offered', 'int', 11), col(t, 'answered', 'int', 11), col(t, 'abandoned', 'int', 11), col(t, 'abandonment', 'percent', 12),
    col(t, 'avgAnswer', 'decimal', 12),
    ...m.thresholds.map((sec, i) => col(t, 'within', 'percent', 11, { sec }, `within${i}`)),
    ...(o.histograms ? [col(t, 'longest', 'decimal', 14), col(t, 'longestError', 'decimal', 10)] : []),
    col(t, 'dropped', 'int', 10), col(t, 'callbackEffectiveness', 'percent', 14, { min: m.callbackMinutes }),
    col(t, 'cards', 'int', 10), col(t, 'cardCompleteness', 'percent', 13),
    col(t, 'avgDuration', 'decimal', 12), col(t, 'avgTalk', 'decimal', 12), col(t, 'avgHold', 'decimal', 12), col(t, 'avgSilence', 'decimal', 12), col(t, 'avgTalkOver', 'decimal', 12),
    col(t, 'reviewed', 'int', 10), col(t, 'reviewCoverage', 'percent', 12), col(t, 'reviewedWithin5d', 'percent', 13),
    ...(o.histograms ? [col(t, 'lagMedian', 'decimal', 13)] : []),
    col(t, 'leftOut', 'int', 12),
  ];
}

function kpiCells(r: KpiRow, m: ServiceModel, o: KpiColumnOptions, label: CellValue = r.label): CellValue[] {
  const k = r.kpis;
  // Calls nobody answered belong to no team and no operator: queue figures of a team view, an
  // operator or a team (other than the queue's own row) would read 0 % abandoned, so they stay empty.
  const ownQueue = !m.teamScoped && !o.operator && (o.label !== 'team' || r.key === 'queue');
  const queue = (v: number | null) => (ownQueue ? v : null);
  return [
    label,
    ...(o.operator ? [r.code ?? null, r.teamName ?? null] : []),
    queue(k.offered), k.answered, queue(k.abandoned), queue(k.abandonment),
    round(k.avgAnswerSec),
    ...k.serviceLevels,
    ...(o.histograms ? [round(r.longest?.value), round(r.longest?.maxError, 2)] : []),
    k.dropped, k.callbackEffectiveness,
    k.cardPresent, k.cardCompleteness,
    round(k.avgDurationSec), round(k.avgTalkSec), round(k.avgHoldSec), round(k.avgSilenceSec), round(k.avgTalkOverSec),
    k.reviewed, k.reviewCoverage, k.reviewedWithin5d,
    ...(o.histograms ? [r.lagMedianSec == null ? null : round(r.lagMedianSec / 3600)] : []),
    k.delayBad + k.delayMissing + k.durBad,
  ];
}

function kpiTable(slug: ServiceTableSlug, title: string, rows: readonly KpiRow[], m: ServiceModel, ctx: ServiceTableContext, o: KpiColumnOptions, label?: (r: KpiRow) => CellValue): ServiceTable {
  return { slug, title, columns: kpiColumns(ctx.t, m, o), rows: rows.map((r) => kpiCells(r, m, o, label ? label(r) : r.label)), emptyText: ctx.t('service.empty.noCalls') };
}

/** Every table of the page. */
export function serviceTables(m: ServiceModel, ctx: ServiceTableContext): ServiceTable[] {
  const { t } = ctx;
  const s = m.summary.kpis;
  const pct = (v: number | null) => (v === null ? null : `${round(v * 100, 1)}%`);
  const sec = (v: number | null | undefined) => (v == null ? null : `${round(v)} ${t('service.unit.sec')}`);
  const queue = <T>(v: T) => (m.teamScoped ? t('service.teamScoped.short') : v);
  const summaryRows: CellValue[][] = [
    [t('service.summary.period'), t('service.summary.periodValue', { from: m.period.from, to: m.period.to, days: m.period.days })],
    [t('reports.filters.team'), ctx.filterLabels.team ?? t('common.all')],
    [t('reports.filters.region'), ctx.filterLabels.region ?? t('common.all')],
    [t('reports.filters.category'), ctx.filterLabels.category ?? t('common.all')],
    [t('reports.filters.language'), ctx.filterLabels.language ?? t('common.all')],
    [t('service.kpi.offered'), queue(s.offered)],
    [t('service.kpi.answered'), s.answered],
    [t('service.kpi.abandoned'), queue(s.abandoned)],
    [t('service.kpi.abandonment'), queue(pct(s.abandonment))],
    [t('service.kpi.avgAnswer'), sec(s.avgAnswerSec)],
    ...m.thresholds.map((x, i): CellValue[] => [t('service.kpi.within', { sec: x }), pct(s.serviceLevels[i] ?? null)]),
    ...m.targets.map((x): CellValue[] => [t('service.summary.target', { standard: t(`service.standard.${m.standard}`), share: Math.round(x.share * 100), sec: x.sec }), x.index < 0 ? t('service.summary.notCounted') : pct(s.serviceLevels[x.index] ?? null)]),
    [t('service.kpi.longest'), m.summary.longest ? t('service.summary.longestValue', { value: round(m.summary.longest.value), error: round(m.summary.longest.maxError, 2), k: m.summary.longest.k }) : null],
    [t('service.kpi.dropped'), s.dropped],
    [t('service.kpi.callbackEffectiveness', { min: m.callbackMinutes }), pct(s.callbackEffectiveness)],
    [t('service.kpi.cardCompleteness'), pct(s.cardCompleteness)],
    [t('service.kpi.avgTalk'), sec(s.avgTalkSec)],
    [t('service.kpi.avgHold'), sec(s.avgHoldSec)],
    [t('service.kpi.avgSilence'), sec(s.avgSilenceSec)],
    [t('service.kpi.reviewCoverage'), pct(s.reviewCoverage)],
    [t('service.kpi.reviewedWithin5d'), pct(s.reviewedWithin5d)],
    [t('service.kpi.lagMedian'), m.summary.lagMedianSec == null ? null : `${round(m.summary.lagMedianSec / 3600)} ${t('service.unit.hours')}`],
    [t('service.leftOut.answerBad'), s.delayBad],
    [t('service.leftOut.answerMissing'), s.delayMissing],
    [t('service.leftOut.durationBad'), s.durBad],
    [t('service.leftOut.noFacts'), s.noFacts],
    [t('service.summary.generatedAt'), excelTashkentDate(ctx.generatedAt.toISOString())],
  ];
  if (m.empty) summaryRows.unshift([t('service.empty.title'), t('service.empty.noCalls')]);

  const hist = { histograms: true };
  const trendLabel = (r: KpiRow) => (m.granularity === 'day' ? excelDay(r.key) : r.label);
  return [
    { slug: 'service-summary', title: t('service.sheet.summary'), columns: [col(t, 'measure', 'text', 52), col(t, 'value', 'text', 36)], rows: summaryRows, emptyText: t('service.empty.noCalls') },
    kpiTable('service-monthly', t('service.sheet.monthly'), m.months, m, ctx, { label: 'month', ...hist }),
    kpiTable('service-trend', t(m.granularity === 'day' ? 'service.sheet.daily' : 'service.sheet.monthlyTrend'), m.trend, m, ctx, { label: m.granularity === 'day' ? 'day' : 'month', labelType: m.granularity === 'day' ? 'date' : 'text', ...hist }, trendLabel),
    kpiTable('service-hours', t('service.sheet.hours'), m.hours, m, ctx, { label: 'hour' }),
    kpiTable('service-weekdays', t('service.sheet.weekdays'), m.weekdays, m, ctx, { label: 'weekday' }),
    {
      slug: 'service-heatmap',
      title: t('service.sheet.heatmap'),
      columns: [col(t, 'weekday', 'text', 14), ...Array.from({ length: 24 }, (_, h) => ({ key: `h${h}`, header: `${String(h).padStart(2, '0')}`, type: 'decimal' as ColumnType, width: 6 }))],
      rows: m.weekdays.map((w, d) => [w.label, ...m.heatmap.avg[d]!.map((v) => round(v))]),
      emptyText: t('service.empty.noCalls'),
    },
    { ...kpiTable('service-operators', t('service.sheet.operators'), m.operators, m, ctx, { label: 'operator', operator: true }), ...(m.operatorsShown ? {} : { emptyText: t('service.breakdown.operatorsFiltered') }) },
    kpiTable('service-teams', t('service.sheet.teams'), m.teams, m, ctx, { label: 'team' }),
    kpiTable('service-regions', t('service.sheet.regions'), m.regions, m, ctx, { label: 'region' }),
    kpiTable('service-categories', t('service.sheet.categories'), m.categories, m, ctx, { label: 'category' }),
    kpiTable('service-languages', t('service.sheet.languages'), m.languages, m, ctx, { label: 'language' }),
    {
      slug: 'service-answer-times',
      title: t('service.sheet.answerTimes'),
      columns: [col(t, 'answerTime', 'text', 18), col(t, 'calls', 'int', 11), col(t, 'share', 'percent', 10)],
      rows: m.distribution.map((d) => [d.label, d.n, d.share]),
      emptyText: t('service.empty.noCalls'),
    },
    {
      slug: 'service-card-fields',
      title: t('service.sheet.cardFields'),
      columns: [col(t, 'field', 'text', 28), col(t, 'cardsMissing', 'int', 14), col(t, 'shareOfCards', 'percent', 14)],
      rows: m.missingFields.map((f) => [f.label, f.n, f.share]),
      emptyText: t('service.empty.noMissingFields'),
    },
    {
      slug: 'service-checks',
      title: t('service.sheet.checks'),
      columns: [col(t, 'criteria', 'text', 14), col(t, 'check', 'text', 48), col(t, 'pass', 'int', 10), col(t, 'fail', 'int', 10), col(t, 'na', 'int', 8), col(t, 'unknown', 'int', 12), col(t, 'passRate', 'percent', 12)],
      rows: m.checks.map((c) => [c.codes.join(', '), c.label, c.pass, c.fail, c.na, c.unknown, c.passRate]),
      emptyText: t('service.empty.noChecks'),
    },
  ];
}

/** The columns the page shows of a KPI table (the downloads keep them all). */
export const PAGE_KPI_COLUMNS = ['offered', 'answered', 'abandonment', 'avgAnswer', 'within0', 'within1', 'within2', 'within3', 'callbackEffectiveness', 'cardCompleteness', 'reviewCoverage'];
/** Operators answer calls: no offered or abandoned calls of their own. */
const PAGE_OPERATOR_COLUMNS = ['answered', 'avgAnswer', 'within0', 'within1', 'within2', 'within3', 'callbackEffectiveness', 'cardCompleteness', 'avgTalk', 'reviewCoverage', 'leftOut'];
/** The narrow tables side by side. */
const PAGE_NARROW_COLUMNS = ['offered', 'abandonment', 'avgAnswer', 'within1', 'cardCompleteness'];

/** A table with only some of its columns (the first, its label, always kept). */
export function pickColumns(table: ServiceTable, keys: readonly string[], extra: readonly string[] = []): ServiceTable {
  const wanted = new Set([...keys, ...extra]);
  const idx = table.columns.map((c, i) => (i === 0 || wanted.has(c.key) ? i : -1)).filter((i) => i >= 0);
  return { ...table, columns: idx.map((i) => table.columns[i]!), rows: table.rows.map((r) => idx.map((i) => r[i] ?? null)) };
}

/** The table under each chart of the page: the figures it draws, from the full tables. */
export function chartTables(tables: readonly ServiceTable[]): Record<string, ServiceTable> {
  const by = new Map(tables.map((x) => [x.slug, x]));
  const get = (slug: ServiceTableSlug) => by.get(slug)!;
  return {
    volume: pickColumns(get('service-trend'), ['offered', 'answered', 'abandoned', 'abandonment']),
    serviceLevel: pickColumns(get('service-trend'), ['avgAnswer', 'within0', 'within1', 'within2', 'within3']),
    answerTime: pickColumns(get('service-trend'), ['avgAnswer', 'longest', 'longestError']),
    distribution: get('service-answer-times'),
    hours: pickColumns(get('service-hours'), PAGE_KPI_COLUMNS),
    weekdays: pickColumns(get('service-weekdays'), PAGE_KPI_COLUMNS),
    callbacks: pickColumns(get('service-trend'), ['dropped', 'callbackEffectiveness']),
    cardFields: get('service-card-fields'),
    talk: pickColumns(get('service-trend'), ['avgDuration', 'avgTalk', 'avgHold', 'avgSilence', 'avgTalkOver']),
    review: pickColumns(get('service-trend'), ['answered', 'reviewed', 'reviewCoverage', 'reviewedWithin5d', 'lagMedian']),
    checks: get('service-checks'),
    monthly: pickColumns(get('service-monthly'), [...PAGE_KPI_COLUMNS, 'abandoned', 'longest', 'dropped', 'reviewedWithin5d', 'lagMedian']),
    operators: pickColumns(get('service-operators'), PAGE_OPERATOR_COLUMNS, ['operatorCode', 'team']),
    teams: pickColumns(get('service-teams'), PAGE_KPI_COLUMNS),
    regions: pickColumns(get('service-regions'), PAGE_KPI_COLUMNS),
    categories: pickColumns(get('service-categories'), PAGE_NARROW_COLUMNS),
    languages: pickColumns(get('service-languages'), PAGE_NARROW_COLUMNS),
  };
}
