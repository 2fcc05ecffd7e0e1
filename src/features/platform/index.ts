// What every instance needs whatever the features: expired sessions purged hourly (one job per
// hour across all instances, by its dedupe key). Health, readiness and metrics endpoints are
// mounted by createApp itself (src/http/health.ts, src/metrics.ts), before sessions.
import type { AppDeps, Feature } from '../../app-context';
import { SESSION_PURGE_JOB, purgeExpiredSessions } from '../../http/session-store';

const PURGE_EVERY_MS = 60 * 60 * 1000;

export function sessionPurgeTick(deps: AppDeps) {
  return async (now: Date): Promise<void> => {
    await deps.jobs.enqueue(SESSION_PURGE_JOB, {}, { dedupeKey: `sessions:purge:${Math.floor(now.getTime() / PURGE_EVERY_MS)}`, maxAttempts: 3 });
  };
}

export const platformFeature: Feature = {
  name: 'platform',
  jobHandlers: (deps) => ({ [SESSION_PURGE_JOB]: async () => ({ purged: await purgeExpiredSessions(deps.db, deps.clock()) }) }),
  schedules: (deps) => [sessionPurgeTick(deps)],
};
