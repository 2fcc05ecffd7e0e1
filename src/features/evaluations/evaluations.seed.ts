// Demo evaluations: finished ones over the past two weeks for many of the seeded calls, by the three
// demo specialists, with realistic answers (mostly yes, some no, an occasional critical failure,
// N/A where the call had no such need), a few marks with notes, heard shares near 95–100 %; one or
// two reopened by a supervisor, two complex cases, and a few drafts in progress today.
// Deterministic: one seeded PRNG; dates follow the clock. Everything goes through the same service
// functions as the page (with the clock set to the moment of each step), so scores, the call's
// evaluated_at, assignments, error records and the audit log are exactly what the app would make.
import type { AppDeps, SeedContext } from '../../app-context';
import { addDays, tashkentToday } from '../../time';
import { mulberry32, pick, type Rand } from '../../random';
import { flattenCriteria, type FlatCriterion, type RubricDefinition } from '../rubrics/rubric.model';
import { rubricVersionForCall } from '../rubrics/rubrics.service';
import type { DraftInput, SubmitInput } from './evaluations.schema';
import * as repo from './evaluations.repository';
import { reopenEvaluation, saveDraft, submitEvaluation, viewerFor } from './evaluations.service';

const SPECIALISTS = ['specialist', 'specialist2', 'specialist3'];
/** Share of the past days' drawn calls (assigned by a plan) that got evaluated: the random sample. */
const DRAWN_EVALUATED_SHARE = 0.92;
/** Share of the other past calls a specialist picked by hand (complaints, incidents, requests). */
const ON_REQUEST_SHARE = 0.05;
const DRAFTS = 3;

interface SeedCall {
  id: number;
  callDate: string;
  startedAt: string;
  durationSec: number;
  operatorId: number;
  teamId: number | null;
  category: string | null;
  dropped: boolean;
  recordingReady: boolean;
}

const COMMENTS: Record<'uz' | 'ru', Record<string, string[]>> = {
  uz: {
    OPEN: ["Xizmat nomi aytilmadi, salomlashuv qisqartirildi.", "Qabul qilish 15 soniyadan ortiq kechikdi."],
    INFO: ["Manzil aniqlashtirilmadi, mo'ljal so'ralmadi.", "Jabrlanuvchilar soni so'ralmadi.", "Bir savol uch marta takrorlandi."],
    ROUTE: ["Tez tibbiy yordam o'rniga faqat IIB ga uzatildi.", "Murakkab holat supervayzerga yetkazilmadi."],
    CARD: ["Kartada koordinatalar yo'q.", "Karta matni qisqa va tushunarsiz."],
    HELP: ["Birinchi yordam bo'yicha ko'rsatma berilmadi.", "Chaqiruvchi tinchlantirilmadi."],
    COMM: ["Ohang keskin, chaqiruvchining gapi bo'lindi.", "Shaxsiy ma'lumot ortiqcha takrorlandi."],
    CLOSE: ["Keyingi harakatlar tushuntirilmadi.", "Uzilgan chaqiruvga qayta qo'ng'iroq qilinmadi."],
  },
  ru: {
    OPEN: ['Не названа служба, приветствие сокращено.', 'Ответ с задержкой более 15 секунд.'],
    INFO: ['Адрес не уточнён, ориентир не спрошен.', 'Не выяснено число пострадавших.', 'Один и тот же вопрос задан трижды.'],
    ROUTE: ['Передано только в полицию, без скорой помощи.', 'Сложный случай не передан супервайзеру.'],
    CARD: ['В карточке нет координат.', 'Текст карточки краткий и неясный.'],
    HELP: ['Не даны указания по первой помощи.', 'Заявитель не успокоен.'],
    COMM: ['Резкий тон, заявителя перебивали.', 'Личные данные повторялись без нужды.'],
    CLOSE: ['Не объяснено, что будет дальше.', 'Не сделан обратный звонок после обрыва.'],
  },
};

