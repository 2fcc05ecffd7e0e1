// The Service page's charts as plain JSON for the dashboard's generic Chart.js renderer
// (src/client/dashboard.ts): labels translated, colours chosen, targets drawn as dashed lines.
import type { Translate } from '../../i18n';
import { BAND_COLOURS, type ChartSpec } from '../reports/dashboard-view';
import type { ServiceModel } from './service-model';

const PRIMARY = '#0f5c8c';
const PRIMARY_SOFT = 'rgba(15, 92, 140, 0.22)';
const TARGET = '#6b7785';
const LINE_COLOURS = ['#0f5c8c', '#1a7f4b', '#c98a00', '#7a4bb0'];

const pct = (v: number | null | undefined) => (v == null ? null : Math.round(v * 1000) / 10);
const one = (v: number | null | undefined) => (v == null ? null : Math.round(v * 10) / 10);

/** A dashed horizontal line at a target, as a line dataset (no plugin needed). */
function targetLine(label: string, value: number, points: number, yAxisID = 'y'): Record<string, unknown> {
  return { type: 'line', label, data: new Array(points).fill(value), borderColor: TARGET, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 0, fill: false, yAxisID, order: 0 };
}

export function serviceCharts(m: ServiceModel, t: Translate): Record<string, ChartSpec> {
  const labels = m.trend.map((r) => r.label);
  const axis = (key: string, extra: Record<string, unknown> = {}) => ({ beginAtZero: true, title: { display: true, text: t(`service.axis.${key}`) }, ...extra });
  const percentAxis = (key: string, extra: Record<string, unknown> = {}) => axis(key, { min: 0, max: 100, ...extra });

  const volume: ChartSpec = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { type: 'bar', label: t('service.kpi.answered'), data: m.trend.map((r) => r.kpis.answered), backgroundColor: PRIMARY_SOFT, borderColor: 'rgba(15, 92, 140, 0.5)', borderWidth: 1, stack: 'calls', yAxisID: 'y', order: 2 },
        ...(m.teamScoped
          ? []
          : [
              { type: 'bar', label: t('service.kpi.abandoned'), data: m.trend.map((r) => r.kpis.abandoned), backgroundColor: BAND_COLOURS.low, stack: 'calls', yAxisID: 'y', order: 2 },
              { type: 'line', label: t('service.kpi.abandonment'), data: m.trend.map((r) => pct(r.kpis.abandonment)), borderColor: BAND_COLOURS.critical_fail, backgroundColor: BAND_COLOURS.critical_fail, yAxisID: 'y1', pointRadius: 2, tension: 0.2, order: 1 },
            ]),
      ],
    },
    options: { scales: { x: { stacked: true }, y: { ...axis('calls'), stacked: true, ticks: { precision: 0 } }, ...(m.teamScoped ? {} : { y1: { ...axis('percent'), position: 'right', suggestedMax: 10, grid: { drawOnChartArea: false } } }) } },
    // Only with the abandonment line: a format for an axis makes Chart.js draw that axis.
    ...(m.teamScoped ? {} : { format: { y1: 'percent' as const } }),
  };

  const serviceLevel: ChartSpec = {
    type: 'line',
    data: {
      labels,
      datasets: [
        ...m.thresholds.map((sec, i) => ({ label: t('service.kpi.within', { sec }), data: m.trend.map((r) => pct(r.kpis.serviceLevels[i])), borderColor: LINE_COLOURS[i], backgroundColor: LINE_COLOURS[i], pointRadius: 2, tension: 0.2, spanGaps: true })),
        ...m.targets.filter((x) => x.index >= 0).map((x) => targetLine(t('service.chart.target', { share: Math.round(x.share * 100), sec: x.sec }), x.share * 100, labels.length)),
      ],
    },
    options: { scales: { y: percentAxis('percent', { beginAtZero: false, suggestedMin: 60 }) } },
    format: { y: 'percent' },
  };

  const answerTime: ChartSpec = {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('service.kpi.avgAnswer'), data: m.trend.map((r) => one(r.kpis.avgAnswerSec)), borderColor: PRIMARY, backgroundColor: PRIMARY, pointRadius: 2, tension: 0.2, spanGaps: true },
        { label: t('service.kpi.longest'), data: m.trend.map((r) => one(r.longest?.value)), borderColor: BAND_COLOURS.partial, backgroundColor: BAND_COLOURS.partial, pointRadius: 2, tension: 0.2, spanGaps: true },
      ],
    },
    options: { scales: { y: axis('seconds') } },
  };

  const byHour = (rows: ServiceModel['hours']): ChartSpec => ({
    type: 'bar',
    data: {
      labels: rows.map((r) => r.label),
      datasets: [
        { type: 'bar', label: t(m.teamScoped ? 'service.kpi.answered' : 'service.kpi.offered'), data: rows.map((r) => (m.teamScoped ? r.kpis.answered : r.kpis.offered)), backgroundColor: PRIMARY_SOFT, borderColor: 'rgba(15, 92, 140, 0.5)', borderWidth: 1, yAxisID: 'y', order: 2 },
        { type: 'line', label: t('service.kpi.avgAnswer'), data: rows.map((r) => one(r.kpis.avgAnswerSec)), borderColor: BAND_COLOURS.partial, backgroundColor: BAND_COLOURS.partial, yAxisID: 'y1', pointRadius: 3, tension: 0.2, spanGaps: true, order: 1 },
      ],
    },
    options: { scales: { y: { ...axis('calls'), ticks: { precision: 0 } }, y1: { ...axis('seconds'), position: 'right', grid: { drawOnChartArea: false } } } },
  });

  const distribution: ChartSpec = {
    type: 'bar',
    data: { labels: m.distribution.map((d) => d.label), datasets: [{ label: t('service.axis.calls'), data: m.distribution.map((d) => d.n), backgroundColor: m.distribution.map((_, i) => (i < 2 ? BAND_COLOURS.high : i < 4 ? BAND_COLOURS.partial : BAND_COLOURS.low)) }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { ...axis('calls'), ticks: { precision: 0 } }, x: { title: { display: true, text: t('service.axis.answerTime') } } } },
  };

  const callbacks: ChartSpec = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { type: 'bar', label: t('service.kpi.dropped'), data: m.trend.map((r) => r.kpis.dropped), backgroundColor: PRIMARY_SOFT, borderColor: 'rgba(15, 92, 140, 0.5)', borderWidth: 1, yAxisID: 'y', order: 2 },
        { type: 'line', label: t('service.kpi.callbackEffectiveness', { min: m.callbackMinutes }), data: m.trend.map((r) => pct(r.kpis.callbackEffectiveness)), borderColor: BAND_COLOURS.high, backgroundColor: BAND_COLOURS.high, yAxisID: 'y1', pointRadius: 2, spanGaps: true, order: 1 },
      ],
    },
    options: { scales: { y: { ...axis('calls'), ticks: { precision: 0 } }, y1: { ...percentAxis('percent'), position: 'right', grid: { drawOnChartArea: false } } } },
    format: { y1: 'percent' },
  };

  const topFields = m.missingFields.slice(0, 10);
  const cardFields: ChartSpec = {
    type: 'bar',
    data: { labels: topFields.map((f) => f.label), datasets: [{ label: t('service.col.shareOfCards'), data: topFields.map((f) => pct(f.share)), backgroundColor: BAND_COLOURS.partial }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { ...axis('percent'), suggestedMax: 20 }, y: { ticks: { autoSkip: false } } } },
    format: { x: 'percent' },
  };

  const talk: ChartSpec = {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('service.kpi.avgTalk'), data: m.trend.map((r) => one(r.kpis.avgTalkSec)), borderColor: PRIMARY, backgroundColor: PRIMARY, pointRadius: 2, spanGaps: true },
        { label: t('service.kpi.avgSilence'), data: m.trend.map((r) => one(r.kpis.avgSilenceSec)), borderColor: BAND_COLOURS.partial, backgroundColor: BAND_COLOURS.partial, pointRadius: 2, spanGaps: true },
        { label: t('service.kpi.avgHold'), data: m.trend.map((r) => one(r.kpis.avgHoldSec)), borderColor: BAND_COLOURS.low, backgroundColor: BAND_COLOURS.low, pointRadius: 2, spanGaps: true },
      ],
    },
    options: { scales: { y: axis('seconds') } },
  };

  const review: ChartSpec = {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('service.kpi.reviewCoverage'), data: m.trend.map((r) => (r.kpis.reviewCoverage == null ? null : Math.round(r.kpis.reviewCoverage * 10000) / 100)), borderColor: PRIMARY, backgroundColor: PRIMARY, pointRadius: 2, spanGaps: true },
        targetLine(t('service.chart.coverageTarget'), 2, labels.length),
      ],
    },
    options: { scales: { y: { ...axis('percent'), suggestedMax: 5 } } },
    format: { y: 'percent' },
  };

  const checks: ChartSpec = {
    type: 'bar',
    data: { labels: m.checks.map((c) => c.codes.join(', ') || c.key), datasets: [{ label: t('service.col.passRate'), data: m.checks.map((c) => pct(c.passRate)), backgroundColor: m.checks.map((c) => (c.passRate == null ? TARGET : c.passRate >= 0.9 ? BAND_COLOURS.high : c.passRate >= 0.75 ? BAND_COLOURS.partial : BAND_COLOURS.low)) }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { ...axis('percent'), max: 100 }, y: { ticks: { autoSkip: false } } } },
    format: { x: 'percent' },
    titles: m.checks.map((c) => `${c.codes.join(', ')} · ${c.label}`),
  };

  return { volume, serviceLevel, answerTime, hours: byHour(m.hours), weekdays: byHour(m.weekdays), distribution, callbacks, cardFields, talk, review, checks };
}
