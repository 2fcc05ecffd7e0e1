// Keeps the dashboard's per-day sums current in the background, so a viewer rarely waits for a day
// to be summed: every hour (and when the app starts) a job sums again the days writes have marked stale, and the days
// not summed yet, over the longest period a report may cover and the period before it.
import type { AppDeps } from '../../app-context';
import { addDays, tashkentDate } from '../../time';
import { refreshDaySums } from './reports.service';

export const SUM_DAYS_JOB = 'reports.sumDays';
const EVERY_MINUTES = 60;

/** The scheduler's tick: one job per hour, whichever instance ticks first. */
export function sumDaysTick(deps: AppDeps) {
  return async (now: Date): Promise<void> => {
    const slot = Math.floor(now.getTime() / (EVERY_MINUTES * 60_000));
    await deps.jobs.enqueue(SUM_DAYS_JOB, {}, { dedupeKey: `reports:sum-days:${slot}` });
  };
}

export async function sumDays(deps: AppDeps): Promise<{ days: number }> {
  const today = tashkentDate(deps.clock());
  const refreshed = await refreshDaySums(deps.db, addDays(today, -2 * deps.config.maxReportDays), today, deps.clock);
  return { days: refreshed.size };
}