const MARK_NOTES: Record<'uz' | 'ru', { error: string[]; note: string[] }> = {
  uz: {
    error: ["Chaqiruvchining gapi bo'lindi", "Manzil qayta tekshirilmadi", "Uzoq jimlik — operator javob bermadi", "Salomlashuvda xizmat nomi yo'q"],
    note: ["Yaxshi: chaqiruvchi tinchlantirildi", "Koordinatalar xaritada tekshirildi", "Chaqiruvchi rus tiliga o'tdi", "Shu joyda brigada jo'natildi"],
  },
  ru: {
    error: ['Перебил заявителя', 'Адрес не перепроверен', 'Долгая пауза без ответа', 'Нет названия службы в приветствии'],
    note: ['Хорошо: заявителя успокоили', 'Координаты проверены по карте', 'Переход на русский язык', 'Здесь отправлена бригада'],
  },
};

const COMPLEX_REASONS = [
  "Chaqiruvchi o'z joniga qasd qilish niyatini aytdi; psixolog va supervayzer jalb qilinishi kerak edi.",
  "Bir vaqtda yong'in va gaz sizishi: qaysi xizmat birinchi jo'natilishi bo'yicha supervayzer qarori kerak.",
];
const REOPEN_REASONS = [
  "ROUTE-1 bo'yicha baho qayta ko'rib chiqilsin: kartada 103 ham bor edi.",
  "Izoh yetarli emas: xato qaysi daqiqada bo'lganini belgilab qo'ying.",
];

/** Whether a criterion that allows N/A did not apply to this call (the specialist answers N/A). */
function notApplicable(code: string, call: SeedCall): boolean {
  switch (code) {
    case 'HELP-1':
      return !['medical', 'road_accident', 'fire'].includes(call.category ?? '');
    case 'HELP-3':
      return call.category !== 'suicide_risk';
    case 'HELP-4':
      return !['information', 'false_call', 'other'].includes(call.category ?? '');
    case 'CLOSE-2':
      return !call.dropped;
    default:
      return false;
  }
}

/** Realistic answers: mostly the best, some misses, rarely a critical one. */
function makeAnswers(rand: Rand, criteria: FlatCriterion[], call: SeedCall, lang: 'uz' | 'ru', opts: { complete: boolean; criticalFailure: boolean }) {
  const answers: DraftInput['answers'] = {};
  const criticalCodes = criteria.filter((c) => c.critical && !(c.naAllowed && notApplicable(c.code, call))).map((c) => c.code);
  const failCritical = opts.criticalFailure ? pick(rand, criticalCodes) : null;
  for (const c of criteria) {
    if (!opts.complete && rand() < 0.45) continue;
    if (c.naAllowed && notApplicable(c.code, call)) {
      answers[c.code] = { value: null, na: true, comment: '' };
      continue;
    }
    let value: number;
    if (c.answerType === 'scale') {
      const max = c.scaleMax ?? 3;
      const r = rand();
      value = r < 0.65 ? max : r < 0.93 ? Math.max(0, max - 1) : r < 0.99 ? Math.max(0, max - 2) : 0;
    } else {
      value = c.code === failCritical ? 0 : c.critical ? 1 : rand() < 0.06 ? 0 : 1;
    }
    const failed = c.answerType === 'scale' ? value < (c.scaleMax ?? 3) / 2 : value < 1;
    const prefix = c.code.split('-')[0]!;
    const comment = failed && rand() < 0.8 ? pick(rand, COMMENTS[lang][prefix] ?? COMMENTS[lang].INFO!) : '';
    answers[c.code] = { value, na: false, comment };
  }
  return answers;
}

