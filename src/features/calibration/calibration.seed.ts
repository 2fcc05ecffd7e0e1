// Demo calibration: one closed session (three specialists and an expert on two calls, with some
// honest disagreement so the agreement figures and the side-by-side table have something to show)
// and one open session the demo specialist still has to score. Everything goes through the same
// service functions as the pages, with the clock set to the moment of each step.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToUtc, tashkentToday } from '../../time';
import { flattenCriteria, type FlatCriterion, type RubricDefinition } from '../rubrics/rubric.model';
import { getRubricVersion } from '../rubrics/rubrics.service';
import { hashPassword } from '../users/users.service';
import { DEMO_PASSWORD } from '../users/users.seed';
import * as usersRepo from '../users/users.repository';
import { saveDraft, submitEvaluation, viewerFor } from '../evaluations/evaluations.service';
import type { DraftInput } from '../evaluations/evaluations.schema';
import { closeSession, createSession } from './calibration.service';
import * as repo from './calibration.repository';

/** The demo's fourth specialist, whose answers are the reference in the closed session. */
export const DEMO_EXPERT = { username: 'expert', displayName: 'Nodira Xasanova', email: 'nodira@sifat.local' };

interface SeedCall {
  id: number;
  category: string | null;
  dropped: boolean;
  durationSec: number;
}

/** Whether an N/A-able criterion applies to the call (the same reading as the evaluations seed). */
function applies(code: string, call: SeedCall): boolean {
  switch (code) {
    case 'HELP-1': return ['medical', 'road_accident', 'fire'].includes(call.category ?? '');
    case 'HELP-3': return call.category === 'suicide_risk';
    case 'HELP-4': return ['information', 'false_call', 'other'].includes(call.category ?? '');
    case 'CLOSE-2': return call.dropped;
    default: return true;
  }
}

type Overrides = Record<string, number | 'na'>;

/** A full set of answers: the best on every criterion, N/A where it does not apply, then the overrides. */
function answersFor(criteria: FlatCriterion[], call: SeedCall, overrides: Overrides, comments: Record<string, string> = {}): DraftInput['answers'] {
  const out: DraftInput['answers'] = {};
  for (const c of criteria) {
    const o = overrides[c.code];
    if (o === 'na' && c.naAllowed) out[c.code] = { value: null, na: true, comment: comments[c.code] ?? '' };
    else if (typeof o === 'number') out[c.code] = { value: Math.min(o, c.answerType === 'scale' ? (c.scaleMax ?? 1) : 1), na: false, comment: comments[c.code] ?? '' };
    else if (c.naAllowed && !applies(c.code, call)) out[c.code] = { value: null, na: true, comment: '' };
    else out[c.code] = { value: c.answerType === 'scale' ? (c.scaleMax ?? 1) : 1, na: false, comment: '' };
  }
  return out;
}

// Per call (by position) the expert's reading and how each specialist departs from it. The
// disagreements are the usual ones: how strict to be on active listening (a scale), whether the
// card text is clear enough, whether the location was really checked, whether first aid applied.
// Everyone agrees the second call was not closed properly (CLOSE-1): that criterion shows what
// good agreement looks like next to the contested ones.
const EXPERT_READING: Overrides[] = [
  { 'INFO-5': 2, 'CARD-2': 0 },
  { 'INFO-2': 0, 'COMM-1': 2, 'CLOSE-1': 0 },
];
const DEPARTURES: Record<string, Overrides[]> = {
  specialist: [{ 'INFO-5': 3, 'CARD-2': 1 }, { 'COMM-1': 3, 'CARD-2': 0 }],
  specialist2: [{ 'INFO-5': 1, 'HELP-1': 'na' }, { 'INFO-2': 1, 'INFO-5': 2 }],
  specialist3: [{ 'INFO-5': 3, 'CARD-2': 0 }, { 'COMM-1': 1, 'CARD-2': 1 }],
};
const COMMENTS: Record<string, string> = {
  'CARD-2': "Karta matnida manzil mo'ljali yo'q, qabul qiluvchi xizmatga tushunarsiz.",
  'INFO-2': "Manzil xaritada tekshirilmadi, faqat ko'cha nomi yozildi.",
  'HELP-2': "Chaqiruvchi tinchlantirilmadi, operator gapni bo'ldi.",
  'CLOSE-1': "Keyingi harakatlar aytilmadi.",
  'COMM-1': 'Ohang biroz keskin.',
  'INFO-5': 'Bir savol ikki marta takrorlandi.',
};

function pickComments(answers: DraftInput['answers']): DraftInput['answers'] {
  for (const [code, a] of Object.entries(answers)) {
    if (!a.na && a.value === 0 && COMMENTS[code]) a.comment = COMMENTS[code]!;
  }
  return answers;
}

