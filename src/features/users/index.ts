// Administration: users, teams, operators, regions, the audit log.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireRole } from '../../http/guards';
import { usersController } from './users.controller';
import { seedOrganisation } from './users.seed';

export function usersRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = usersController(deps);
  const admin = requireRole('admin');
  r.get('/admin/users', admin, c.list);
  r.get('/admin/users/new', admin, c.newForm);
  r.post('/admin/users', admin, c.create);
  r.get('/admin/users/:id/edit', admin, c.editForm);
  r.post('/admin/users/:id', admin, c.update);
  r.post('/admin/users/:id/password', admin, c.resetPassword);
  r.get('/admin/teams', admin, c.teams);
  r.post('/admin/teams', admin, c.saveTeam);
  r.post('/admin/teams/:id', admin, c.saveTeam);
  r.get('/admin/operators', requireRole('admin', 'supervisor'), c.operators);
  r.get('/admin/operators/new', admin, c.operatorForm);
  r.post('/admin/operators', admin, c.saveOperator);
  r.get('/admin/operators/:id/edit', admin, c.operatorForm);
  r.post('/admin/operators/:id', admin, c.saveOperator);
  r.get('/admin/regions', admin, c.regions);
  r.get('/admin/audit', admin, c.auditLog);
  return r;
}

export const usersFeature: Feature = {
  name: 'users',
  routes: usersRoutes,
  seed: seedOrganisation,
  nav: [
    { key: 'nav.users', href: '/admin/users', roles: ['admin'], order: 900 },
    { key: 'nav.teams', href: '/admin/teams', roles: ['admin'], order: 910 },
    { key: 'nav.operators', href: '/admin/operators', roles: ['admin', 'supervisor'], order: 920 },
    { key: 'nav.regions', href: '/admin/regions', roles: ['admin'], order: 930 },
    { key: 'nav.audit', href: '/admin/audit', roles: ['admin'], order: 990 },
  ],
};
