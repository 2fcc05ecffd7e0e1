// Demo history for the dashboard: ten weeks of calls, plans, submitted evaluations and errors
// BEFORE the two weeks the calls, plans and evaluations seeds make, so a 90-day dashboard has a
// trend to show. Written straight into the tables (as imported history would be): no recordings,
// no marks, errors already closed. Scores come from the app's own scoring, so figures agree.
// Deterministic (one seeded PRNG); skipped when there are no operators, specialists or rubric.
import { mulberry32, weighted } from '../../random';
import type { Knex } from 'knex';
import type { SeedContext } from '../../app-context';
import { insertReturningId } from '../../db';
import { addDays, tashkentToUtc, tashkentToday } from '../../time';
import { scoreEvaluation, type Answer } from '../evaluations/scoring';
import { flattenCriteria, type RubricDefinition } from '../rubrics/rubric.model';
import { rubricVersionForCall } from '../rubrics/rubrics.service';

/** The other seeds cover the last 14 days; the history ends the day before they start. */
export const HISTORY_END_DAYS_AGO = 15;
export const HISTORY_DAYS = 70;
const CALLS_PER_DAY = 36;
const EVALUATED_SHARE = 0.45;

const CATEGORIES: [string, number][] = [['medical', 30], ['road_accident', 12], ['crime', 12], ['fire', 8], ['information', 14], ['gas', 6], ['domestic_violence', 6], ['false_call', 7], ['other', 5]];
const LANGUAGES: [string, number][] = [['uz', 74], ['ru', 18], ['kaa', 6], ['other', 2]];

export async function seedReportHistory(ctx: SeedContext): Promise<void> {
  const { db, config } = ctx;
  const rand = mulberry32(112_2026);
  const operators = (await db('operators').where('is_active', true).select('id', 'team_id').orderBy('id')).map((o) => ({ id: Number(o.id), teamId: o.team_id == null ? null : Number(o.team_id) }));
  const specialists = (await db('users').where({ role: 'specialist', is_active: true }).select('id').orderBy('id')).map((u) => Number(u.id));
  const regions = (await db('regions').select('id').orderBy('id')).map((r) => Number(r.id));
  const rubric = await rubricVersionForCall(db, null);
  if (!operators.length || !specialists.length || !rubric) {
    ctx.log('reports: no operators, specialists or published rubric; history not seeded');
    return;
  }
  const criteria = flattenCriteria(rubric.definition);
  const today = tashkentToday(ctx.clock);
  const first = addDays(today, -(HISTORY_END_DAYS_AGO + HISTORY_DAYS - 1));
  // Each operator's own level, and a service that improves by about four points over the weeks.
  const skill = new Map(operators.map((o) => [o.id, 0.55 + rand() * 0.32]));
  const regionOf = new Map(operators.map((o) => [o.id, regions[Math.floor(rand() * regions.length)]]));
  let calls = 0;
  let evaluations = 0;
  let errors = 0;

  await db.transaction(async (trx) => {
    for (let d = 0; d < HISTORY_DAYS; d++) {
      const day = addDays(first, d);
      const progress = d / HISTORY_DAYS;
      const now = tashkentToUtc(day, '20:00').toISOString();
      const planId = await insertReturningId(trx, 'plans', {
        plan_date: day, status: 'active', seed: `history-${day}`, rules: '{}', algorithm_version: 'demo-history',
        population_fingerprint: '0'.repeat(64), population_count: CALLS_PER_DAY, created_at: tashkentToUtc(day, config.planDrawTime).toISOString(),
      });
      for (let n = 0; n < CALLS_PER_DAY; n++) {
        const op = operators[Math.floor(rand() * operators.length)];
        const started = new Date(tashkentToUtc(day, '07:00').getTime() + rand() * 15 * 3600000);
        const duration = 40 + Math.floor(rand() * 360);
        const category = weighted(rand, CATEGORIES);
        const callId = await insertReturningId(trx, 'calls', {
          source: 'telephony', external_id: `HIST-${day}-${n + 1}`, started_at: started.toISOString(), answered_at: started.toISOString(),
          ended_at: new Date(started.getTime() + duration * 1000).toISOString(), call_date: day, duration_sec: duration, operator_id: op.id,
          caller_number: `+99890${String(1000000 + Math.floor(rand() * 8999999))}`, language: weighted(rand, LANGUAGES), channel: 'voice',
          category, services: category === 'medical' ? '103' : category === 'fire' ? '101' : '102',
          region_id: rand() < 0.7 ? regionOf.get(op.id) : regions[Math.floor(rand() * regions.length)], dropped: rand() < 0.06,
          created_at: now, updated_at: now,
        });
        calls++;
        if (rand() > EVALUATED_SHARE) continue;
        const specialistId = specialists[Math.floor(rand() * specialists.length)];
        const planned = rand() < 0.93;
        const done = rand() < 0.95 || !planned;
        if (!done) {
          await trx('assignments').insert({ plan_id: planId, call_id: callId, operator_id: op.id, specialist_user_id: specialistId, status: rand() < 0.5 ? 'new' : 'in_progress', origin: 'draw', created_at: now, updated_at: now });
          continue;
        }
        const evaluationId = await evaluate(trx, { callId, operatorId: op.id, specialistId, versionId: rubric.versionId, definition: rubric.definition, day, callEnd: started.getTime() + duration * 1000, level: Math.min(0.97, skill.get(op.id)! + progress * 0.08), rand, bands: config.scoreBands, criteria });
        evaluations++;
        errors += evaluationId.errors;
        if (planned) await trx('assignments').insert({ plan_id: planId, call_id: callId, operator_id: op.id, specialist_user_id: specialistId, status: 'done', origin: 'draw', evaluation_id: evaluationId.id, created_at: now, updated_at: now });
      }
    }
  });
  ctx.log(`reports: history of ${HISTORY_DAYS} days before ${addDays(today, -HISTORY_END_DAYS_AGO + 1)}: ${calls} calls, ${evaluations} evaluations, ${errors} errors`);
}

