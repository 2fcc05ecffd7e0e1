// The service feature: the Service KPI page over every call (/service) — offered, answered and
// abandoned calls, answer times and service levels, the EU 112 longest-10 % average, callbacks,
// card completeness, talk/hold/silence, review coverage and the checks' pass rates — with its
// Excel workbook and CSVs, read from per-day sums kept current by triggers and a background job.
// Other features may call serviceSheetsForReport (the reports workbook) and refreshServiceDays.
import type { Feature } from '../../app-context';
import { serviceRoutes } from './service.routes';
import { SERVICE_ROLES } from './service.service';
import { seedService } from './service.seed';
import { SERVICE_SUMS_JOB, serviceSumsTick, sumServiceDays } from './day-sums-job';

export { serviceSheetsForReport } from './service.view';
export { refreshServiceDays, serviceSettings, SERVICE_ROLES } from './service.service';

export const serviceFeature: Feature = {
  name: 'service',
  routes: serviceRoutes,
  nav: [{ key: 'service.nav', href: '/service', roles: SERVICE_ROLES, order: 610 }],
  seed: seedService,
  jobHandlers: (deps) => ({ [SERVICE_SUMS_JOB]: () => sumServiceDays(deps) }),
  schedules: (deps) => [serviceSumsTick(deps)],
};
