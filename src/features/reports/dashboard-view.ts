// The dashboard's charts as plain JSON (labels already translated, colours chosen), handed to
// src/client/dashboard.ts in a <script type="application/json"> block: no inline script, and the
// browser code stays a generic Chart.js renderer.
import { errorCategoryLabel, type TableContext } from './report-tables';
import type { Dashboard } from './reports.service';
import { LOCALE_TAGS, pickLocalized, type Language } from '../../i18n';

/** The same colours as the bands in app.css. */
export const BAND_COLOURS = { high: '#1a7f4b', compliant: '#4a9a2f', partial: '#c98a00', low: '#c2410c', critical_fail: '#b42318' } as const;
const PRIMARY = '#0f5c8c';
const PRIMARY_SOFT = 'rgba(15, 92, 140, 0.18)';
const MUTED = '#9aa8b6';
const SEVERITY_COLOURS = { minor: '#8fb3cf', major: '#c98a00', critical: '#b42318' } as const;

export interface ChartSpec {
  type: 'bar' | 'line';
  data: { labels: string[]; datasets: Record<string, unknown>[] };
  options: Record<string, unknown>;
  /** axes whose ticks the client shows as percentages or with a unit */
  format?: Record<string, 'percent' | 'score' | 'int' | 'minutes'>;
  /** full texts for the tooltip title when the axis shows short labels (criterion codes) */
  titles?: string[];
}

export interface DashboardChartData {
  charts: Record<string, ChartSpec>;
}

const round1 = (v: number | null | undefined) => (v == null ? null : Math.round(v * 10) / 10);

function shortDate(date: string, lang: string): string {
  const tag = LOCALE_TAGS[lang as Language] ?? LOCALE_TAGS.uz;
  return new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

/** The lower end of a score axis: ten points below the lowest mean, in tens, so changes show. */
export function scoreAxisMin(means: readonly (number | null)[]): number {
  const present = means.filter((m): m is number => m !== null);
  if (!present.length) return 0;
  return Math.max(0, Math.floor((Math.min(...present) - 10) / 10) * 10);
}

export function dashboardChartData(d: Dashboard, ctx: TableContext): DashboardChartData {
  const { t, lang } = ctx;
  const scoreAxis = { min: 0, max: 100, title: { display: true, text: t('reports.axis.score') } };
  const countAxis = (text: string, position: 'left' | 'right' = 'left') => ({ beginAtZero: true, position, ticks: { precision: 0 }, title: { display: true, text } });

  const weekly: ChartSpec = {
    type: 'bar',
    data: {
      labels: d.weeks.map((w) => shortDate(w.weekStart, lang)),
      datasets: [
        { type: 'line', label: t('reports.chart.meanScore'), data: d.weeks.map((w) => round1(w.mean)), borderColor: PRIMARY, backgroundColor: PRIMARY, yAxisID: 'y', tension: 0.25, spanGaps: false, pointRadius: 3, order: 1 },
        { type: 'bar', label: t('reports.chart.evaluations'), data: d.weeks.map((w) => w.n), backgroundColor: PRIMARY_SOFT, borderColor: 'rgba(15, 92, 140, 0.35)', borderWidth: 1, yAxisID: 'y1', order: 2 },
      ],
    },
    // A bar chart's value axes start at zero by default; the score axis starts near the lowest mean.
    options: { scales: { y: { ...scoreAxis, min: scoreAxisMin(d.weeks.map((w) => w.mean)), beginAtZero: false, position: 'left' }, y1: { ...countAxis(t('reports.axis.evaluations'), 'right'), grid: { drawOnChartArea: false } } } },
  };

  const distribution: ChartSpec = {
    type: 'bar',
    data: {
      labels: d.distribution.map((b) => b.label),
      datasets: [{ label: t('reports.chart.evaluations'), data: d.distribution.map((b) => b.n), backgroundColor: d.distribution.map((b) => BAND_COLOURS[b.band]) }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: countAxis(t('reports.axis.evaluations')), x: { title: { display: true, text: t('reports.axis.scoreRange') } } } },
  };

  const topCriteria = d.criteria.filter((c) => c.failed > 0).slice(0, 10);
  const criteria: ChartSpec = {
    type: 'bar',
    data: {
      // Codes on the axis (long texts would be cut off); the full text is the tooltip's title.
      labels: topCriteria.map((c) => c.code),
      datasets: [{ label: t('reports.chart.failShare'), data: topCriteria.map((c) => round1((c.failShare ?? 0) * 100)), backgroundColor: topCriteria.map((c) => (c.critical ? BAND_COLOURS.critical_fail : BAND_COLOURS.partial)) }],
    },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, suggestedMax: 20, title: { display: true, text: t('reports.axis.failShare') } } } },
    format: { x: 'percent' },
    titles: topCriteria.map((c) => `${c.code} · ${pickLocalized(c.text, lang)}`),
  };

  const errors: ChartSpec = {
    type: 'bar',
    data: {
      labels: d.errorsByCategory.map((e) => errorCategoryLabel(t, e.category)),
      datasets: (['critical', 'major', 'minor'] as const).map((sev) => ({ label: t(`reports.severity.${sev}`), data: d.errorsByCategory.map((e) => e[sev]), backgroundColor: SEVERITY_COLOURS[sev] })),
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('reports.axis.errors') } }, y: { stacked: true } } },
  };

  const planned = d.specialists.filter((s) => s.planned > 0);
  const plan: ChartSpec = {
    type: 'bar',
    data: {
      labels: planned.map((s) => s.name),
      datasets: [
        { label: t('reports.plan.done'), data: planned.map((s) => s.done), backgroundColor: BAND_COLOURS.high },
        { label: t('reports.plan.inProgress'), data: planned.map((s) => s.inProgress), backgroundColor: BAND_COLOURS.partial },
        { label: t('reports.plan.notStarted'), data: planned.map((s) => s.open), backgroundColor: MUTED },
      ],
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('reports.axis.assignments') } }, y: { stacked: true } } },
  };

  const workers = d.specialists.filter((s) => s.evaluations > 0);
  const workload: ChartSpec = {
    type: 'bar',
    data: {
      labels: workers.map((s) => s.name),
      datasets: [
        { type: 'bar', label: t('reports.chart.evaluations'), data: workers.map((s) => s.evaluations), backgroundColor: PRIMARY, yAxisID: 'y', order: 2 },
        { type: 'line', label: t('reports.chart.avgMinutes'), data: workers.map((s) => (s.avgSeconds === null ? null : round1(s.avgSeconds / 60))), borderColor: BAND_COLOURS.partial, backgroundColor: BAND_COLOURS.partial, yAxisID: 'y1', pointRadius: 4, showLine: false, order: 1 },
      ],
    },
    options: { scales: { y: countAxis(t('reports.axis.evaluations')), y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: t('reports.axis.minutes') } } } },
  };

  // The regions are a tile-grid map drawn on the server (region-map.ts), not a chart.
  return { charts: { weekly, distribution, criteria, errors, plan, workload } };
}

/** JSON that is safe inside <script type="application/json">: no "</script>", no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
