// The reports feature: routes, navigation, demo seed, jobs and schedules it plugs into the app.
import type { Feature } from '../../app-context';

export const reportsFeature: Feature = {
  name: 'reports',
};
