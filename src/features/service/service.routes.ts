// The Service page's routes: the page, its Excel workbook and one CSV per table.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { serviceController } from './service.controller';
import { SERVICE_ROLES } from './service.service';

export function serviceRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = serviceController(deps);
  const allowed = requireRole(...SERVICE_ROLES);
  r.get('/service', allowed, c.page);
  r.get('/service/export.xlsx', allowed, c.exportXlsx);
  r.get('/service/:table.csv', allowed, c.exportCsv);
  return r;
}
