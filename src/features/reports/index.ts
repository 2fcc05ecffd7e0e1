// The reports feature: the dashboard (/reports), the Excel workbook and CSV downloads, the demo
// history that gives them something to show, the optional weekly e-mail to leadership, and the
// background job that keeps the dashboard's per-day sums current.
import type { Feature } from '../../app-context';
import { reportsRoutes } from './reports.routes';
import { REPORT_ROLES } from './reports.service';
import { seedReportHistory } from './reports.seed';
import { WEEKLY_JOB, sendWeeklyReport, weeklyTick } from './weekly-report';
import { SUM_DAYS_JOB, sumDays, sumDaysTick } from './day-sums-job';

export const reportsFeature: Feature = {
  name: 'reports',
  routes: reportsRoutes,
  seed: seedReportHistory,
  nav: [{ key: 'reports.nav', href: '/reports', roles: REPORT_ROLES, order: 600 }],
  jobHandlers: (deps) => ({
    [WEEKLY_JOB]: (payload, ctx) => sendWeeklyReport(deps, payload as { userId: number; from: string; to: string }, ctx),
    [SUM_DAYS_JOB]: () => sumDays(deps),
  }),
  schedules: (deps) => [weeklyTick(deps), sumDaysTick(deps)],
};
