// Demo data: the three demo specialists on duty, one active rule set, a plan for each of the last
// two weeks (so reports have planned vs done — the evaluations seed then completes many of them)
// and today's plan drawn from yesterday's calls. Runs after the calls seed.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToday } from '../../time';
import { defaultPlanRules } from './plan-rules';
import * as repo from './plans.repository';
import { drawDay, drawInstant } from './plans.service';
import { proposeRuleSet } from './proposals.service';

const DEMO_DUTY: { username: string; capacity: number; languages: string[] }[] = [
  { username: 'specialist', capacity: 22, languages: ['uz', 'ru', 'kaa'] },
  { username: 'specialist2', capacity: 20, languages: ['ru', 'uz'] },
  { username: 'specialist3', capacity: 18, languages: ['uz', 'sign'] },
];

/** How many past plan days the demo has. */
const PAST_DAYS = 14;

export async function seedPlans(ctx: SeedContext): Promise<void> {
  const { db } = ctx;
  const users = await db('users').whereIn('username', [...DEMO_DUTY.map((d) => d.username), 'admin']).select('id', 'username');
  const idOf = new Map(users.map((u: { id: unknown; username: string }) => [u.username, Number(u.id)]));
  for (const d of DEMO_DUTY) {
    const userId = idOf.get(d.username);
    if (userId) await repo.upsertDuty(db, userId, { onDuty: true, capacity: d.capacity, languages: d.languages }, ctx.clock);
  }
  const ruleSetId = await repo.insertRuleSet(db, { name: 'Asosiy qoidalar', rules: defaultPlanRules(), isActive: true, updatedBy: idOf.get('admin') ?? null }, ctx.clock);

  // A plan day draws from the day before: draw each day that has calls the day before.
  const today = tashkentToday(ctx.clock);
  const dates = await db('calls').whereNull('deleted_at').andWhere('call_date', '>=', addDays(today, -PAST_DAYS - 1)).andWhere('call_date', '<', today).distinct('call_date');
  const callDays = new Set(dates.map((r: { call_date: string }) => r.call_date));
  let drawn = 0;
  for (let planDate = addDays(today, -PAST_DAYS); planDate <= today; planDate = addDays(planDate, 1)) {
    if (!callDays.has(addDays(planDate, -1))) continue;
    // Past days are drawn "at" their scheduled time, so a verification judges them as of then.
    // Their media is not queued: nobody will open most of them, and the calls seed prepares its own.
    // Today's too, once the draw time has passed (as the schedule would have); before it, now.
    const past = planDate < today;
    const scheduled = drawInstant(planDate, ctx.config.planDrawTime);
    const clock = scheduled <= ctx.clock() ? () => scheduled : ctx.clock;
    try {
      await drawDay({ ...ctx, clock }, { planDate, actorId: null, source: 'seed', prepareMedia: !past });
      drawn++;
    } catch (e) {
      ctx.log(`plans: ${planDate} not drawn: ${(e as Error).message}`);
    }
  }
  // The demo specialist, having sized the plan, proposes four calls per operator a day: it waits
  // for the demo supervisor's approval on the rules page.
  const specialistId = idOf.get('specialist');
  if (specialistId) {
    const rules = { ...defaultPlanRules(), quota: { mode: 'perDay' as const, calls: 4 } };
    await proposeRuleSet(ctx, { id: ruleSetId, name: 'Asosiy qoidalar', isActive: true, rules }, specialistId, { applyAtOnce: false });
  }
  ctx.log(`plans: ${DEMO_DUTY.length} specialists on duty, 1 rule set (1 change proposed), ${drawn} plan days`);
}