async function evaluate(
  trx: Knex.Transaction,
  o: { callId: number; operatorId: number; specialistId: number; versionId: number; definition: RubricDefinition; day: string; callEnd: number; level: number; rand: () => number; bands: { high: number; compliant: number; partial: number }; criteria: ReturnType<typeof flattenCriteria> },
): Promise<{ id: number; errors: number }> {
  const { rand } = o;
  const answers: Record<string, Answer> = {};
  for (const c of o.criteria) {
    if (c.naAllowed && rand() < 0.45) answers[c.code] = { value: null, na: true };
    else if (c.answerType === 'scale') {
      const max = c.scaleMax ?? 3;
      answers[c.code] = { value: rand() < o.level ? max : Math.floor(rand() * max), na: false };
    } else answers[c.code] = { value: rand() < (c.critical ? 0.985 : Math.min(0.99, o.level + 0.1)) ? 1 : 0, na: false };
  }
  const score = scoreEvaluation(o.definition, answers, o.bands);
  const submitted = new Date(Math.max(o.callEnd + 3600000, tashkentToUtc(o.day, '09:00').getTime()) + rand() * 4 * 3600000);
  const started = new Date(submitted.getTime() - (4 + rand() * 9) * 60000);
  const id = await insertReturningId(trx, 'evaluations', {
    // Mostly the plans' random draws; now and then a call picked by hand (a complaint, an incident).
    call_id: o.callId, operator_id: o.operatorId, rubric_version_id: o.versionId, specialist_user_id: o.specialistId, kind: 'regular', purpose: rand() < 0.06 ? 'on_request' : 'random', status: 'submitted', revision: 1,
    review_lag_sec: Math.max(0, Math.round((submitted.getTime() - o.callEnd) / 1000)),
    score: score.score, points_earned: score.pointsEarned, points_possible: score.pointsPossible, result: score.result, critical_failure: score.criticalFailure,
    heard_share: Math.min(1, 0.86 + rand() * 0.16), heard_seconds: null, started_at: started.toISOString(), submitted_at: submitted.toISOString(),
    evaluation_date: o.day, created_at: started.toISOString(), updated_at: submitted.toISOString(),
  });
  await trx('evaluation_answers').insert(
    o.criteria.map((c) => {
      const a = answers[c.code];
      const per = score.perCriterion[c.code];
      return { evaluation_id: id, criterion_code: c.code, value: a.na ? null : a.value, is_na: a.na, points_earned: per.earned, points_possible: per.possible, failed: per.failed };
    }),
  );
  await trx('calls').where('id', o.callId).update({ evaluated_at: submitted.toISOString() });
  const failed = o.criteria.filter((c) => score.perCriterion[c.code].failed);
  if (failed.length) {
    const closed = new Date(submitted.getTime() + 2 * 86400000).toISOString();
    await trx('errors').insert(
      failed.map((c) => ({
        evaluation_id: id, call_id: o.callId, operator_id: o.operatorId, source: 'criterion', criterion_code: c.code, category: c.errorCategory, severity: c.defaultSeverity,
        status: 'closed', action_type: 'conversation', acknowledged_at: closed, action_at: closed, closed_at: closed, error_date: o.day, created_at: submitted.toISOString(), updated_at: closed,
      })),
    );
  }
  return { id, errors: failed.length };
}
