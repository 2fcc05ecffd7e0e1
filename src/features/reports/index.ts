// The reports feature: the dashboard (/reports), the Excel workbook and CSV downloads, the demo
// history that gives them something to show, and the optional weekly e-mail to leadership.
import type { Feature } from '../../app-context';
import { reportsRoutes } from './reports.routes';
import { REPORT_ROLES } from './reports.service';
import { seedReportHistory } from './reports.seed';
import { WEEKLY_JOB, sendWeeklyReport, weeklyTick } from './weekly-report';

export const reportsFeature: Feature = {
  name: 'reports',
  routes: reportsRoutes,
  seed: seedReportHistory,
  nav: [{ key: 'reports.nav', href: '/reports', roles: REPORT_ROLES, order: 600 }],
  jobHandlers: (deps) => ({
    [WEEKLY_JOB]: (payload) => sendWeeklyReport(deps, payload as { userId: number; from: string; to: string }),
  }),
  schedules: (deps) => [weeklyTick(deps)],
};
