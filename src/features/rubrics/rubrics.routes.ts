// The rubric pages, one line per route. Administrators manage rubrics; specialists and
// supervisors read the published ones; leadership and operators have no access.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { uploadMiddleware } from '../../http/uploads';
import { rubricsController } from './rubrics.controller';

/** Import files are small JSON (the default rubric is about 24 KB); the model refuses above 2 MB of text. */
const IMPORT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export function rubricsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = rubricsController(deps);
  const admin = requireRole('admin');
  const view = requireRole('admin', 'specialist', 'supervisor');
  const v = '/rubrics/:id/versions/:versionId';

  r.get('/rubrics', view, c.list);
  r.get('/rubrics/new', admin, c.newForm);
  r.post('/rubrics', admin, c.create);
  r.get('/rubrics/import', admin, c.importForm);
  // The role is checked before the upload is read: nobody else gets to send a file.
  r.post('/rubrics/import', admin, uploadMiddleware({ fields: [{ name: 'file', maxCount: 1 }], maxFileBytes: IMPORT_MAX_FILE_BYTES }), c.importSubmit);
  r.get('/rubrics/:id', view, c.show);
  r.post('/rubrics/:id', admin, c.updateSettings);
  r.get('/rubrics/:id/settings', admin, c.settingsForm);
  r.post('/rubrics/:id/copy', admin, c.copy);
  r.post('/rubrics/:id/draft', admin, c.openDraft);

  r.get(v, view, c.version);
  r.get(`${v}/preview`, view, c.preview);
  r.get(`${v}/export`, admin, c.exportJson);
  r.get(`${v}/edit`, admin, c.builder);
  r.post(`${v}/publish`, admin, c.publish);
  r.post(`${v}/discard`, admin, c.discard);
  r.get(`${v}/sections/new`, admin, c.sectionForm);
  r.post(`${v}/sections`, admin, c.addSection);
  r.get(`${v}/sections/:key/edit`, admin, c.sectionForm);
  r.post(`${v}/sections/:key`, admin, c.updateSection);
  r.post(`${v}/sections/:key/move`, admin, c.moveSection);
  r.post(`${v}/sections/:key/delete`, admin, c.removeSection);
  r.get(`${v}/sections/:key/criteria/new`, admin, c.criterionForm);
  r.post(`${v}/sections/:key/criteria`, admin, c.addCriterion);
  r.get(`${v}/criteria/:code/edit`, admin, c.criterionForm);
  r.post(`${v}/criteria/:code`, admin, c.updateCriterion);
  r.post(`${v}/criteria/:code/move`, admin, c.moveCriterion);
  r.post(`${v}/criteria/:code/delete`, admin, c.removeCriterion);
  return r;
}
