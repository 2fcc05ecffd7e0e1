// The working-time page's charts as JSON for the generic Chart.js renderer (src/client/dashboard.ts,
// the reports dashboard's): how each operator's signed-in time split into ready, busy and break,
// and how callers scored their calls. Labels come translated; colours match app.css.
import type { Translate } from '../../i18n';
import type { ChartSpec } from '../reports/dashboard-view';
import type { SatisfactionView, WorkingTimeView } from './worktime.service';

const COLOURS = { ready: '#4a9a2f', busy: '#0f5c8c', break: '#c98a00', logged: '#9aa8b6' } as const;
const SCORE_COLOURS = ['#b42318', '#c2410c', '#c98a00', '#4a9a2f', '#1a7f4b'];
/** The chart shows this many operators (the most signed-in); the table below lists them all. */
export const CHART_MAX_OPERATORS = 30;

const hours = (sec: number) => Math.round((sec / 3600) * 10) / 10;

export function worktimeCharts(view: WorkingTimeView, satisfaction: SatisfactionView, t: Translate): { charts: Record<string, ChartSpec>; timeChartRows: number } {
  const ops = [...view.operators].sort((a, b) => b.signedInSec - a.signedInSec).slice(0, CHART_MAX_OPERATORS);
  const other = (o: (typeof ops)[number]) => Math.max(0, o.signedInSec - o.readySec - o.busySec - o.breakSec);
  const time: ChartSpec = {
    type: 'bar',
    data: {
      labels: ops.map((o) => o.name),
      datasets: [
        { label: t('worktime.chart.busy'), data: ops.map((o) => hours(o.busySec)), backgroundColor: COLOURS.busy, stack: 'time' },
        { label: t('worktime.chart.ready'), data: ops.map((o) => hours(o.readySec)), backgroundColor: COLOURS.ready, stack: 'time' },
        { label: t('worktime.chart.break'), data: ops.map((o) => hours(o.breakSec)), backgroundColor: COLOURS.break, stack: 'time' },
        { label: t('worktime.chart.signedInOther'), data: ops.map((o) => hours(other(o))), backgroundColor: COLOURS.logged, stack: 'time' },
      ],
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, title: { display: true, text: t('worktime.chart.hours') } }, y: { stacked: true } } },
  };
  const scores: ChartSpec = {
    type: 'bar',
    data: {
      labels: [1, 2, 3, 4, 5].map((s) => t('worktime.chart.score', { score: s })),
      datasets: [{ label: t('worktime.chart.calls'), data: satisfaction.distribution, backgroundColor: SCORE_COLOURS }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('worktime.chart.calls') } } } },
  };
  return { charts: { time, scores }, timeChartRows: ops.length };
}
