// Builders for report tests: rows written straight into the tables the reports read (rubric
// versions, calls, submitted evaluations with answers, errors, plans and assignments), so the
// tests do not depend on the evaluation and plan features' own code paths.
import type { Knex } from 'knex';
import { insertReturningId } from '../../../src/db';
import { tashkentToUtc } from '../../../src/time';
import { scoreEvaluation, type Answers } from '../../../src/features/evaluations/scoring';
import type { Criterion, RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { makeCall, makeOperator, makeTeam, makeUser } from '../../helpers/builders';

export const BANDS = { high: 90, compliant: 80, partial: 60 };
const NOW = '2026-01-01T00:00:00.000Z';
let seq = 0;

export function criterion(code: string, o: Partial<Criterion> = {}): Criterion {
  return {
    code,
    text: { uz: `${code} mezoni`, ru: `Критерий ${code}`, en: `Criterion ${code}` },
    guidance: { uz: '', ru: '', en: '' },
    points: 5,
    answerType: 'yesno',
    naAllowed: false,
    critical: false,
    errorCategory: 'information',
    defaultSeverity: o.critical ? 'critical' : 'minor',
    ...o,
  };
}

export function definition(criteria: Criterion[]): RubricDefinition {
  return { sections: [{ key: 'main', title: { uz: 'Asosiy', ru: 'Основное', en: 'Main' }, criteria }] };
}

export async function makeRubricVersion(db: Knex, def: RubricDefinition, o: { rubricId?: number; versionNo?: number; name?: string } = {}) {
  const rubricId = o.rubricId ?? (await insertReturningId(db, 'rubrics', { name: o.name ?? `Rubric ${++seq}`, is_default: false, created_at: NOW, updated_at: NOW }));
  const versionId = await insertReturningId(db, 'rubric_versions', {
    rubric_id: rubricId,
    version_no: o.versionNo ?? 1,
    status: 'published',
    definition: JSON.stringify(def),
    published_at: NOW,
    created_at: NOW,
    updated_at: NOW,
  });
  return { rubricId, versionId, definition: def };
}

export type AnswerSpec = Record<string, number | 'na'>;

export interface EvaluationSpec {
  operatorId: number | null;
  specialistId: number;
  version: { versionId: number; definition: RubricDefinition };
  /** Tashkent day of submission */
  date: string;
  answers: AnswerSpec;
  /** Tashkent wall-clock time of submission, HH:MM */
  time?: string;
  minutes?: number;
  heardShare?: number;
  regionId?: number | null;
  category?: string;
  language?: string;
  kind?: 'regular' | 'calibration';
  /** why the call was heard: random unless told (a calibration evaluation: calibration) */
  purpose?: 'random' | 'targeted' | 'on_request' | 'calibration';
  status?: 'submitted' | 'draft' | 'reopened';
  /** hours from the call's end to the submission (default 3) */
  lagHours?: number;
}

/** A call and its submitted evaluation, scored with the app's own scoring so the figures agree. */
export async function makeEvaluation(db: Knex, s: EvaluationSpec) {
  const submitted = tashkentToUtc(s.date, s.time ?? '11:00');
  const started = new Date(submitted.getTime() - (s.minutes ?? 6) * 60000);
  const lagSec = Math.round((s.lagHours ?? 3) * 3600);
  const callId = await makeCall(db, {
    operatorId: s.operatorId,
    // makeCall's calls last 95 s: the call ends lagSec before the submission.
    startedAt: new Date(submitted.getTime() - lagSec * 1000 - 95000).toISOString(),
    regionId: s.regionId ?? null,
    category: s.category ?? 'medical',
    language: s.language ?? 'uz',
  });
  const answers: Answers = Object.fromEntries(Object.entries(s.answers).map(([code, v]) => [code, v === 'na' ? { value: null, na: true } : { value: v, na: false }]));
  const score = scoreEvaluation(s.version.definition, answers, BANDS);
  const id = await insertReturningId(db, 'evaluations', {
    call_id: callId,
    operator_id: s.operatorId,
    rubric_version_id: s.version.versionId,
    specialist_user_id: s.specialistId,
    kind: s.kind ?? 'regular',
    purpose: s.purpose ?? (s.kind === 'calibration' ? 'calibration' : 'random'),
    status: s.status ?? 'submitted',
    review_lag_sec: (s.status ?? 'submitted') === 'submitted' ? lagSec : null,
    revision: 1,
    score: score.score,
    points_earned: score.pointsEarned,
    points_possible: score.pointsPossible,
    result: score.result,
    critical_failure: score.criticalFailure,
    heard_share: s.heardShare ?? 1,
    heard_seconds: 90,
    started_at: started.toISOString(),
    submitted_at: submitted.toISOString(),
    evaluation_date: s.date,
    created_at: started.toISOString(),
    updated_at: submitted.toISOString(),
  });
  for (const [code, a] of Object.entries(answers)) {
    const per = score.perCriterion[code];
    await db('evaluation_answers').insert({
      evaluation_id: id,
      criterion_code: code,
      value: a!.na ? null : a!.value,
      is_na: a!.na,
      points_earned: per?.earned ?? 0,
      points_possible: per?.possible ?? 0,
      failed: per?.failed ?? false,
    });
  }
  return { id, callId, score: score.score, critical: score.criticalFailure, failedCodes: score.failedCodes };
}

export async function makeErrorRecord(db: Knex, o: { evaluationId: number; callId: number; operatorId: number | null; date: string; category: string; severity?: string; voided?: boolean; criterionCode?: string }) {
  return insertReturningId(db, 'errors', {
    evaluation_id: o.evaluationId,
    call_id: o.callId,
    operator_id: o.operatorId,
    source: 'criterion',
    criterion_code: o.criterionCode ?? null,
    category: o.category,
    severity: o.severity ?? 'minor',
    status: 'new',
    error_date: o.date,
    voided_at: o.voided ? NOW : null,
    created_at: NOW,
    updated_at: NOW,
  });
}

export async function makePlan(db: Knex, date: string, status: 'active' | 'superseded' = 'active') {
  return insertReturningId(db, 'plans', {
    plan_date: date,
    status,
    seed: `seed-${++seq}`,
    rules: '{}',
    algorithm_version: 'test',
    population_fingerprint: 'x'.repeat(64),
    population_count: 0,
    created_at: NOW,
  });
}

export async function makeAssignment(db: Knex, o: { planId: number; callId: number; operatorId: number | null; specialistId: number | null; status: string }) {
  return insertReturningId(db, 'assignments', {
    plan_id: o.planId,
    call_id: o.callId,
    operator_id: o.operatorId,
    specialist_user_id: o.specialistId,
    status: o.status,
    created_at: NOW,
    updated_at: NOW,
  });
}

// ---------------------------------------------------------------------------------------------
// One small organisation with a month of evaluations, shared by the report HTTP tests (each test
// file builds its own copy in a fresh database).


export const PERIOD = { from: '2026-11-01', to: '2026-11-20' };
export const PREVIOUS = { from: '2026-10-12', to: '2026-10-31' };
/** 12:00 in Tashkent on the last day of PERIOD */
export const FIXTURE_NOW = new Date('2026-11-20T07:00:00Z');

export async function seedReportFixture(db: Knex) {
  const sup1 = await makeUser(db, { role: 'supervisor', displayName: 'Supervisor One' });
  const sup2 = await makeUser(db, { role: 'supervisor', displayName: 'Supervisor Two' });
  const leadership = await makeUser(db, { role: 'leadership', displayName: 'Leader' });
  const leadershipRu = await makeUser(db, { role: 'leadership', displayName: 'Руководитель', language: 'ru' });
  const admin = await makeUser(db, { role: 'admin' });
  const spec1 = await makeUser(db, { role: 'specialist', displayName: 'Specialist Alpha' });
  const spec2 = await makeUser(db, { role: 'specialist', displayName: 'Specialist Beta' });
  const teamA = await makeTeam(db, { name: 'Team Alpha', supervisorUserId: sup1.id });
  const teamB = await makeTeam(db, { name: 'Team Beta', supervisorUserId: sup2.id });
  const opA1 = await makeOperator(db, { teamId: teamA, name: 'Aziza Alpha', code: 'A-1' });
  const opA2 = await makeOperator(db, { teamId: teamA, name: 'Anvar Alpha', code: 'A-2' });
  const opB1 = await makeOperator(db, { teamId: teamB, name: 'Bahrom Beta', code: 'B-1' });
  const regions = (await db('regions').select('id').orderBy('id').limit(2)).map((r) => Number(r.id));

  const v1Def = definition([criterion('Q-1'), criterion('Q-2', { errorCategory: 'greeting' }), criterion('Q-3', { naAllowed: true, answerType: 'scale', scaleMax: 3 }), criterion('Q-4', { critical: true, errorCategory: 'routing' })]);
  const v1 = await makeRubricVersion(db, v1Def, { name: 'Test rubric' });
  const v2 = await makeRubricVersion(db, definition([...v1Def.sections[0].criteria, criterion('Q-5', { errorCategory: 'closing' })]), { rubricId: v1.rubricId, versionNo: 2 });

  const evaluations: Awaited<ReturnType<typeof makeEvaluation>>[] = [];
  const ev = async (s: Omit<EvaluationSpec, 'specialistId'> & { specialistId?: number }) => {
    const e = await makeEvaluation(db, { specialistId: spec1.id, ...s });
    return e;
  };
  // Team Alpha, operator A-1: six evaluations, four on version 1 and two on version 2.
  const a1Days = ['2026-11-02', '2026-11-03', '2026-11-09', '2026-11-10', '2026-11-16', '2026-11-17'];
  for (let i = 0; i < a1Days.length; i++) {
    const onV2 = i >= 4;
    const answers: AnswerSpec = { 'Q-1': 1, 'Q-2': i % 2, 'Q-3': i === 1 ? 'na' : 3, 'Q-4': 1, ...(onV2 ? { 'Q-5': i === 5 ? 0 : 1 } : {}) };
    evaluations.push(await ev({ operatorId: opA1, version: onV2 ? v2 : v1, date: a1Days[i], answers, regionId: regions[0], minutes: 5 + i, heardShare: 0.9 }));
  }
  // Operator A-2: two evaluations only (too few to rank).
  for (const day of ['2026-11-05', '2026-11-12']) evaluations.push(await ev({ operatorId: opA2, version: v1, date: day, answers: { 'Q-1': 1, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 }, regionId: regions[1], specialistId: spec2.id, category: 'fire', language: 'ru' }));
  // Team Beta, operator B-1: five evaluations, one with a critical failure.
  const b1Days = ['2026-11-04', '2026-11-06', '2026-11-11', '2026-11-13', '2026-11-19'];
  for (let i = 0; i < b1Days.length; i++) {
    evaluations.push(await ev({ operatorId: opB1, version: v1, date: b1Days[i], answers: { 'Q-1': i === 0 ? 0 : 1, 'Q-2': 1, 'Q-3': 1 + (i % 3), 'Q-4': i === 2 ? 0 : 1 }, regionId: regions[1], specialistId: spec2.id, minutes: 8 }));
  }
  // The previous period, for the trend.
  const previous: typeof evaluations = [];
  for (const day of ['2026-10-13', '2026-10-20', '2026-10-27', '2026-10-28', '2026-10-29']) {
    previous.push(await ev({ operatorId: opA1, version: v1, date: day, answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 1, 'Q-4': 1 } }));
    previous.push(await ev({ operatorId: opB1, version: v1, date: day, answers: { 'Q-1': 1, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 } }));
  }
  // Not counted: a calibration evaluation, a draft, and one just after the period.
  await ev({ operatorId: opA1, version: v1, date: '2026-11-10', answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 0, 'Q-4': 0 }, kind: 'calibration' });
  await ev({ operatorId: opA1, version: v1, date: '2026-11-10', answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 0, 'Q-4': 0 }, status: 'draft' });
  await ev({ operatorId: opB1, version: v1, date: '2026-11-21', answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 0, 'Q-4': 0 } });

  // Errors: three that hold and one voided after a reopen.
  const [e0, e1, e2] = [evaluations[1], evaluations[8], evaluations[10]];
  await makeErrorRecord(db, { evaluationId: e0.id, callId: e0.callId, operatorId: opA1, date: '2026-11-03', category: 'greeting', severity: 'minor', criterionCode: 'Q-2' });
  await makeErrorRecord(db, { evaluationId: e1.id, callId: e1.callId, operatorId: opB1, date: '2026-11-04', category: 'information', severity: 'major', criterionCode: 'Q-1' });
  await makeErrorRecord(db, { evaluationId: e2.id, callId: e2.callId, operatorId: opB1, date: '2026-11-11', category: 'routing', severity: 'critical', criterionCode: 'Q-4' });
  await makeErrorRecord(db, { evaluationId: e2.id, callId: e2.callId, operatorId: opB1, date: '2026-11-11', category: 'routing', severity: 'critical', voided: true });

  // One day's plan: Alpha has three of four done, Beta one in progress, one call unassigned.
  const planId = await makePlan(db, '2026-11-10');
  await makePlan(db, '2026-11-10', 'superseded');
  const statuses = ['done', 'done', 'done', 'new'];
  for (let i = 0; i < 4; i++) await makeAssignment(db, { planId, callId: evaluations[i].callId, operatorId: opA1, specialistId: spec1.id, status: statuses[i] });
  await makeAssignment(db, { planId, callId: evaluations[8].callId, operatorId: opB1, specialistId: spec2.id, status: 'in_progress' });
  await makeAssignment(db, { planId, callId: evaluations[9].callId, operatorId: opB1, specialistId: null, status: 'unassigned' });

  return { sup1, sup2, leadership, leadershipRu, admin, spec1, spec2, teamA, teamB, opA1, opA2, opB1, regions, v1, v2, evaluations, previous };
}

export type ReportFixture = Awaited<ReturnType<typeof seedReportFixture>>;
