// The report's tables, defined once: the Excel sheets, the CSV downloads and the tables under the
// dashboard's charts all come from these definitions, so a figure reads the same everywhere.
// Headers and labels are translated here (the caller passes t and the language).
import { pickLocalized, type Language, type Translate } from '../../i18n';
import { maskAlways } from '../../auth/roles';
import { bandOfMean, excelDay, excelTashkentDate, type ScoreBands } from './aggregate';
import type { Dashboard } from './reports.service';
import type { EvaluationExportRow, RegionRow as RegionInfo, RubricVersionInfo } from './reports.repository';
import type { ReportFilters } from './reports.schema';
import { LIVE_TABLE_SLUGS } from '../worktime/live-report-tables';

export type ColumnType = 'text' | 'int' | 'score' | 'decimal' | 'percent' | 'date' | 'datetime';
export type CellValue = string | number | Date | null;

export interface TableColumn {
  header: string;
  type: ColumnType;
  /** Excel column width in characters */
  width: number;
  /** a score column: coloured by band in Excel */
  band?: boolean;
}

export interface ReportTable {
  slug: TableSlug;
  /** sheet name (≤ 31 characters) and CSV file name stem */
  title: string;
  columns: TableColumn[];
  rows: CellValue[][];
  /** shown when there are no rows */
  emptyText: string;
}

export interface StreamedTable {
  slug: 'evaluations';
  title: string;
  columns: TableColumn[];
  pages: AsyncIterable<CellValue[][]>;
  emptyText: string;
}

/** Every table a CSV can be asked for, in workbook order. */
export const TABLE_SLUGS = ['summary', 'purposes', 'weekly', 'distribution', 'operators', 'teams', 'criteria', 'regions', 'specialists', 'plan', 'errors', 'evaluations', ...LIVE_TABLE_SLUGS] as const;
export type TableSlug = (typeof TABLE_SLUGS)[number];

export function isTableSlug(v: string): v is TableSlug {
  return (TABLE_SLUGS as readonly string[]).includes(v);
}

export interface TableContext {
  t: Translate;
  lang: Language;
  filters: ReportFilters;
  /** labels of the chosen filters, for the summary */
  filterLabels: { team: string | null; region: string | null; category: string | null; language: string | null };
  generatedAt: Date;
  bands: ScoreBands;
  /** days within which a call should be reviewed (the lag figures' target) */
  reviewTargetDays?: number;
}

