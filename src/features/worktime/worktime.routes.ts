// The working-time routes: one line each, role first (nobody else gets to send a file).
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { uploadMiddleware } from '../../http/uploads';
import { worktimeController } from './worktime.controller';
import { SHIFT_PLAN_MAX_BYTES } from './shift-plan';
import { PLAN_ROLES, WORKTIME_ROLES } from './worktime.service';

export function worktimeRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = worktimeController(deps);
  r.get('/worktime', requireRole(...WORKTIME_ROLES), c.page);
  r.get('/worktime/plans', requireRole(...PLAN_ROLES), c.plans);
  r.post('/worktime/plans', requireRole(...PLAN_ROLES), uploadMiddleware({ fields: [{ name: 'file', maxCount: 1 }], maxFileBytes: SHIFT_PLAN_MAX_BYTES }), c.upload);
  r.get('/worktime/plans/template.csv', requireRole(...PLAN_ROLES), c.template);
  return r;
}
