// The plans feature: routes, navigation, demo seed, jobs and schedules it plugs into the app.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { plansController } from './plans.controller';
import { DRAW_JOB, drawJobHandler, drawScheduleTick } from './plans.service';
import { seedPlans } from './plans.seed';

export function plansRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = plansController(deps);
  // Specialists work their queue, analyse the volumes, size the plan and propose its rules (B2.01.4
  // #1–2); supervisors and administrators approve rules, set duty and run the plan; leadership sees
  // reports only.
  const planners = requireRole('supervisor', 'admin');
  const workers = requireRole('specialist', 'supervisor', 'admin');
  r.get('/plans/today', workers, c.today);
  r.get('/plans/rules', workers, c.rules);
  r.post('/plans/rules', workers, c.saveRules);
  r.post('/plans/rules/proposals/:id/approve', planners, c.approveProposal);
  r.post('/plans/rules/proposals/:id/reject', planners, c.rejectProposal);
  r.post('/plans/rules/:id', workers, c.saveRules);
  r.post('/plans/duty', planners, c.saveDuty);
  r.get('/plans/sizing', workers, c.sizing);
  r.post('/plans/draw', planners, c.draw);
  r.post('/plans/assignments/:id/reassign', planners, c.reassign);
  r.get('/plans', workers, c.plan);
  r.get('/plans/:id', workers, c.planById);
  r.get('/plans/:id/verify', workers, c.verify);
  r.post('/plans/:id/assignments', planners, c.addCall);
  return r;
}

export const plansFeature: Feature = {
  name: 'plans',
  routes: plansRoutes,
  seed: seedPlans,
  nav: [
    { key: 'plans.nav.today', href: '/plans/today', roles: ['specialist'], order: 100 },
    { key: 'plans.nav.daily', href: '/plans', roles: ['specialist', 'supervisor', 'admin'], order: 150 },
  ],
  jobHandlers: (deps) => ({ [DRAW_JOB]: drawJobHandler(deps) }),
  schedules: (deps) => [drawScheduleTick(deps)],
};