const round = (v: number | null | undefined, digits: number): number | null => (v == null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function col(t: Translate, key: string, type: ColumnType, width: number, band = false): TableColumn {
  return { header: t(`reports.col.${key}`), type, width, ...(band ? { band } : {}) };
}

function bandLabel(t: Translate, band: string | null): string | null {
  return band ? t(`reports.band.${band}`) : null;
}

function trendLabel(t: Translate, direction: string): string {
  return t(`reports.trend.${direction}`);
}

export function regionName(r: { names: { uz: string; ru: string; en: string } | null } | undefined, lang: Language, t: Translate): string {
  return r?.names ? pickLocalized(r.names, lang) : t('reports.noRegion');
}

export function errorCategoryLabel(t: Translate, category: string | null): string {
  return category ? t(`reports.errorCategory.${category}`, { defaultValue: category }) : t('reports.errorCategory.none');
}

/** The small tables, built from the dashboard's figures. */
export function dashboardTables(d: Dashboard, ctx: TableContext): ReportTable[] {
  const { t, lang } = ctx;
  const s = d.summary;
  const empty = t('reports.empty.noData');
  const yesNo = (b: boolean) => (b ? t('common.yes') : t('common.no'));

  const summaryRows: CellValue[][] = [
    [t('reports.summary.period'), t('reports.summary.periodValue', { from: d.period.from, to: d.period.to, count: d.period.days })],
    [t('reports.filters.team'), ctx.filterLabels.team ?? t('common.all')],
    [t('reports.filters.region'), ctx.filterLabels.region ?? t('common.all')],
    [t('reports.filters.category'), ctx.filterLabels.category ?? t('common.all')],
    [t('reports.filters.language'), ctx.filterLabels.language ?? t('common.all')],
    // Which evaluations every figure of the workbook is taken over (the others are on the next sheet).
    [t('reports.summary.sample'), t(`evaluations.purpose.sample.${s.sample}`)],
    [t('reports.summary.evaluations'), s.evaluations],
    [t('reports.summary.meanScore'), round(s.mean, 1)],
    [t('reports.summary.band'), bandLabel(t, s.band)],
    [t('reports.summary.previousMean', { from: d.previous.from, to: d.previous.to }), round(s.previousMean, 1)],
    [t('reports.summary.criticalFailures'), s.criticalFailures],
    [t('reports.summary.errors'), s.errors],
    [t('reports.summary.planned'), s.planned],
    [t('reports.summary.plannedDone'), s.plannedDone],
    [t('reports.summary.planShare'), s.planShare === null ? null : `${round(s.planShare * 100, 1)}%`],
    [t('reports.summary.unassigned'), s.unassigned],
    [t('reports.summary.operatorsEvaluated'), s.operatorsEvaluated],
    [t('reports.summary.lagMedian'), s.lag.medianHours === null ? null : t('reports.lag.hours', { hours: s.lag.medianHours })],
    [t('reports.summary.lagWithin', { days: s.lag.targetDays }), s.lag.withinTarget === null ? null : `${round(s.lag.withinTarget * 100, 1)}%`],
    [t('reports.summary.bands'), t('reports.summary.bandsValue', { high: ctx.bands.high, compliant: ctx.bands.compliant, partial: ctx.bands.partial })],
    [t('reports.summary.generatedAt'), excelTashkentDate(ctx.generatedAt.toISOString())],
    [t('reports.summary.naLegend'), t('reports.export.naLegend')],
  ];
  if (s.evaluations === 0) summaryRows.unshift([t('reports.empty.title'), t('reports.empty.noData')]);

  return [
    {
      slug: 'summary',
      title: t('reports.sheet.summary'),
      columns: [col(t, 'measure', 'text', 46), col(t, 'value', 'text', 40)],
      rows: summaryRows,
      emptyText: empty,
    },
    {
      slug: 'purposes',
      title: t('reports.sheet.purposes'),
      columns: [col(t, 'purpose', 'text', 34), col(t, 'inFigures', 'text', 16), col(t, 'evaluations', 'int', 13), col(t, 'meanScore', 'score', 12, true), col(t, 'band', 'text', 14), col(t, 'criticalFailures', 'int', 12)],
      rows: d.samples.map((x) => [t(`evaluations.purpose.${x.purpose}`), yesNo(x.shown), x.evaluations, round(x.mean, 1), bandLabel(t, x.band), x.criticalFailures]),
      emptyText: empty,
    },
    {
      slug: 'weekly',
      title: t('reports.sheet.weekly'),
      columns: [col(t, 'weekStart', 'date', 14), col(t, 'from', 'date', 14), col(t, 'to', 'date', 14), col(t, 'evaluations', 'int', 13), col(t, 'meanScore', 'score', 13, true), col(t, 'band', 'text', 14)],
      rows: d.weeks.map((w) => [excelDay(w.weekStart), excelDay(w.from), excelDay(w.to), w.n, round(w.mean, 1), bandLabel(t, bandOfMean(w.mean, ctx.bands))]),
      emptyText: empty,
    },
    {
      slug: 'distribution',
      title: t('reports.sheet.distribution'),
      columns: [col(t, 'scoreRange', 'text', 14), col(t, 'evaluations', 'int', 13), col(t, 'share', 'percent', 10), col(t, 'band', 'text', 14)],
      rows: d.distribution.map((b) => [b.label, b.n, s.scored ? b.n / s.scored : null, bandLabel(t, b.band)]),
      emptyText: empty,
    },
    {
      slug: 'operators',
      title: t('reports.sheet.operators'),
      columns: [
        col(t, 'rank', 'int', 7), col(t, 'operatorCode', 'text', 12), col(t, 'operator', 'text', 26), col(t, 'team', 'text', 22),
        col(t, 'evaluations', 'int', 13), col(t, 'meanScore', 'score', 12, true), col(t, 'ciLow', 'score', 11), col(t, 'ciHigh', 'score', 11),
        col(t, 'band', 'text', 14), col(t, 'criticalFailures', 'int', 12), col(t, 'errors', 'int', 10),
        col(t, 'previousMean', 'score', 13), col(t, 'change', 'decimal', 10), col(t, 'trend', 'text', 14), col(t, 'note', 'text', 34),
      ],
      rows: d.operators.map((o) => [
        o.rank, o.code, o.name, o.teamName, o.n, round(o.mean, 1), round(o.ci?.low, 1), round(o.ci?.high, 1), bandLabel(t, o.band), o.critical, o.errors,
        round(o.previousMean, 1), round(o.trend.delta, 1), trendLabel(t, o.trend.direction), o.tooFew ? t('reports.operators.tooFew', { min: d.minN }) : null,
      ]),
      emptyText: empty,
    },
    {
      slug: 'teams',
      title: t('reports.sheet.teams'),
      columns: [
        col(t, 'rank', 'int', 7), col(t, 'team', 'text', 26), col(t, 'evaluations', 'int', 13), col(t, 'meanScore', 'score', 12, true), col(t, 'ciLow', 'score', 11), col(t, 'ciHigh', 'score', 11),
        col(t, 'band', 'text', 14), col(t, 'criticalFailures', 'int', 12), col(t, 'errors', 'int', 10), col(t, 'previousMean', 'score', 13), col(t, 'change', 'decimal', 10), col(t, 'trend', 'text', 14),
      ],
      rows: d.teams.map((r) => [r.rank, r.id === null ? t('reports.noTeam') : r.name, r.n, round(r.mean, 1), round(r.ci?.low, 1), round(r.ci?.high, 1), bandLabel(t, r.band), r.critical, r.errors, round(r.previousMean, 1), round(r.trend.delta, 1), trendLabel(t, r.trend.direction)]),
      emptyText: empty,
    },
    {
      slug: 'criteria',
      title: t('reports.sheet.criteria'),
      columns: [
        col(t, 'criterionCode', 'text', 11), col(t, 'criterion', 'text', 60), col(t, 'criticalCriterion', 'text', 11), col(t, 'errorCategory', 'text', 18),
        col(t, 'evaluated', 'int', 12), col(t, 'na', 'int', 8), col(t, 'applicable', 'int', 12), col(t, 'failed', 'int', 11), col(t, 'failShare', 'percent', 12),
      ],
      rows: d.criteria.map((c) => [c.code, c.text ? pickLocalized(c.text, lang) : null, yesNo(c.critical), c.errorCategory ? errorCategoryLabel(t, c.errorCategory) : null, c.evaluated, c.na, c.applicable, c.failed, c.failShare]),
      emptyText: empty,
    },
    {
      slug: 'regions',
      title: t('reports.sheet.regions'),
      columns: [col(t, 'region', 'text', 30), col(t, 'calls', 'int', 12), col(t, 'evaluations', 'int', 13), col(t, 'meanScore', 'score', 12, true), col(t, 'band', 'text', 14)],
      rows: d.regions.map((r) => [regionName(r, lang, t), r.calls, r.evaluations, round(r.mean, 1), bandLabel(t, r.band)]),
      emptyText: empty,
    },
    {
      slug: 'specialists',
      title: t('reports.sheet.specialists'),
      columns: [col(t, 'specialist', 'text', 26), col(t, 'evaluations', 'int', 13), col(t, 'avgMinutes', 'decimal', 16), col(t, 'heardShare', 'percent', 14)],
      rows: d.specialists.map((p) => [p.name, p.evaluations, p.avgSeconds === null ? null : round(p.avgSeconds / 60, 1), p.heardShare]),
      emptyText: empty,
    },
    {
      slug: 'plan',
      title: t('reports.sheet.plan'),
      columns: [col(t, 'specialist', 'text', 26), col(t, 'planned', 'int', 12), col(t, 'done', 'int', 12), col(t, 'inProgress', 'int', 12), col(t, 'notStarted', 'int', 13), col(t, 'fulfilment', 'percent', 13)],
      rows: [
        ...d.specialists.filter((p) => p.planned > 0).map((p) => [p.name, p.planned, p.done, p.inProgress, p.open, p.planShare] as CellValue[]),
        ...(d.summary.unassigned ? [[t('reports.plan.unassigned'), d.summary.unassigned, null, null, null, null] as CellValue[]] : []),
      ],
      emptyText: t('reports.empty.noPlan'),
    },
    {
      slug: 'errors',
      title: t('reports.sheet.errors'),
      columns: [col(t, 'errorCategory', 'text', 24), col(t, 'minor', 'int', 11), col(t, 'major', 'int', 11), col(t, 'critical', 'int', 11), col(t, 'total', 'int', 11)],
      rows: d.errorsByCategory.map((e) => [errorCategoryLabel(t, e.category), e.minor, e.major, e.critical, e.total]),
      emptyText: t('reports.empty.noErrors'),
    },
  ];
}

/** The Evaluations table: one row per evaluation, one column per criterion code of the period's rubric versions. */
export function evaluationsTable(
  pages: AsyncIterable<EvaluationExportRow[]>,
  ctx: TableContext & { codes: string[]; versions: Map<number, RubricVersionInfo>; regions: RegionInfo[] },
): StreamedTable {
  const { t, lang } = ctx;
  const regionById = new Map(ctx.regions.map((r) => [r.id, r]));
  const na = t('reports.export.na');
  const columns: TableColumn[] = [
    col(t, 'evaluationId', 'int', 10), col(t, 'evaluationDate', 'date', 12), col(t, 'submittedAt', 'datetime', 17),
    col(t, 'callId', 'text', 16), col(t, 'callStartedAt', 'datetime', 17), col(t, 'operatorCode', 'text', 12), col(t, 'operator', 'text', 24), col(t, 'team', 'text', 20),
    col(t, 'region', 'text', 24), col(t, 'category', 'text', 14), col(t, 'language', 'text', 12), col(t, 'callerNumber', 'text', 16),
    col(t, 'specialist', 'text', 22), col(t, 'rubric', 'text', 24), col(t, 'score', 'score', 9, true), col(t, 'result', 'text', 14),
    col(t, 'criticalFailure', 'text', 10), col(t, 'heardShare', 'percent', 11), col(t, 'minutesSpent', 'decimal', 11), col(t, 'purpose', 'text', 18),
    ...ctx.codes.map((code) => ({ header: code, type: 'int' as ColumnType, width: Math.max(8, code.length + 2) })),
  ];
  // Labels are looked up once per distinct value: 100,000 rows would otherwise make 500,000 t() calls.
  const memo = (fn: (v: string) => string) => {
    const cache = new Map<string, string>();
    return (v: string | null): string | null => {
      if (v === null) return null;
      let label = cache.get(v);
      if (label === undefined) cache.set(v, (label = fn(v)));
      return label;
    };
  };
  const languageLabel = memo((l) => t(`calls.language.${l}`, { defaultValue: l }));
  const categoryLabel = memo((c) => t(`calls.category.${c}`, { defaultValue: c }));
  const resultLabel = memo((r) => t(`reports.band.${r}`));
  const purposeLabel = memo((p) => t(`evaluations.purpose.${p}`));
  const regionLabel = memo((id) => regionName(regionById.get(Number(id)), lang, t));
  const yes = t('common.yes');
  const no = t('common.no');
  async function* rows(): AsyncGenerator<CellValue[][]> {
    for await (const page of pages) {
      yield page.map((e) => {
        const version = ctx.versions.get(e.rubricVersionId);
        const seconds = e.submittedAt ? (Date.parse(e.submittedAt) - Date.parse(e.startedAt)) / 1000 : null;
        const cells: CellValue[] = [
          e.id, excelDay(e.evaluationDate), excelTashkentDate(e.submittedAt),
          e.callExternalId, excelTashkentDate(e.callStartedAt), e.operatorCode, e.operatorName, e.teamName,
          regionLabel(e.regionId === null ? null : String(e.regionId)), categoryLabel(e.callCategory), languageLabel(e.callLanguage),
          // A file travels: caller numbers are masked in every export, whoever downloads it.
          e.callerNumber ? maskAlways(e.callerNumber) : null,
          e.specialistName, version ? `${version.rubricName} v${version.versionNo}` : null, e.score, resultLabel(e.result),
          e.criticalFailure ? yes : no, e.heardShare, seconds !== null && seconds >= 0 ? round(seconds / 60, 1) : null, purposeLabel(e.purpose),
        ];
        for (const code of ctx.codes) {
          const a = e.answers.get(code);
          cells.push(a === undefined ? null : a === 'na' ? na : a);
        }
        return cells;
      });
    }
  }
  return { slug: 'evaluations', title: t('reports.sheet.evaluations'), columns, pages: rows(), emptyText: t('reports.empty.noData') };
}
