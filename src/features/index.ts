// Every feature of the app, in the order their demo seeds run and their routes mount.
import type { Feature } from '../app-context';
import { authFeature } from './auth';
import { homeFeature } from './home';
import { usersFeature } from './users';
import { rubricsFeature } from './rubrics';
import { callsFeature } from './calls';
import { importsFeature } from './imports';
import { plansFeature } from './plans';
import { evaluationsFeature } from './evaluations';
import { errorsFeature } from './errors';
import { digestsFeature } from './digests';
import { reportsFeature } from './reports';
import { calibrationFeature } from './calibration';
import { trainingFeature } from './training';
import { operatorPortalFeature } from './operator-portal';
import { factsFeature } from './facts';
import { platformFeature } from './platform';
import { auditFeature } from './audit';
import { retentionFeature } from './retention';
import { backupFeature } from './backup';
import { evaluatorsFeature } from './evaluators';
import { eventsFeature } from './events';
import { liveFeature } from './live';
import { followupsFeature } from './followups';
import { worktimeFeature } from './worktime';
import { checksFeature } from './checks';
import { serviceFeature } from './service';

export const FEATURES: Feature[] = [
  authFeature,
  homeFeature,
  usersFeature,
  rubricsFeature,
  callsFeature,
  importsFeature,
  plansFeature,
  evaluationsFeature,
  errorsFeature,
  digestsFeature,
  reportsFeature,
  calibrationFeature,
  trainingFeature,
  operatorPortalFeature,
  evaluatorsFeature,
  platformFeature,
  auditFeature,
  retentionFeature,
  backupFeature,
  eventsFeature,
  liveFeature,
  followupsFeature,
  worktimeFeature,
  // Its demo seed computes the facts of every call the seeds before it made.
  factsFeature,
  // Then the checks of those facts, and the Service page's own call traffic (facts, checks, day sums).
  checksFeature,
  serviceFeature,
];
