// Demo training: two plans made from the most frequent shortcomings — one held a week ago with
// attendance, feedback, materials and enough evaluations before and after it to show an effect,
// one planned for next week — and one rule change with some acknowledgements. Everything goes
// through the services the pages use, with the clock set to the moment of each step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedContext } from '../../app-context';
import { addDays, tashkentToUtc, tashkentToday } from '../../time';
import { mulberry32 } from '../media/synth';
import { flattenCriteria, type FlatCriterion, type RubricDefinition } from '../rubrics/rubric.model';
import { rubricVersionForCall } from '../rubrics/rubrics.service';
import { insertEvaluation } from '../evaluations/evaluations.repository';
import { seedAudioSent } from '../evaluations/evaluations.seed';
import { submitEvaluation, viewerFor } from '../evaluations/evaluations.service';
import type { SubmitInput } from '../evaluations/evaluations.schema';
import * as repo from './training.repository';
import { addMaterials, createRuleChange, createTraining, markAcknowledged, recordAttendance, recordFeedback } from './training.service';

type Rand = () => number;

/** Whether an N/A-able criterion applies (as the evaluations seed reads it). */
function applies(code: string, category: string | null, dropped: boolean): boolean {
  switch (code) {
    case 'HELP-1': return ['medical', 'road_accident', 'fire'].includes(category ?? '');
    case 'HELP-3': return category === 'suicide_risk';
    case 'HELP-4': return ['information', 'false_call', 'other'].includes(category ?? '');
    case 'CLOSE-2': return dropped;
    default: return true;
  }
}

const FAIL_COMMENTS: Record<string, string> = {
  'INFO-2': "Manzil xaritada tekshirilmadi, mo'ljal so'ralmadi.",
  'INFO-1': "Hodisa mohiyati oxirigacha aniqlanmadi.",
  'INFO-3': "Chaqiruvchining telefon raqami tasdiqlanmadi.",
  'INFO-4': "Jabrlanuvchilar holati so'ralmadi.",
  'INFO-5': 'Savollar keraksiz takrorlandi.',
  'CARD-1': "Kartada majburiy maydonlar to'ldirilmagan.",
  'CARD-2': "Karta matni qisqa va tushunarsiz.",
  'CLOSE-1': "Chaqiruvchiga keyingi harakatlar aytilmadi.",
  'OPEN-1': "Salomlashuvda xizmat nomi aytilmadi.",
};

/** Answers of a realistic evaluation where each linked criterion fails with `failShare`. */
function answersFor(rand: Rand, criteria: FlatCriterion[], call: { category: string | null; dropped: boolean }, linked: ReadonlySet<string>, failShare: number): SubmitInput['answers'] {
  const out: SubmitInput['answers'] = {};
  for (const c of criteria) {
    if (c.naAllowed && !applies(c.code, call.category, call.dropped)) {
      out[c.code] = { value: null, na: true, comment: '' };
      continue;
    }
    const max = c.answerType === 'scale' ? (c.scaleMax ?? 3) : 1;
    let value = max;
    if (linked.has(c.code)) value = rand() < failShare ? 0 : max;
    else if (!c.critical && rand() < 0.04) value = c.answerType === 'scale' ? Math.max(0, max - 1) : 0;
    out[c.code] = { value, na: false, comment: value === 0 ? (FAIL_COMMENTS[c.code] ?? '') : '' };
  }
  return out;
}