function makeMarks(rand: Rand, call: SeedCall, answers: DraftInput['answers'], lang: 'uz' | 'ru', maxMarks: number): DraftInput['marks'] {
  const count = Math.floor(rand() * (maxMarks + 1));
  const failedCodes = Object.entries(answers).filter(([, a]) => a.value === 0).map(([code]) => code);
  const marks: DraftInput['marks'] = [];
  for (let i = 0; i < count; i++) {
    const len = 2 + rand() * 6;
    const start = Math.max(0, Math.min(call.durationSec - len - 0.5, rand() * call.durationSec));
    const isError = failedCodes.length > 0 && rand() < 0.6;
    const criterionCode = isError ? pick(rand, failedCodes) : null;
    marks.push({
      key: `seed${call.id}m${i}`,
      startSec: Math.round(start * 10) / 10,
      endSec: Math.round((start + len) * 10) / 10,
      note: pick(rand, isError ? MARK_NOTES[lang].error : MARK_NOTES[lang].note),
      criterionCode,
      severity: isError ? pick(rand, ['minor', 'major', 'major']) : null,
      isError,
    });
  }
  return marks;
}

/** Played stretches covering `share` of the call: from the start, sometimes with a skipped bit. */
function playedFor(rand: Rand, durationSec: number, share: number): Array<[number, number]> {
  const heard = durationSec * share;
  if (share >= 0.999) return [[0, durationSec]];
  const gap = durationSec - heard;
  const gapAt = rand() * heard;
  return [[0, gapAt], [gapAt + gap, durationSec]].filter(([a, b]) => b - a > 0.1) as Array<[number, number]>;
}

/**
 * Demo data: the player fetched the call's whole recording when the page opened, as the audio route
 * would have recorded it (the heard share an evaluation stores is checked against it).
 */
export async function seedAudioSent(db: AppDeps['db'], callId: number, userId: number, at: Date): Promise<void> {
  const r = await db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where('c.id', callId).first('r.id', 'r.size_bytes', 'r.duration_sec');
  if (!r || !Number(r.size_bytes)) return;
  await db('audio_deliveries').insert({
    user_id: userId, call_id: callId, recording_id: Number(r.id), rendition: false, byte_start: 0, byte_end: Number(r.size_bytes), size_bytes: Number(r.size_bytes),
    duration_sec: r.duration_sec == null ? null : Number(r.duration_sec), served_at: at.toISOString(),
  });
}

async function loadCalls(db: AppDeps['db']): Promise<SeedCall[]> {
  const rows = await db('calls as c')
    .join('operators as o', 'o.id', 'c.operator_id')
    .leftJoin('recordings as r', 'r.id', 'c.recording_id')
    .whereNull('c.deleted_at')
    .whereNotNull('c.recording_id')
    .select('c.id', 'c.call_date', 'c.started_at', 'c.duration_sec', 'c.operator_id', 'o.team_id', 'c.category', 'c.dropped', 'r.status as rec_status', 'r.duration_sec as rec_duration')
    .orderBy('c.id');
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    callDate: String(r.call_date),
    startedAt: String(r.started_at),
    durationSec: Number(r.rec_duration ?? r.duration_sec ?? 60),
    operatorId: Number(r.operator_id),
    teamId: r.team_id == null ? null : Number(r.team_id),
    category: (r.category as string | null) ?? null,
    dropped: r.dropped === true || r.dropped === 1,
    recordingReady: r.rec_status === 'ready',
  }));
}

