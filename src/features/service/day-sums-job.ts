// Keeps the Service page's per-day sums current in the background, so a viewer rarely waits for a
// day to be summed: every minute the scheduler looks whether a write has marked a day stale (or
// today has no sums yet) and, if so, queues the one job row that sums those days again over the
// longest period a report may cover. At a national service's pace today is summed every minute
// or two; the page shows a busy today from these sums (TODAY_GRACE_SECONDS).
import type { AppDeps } from '../../app-context';
import { addDays, tashkentDate } from '../../time';
import { kickJob } from '../facts/facts.service';
import { refreshServiceDays, serviceSettings } from './service.service';

export const SERVICE_SUMS_JOB = 'service.sumDays';
export const SERVICE_SUMS_JOB_KEY = 'service:sum-days';

export function serviceSumsTick(deps: AppDeps) {
  return async (now: Date): Promise<void> => {
    const today = tashkentDate(now);
    const from = addDays(today, -(deps.config.maxReportDays - 1));
    const stale = await deps.db('service_stale_days').whereBetween('day', [from, today]).first('day');
    const todaySummed = await deps.db('service_day_sums').where({ day: today, part: 'all' }).first('day');
    if (stale || !todaySummed) await kickJob(deps, SERVICE_SUMS_JOB, SERVICE_SUMS_JOB_KEY);
  };
}

export async function sumServiceDays(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>): Promise<{ days: number }> {
  const today = tashkentDate(deps.clock());
  const done = await refreshServiceDays(deps.db, addDays(today, -(deps.config.maxReportDays - 1)), today, serviceSettings(deps.config), deps.clock);
  return { days: done.summed.length };
}
