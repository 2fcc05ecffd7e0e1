// Demo: each demo supervisor has chosen a schedule, and last week's digest was already sent, so
// the digests page has history to show; the demo specialist handed the demo supervisor's first
// team a ma'lumotnoma yesterday (new on the supervisor's home page) and has another in review.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToUtc, tashkentToday } from '../../time';
import { handOver, prepareDigest, prepareScheduledDigest } from './digests.service';
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
  const specialist = await ctx.db('users').where({ username: 'specialist' }).first('id', 'display_name', 'language');
  const team = await ctx.db('teams as t').join('users as u', 'u.id', 't.supervisor_user_id').where('u.username', 'supervisor').orderBy('t.id').first('t.id');
  let bySpecialist = 0;
  if (specialist && team) {
    const viewer = { id: Number(specialist.id), role: 'specialist', displayName: String(specialist.display_name), language: specialist.language };
    const yesterday = { ...ctx, clock: () => new Date(ctx.clock().getTime() - 86_400_000) };
    const sent = await prepareDigest(yesterday, viewer, { scope: `team:${team.id}`, from: addDays(today, -8), to: addDays(today, -2) });
    await handOver(yesterday, viewer, sent);
    await prepareDigest(ctx, viewer, { scope: `team:${team.id}`, from: addDays(today, -1), to: addDays(today, -1) });
    bySpecialist = 2;
  }
  ctx.log(`digests: ${supervisors.length} schedules, ${stored} sent digests, ${bySpecialist} by a specialist`);
}
