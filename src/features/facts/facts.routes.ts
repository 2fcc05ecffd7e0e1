// The facts feature's routes: one line each — path, guards, controller.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { factsController } from './facts.controller';

export function factsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = factsController(deps);
  r.get('/admin/channel-roles', requireRole('admin'), c.channelRoles);
  r.post('/admin/channel-roles', requireRole('admin'), c.saveChannelRole);
  r.post('/admin/channel-roles/remove', requireRole('admin'), c.removeChannelRole);
  return r;
}
