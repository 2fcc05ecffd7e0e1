// The imports feature: bulk import of recordings with a CSV/XLSX manifest (CLI and admin page).
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { uploadMiddleware } from '../../http/uploads';
import { importsController } from './imports.controller';
import { registerImportCommand } from './imports.cli';
import { IMPORT_JOB, MAX_UPLOAD_RECORDINGS, interruptedImportsTick, runImportJob } from './imports.service';
import { seedDemoImport } from './imports.seed';
import { callsArrived } from '../facts/facts.service';

export function importsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = importsController(deps);
  const admin = requireRole('admin');
  const upload = uploadMiddleware({ fields: [{ name: 'manifest', maxCount: 1 }, { name: 'recordings', maxCount: MAX_UPLOAD_RECORDINGS }], maxFileBytes: deps.config.maxUploadBytes });
  r.get('/admin/imports', admin, c.list);
  // Role first, then the upload: nobody else gets to send us files.
  r.post('/admin/imports', admin, upload, c.create);
  r.get('/admin/imports/template.csv', admin, c.template);
  r.get('/admin/imports/:id', admin, c.show);
  r.get('/admin/imports/:id/status', admin, c.status);
  r.get('/admin/imports/:id/rejected.csv', admin, c.rejectedCsv);
  return r;
}

export const importsFeature: Feature = {
  name: 'imports',
  routes: importsRoutes,
  nav: [{ key: 'imports.nav', href: '/admin/imports', roles: ['admin'], order: 940 }],
  jobHandlers: (deps) => ({
    [IMPORT_JOB]: async (payload, ctx) => {
      const result = await runImportJob(deps, payload, ctx);
      // Facts on arrival for the imported calls (their rows are already marked by the triggers).
      await callsArrived(deps);
      return result;
    },
  }),
  schedules: (deps) => [interruptedImportsTick(deps)],
  cli: registerImportCommand,
  seed: seedDemoImport,
};

export { checkManifest, executeImport, runFolderImport, startWebImport, ImportRun, IMPORT_JOB } from './imports.service';
export { analyseHeader, validateRow, parseInstant, ManifestError, MANIFEST_COLUMNS, REQUIRED_COLUMNS } from './imports.manifest';
