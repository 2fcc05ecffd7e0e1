// The home page: for each role, what to do next.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireUser } from '../../http/guards';
import { ROLES } from '../../auth/roles';
import { tashkentToday } from '../../time';
import { defaultPeriod } from '../reports/aggregate';
import { buildDashboard, resolveScope } from '../reports/reports.service';
import { unreadHandovers } from '../digests/digests.service';
import * as repo from './home.repository';

export function homeRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/', requireUser, async (req, res) => {
    const user = req.user!;
    const today = tashkentToday(deps.clock);
    const data: Record<string, unknown> = { title: req.t('home.title'), today };
    if (user.role === 'specialist') data.specialist = await repo.specialistToday(deps.db, user.id, today);
    if (user.role === 'supervisor') data.supervisor = { ...(await repo.supervisorInbox(deps.db, user.id, today)), newDigests: await unreadHandovers(deps, user.id) };
    if (user.role === 'leadership' || user.role === 'supervisor') {
      // The same figures as the dashboard's default view (last 30 days, random sample, a
      // supervisor's own teams): built by the dashboard's own code, so the two always agree.
      const period = defaultPeriod(today);
      const resolved = await resolveScope(deps.db, user, { ...period, teamId: null, regionId: null, category: null, language: null, sample: 'random' });
      const d = await buildDashboard(deps.db, resolved.scope, deps.config.scoreBands, undefined, deps.clock, deps.config.reviewTargetDays);
      data.summary = { evaluations: d.summary.evaluations, averageScore: d.summary.mean, criticalFailures: d.summary.criticalFailures, period };
    }
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
