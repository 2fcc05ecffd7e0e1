// The evaluators feature: evaluating the evaluator — each specialist's leniency against their
// peers on the random sample, their calibration alignment, and blind second reviews of a random
// share of their evaluations with the two reviews' agreement.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { evaluatorsController } from './evaluators.controller';
import { seedEvaluators } from './evaluators.seed';

export function evaluatorsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = evaluatorsController(deps);
  // Supervisors review specialists' leniency and ask for second reviews; specialists do the reviews.
  const reviewers = requireRole('supervisor', 'admin');
  r.get('/evaluators', reviewers, c.page);
  r.post('/evaluators/second-reviews', reviewers, c.request);
  r.get('/evaluators/mine', requireRole('specialist'), c.mine);
  r.post('/evaluators/second-reviews/:id/start', requireRole('specialist'), c.start);
  return r;
}

export const evaluatorsFeature: Feature = {
  name: 'evaluators',
  routes: evaluatorsRoutes,
  seed: seedEvaluators,
  nav: [
    { key: 'evaluators.nav', href: '/evaluators', roles: ['supervisor', 'admin'], order: 460 },
    { key: 'evaluators.mine.nav', href: '/evaluators/mine', roles: ['specialist'], order: 210 },
  ],
};
