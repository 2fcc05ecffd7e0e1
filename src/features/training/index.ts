// The training feature: frequent shortcomings from the error records, training plans made from
// them (attendance, feedback, materials, effect on scores), rule changes everyone acknowledges,
// and the supervisor's review of operators' disputes.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { uploadMiddleware } from '../../http/uploads';
import { MAX_MATERIAL_BYTES, MAX_MATERIALS_PER_UPLOAD } from './materials';
import { disputesController } from './disputes.controller';
import { trainingController } from './training.controller';
import { seedTraining } from './training.seed';
import { TRAINING_MANAGER_ROLES, TRAINING_ROLES } from './training.service';

export function trainingRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = trainingController(deps);
  const d = disputesController(deps);
  // Specialists read the analysis and the plans; supervisors and administrators manage.
  const readers = requireRole(...TRAINING_ROLES);
  const managers = requireRole(...TRAINING_MANAGER_ROLES);
  r.get('/training', readers, c.index);
  r.get('/training/shortcomings', readers, c.shortcomings);
  r.get('/training/new', managers, c.newForm);
  r.post('/training', managers, c.create);
  r.get('/training/rule-changes/new', managers, c.ruleChangeForm);
  r.post('/training/rule-changes', managers, c.createRuleChange);
  r.get('/training/disputes', managers, d.list);
  r.post('/training/disputes/:id/accept', managers, d.accept);
  r.post('/training/disputes/:id/reject', managers, d.reject);
  r.get('/training/:id', readers, c.show);
  r.get('/training/:id/edit', managers, c.editForm);
  r.post('/training/:id', managers, c.update);
  r.post('/training/:id/cancel', managers, c.cancel);
  r.post('/training/:id/attendance', managers, c.attendance);
  r.post('/training/:id/feedback/:operatorId', managers, c.feedback);
  r.post('/training/:id/acknowledge', managers, c.acknowledge);
  r.post('/training/:id/materials', managers, uploadMiddleware({ fields: [{ name: 'material', maxCount: MAX_MATERIALS_PER_UPLOAD }], maxFileBytes: MAX_MATERIAL_BYTES }), c.uploadMaterials);
  r.get('/training/:id/materials/:materialId', readers, c.downloadMaterial);
  r.post('/training/:id/materials/:materialId/remove', managers, c.removeMaterial);
  return r;
}

export const trainingFeature: Feature = {
  name: 'training',
  routes: trainingRoutes,
  seed: seedTraining,
  nav: [{ key: 'training.nav', href: '/training', roles: TRAINING_ROLES, order: 510 }],
};
