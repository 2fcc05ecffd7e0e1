// The calibration feature: sessions where several specialists score the same calls blind, and
// the results (agreement per criterion, spread of scores, alignment with an expert) once closed.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { calibrationController } from './calibration.controller';
import { seedCalibration } from './calibration.seed';
import { CALIBRATION_MANAGER_ROLES, CALIBRATION_ROLES, closeOverdueSessions } from './calibration.service';

export function calibrationRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = calibrationController(deps);
  // Specialists reach only the sessions they take part in (the service checks); leadership and
  // operators not at all.
  const readers = requireRole(...CALIBRATION_ROLES);
  const managers = requireRole(...CALIBRATION_MANAGER_ROLES);
  r.get('/calibration', readers, c.list);
  r.get('/calibration/new', managers, c.newForm);
  r.post('/calibration', managers, c.create);
  r.get('/calibration/:id', readers, c.show);
  r.post('/calibration/:id/close', managers, c.close);
  r.get('/calibration/:id/results', readers, c.results);
  r.get('/api/calibration/:id/results', readers, c.resultsJson);
  return r;
}

export const calibrationFeature: Feature = {
  name: 'calibration',
  routes: calibrationRoutes,
  seed: seedCalibration,
  nav: [{ key: 'calibration.nav', href: '/calibration', roles: CALIBRATION_ROLES, order: 500 }],
  // Sessions past their deadline day close by themselves (once, whichever instance ticks first).
  schedules: (deps: AppDeps) => [async () => { await closeOverdueSessions(deps); }],
};

export { agreementReport, krippendorffAlpha } from './agreement';
