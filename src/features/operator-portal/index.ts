// The operators' own view (optional operator accounts): their evaluations with score, comments,
// marks and the audio of their own calls; acknowledgement; disputes of a criterion within a
// window; their trainings (rule changes to acknowledge, feedback after a training).
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { portalController } from './portal.controller';
import { seedOperatorPortal } from './portal.seed';

export function operatorPortalRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = portalController(deps);
  // Only operator accounts; every service call narrows to the account's own operator.
  const operator = requireRole('operator');
  r.get('/my/evaluations', operator, c.evaluations);
  r.get('/my/evaluations/:id', operator, c.evaluation);
  r.post('/my/evaluations/:id/acknowledge', operator, c.acknowledge);
  r.post('/my/evaluations/:id/disputes', operator, c.dispute);
  r.get('/my/trainings', operator, c.trainings);
  r.post('/my/trainings/:id/acknowledge', operator, c.acknowledgeTraining);
  r.post('/my/trainings/:id/feedback', operator, c.trainingFeedback);
  r.get('/my/trainings/:id/materials/:materialId', operator, c.material);
  return r;
}

export const operatorPortalFeature: Feature = {
  name: 'operator-portal',
  routes: operatorPortalRoutes,
  seed: seedOperatorPortal,
  nav: [
    { key: 'portal.nav.evaluations', href: '/my/evaluations', roles: ['operator'], order: 100 },
    { key: 'portal.nav.trainings', href: '/my/trainings', roles: ['operator'], order: 110 },
  ],
};

export { DISPUTE_WINDOW_DAYS } from './disputes';
