// Follow-up of calls the emergency services did not fulfil (B3.02.4 #2): the worklist, the
// contacts specialists record, and the minute tick that opens items for requests with no outcome.
import type { Feature } from '../../app-context';
import { followupsRoutes } from './followups.routes';
import { FOLLOWUP_ROLES } from './followups.service';
import { openNoOutcomeFollowups } from './followups.sync';
import { seedFollowups } from './followups.seed';

export { followupSheets } from './followups.report';

export const followupsFeature: Feature = {
  name: 'followups',
  routes: followupsRoutes,
  seed: seedFollowups,
  nav: [{ key: 'followups.nav', href: '/followups', roles: FOLLOWUP_ROLES, order: 450 }],
  schedules: (deps) => [async (now) => void (await openNoOutcomeFollowups(deps.db, now, deps.config.followups.noOutcomeMinutes, deps.config.followups.dueMinutes))],
};
