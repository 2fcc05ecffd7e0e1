// The reports' routes: the dashboard, the Excel workbook and one CSV per table.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { reportsController } from './reports.controller';
import { REPORT_ROLES } from './reports.service';
import { WEEKLY_ROLES } from './weekly-report';

export function reportsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = reportsController(deps);
  const allowed = requireRole(...REPORT_ROLES);
  r.get('/reports', allowed, c.dashboard);
  r.get('/reports/export.xlsx', allowed, c.exportXlsx);
  r.get('/reports/:table.csv', allowed, c.exportCsv);
  r.post('/reports/subscription', requireRole(...WEEKLY_ROLES), c.subscription);
  return r;
}
