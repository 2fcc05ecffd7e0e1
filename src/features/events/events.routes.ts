// The events feature's routes: the platform's door and the administrator's list of what did not match.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { requireApiToken } from '../calls/api-tokens.service';
import { eventsApiController } from './events.controller';
import { eventsAdminController } from './events.admin';
import { TokenBuckets, rateLimitByToken } from './rate-limit';

export const EVENTS_ADMIN_ROLES = ['admin', 'specialist'] as const;

export function eventsRoutes(deps: AppDeps): Router {
  const r = Router();
  const api = eventsApiController(deps);
  const admin = eventsAdminController(deps);
  const buckets = new TokenBuckets(deps.config.events.ratePerSecond, deps.config.events.rateBurst);
  r.post('/api/v1/events', requireApiToken(deps), rateLimitByToken(buckets), api.ingest);
  r.get('/admin/events', requireRole(...EVENTS_ADMIN_ROLES), admin.problems);
  return r;
}
