// Demo operator account: `operator` (linked to OP-101) who has acknowledged some evaluations,
// has one open dispute waiting for the supervisor and one earlier dispute the supervisor rejected.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToUtc, tashkentToday } from '../../time';
import { hashPassword } from '../users/users.service';
import { DEMO_PASSWORD } from '../users/users.seed';
import * as usersRepo from '../users/users.repository';
import { flattenCriteria } from '../rubrics/rubric.model';
import { rubricVersionForCall } from '../rubrics/rubrics.service';
import { insertEvaluation } from '../evaluations/evaluations.repository';
import { seedAudioSent } from '../evaluations/evaluations.seed';
import { submitEvaluation, viewerFor } from '../evaluations/evaluations.service';
import type { SubmitInput } from '../evaluations/evaluations.schema';
import { DISPUTE_WINDOW_DAYS } from './disputes';
import { acknowledgeEvaluation, raiseDispute, rejectDispute } from './portal.service';
import * as repo from './portal.repository';

export const DEMO_OPERATOR_USERNAME = 'operator';
const OPERATOR_CODE = 'OP-101';

/** Makes a fresh evaluation of one of the operator's recent calls with one failed criterion. */
async function evaluationWithFailure(ctx: SeedContext, operatorId: number, specialistId: number, code: string, today: string): Promise<number | null> {
  const { db, clock } = ctx;
  const call = await db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where('c.operator_id', operatorId).whereNull('c.deleted_at')
    .whereBetween('c.call_date', [addDays(today, -3), addDays(today, -1)]).whereNotIn('c.id', db('evaluations').select('call_id'))
    .orderBy('c.started_at', 'desc').first('c.id', 'c.started_at', 'c.category', 'c.dropped', 'c.duration_sec', 'r.duration_sec as rec_duration');
  if (!call) return null;
  const version = await rubricVersionForCall(db, call.category ?? null);
  if (!version) return null;
  const answers: SubmitInput['answers'] = {};
  for (const c of flattenCriteria(version.definition)) {
    if (c.naAllowed) answers[c.code] = { value: null, na: true, comment: '' };
    else answers[c.code] = { value: c.code === code ? 0 : c.answerType === 'scale' ? (c.scaleMax ?? 3) : 1, na: false, comment: c.code === code ? "Manzil xaritada tekshirilmadi, mo'ljal so'ralmadi." : '' };
  }
  const openedAt = new Date(Math.min(Date.parse(call.started_at) + 3 * 3600_000, clock().getTime() - 2 * 3600_000));
  const id = await insertEvaluation(db, { callId: Number(call.id), operatorId, rubricVersionId: version.versionId, specialistUserId: specialistId, purpose: 'on_request', now: openedAt.toISOString() });
  await seedAudioSent(db, Number(call.id), specialistId, openedAt);
  await submitEvaluation({ ...ctx, clock: () => new Date(openedAt.getTime() + 12 * 60_000) }, await viewerFor(db, { id: specialistId, role: 'specialist' }), id, {
    revision: 0, answers, marks: [], played: [[0, Number(call.rec_duration ?? call.duration_sec ?? 60)]], complexCase: false, complexReason: '', summaryComment: '', confirmLowHeard: true,
  });
  return id;
}

export async function seedOperatorPortal(ctx: SeedContext): Promise<void> {
  const { db, clock, config } = ctx;
  const operator = await usersRepo.findOperatorByCode(db, OPERATOR_CODE);
  const supervisorId = (await usersRepo.findUserByUsername(db, 'supervisor'))?.id;
  const specialistId = (await usersRepo.findUserByUsername(db, 'specialist'))?.id;
  if (!operator || !supervisorId || !specialistId) {
    ctx.log('operator portal: OP-101 or demo users missing, skipped');
    return;
  }
  const userId = (await usersRepo.findUserByUsername(db, DEMO_OPERATOR_USERNAME))?.id
    ?? await usersRepo.insertUser(db, { username: DEMO_OPERATOR_USERNAME, displayName: operator.fullName, email: null, passwordHash: await hashPassword(DEMO_PASSWORD, config.passwordHashRounds), role: 'operator', language: 'uz', operatorId: operator.id }, clock);
  const user = { id: userId, role: 'operator' as const, operatorId: operator.id };
  const today = tashkentToday(clock);
  const at = (d: Date) => ({ ...ctx, clock: () => d });

  // The older evaluations were read and acknowledged a day after they came in.
  const own = await repo.listOwnEvaluations(db, operator.id);
  const windowStart = clock().getTime() - (DISPUTE_WINDOW_DAYS - 1) * 86_400_000;
  let acknowledged = 0;
  for (const e of own.filter((r) => r.submittedAt && Date.parse(r.submittedAt) < Date.parse(tashkentToUtc(addDays(today, -4)).toISOString()))) {
    if (await acknowledgeEvaluation(at(new Date(Date.parse(e.submittedAt!) + 26 * 3600_000)), user, e.id)) acknowledged++;
  }

  // An earlier dispute the supervisor rejected, on an older evaluation with a failure.
  const older = own.find((r) => r.failedCount > 0 && r.submittedAt && Date.parse(r.submittedAt) < Date.parse(tashkentToUtc(addDays(today, -4)).toISOString()));
  if (older) {
    const failed = (await repo.listAnswers(db, older.id)).find((a) => a.failed);
    if (failed) {
      const raisedAt = new Date(Date.parse(older.submittedAt!) + 30 * 3600_000);
      const disputeId = await raiseDispute(at(raisedAt), user, older.id, { criterionCode: failed.criterionCode, comment: `${failed.criterionCode} bo'yicha talabni bajarganman deb hisoblayman, yozuvning oxirini tinglab ko'ring.` });
      await rejectDispute(at(new Date(raisedAt.getTime() + 5 * 3600_000)), { id: supervisorId, role: 'supervisor' }, disputeId, {
        note: `Yozuvni qayta tingladim: ${failed.criterionCode} bo'yicha talab bajarilmagan. Baho o'zgarmaydi.`,
      });
    }
  }

  // An open dispute on a recent evaluation, within the window.
  const recent = own.find((r) => r.failedCount > 0 && r.submittedAt && Date.parse(r.submittedAt) > windowStart && r.id !== older?.id);
  let recentId = recent?.id ?? null;
  if (!recentId) recentId = await evaluationWithFailure(ctx, operator.id, specialistId, 'INFO-2', today);
  if (recentId) {
    const answers = await repo.listAnswers(db, recentId);
    // The location criterion when it failed (the comment speaks of it), else the first failure.
    const failed = answers.find((a) => a.failed && a.criterionCode === 'INFO-2') ?? answers.find((a) => a.failed);
    if (failed) {
      const e = await repo.findEvaluation(db, recentId);
      const raisedAt = new Date(Math.min(Date.parse(e!.submittedAt!) + 20 * 3600_000, clock().getTime() - 30 * 60_000));
      await raiseDispute(at(raisedAt), user, recentId, { criterionCode: failed.criterionCode, comment: failed.criterionCode === 'INFO-2'
        ? "Manzilni xaritada tekshirganman: 1:10 da koordinatalarni chaqiruvchiga qayta o'qib berdim. Iltimos, yozuvni qayta tinglang."
        : `${failed.criterionCode} bo'yicha talabni bajarganman: chaqiruvning 1:10 qismini qayta tinglang, iltimos.` });
    }
  }
  ctx.log(`operator portal: account "${DEMO_OPERATOR_USERNAME}" for ${OPERATOR_CODE}, ${acknowledged} acknowledged, disputes seeded`);
}
