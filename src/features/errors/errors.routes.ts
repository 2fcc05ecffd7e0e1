// The errors feature's routes: the supervisor's inbox, error analysis, complex cases, operator pages.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { errorsController } from './errors.controller';
import { operatorsController } from './operators.controller';

export function errorsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = errorsController(deps);
  const o = operatorsController(deps);
  const readers = requireRole('admin', 'supervisor', 'specialist');
  const actors = requireRole('admin', 'supervisor');
  r.get('/errors', readers, c.inbox);
  r.post('/errors/acknowledge', actors, c.acknowledgeSelected);
  r.get('/errors/analysis', readers, c.analysis);
  r.get('/errors/complex', readers, c.complex);
  r.post('/errors/complex/:id/resolve', actors, c.resolveComplex);
  r.get('/errors/:id', readers, c.detail);
  r.post('/errors/:id/acknowledge', actors, c.acknowledge);
  r.post('/errors/:id/action', actors, c.recordAction);
  r.post('/errors/:id/close', actors, c.close);
  // Service checks the team (supervisors) and the account's own operator (operator accounts).
  r.get('/operators/:id', requireRole('admin', 'specialist', 'supervisor', 'operator'), o.show);
  return r;
}
