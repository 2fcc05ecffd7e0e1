// The follow-up worklist's routes: one line each.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { followupsController } from './followups.controller';
import { FOLLOWUP_ROLES } from './followups.service';

export function followupsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = followupsController(deps);
  r.get('/followups', requireRole(...FOLLOWUP_ROLES), c.list);
  r.get('/followups/:id', requireRole(...FOLLOWUP_ROLES), c.show);
  r.post('/followups/:id/contacts', requireRole(...FOLLOWUP_ROLES), c.contact);
  r.post('/followups/:id/close', requireRole('supervisor', 'admin'), c.close);
  return r;
}
