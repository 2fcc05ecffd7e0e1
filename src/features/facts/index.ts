// The facts feature: every call's facts on arrival (answer delay, callbacks, card completeness,
// review lag; talk, silences, holds, talk-over, greeting from the recording), kept current by
// database triggers and the `facts.compute` job; the per-source stereo channel roles; the call
// page's facts panel. The contract other features rely on is in docs/facts.md.
import type { Feature } from '../../app-context';
import { registerFactsCommands } from './facts.cli';
import { factsRoutes } from './facts.routes';
import { seedFacts } from './facts.seed';
import { drainStaleFacts, factsTick, FACTS_JOB, markOutdated } from './facts.service';

export { callsArrived, callFacts, kickFacts, kickJob, drainStaleFacts, computeBatch, FACTS_JOB, FACTS_JOB_KEY } from './facts.service';
export { computeCallFacts, callEnd } from './compute';
export { findCallFacts, findCallFactsMany } from './facts.repository';
export * from './facts.model';

export const factsFeature: Feature = {
  name: 'facts',
  routes: factsRoutes,
  nav: [{ key: 'facts.nav.channelRoles', href: '/admin/channel-roles', roles: ['admin'], order: 945 }],
  seed: seedFacts,
  // Rules or the speech detector changed since the facts were made: compute them again.
  bootstrap: async (deps) => void (await markOutdated(deps)),
  jobHandlers: (deps) => ({ [FACTS_JOB]: () => drainStaleFacts(deps) }),
  schedules: (deps) => [factsTick(deps)],
  cli: registerFactsCommands,
};