export async function seedEvaluations(ctx: SeedContext): Promise<void> {
  const { db, clock } = ctx;
  const rand = mulberry32(0x5eed_e7a1);
  const users = await db('users').whereIn('username', [...SPECIALISTS, 'supervisor', 'supervisor2']).select('id', 'username', 'role', 'language');
  const byName = new Map(users.map((u) => [String(u.username), { id: Number(u.id), role: u.role, language: u.language === 'ru' ? ('ru' as const) : ('uz' as const) }]));
  const specialists = SPECIALISTS.map((n) => byName.get(n)).filter((u): u is NonNullable<typeof u> => Boolean(u));
  const calls = await loadCalls(db);
  if (!specialists.length || !calls.length) {
    ctx.log('evaluations: no specialists or calls to evaluate, skipped');
    return;
  }
  const now = clock();
  const today = tashkentToday(clock);
  const definitions = new Map<string, { versionId: number; definition: RubricDefinition }>();
  const versionFor = async (category: string | null) => {
    const key = category ?? '';
    if (!definitions.has(key)) {
      const v = await rubricVersionForCall(db, category);
      if (v) definitions.set(key, { versionId: v.versionId, definition: v.definition });
    }
    return definitions.get(key) ?? null;
  };
  const at = (d: Date) => ({ ...ctx, clock: () => d });
  // Complex cases go to the demo supervisor's teams, so signing in as "supervisor" shows them.
  const demoSupervisor = byName.get('supervisor');
  const demoSupervisorTeams = new Set(demoSupervisor ? (await db('teams').where({ supervisor_user_id: demoSupervisor.id }).select('id')).map((r) => Number(r.id)) : []);

  // Who each past plan gave each drawn call to: those evaluations are the random sample.
  const assignedTo = new Map<number, number>();
  for (const r of await db('assignments as a').join('plans as p', 'p.id', 'a.plan_id').where('p.status', 'active').where('p.plan_date', '<', today).whereNotNull('a.specialist_user_id').whereIn('a.status', ['new', 'unassigned']).select('a.call_id', 'a.specialist_user_id')) {
    assignedTo.set(Number(r.call_id), Number(r.specialist_user_id));
  }
  const specialistById = new Map(specialists.map((s) => [s.id, s]));

  // ---- handed in over the past days ----
  const past = calls.filter((c) => c.callDate < today && (assignedTo.has(c.id) ? rand() < DRAWN_EVALUATED_SHARE : rand() < ON_REQUEST_SHARE));
  let submitted = 0;
  let criticalCount = 0;
  const submittedIds: { id: number; call: SeedCall; submitAt: Date }[] = [];
  let complexLeft = 2;
  // Two complex cases among the recent calls of the demo supervisor's teams, the kinds of call
  // that most often need a supervisor first.
  const complexKinds = ['suicide_risk', 'domestic_violence', 'gas'];
  const recentOfTeams = past.filter((c) => c.teamId !== null && demoSupervisorTeams.has(c.teamId) && c.callDate >= addDays(today, -6));
  const complexIds = new Set([...new Set([...recentOfTeams.filter((c) => complexKinds.includes(c.category ?? '')), ...recentOfTeams].map((c) => c.id))].slice(0, 2));
  for (const call of past) {
    const version = await versionFor(call.category);
    if (!version) continue;
    const specialist = specialistById.get(assignedTo.get(call.id) ?? -1) ?? specialists[(call.id + Math.floor(rand() * 3)) % specialists.length]!;
    const lang = specialist.language;
    const criteria = flattenCriteria(version.definition);
    const openedAt = new Date(Date.parse(call.startedAt) + (1 + rand() * 18) * 3600_000);
    if (openedAt > now) continue;
    const submitAt = new Date(Math.min(openedAt.getTime() + (call.durationSec * 1.3 + 120 + rand() * 300) * 1000, now.getTime() - 60_000));
    const criticalFailure = rand() < 0.05;
    const answers = makeAnswers(rand, criteria, call, lang, { complete: true, criticalFailure });
    const marks = makeMarks(rand, call, answers, lang, 3);
    const share = rand() < 0.15 ? 1 : 0.95 + rand() * 0.05;
      const complex = complexIds.has(call.id);
    const purpose = assignedTo.get(call.id) === specialist.id ? 'random' : 'on_request';
    const id = await repo.insertEvaluation(db, { callId: call.id, operatorId: call.operatorId, rubricVersionId: version.versionId, specialistUserId: specialist.id, purpose, now: openedAt.toISOString() });
    await repo.startAssignment(db, call.id, specialist.id, id, openedAt.toISOString());
    await seedAudioSent(db, call.id, specialist.id, openedAt);
    const viewer = await viewerFor(db, { id: specialist.id, role: 'specialist' });
    const input: SubmitInput = {
      revision: 0,
      answers,
      marks,
      played: playedFor(rand, call.durationSec, share),
      complexCase: complex,
      complexReason: complex ? COMPLEX_REASONS[2 - complexLeft]! : '',
      summaryComment: '',
      confirmLowHeard: true,
    };
    const result = await submitEvaluation(at(submitAt), viewer, id, input);
    if (complex) complexLeft--;
    if (result.criticalFailure) criticalCount++;
    submitted++;
    submittedIds.push({ id, call, submitAt });
  }

  // ---- reopened by a supervisor ----
  let reopened = 0;
  const supervisorOf = new Map<number, number>();
  for (const r of await db('teams').whereNotNull('supervisor_user_id').select('id', 'supervisor_user_id')) supervisorOf.set(Number(r.id), Number(r.supervisor_user_id));
  const candidates = submittedIds.filter((s) => s.call.teamId !== null && supervisorOf.has(s.call.teamId) && now.getTime() - s.submitAt.getTime() > 6 * 3600_000);
  for (const s of candidates.slice(-12).filter((_, i) => i % 6 === 0).slice(0, 2)) {
    const supervisorId = supervisorOf.get(s.call.teamId!)!;
    const viewer = await viewerFor(db, { id: supervisorId, role: 'supervisor' });
    await reopenEvaluation(at(new Date(s.submitAt.getTime() + 3 * 3600_000)), viewer, s.id, REOPEN_REASONS[reopened % REOPEN_REASONS.length]!);
    reopened++;
  }

  // ---- drafts in progress today, by the first demo specialist ----
  const specialist = specialists[0]!;
  const viewer = await viewerFor(db, { id: specialist.id, role: 'specialist' });
  const assigned = new Set((await db('assignments as a').join('plans as p', 'p.id', 'a.plan_id')
    .where({ 'p.plan_date': today, 'p.status': 'active', 'a.specialist_user_id': specialist.id, 'a.status': 'new' })
    .select('a.call_id')).map((r) => Number(r.call_id)));
  const evaluated = new Set(submittedIds.map((s) => s.call.id));
  const fresh = calls.filter((c) => !evaluated.has(c.id));
  const draftCalls = [
    ...fresh.filter((c) => assigned.has(c.id)),
    ...fresh.filter((c) => !assigned.has(c.id) && c.recordingReady).reverse(),
    ...fresh.filter((c) => !assigned.has(c.id) && !c.recordingReady).reverse(),
  ].slice(0, DRAFTS);
  let drafts = 0;
  for (const call of draftCalls) {
    const version = await versionFor(call.category);
    if (!version) continue;
    const openedAt = new Date(now.getTime() - (40 + drafts * 25) * 60_000);
    const id = await repo.insertEvaluation(db, { callId: call.id, operatorId: call.operatorId, rubricVersionId: version.versionId, specialistUserId: specialist.id, purpose: assigned.has(call.id) ? 'random' : 'on_request', now: openedAt.toISOString() });
    await repo.startAssignment(db, call.id, specialist.id, id, openedAt.toISOString());
    await seedAudioSent(db, call.id, specialist.id, openedAt);
    const answers = makeAnswers(rand, flattenCriteria(version.definition), call, specialist.language, { complete: false, criticalFailure: false });
    await saveDraft(at(new Date(openedAt.getTime() + 5 * 60_000)), viewer, id, {
      revision: 0,
      answers,
      marks: makeMarks(rand, call, answers, specialist.language, 2),
      played: [[0, Math.round(call.durationSec * (0.3 + rand() * 0.4))]],
      complexCase: false,
      complexReason: '',
      summaryComment: '',
    });
    drafts++;
  }
  ctx.log(`evaluations: ${submitted} submitted (${criticalCount} with a critical failure, ${2 - complexLeft} complex cases), ${reopened} reopened, ${drafts} drafts`);
}