export async function seedCalibration(ctx: SeedContext): Promise<void> {
  const { db, clock, config } = ctx;
  const users = await db('users').whereIn('username', ['specialist', 'specialist2', 'specialist3', 'supervisor', 'supervisor2']).select('id', 'username');
  const id = new Map(users.map((u) => [String(u.username), Number(u.id)]));
  if (!id.get('specialist') || !id.get('supervisor')) {
    ctx.log('calibration: demo users missing, skipped');
    return;
  }
  let expertId = (await usersRepo.findUserByUsername(db, DEMO_EXPERT.username))?.id;
  if (!expertId) {
    expertId = await usersRepo.insertUser(db, { ...DEMO_EXPERT, role: 'specialist', language: 'uz', passwordHash: await hashPassword(DEMO_PASSWORD, config.passwordHashRounds) }, clock);
  }

  const today = tashkentToday(clock);
  // Calls with a prepared recording first (they play at once in the demo), the newest first: for
  // the closed session calls from before it was created, for the open one calls of the last days.
  const pickCalls = async (fromDate: string, toDate: string, limit: number): Promise<SeedCall[]> => {
    const rows = await db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').whereNull('c.deleted_at')
      .whereBetween('c.call_date', [fromDate, toDate])
      .select('c.id', 'c.category', 'c.dropped', 'c.duration_sec', 'r.duration_sec as rec_duration', 'r.status')
      .orderByRaw("case when r.status = 'ready' then 0 else 1 end").orderByRaw("case when c.category in ('medical', 'road_accident') then 0 else 1 end")
      .orderBy('c.started_at', 'desc').limit(limit);
    return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), category: (r.category as string | null) ?? null, dropped: r.dropped === true || r.dropped === 1, durationSec: Number(r.rec_duration ?? r.duration_sec ?? 60) }));
  };
  const closedCalls = await pickCalls(addDays(today, -13), addDays(today, -7), 2);
  const [openCall] = await pickCalls(addDays(today, -3), addDays(today, -2), 1);
  if (closedCalls.length < 2 || !openCall) {
    ctx.log('calibration: not enough calls with recordings, skipped');
    return;
  }
  const atDay = (daysAgo: number, time: string) => tashkentToUtc(addDays(today, -daysAgo), time);
  const at = (d: Date) => ({ ...ctx, clock: () => d });
  const supervisor = { id: id.get('supervisor')!, role: 'supervisor' as const };
  const definitionOf = new Map<number, RubricDefinition>();
  const definition = async (versionId: number) => {
    if (!definitionOf.has(versionId)) definitionOf.set(versionId, (await getRubricVersion(db, versionId))!.definition);
    return definitionOf.get(versionId)!;
  };

  // ---- the closed session: two calls, three specialists and the expert ----
  const created = await createSession(at(atDay(6, '09:30')), supervisor, {
    title: "Kalibrlash: manzilni aniqlash va karta matni",
    notes: "Ikki chaqiruvni mustaqil baholang. Natijalar yopilgandan keyin muhokama qilinadi.",
    deadline: addDays(today, -3),
    callIds: closedCalls.map((c) => c.id),
    participantIds: ['specialist', 'specialist2', 'specialist3'].map((n) => id.get(n)!).filter(Boolean),
    expertUserId: expertId,
  });
  const evaluations = await repo.listSessionEvaluations(db, created.sessionId);
  const nameOf = new Map<number, string>([...id].map(([name, userId]) => [userId, name]));
  let minute = 0;
  for (const e of evaluations) {
    const position = closedCalls.findIndex((c) => c.id === e.callId);
    const call = closedCalls[position]!;
    const criteria = flattenCriteria(await definition(e.rubricVersionId));
    const who = e.specialistUserId === expertId ? 'expert' : nameOf.get(e.specialistUserId) ?? '';
    const overrides = who === 'expert' ? EXPERT_READING[position]! : { ...EXPERT_READING[position]!, ...(DEPARTURES[who]?.[position] ?? {}) };
    const answers = pickComments(answersFor(criteria, call, overrides));
    const viewer = await viewerFor(db, { id: e.specialistUserId, role: 'specialist' });
    minute += 17;
    await submitEvaluation(at(new Date(atDay(5, '10:00').getTime() + minute * 60_000)), viewer, e.id, {
      revision: 0, answers, marks: [], played: [[0, call.durationSec]], complexCase: false, complexReason: '', summaryComment: '', confirmLowHeard: true,
    });
  }
  await closeSession(at(atDay(2, '16:00')), supervisor, created.sessionId);

  // ---- the open session: the demo specialist still has work to do ----
  const open = await createSession(at(atDay(1, '11:00')), { id: id.get('supervisor2') ?? supervisor.id, role: 'supervisor' }, {
    title: "Kalibrlash: og'ir holatdagi chaqiruvchi bilan muloqot",
    notes: "Chaqiruvchini tinchlantirish (HELP-2) va ohang (COMM-1) bo'yicha baholarimizni solishtiramiz.",
    deadline: addDays(today, 3),
    callIds: [openCall.id],
    participantIds: ['specialist', 'specialist2', 'specialist3'].map((n) => id.get(n)!).filter(Boolean),
    expertUserId: null,
  });
  for (const e of await repo.listSessionEvaluations(db, open.sessionId)) {
    const who = nameOf.get(e.specialistUserId);
    const criteria = flattenCriteria(await definition(e.rubricVersionId));
    const viewer = await viewerFor(db, { id: e.specialistUserId, role: 'specialist' });
    if (who === 'specialist2') {
      await submitEvaluation(at(atDay(0, '09:40')), viewer, e.id, {
        revision: 0, answers: pickComments(answersFor(criteria, openCall, { 'HELP-2': 0, 'COMM-1': 2 })), marks: [], played: [[0, openCall.durationSec]],
        complexCase: false, complexReason: '', summaryComment: '', confirmLowHeard: true,
      });
    } else if (who === 'specialist') {
      // Half done: the first criteria answered, the rest waiting.
      const all = answersFor(criteria, openCall, {});
      const half = Object.fromEntries(Object.entries(all).slice(0, Math.ceil(criteria.length / 2)));
      await saveDraft(at(atDay(0, '10:15')), viewer, e.id, { revision: 0, answers: half, marks: [], played: [[0, Math.round(openCall.durationSec * 0.6)]], complexCase: false, complexReason: '', summaryComment: '' });
    }
  }
  ctx.log(`calibration: 1 closed session (${evaluations.length} evaluations), 1 open session`);
}
