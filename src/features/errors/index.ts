// The errors feature: error records from evaluations, the supervisor's inbox, error analysis,
// complex cases and operator pages.
import type { Feature } from '../../app-context';
import { errorsRoutes } from './errors.routes';
import { seedErrors } from './errors.seed';

export { syncErrorsForEvaluation } from './errors.service';

export const errorsFeature: Feature = {
  name: 'errors',
  routes: errorsRoutes,
  seed: seedErrors,
  nav: [{ key: 'errors.nav', href: '/errors', roles: ['supervisor', 'specialist', 'admin'], order: 400 }],
};
