// When a supervisor's scheduled digest is due, and which days it covers. Pure.
import { addDays, tashkentClock, tashkentDate } from '../../time';

export const FREQUENCIES = ['daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface DigestSchedule {
  userId: number;
  frequency: Frequency;
  /** 1 = Monday … 7 = Sunday; weekly schedules only */
  weekday: number | null;
  /** HH:MM, Asia/Tashkent */
  sendTime: string;
  isActive: boolean;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD day. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * The period a schedule's digest covers when it is due at `now`, or null when it is not due.
 * A daily digest covers yesterday; a weekly one the seven days up to yesterday, sent on the chosen
 * weekday. It is due from its time until midnight (Tashkent), so a server that was down at that
 * minute still sends it later that day; the job's dedupe key `digest:<userId>:<periodEnd>` makes
 * every further tick that day a no-op.
 */
export function duePeriod(s: DigestSchedule, now: Date): { periodStart: string; periodEnd: string } | null {
  if (!s.isActive) return null;
  const today = tashkentDate(now);
  if (tashkentClock(now) < s.sendTime) return null;
  if (s.frequency === 'weekly' && isoWeekday(today) !== s.weekday) return null;
  const periodEnd = addDays(today, -1);
  return { periodStart: s.frequency === 'weekly' ? addDays(today, -7) : periodEnd, periodEnd };
}

/** The dedupe key of a scheduled digest: one per supervisor and period end. */
export function scheduleKey(userId: number, periodEnd: string): string {
  return `digest:${userId}:${periodEnd}`;
}

/** The next moment (a Tashkent day and time) the schedule will send, for the page to show. */
export function nextSendDay(s: DigestSchedule, now: Date): string | null {
  if (!s.isActive) return null;
  const today = tashkentDate(now);
  for (let i = 0; i < 8; i++) {
    const day = addDays(today, i);
    if (i === 0 && tashkentClock(now) >= s.sendTime) continue;
    if (s.frequency === 'daily' || isoWeekday(day) === s.weekday) return day;
  }
  return null;
}
