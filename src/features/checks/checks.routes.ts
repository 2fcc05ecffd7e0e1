// The checks feature's routes: the administrators' agreement page.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { checksController } from './checks.controller';

export function checksRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = checksController(deps);
  r.get('/admin/checks', requireRole('admin'), c.agreement);
  return r;
}
