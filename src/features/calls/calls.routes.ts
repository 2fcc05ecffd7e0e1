// The calls feature's routes: one line each — path, guards, controller.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { uploadMiddleware } from '../../http/uploads';
import { apiController, requireMultipart } from './api.controller';
import { apiTokensController } from './api-tokens.controller';
import { requireApiToken } from './api-tokens.service';
import { callsController } from './calls.controller';
import { CALL_LIST_ROLES, CALL_PAGE_ROLES, CALL_UPLOAD_ROLES } from './calls.policy';
import { recordingsController } from './recordings.controller';

/** Most files one browser upload form may carry (the page sends them one per request anyway). */
export const MAX_FILES_PER_UPLOAD = 20;

export function callsRoutes(deps: AppDeps): Router {
  const r = Router();
  const calls = callsController(deps);
  const recordings = recordingsController(deps);
  const api = apiController(deps);
  const tokens = apiTokensController(deps);
  const maxFileBytes = deps.config.maxUploadBytes;

  r.get('/calls', requireRole(...CALL_LIST_ROLES), calls.list);
  r.get('/calls/upload', requireRole(...CALL_UPLOAD_ROLES), calls.uploadForm);
  r.post('/calls/upload', requireRole(...CALL_UPLOAD_ROLES), uploadMiddleware({ fields: [{ name: 'recording', maxCount: MAX_FILES_PER_UPLOAD }], maxFileBytes }), calls.upload);
  r.get('/calls/:id', requireRole(...CALL_PAGE_ROLES), calls.show);
  r.get('/calls/:id/preparation', requireRole(...CALL_PAGE_ROLES), calls.preparation);
  r.get('/calls/:id/audio', requireRole(...CALL_PAGE_ROLES), recordings.audio);
  r.get('/calls/:id/peaks', requireRole(...CALL_PAGE_ROLES), recordings.peaks);
  r.get('/calls/:id/peaks.dat', requireRole(...CALL_PAGE_ROLES), recordings.peaksDat);
  r.get('/calls/:id/peaks-overview.dat', requireRole(...CALL_PAGE_ROLES), recordings.peaksOverview);
  r.post('/calls/:id/prepare', requireRole(...CALL_LIST_ROLES), recordings.prepare);

  r.post(
    '/api/v1/calls',
    requireApiToken(deps),
    requireMultipart,
    uploadMiddleware({ fields: [{ name: 'recording', maxCount: 1 }, { name: 'card', maxCount: 1 }], maxFileBytes, csrf: false }),
    api.createCall,
  );

  r.get('/admin/api-tokens', requireRole('admin'), tokens.list);
  r.post('/admin/api-tokens', requireRole('admin'), tokens.create);
  r.post('/admin/api-tokens/:id/revoke', requireRole('admin'), tokens.revoke);
  return r;
}
