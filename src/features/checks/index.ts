// The checks feature: automatic checks over every call's facts (pure check functions, rules.ts),
// bound to rubric criteria in the rubric version (criterion.autoCheck, bindings.ts), stored per
// call and check key (call_check_results) by the `checks.compute` job, offered on the evaluation
// page as suggestions with their evidence, and measured against the specialists' answers
// (/admin/checks). Other features may call flaggedCalls (a day's calls a check failed) and
// suggestionsFor (the evaluation page).
import type { Feature } from '../../app-context';
import { checksRoutes } from './checks.routes';
import { seedChecks } from './checks.seed';
import { CHECKS_JOB, checksTick, drainStaleChecks } from './checks.service';

export { flaggedCalls, suggestionsFor, drainStaleChecks, kickChecks, CHECKS_JOB, type Suggestion } from './checks.service';
export { runCheck, type CheckOutcome, type CheckResult, type EvidenceItem } from './rules';
export { bindingKey, bindingsOf, type CheckBinding } from './bindings';

/** Backfill batches (2,000 calls each) one job run does before yielding to other jobs. */
const JOB_BACKFILL_BATCHES = 50;

export const checksFeature: Feature = {
  name: 'checks',
  routes: checksRoutes,
  nav: [{ key: 'checks.nav', href: '/admin/checks', roles: ['admin'], order: 946 }],
  seed: seedChecks,
  jobHandlers: (deps) => ({ [CHECKS_JOB]: () => drainStaleChecks(deps, { maxBackfillBatches: JOB_BACKFILL_BATCHES }) }),
  schedules: (deps) => [checksTick(deps)],
};
