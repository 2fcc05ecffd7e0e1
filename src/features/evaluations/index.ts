// The evaluations feature: the evaluation page (player, marks, rubric), autosave, submit, reopen,
// the list, and the demo seed of evaluations over the past two weeks.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { evaluationsController } from './evaluations.controller';
import { seedEvaluations } from './evaluations.seed';

export function evaluationsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = evaluationsController(deps);
  // Leadership sees aggregates only, operators are not users of evaluations (yet): neither is here.
  const readers = requireRole('specialist', 'supervisor', 'admin');
  r.post('/calls/:id/evaluate', requireRole('specialist'), c.openForCall);
  r.get('/evaluations', readers, c.list);
  r.get('/evaluations/:id', readers, c.show);
  r.put('/evaluations/:id/draft', requireRole('specialist'), c.saveDraft);
  r.post('/evaluations/:id/submit', requireRole('specialist'), c.submit);
  r.post('/evaluations/:id/reopen', requireRole('supervisor', 'admin'), c.reopen);
  return r;
}

export const evaluationsFeature: Feature = {
  name: 'evaluations',
  routes: evaluationsRoutes,
  seed: seedEvaluations,
  nav: [{ key: 'evaluations.nav', href: '/evaluations', roles: ['specialist', 'supervisor', 'admin'], order: 200 }],
};
