// Keeps the Service page's per-day sums current in the background, so a viewer rarely waits for a
// day to be summed: every ten minutes a job sums again the days writes have marked stale (and the
// days not summed yet) over the longest period a report may cover.
import type { AppDeps } from '../../app-context';
import { addDays, tashkentDate } from '../../time';
import { refreshServiceDays, serviceSettings } from './service.service';

export const SERVICE_SUMS_JOB = 'service.sumDays';
const EVERY_MINUTES = 10;

export function serviceSumsTick(deps: AppDeps) {
  return async (now: Date): Promise<void> => {
    const slot = Math.floor(now.getTime() / (EVERY_MINUTES * 60_000));
    await deps.jobs.enqueue(SERVICE_SUMS_JOB, {}, { dedupeKey: `service:sum-days:${slot}` });
  };
}

export async function sumServiceDays(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>): Promise<{ days: number }> {
  const today = tashkentDate(deps.clock());
  const done = await refreshServiceDays(deps.db, addDays(today, -(deps.config.maxReportDays - 1)), today, serviceSettings(deps.config), deps.clock);
  return { days: done.length };
}
