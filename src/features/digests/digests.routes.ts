// The digests feature's routes: supervisors (their own), admins (everyone's), specialists (those they prepare).
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { digestsController } from './digests.controller';

export function digestsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = digestsController(deps);
  // Specialists prepare a team's ma'lumotnoma, review it and hand it to the supervisor (B2.02.4 #2–3).
  const allowed = requireRole('supervisor', 'admin', 'specialist');
  const planners = requireRole('supervisor', 'admin');
  r.get('/digests', allowed, c.list);
  r.post('/digests', allowed, c.create);
  r.post('/digests/schedule', planners, c.schedule);
  r.get('/digests/:id', allowed, c.show);
  r.get('/digests/:id/export.xlsx', allowed, c.workbook);
  r.post('/digests/:id/send', planners, c.send);
  r.post('/digests/:id/handover', requireRole('specialist'), c.handover);
  return r;
}
