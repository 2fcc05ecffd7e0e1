// Demo data: the demo supervisor asked for blind second reviews of a tenth of last month's random
// sample; most are handed in, so the evaluators page shows agreement beside leniency, and the demo
// specialists have a few still to do. Runs after the evaluations and calibration seeds.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToday } from '../../time';
import { mulberry32 } from '../../random';
import { flattenCriteria } from '../rubrics/rubric.model';
import { getRubricVersion } from '../rubrics/rubrics.service';
import { listAnswers } from '../evaluations/evaluations.repository';
import { seedAudioSent } from '../evaluations/evaluations.seed';
import { submitEvaluation, viewerFor } from '../evaluations/evaluations.service';
import type { SubmitInput } from '../evaluations/evaluations.schema';
import { requestSecondReviews, startReview } from './evaluators.service';
import * as repo from './evaluators.repository';

export async function seedEvaluators(ctx: SeedContext): Promise<void> {
  const { db } = ctx;
  const supervisor = await db('users').where({ username: 'supervisor' }).first('id');
  if (!supervisor) return;
  const today = tashkentToday(ctx.clock);
  const at = (d: Date) => ({ ...ctx, clock: () => d });
  const requestedAt = new Date(ctx.clock().getTime() - 4 * 86_400_000);
  const r = await requestSecondReviews(at(requestedAt), Number(supervisor.id), { sharePercent: 10, from: addDays(today, -30), to: addDays(today, -5) });
  const rand = mulberry32(0x2e_1e1);
  let done = 0;
  for (const { userId } of await repo.reviewers(db)) {
    const tasks = await repo.tasksOf(db, userId);
    // Each reviewer leaves their last task open.
    for (const task of tasks.slice(1)) {
      const openedAt = new Date(requestedAt.getTime() + (2 + rand() * 40) * 3600_000);
      const id = await startReview(at(openedAt), userId, task.id);
      const e = await db('evaluations').where({ id }).first('rubric_version_id', 'call_id');
      const version = await getRubricVersion(db, Number(e.rubric_version_id));
      if (!version) continue;
      // The second reviewer mostly agrees with the first; now and then a criterion differs.
      const first = new Map((await listAnswers(db, task.originalEvaluationId)).map((a) => [a.criterionCode, a]));
      const answers: SubmitInput['answers'] = {};
      for (const c of flattenCriteria(version.definition)) {
        const a = first.get(c.code);
        if (!a) continue;
        let value = a.na ? null : a.value;
        if (value !== null && !c.critical && rand() < 0.07) value = c.answerType === 'scale' ? Math.max(0, value - 1) : 1 - value;
        answers[c.code] = { value, na: a.na, comment: '' };
      }
      await seedAudioSent(db, Number(e.call_id), userId, openedAt);
      const duration = Number((await db('calls').where({ id: e.call_id }).first('duration_sec')).duration_sec ?? 60);
      await submitEvaluation(at(new Date(openedAt.getTime() + 15 * 60_000)), await viewerFor(db, { id: userId, role: 'specialist' }), id, {
        revision: 0, answers, marks: [], played: [[0, duration]], complexCase: false, complexReason: '', summaryComment: '', confirmLowHeard: true,
      });
      done++;
    }
  }
  ctx.log(`evaluators: ${r.assigned} blind second reviews requested, ${done} handed in`);
}
