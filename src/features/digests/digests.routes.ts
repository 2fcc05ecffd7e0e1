// The digests feature's routes: for supervisors (their own) and admins (everyone's).
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { digestsController } from './digests.controller';

export function digestsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = digestsController(deps);
  const allowed = requireRole('supervisor', 'admin');
  r.get('/digests', allowed, c.list);
  r.post('/digests', allowed, c.create);
  r.post('/digests/schedule', allowed, c.schedule);
  r.get('/digests/:id', allowed, c.show);
  r.get('/digests/:id/export.xlsx', allowed, c.workbook);
  r.post('/digests/:id/send', allowed, c.send);
  return r;
}
