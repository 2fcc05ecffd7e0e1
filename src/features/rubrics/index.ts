// The rubrics feature: routes, navigation, the default rubric every deployment starts with, and
// demo rubrics. Other features call rubricVersionForCall / getRubricVersion (rubrics.service.ts).
import type { Feature } from '../../app-context';
import { rubricsRoutes } from './rubrics.routes';
import { ensureDefaultRubric } from './rubrics.service';
import { seedDemoRubrics } from './rubrics.seed';

export { rubricVersionForCall, getRubricVersion } from './rubrics.service';

export const rubricsFeature: Feature = {
  name: 'rubrics',
  routes: rubricsRoutes,
  nav: [{ key: 'rubrics.nav', href: '/rubrics', roles: ['admin', 'specialist', 'supervisor'], order: 700 }],
  async bootstrap(deps) {
    const result = await ensureDefaultRubric(deps);
    if (result.created) deps.logger.info({ rubricId: result.rubricId }, 'default rubric created and published');
  },
  seed: seedDemoRubrics,
};
