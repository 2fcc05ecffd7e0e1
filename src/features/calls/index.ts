// The calls feature: the call list and page, browser upload, the telephony API and its tokens,
// serving recordings, the media preparation job, and the demo calls.
import type { Feature } from '../../app-context';
import { callsRoutes } from './calls.routes';
import { seedCalls } from './calls.seed';
import { CALL_LIST_ROLES, CALL_UPLOAD_ROLES } from './calls.policy';
import { ANALYSE_JOB, analyseJobHandler } from './recordings.analyse';
import { PREPARE_JOB, prepareJobHandler } from './recordings.service';

export { ensureRecordingPrepared } from './recordings.service';
export { ensureRecordingAnalysed, analysisWanted, ANALYSE_JOB } from './recordings.analyse';

export const callsFeature: Feature = {
  name: 'calls',
  routes: callsRoutes,
  seed: seedCalls,
  jobHandlers: (deps) => ({ [PREPARE_JOB]: prepareJobHandler(deps), [ANALYSE_JOB]: analyseJobHandler(deps) }),
  nav: [
    { key: 'calls.nav.list', href: '/calls', roles: CALL_LIST_ROLES, order: 200 },
    { key: 'calls.nav.upload', href: '/calls/upload', roles: CALL_UPLOAD_ROLES, order: 210 },
    { key: 'calls.nav.apiTokens', href: '/admin/api-tokens', roles: ['admin'], order: 940 },
  ],
};
