// Working time and feedback (B3.01.4): from operator states, per operator and shift — signed-in,
// ready, busy and break time, calls per hour, occupancy, adherence to an imported shift plan — and
// callers' satisfaction by operator, region and category. A page, the shift-plan upload, and the
// sheets of the reports export (live-report-tables.ts).
import type { Feature } from '../../app-context';
import { worktimeRoutes } from './worktime.routes';
import { seedWorktime } from './worktime.seed';
import { WORKTIME_ROLES } from './worktime.service';

export { workingTimeOf, satisfactionOf } from './worktime.service';

export const worktimeFeature: Feature = {
  name: 'worktime',
  routes: worktimeRoutes,
  nav: [{ key: 'worktime.nav', href: '/worktime', roles: WORKTIME_ROLES, order: 460 }],
  seed: seedWorktime,
};
