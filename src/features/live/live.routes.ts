// The live board's routes: one line each.
import { Router } from 'express';
import type { AppDeps } from '../../app-context';
import { requireRole } from '../../http/guards';
import { LIVE_ROLES, TAKE_ROLES } from './board.service';
import { liveController } from './live.controller';

export function liveRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = liveController(deps);
  r.get('/live', requireRole(...LIVE_ROLES), c.board);
  r.get('/live/stream', requireRole(...LIVE_ROLES), c.stream);
  r.post('/live/complex/:id/take', requireRole(...TAKE_ROLES), c.takeComplex);
  return r;
}