/** A one-page PDF with a few lines of ASCII text, offsets computed so readers accept it. */
export function tinyPdf(lines: string[]): Buffer {
  const text = lines.map((l, i) => `BT /F1 14 Tf 56 ${780 - i * 24} Td (${l.replace(/[()\\]/g, '')}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export async function seedTraining(ctx: SeedContext): Promise<void> {
  const { db, clock } = ctx;
  const users = await db('users').whereIn('username', ['admin', 'supervisor', 'supervisor2', 'specialist', 'specialist2', 'specialist3']).select('id', 'username');
  const id = new Map(users.map((u) => [String(u.username), Number(u.id)]));
  if (!id.get('supervisor') || !id.get('admin')) {
    ctx.log('training: demo users missing, skipped');
    return;
  }
  const rand = mulberry32(0x7a11_5eed);
  const today = tashkentToday(clock);
  const at = (d: Date) => ({ ...ctx, clock: () => d });
  const atDay = (daysAgo: number, time: string) => tashkentToUtc(addDays(today, -daysAgo), time);
  const supervisor = { id: id.get('supervisor')!, role: 'supervisor' as const };
  const supervisor2 = { id: id.get('supervisor2') ?? supervisor.id, role: 'supervisor' as const };
  const admin = { id: id.get('admin')!, role: 'admin' as const };
  const teamIds = await repo.supervisedTeamIds(db, supervisor.id);
  const scope: repo.OperatorScope = { kind: 'teams', teamIds };

  // ---- the most frequent shortcomings of the supervisor's teams ----
  const heldDate = addDays(today, -7);
  const before = { from: addDays(heldDate, -30), to: addDays(heldDate, -1) };
  const top = await repo.shortcomingsByCriterion(db, scope, { from: addDays(today, -30), to: today });
  const firstCode = top.find((r) => r.code === 'INFO-2')?.code ?? top[0]?.code ?? 'INFO-2';
  // The next plan is about the call card when that is among the frequent ones, else the next shortcoming.
  const secondCode = ['CARD-2', 'CARD-1'].find((c) => c !== firstCode && top.some((r) => r.code === c)) ?? top.find((r) => r.code !== firstCode && r.code !== 'OPEN-1')?.code ?? 'CARD-2';
  const texts = await repo.criterionTexts(db);

  // ---- 1. a training held a week ago on the top shortcoming ----
  const suggested = await repo.operatorsWithShortcomings(db, scope, { ...before, criteria: [firstCode] });
  const ours = await repo.activeOperators(db, scope);
  const op101 = ours.find((o) => o.employeeCode === 'OP-101');
  const participants = [...new Set([...(op101 ? [op101.id] : []), ...suggested.map((s) => s.operatorId), ...ours.map((o) => o.id)])].slice(0, 7);
  const heldId = await createTraining(at(atDay(12, '10:00')), supervisor, {
    topic: "Manzilni aniqlash va xaritada tekshirish",
    description: "Chaqiruvchidan manzil va mo'ljalni so'rash tartibi, koordinatalarni xaritada tekshirish, noaniq manzilda qo'shimcha savollar. Amaliy mashg'ulot: 5 ta yozuvni birga tinglash.",
    trainingDate: heldDate,
    trainer: 'Bobur Aliyev',
    location: "O'quv xonasi, 2-qavat",
    criteria: [firstCode],
    participantIds: participants,
    suggestedIds: suggested.map((s) => s.operatorId),
  });
  // One participant missed it (the last one on the list).
  const absent = participants[participants.length - 1]!;
  await recordAttendance(at(atDay(7, '17:30')), supervisor, heldId, participants.filter((p) => p !== absent));
  const feedbackTexts = ["Ko'proq amaliy misollar kerak.", "Xarita dasturida ishlashni alohida ko'rsatish kerak.", "Yaxshi, lekin vaqt kam edi."];
  let fed = 0;
  for (const operatorId of participants.filter((p) => p !== absent && p !== op101?.id).slice(0, 3)) {
    await recordFeedback(at(atDay(6, '09:00')), supervisor, heldId, operatorId, { relevance: String(5 - (fed % 2)), clarity: String(4 - (fed === 2 ? 1 : 0)), improve: feedbackTexts[fed] });
    fed++;
  }
  // Materials: a handout as text and a short PDF, uploaded as the supervisor would.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-training-seed-'));
  try {
    const handout = path.join(tmp, 'a');
    fs.writeFileSync(handout, "Manzilni aniqlash bo'yicha eslatma\n\n1. Viloyat, tuman, mahalla.\n2. Ko'cha va uy raqami.\n3. Mo'ljal: yaqin atrofdagi bino yoki do'kon.\n4. Koordinatalarni xaritada tekshiring va chaqiruvchiga qayta o'qing.\n");
    const pdf = path.join(tmp, 'b');
    fs.writeFileSync(pdf, tinyPdf(['Sifat 112 - Manzilni aniqlash', '1. Viloyat, tuman, mahalla', '2. Ko\'cha va uy raqami', '3. Mo\'ljal', '4. Xaritada tekshirish']));
    await addMaterials(at(atDay(8, '15:00')), supervisor, heldId, [
      { path: handout, originalname: "Manzil bo'yicha eslatma.txt", size: fs.statSync(handout).size },
      { path: pdf, originalname: 'Manzilni aniqlash — taqdimot.pdf', size: fs.statSync(pdf).size },
    ]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  // Evaluations of the attended operators' not yet evaluated calls, in the days before and after
  // the training: the linked criterion failed often before, rarely after (what a good training does).
  const attended = participants.filter((p) => p !== absent);
  const specialists = ['specialist', 'specialist2', 'specialist3'].map((n) => id.get(n)).filter((x): x is number => Boolean(x));
  const calls = await db('calls as c').join('recordings as r', 'r.id', 'c.recording_id')
    .whereIn('c.operator_id', attended).whereNull('c.deleted_at').whereNull('c.evaluated_at')
    .whereBetween('c.call_date', [addDays(heldDate, -6), addDays(today, -1)]).whereNot('c.call_date', heldDate)
    .whereNotIn('c.id', db('evaluations').select('call_id'))
    .select('c.id', 'c.operator_id', 'c.call_date', 'c.started_at', 'c.category', 'c.dropped', 'c.duration_sec', 'r.duration_sec as rec_duration')
    .orderBy('c.started_at');
  const definitions = new Map<string, { versionId: number; definition: RubricDefinition } | null>();
  const linked = new Set([firstCode]);
  let added = 0;
  const now = clock();
  for (const call of calls as Record<string, unknown>[]) {
    const category = (call.category as string | null) ?? null;
    if (!definitions.has(category ?? '')) {
      const v = await rubricVersionForCall(db, category);
      definitions.set(category ?? '', v ? { versionId: v.versionId, definition: v.definition } : null);
    }
    const version = definitions.get(category ?? '');
    if (!version) continue;
    const afterTraining = String(call.call_date) > heldDate;
    // A call from before the training is evaluated before it too, so it counts on its side.
    const latest = afterTraining ? now.getTime() - 60_000 : Math.min(now.getTime(), tashkentToUtc(heldDate).getTime()) - 60_000;
    const startedAt = Date.parse(String(call.started_at));
    const openedAt = new Date(Math.min(startedAt + (2 + rand() * 10) * 3600_000, latest - 20 * 60_000));
    if (openedAt.getTime() <= startedAt) continue;
    const submitAt = new Date(openedAt.getTime() + 15 * 60_000);
    const specialistId = specialists[added % specialists.length]!;
    const evaluationId = await insertEvaluation(db, { callId: Number(call.id), operatorId: Number(call.operator_id), rubricVersionId: version.versionId, specialistUserId: specialistId, purpose: 'random', now: openedAt.toISOString() });
    const duration = Number(call.rec_duration ?? call.duration_sec ?? 60);
    await seedAudioSent(db, Number(call.id), specialistId, openedAt);
    await submitEvaluation(at(submitAt), await viewerFor(db, { id: specialistId, role: 'specialist' }), evaluationId, {
      revision: 0,
      answers: answersFor(rand, flattenCriteria(version.definition), { category, dropped: call.dropped === true || call.dropped === 1 }, linked, afterTraining ? 0.08 : 0.6),
      marks: [], played: [[0, duration]], complexCase: false, complexReason: '', summaryComment: '', confirmLowHeard: true,
    });
    added++;
  }

  // ---- 2. a training planned for next week on the next shortcoming ----
  const nextSuggested = await repo.operatorsWithShortcomings(db, scope, { from: addDays(today, -30), to: today, criteria: [secondCode] });
  const nextParticipants = nextSuggested.slice(0, 6).map((s) => s.operatorId);
  if (nextParticipants.length) {
    await createTraining(at(atDay(1, '14:00')), supervisor, {
      topic: secondCode.startsWith('CARD-') ? "Chaqiruv kartasini to'g'ri va tushunarli to'ldirish" : `Mashg'ulot: ${texts.get(secondCode)?.uz ?? secondCode}`,
      description: secondCode.startsWith('CARD-') ? "Karta matni qabul qiluvchi xizmat uchun tushunarli bo'lishi: qisqa, aniq, imlo xatolarisiz. Majburiy maydonlar ro'yxati." : '',
      trainingDate: addDays(today, 5),
      trainer: 'Gulnora Tursunova',
      location: "O'quv xonasi, 2-qavat",
      criteria: [secondCode],
      participantIds: nextParticipants,
      suggestedIds: nextParticipants,
    });
  }

  // ---- 3. a rule change for everyone, partly acknowledged ----
  const ruleId = await createRuleChange(at(atDay(4, '09:00')), admin, {
    topic: "Yangi salomlashuv matni",
    description: "1-dekabrdan boshlab har bir chaqiruv quyidagicha boshlanadi: «112 favqulodda xizmati, operator [ism]. Sizga qanday yordam bera olaman?». Xizmat nomi va operator ismi albatta aytiladi.",
    trainingDate: addDays(today, -3),
    criteria: ['OPEN-1'],
  });
  let marked = 0;
  for (const s of [supervisor, supervisor2]) {
    const theirs = await repo.listParticipants(db, ruleId, { kind: 'teams', teamIds: await repo.supervisedTeamIds(db, s.id) });
    // OP-101 acknowledges in the portal themselves; leave them for the demo operator account.
    const some = theirs.filter((p) => p.operatorCode !== 'OP-101').slice(0, Math.ceil(theirs.length * 0.5)).map((p) => p.operatorId);
    if (some.length) marked += await markAcknowledged(at(atDay(3, '18:00')), s, ruleId, some);
  }
  ctx.log(`training: 2 plans (one held, ${added} evaluations around it), 1 rule change (${marked} acknowledged)`);
}
