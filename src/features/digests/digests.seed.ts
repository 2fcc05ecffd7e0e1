// Demo: each demo supervisor has chosen a schedule, and last week's digest was already sent, so
// the digests page has history to show.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToUtc, tashkentToday } from '../../time';
import { prepareScheduledDigest } from './digests.service';
import * as repo from './digests.repository';

export async function seedDigests(ctx: SeedContext): Promise<void> {
  const now = ctx.clock().toISOString();
  const today = tashkentToday(ctx.clock);
  const supervisors = await repo.listSupervisors(ctx.db);
  let stored = 0;
  for (const [i, sup] of supervisors.entries()) {
    // The first supervisor reads a digest every morning; the others a weekly one on Mondays.
    const weekly = i % 2 === 1;
    await repo.saveSchedule(ctx.db, { userId: sup.id, frequency: weekly ? 'weekly' : 'daily', weekday: weekly ? 1 : null, sendTime: weekly ? '09:00' : '08:00', isActive: true }, now);
    const periodEnd = addDays(today, -2);
    const { digestId } = await prepareScheduledDigest(ctx, { userId: sup.id, periodStart: addDays(periodEnd, -6), periodEnd });
    const sentAt = tashkentToUtc(addDays(periodEnd, 1), weekly ? '09:00' : '08:00').toISOString();
    await repo.recordDelivery(ctx.db, digestId, { status: 'sent', attempts: 1, sentAt: sentAt < now ? sentAt : now, lastError: null }, now);
    stored++;
  }
  ctx.log(`digests: ${supervisors.length} schedules, ${stored} sent digests`);
}
