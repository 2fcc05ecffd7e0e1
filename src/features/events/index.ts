// The events feature: the call-events API the telephony platform and the CRM push to, settling
// events into calls, cards, services and operator states; held and unmatched events; the
// `events replay` command; the demo day that keeps the live board moving.
import type { Feature } from '../../app-context';
import { eventsRoutes, EVENTS_ADMIN_ROLES } from './events.routes';
import { eventsCli } from './events.cli';
import { seedEvents } from './events.seed';
import { resolveLateOperatorsTick } from './events.jobs';

export { ingestBatch } from './events.service';
export { onEventsStored } from './event-bus';

export const eventsFeature: Feature = {
  name: 'events',
  routes: eventsRoutes,
  seed: seedEvents,
  cli: eventsCli,
  schedules: (deps) => [resolveLateOperatorsTick(deps)],
  nav: [{ key: 'events.nav', href: '/admin/events', roles: EVENTS_ADMIN_ROLES, order: 945 }],
};
