// Retention and legal hold: how long recordings are kept per class of call, the daily purge of the
// files past it (the calls and evaluations stay), legal holds, the dry run, the deletion log.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { retentionController } from './retention.controller';
import { ensureDefaultPolicies } from './retention.repository';
import { PURGE_JOB, purgeJobHandler, purgeScheduleTick } from './retention.service';
import { seedRetention } from './retention.seed';
import { registerRetentionCommand } from './retention.cli';

export { retentionNotice, isRecordingPurged } from './retention.service';
export { revivePurgedRecording } from './retention.repository';

export function retentionRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = retentionController(deps);
  const admin = requireRole('admin');
  r.get('/admin/retention', admin, c.index);
  r.post('/admin/retention/policies', admin, c.savePolicies);
  r.post('/admin/retention/holds', admin, c.placeHold);
  r.post('/admin/retention/holds/:id/release', admin, c.releaseHold);
  r.get('/admin/retention/preview', admin, c.preview);
  r.get('/admin/retention/deletions', admin, c.deletions);
  return r;
}

export const retentionFeature: Feature = {
  name: 'retention',
  bootstrap: (deps) => ensureDefaultPolicies(deps.db, deps.clock),
  routes: retentionRoutes,
  seed: seedRetention,
  jobHandlers: (deps) => ({ [PURGE_JOB]: purgeJobHandler(deps) }),
  schedules: (deps) => [purgeScheduleTick(deps)],
  cli: registerRetentionCommand,
  nav: [{ key: 'nav.retention', href: '/admin/retention', roles: ['admin'], order: 950 }],
};
