// The live board: supervisors and specialists watch the call floor as it happens (leadership the
// figures only), updated without reloads over Server-Sent Events.
import type { Feature } from '../../app-context';
import { LIVE_ROLES } from './board.service';
import { liveRoutes } from './live.routes';

export { liveLagSeconds } from './hub';

export const liveFeature: Feature = {
  name: 'live',
  routes: liveRoutes,
  nav: [{ key: 'live.nav', href: '/live', roles: LIVE_ROLES, order: 150 }],
};
