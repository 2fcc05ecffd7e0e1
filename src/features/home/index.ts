// The home page: for each role, what to do next.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireUser } from '../../http/guards';
import { ROLES } from '../../auth/roles';
import { addDays, tashkentToday } from '../../time';
import * as repo from './home.repository';

export function homeRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/', requireUser, async (req, res) => {
    const user = req.user!;
    const today = tashkentToday(deps.clock);
    const data: Record<string, unknown> = { title: req.t('home.title'), today };
    if (user.role === 'specialist') data.specialist = await repo.specialistToday(deps.db, user.id, today);
    if (user.role === 'supervisor') data.supervisor = await repo.supervisorInbox(deps.db, user.id, today);
    if (user.role === 'leadership' || user.role === 'supervisor') data.summary = await repo.serviceSummary(deps.db, addDays(today, -30));
    if (user.role === 'admin') data.admin = await repo.adminSummary(deps.db);
    if (user.role === 'operator' && user.operatorId) data.operator = await repo.operatorSummary(deps.db, user.operatorId);
    res.renderPage('home/index', data);
  });
  return r;
}

export const homeFeature: Feature = {
  name: 'home',
  routes: homeRoutes,
  nav: [{ key: 'nav.home', href: '/', roles: ROLES, order: 0 }],
};
