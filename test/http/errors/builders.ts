// Builders for evaluations with answers and marks, inserted directly (the tests of errors and
// digests do not depend on the evaluation page's code), plus a two-team organisation.
import type { Knex } from 'knex';
import { insertReturningId } from '../../../src/db';
import { tashkentDate } from '../../../src/time';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';
import type { RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { makeCall, makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import type { Language } from '../../../src/i18n';

export async function makeRubricVersion(db: Knex, definition: RubricDefinition = defaultRubricDefinition()): Promise<number> {
  const now = new Date().toISOString();
  const rubricId = await insertReturningId(db, 'rubrics', { name: 'Test rubric', is_default: false, created_at: now, updated_at: now });
  return insertReturningId(db, 'rubric_versions', { rubric_id: rubricId, version_no: 1, status: 'published', definition: JSON.stringify(definition), published_at: now, created_at: now, updated_at: now });
}

export interface AnswerSpec {
  code: string;
  failed?: boolean;
  comment?: string | null;
  value?: number | null;
  na?: boolean;
}
export interface MarkSpec {
  startSec: number;
  endSec?: number;
  criterionCode?: string | null;
  isError?: boolean;
  severity?: string | null;
  note?: string | null;
}

export async function makeEvaluation(
  db: Knex,
  o: {
    callId: number;
    operatorId: number | null;
    specialistId: number;
    rubricVersionId: number;
    kind?: 'regular' | 'calibration';
    status?: 'draft' | 'submitted' | 'reopened';
    submittedAt?: string;
    score?: number | null;
    result?: string | null;
    criticalFailure?: boolean;
    isComplexCase?: boolean;
    complexReason?: string | null;
    answers?: AnswerSpec[];
    marks?: MarkSpec[];
  },
): Promise<{ evaluationId: number; markIds: number[] }> {
  const submittedAt = o.submittedAt ?? new Date().toISOString();
  const status = o.status ?? 'submitted';
  const evaluationId = await insertReturningId(db, 'evaluations', {
    call_id: o.callId,
    operator_id: o.operatorId,
    rubric_version_id: o.rubricVersionId,
    specialist_user_id: o.specialistId,
    kind: o.kind ?? 'regular',
    status,
    revision: 1,
    score: o.score ?? 80,
    result: o.result ?? 'compliant',
    critical_failure: o.criticalFailure ?? false,
    is_complex_case: o.isComplexCase ?? false,
    complex_reason: o.complexReason ?? null,
    started_at: submittedAt,
    submitted_at: status === 'draft' ? null : submittedAt,
    evaluation_date: status === 'draft' ? null : tashkentDate(submittedAt),
    created_at: submittedAt,
    updated_at: submittedAt,
  });
  for (const a of o.answers ?? []) await setAnswer(db, evaluationId, a);
  const markIds: number[] = [];
  for (const m of o.marks ?? []) markIds.push(await addMark(db, evaluationId, m));
  return { evaluationId, markIds };
}

/** Inserts or replaces one answer, as the evaluation page's autosave would. */
export async function setAnswer(db: Knex, evaluationId: number, a: AnswerSpec): Promise<void> {
  const row = { value: a.value ?? (a.failed ? 0 : 1), is_na: a.na ?? false, comment: a.comment ?? null, failed: a.failed ?? false };
  const existing = await db('evaluation_answers').where({ evaluation_id: evaluationId, criterion_code: a.code }).first('id');
  if (existing) await db('evaluation_answers').where({ id: existing.id }).update(row);
  else await db('evaluation_answers').insert({ evaluation_id: evaluationId, criterion_code: a.code, ...row });
}

export async function addMark(db: Knex, evaluationId: number, m: MarkSpec): Promise<number> {
  return insertReturningId(db, 'evaluation_marks', {
    evaluation_id: evaluationId,
    start_sec: m.startSec,
    end_sec: m.endSec ?? m.startSec + 3,
    note: m.note ?? null,
    criterion_code: m.criterionCode ?? null,
    severity: m.severity ?? null,
    is_error: m.isError ?? false,
    created_at: new Date().toISOString(),
  });
}

/** Two teams with a supervisor and an operator each, a specialist, an admin and a rubric version. */
export async function makeOrganisation(db: Knex, o: { supervisorLanguage?: Language; supervisorEmail?: string } = {}) {
  const supervisor = await makeUser(db, { role: 'supervisor', language: o.supervisorLanguage ?? 'en', email: o.supervisorEmail, displayName: 'Bobur Aliyev' });
  const otherSupervisor = await makeUser(db, { role: 'supervisor', language: 'ru', displayName: 'Elena Kim' });
  const specialist = await makeUser(db, { role: 'specialist', displayName: 'Dilnoza Rahimova' });
  const otherSpecialist = await makeUser(db, { role: 'specialist' });
  const admin = await makeUser(db, { role: 'admin' });
  const leadership = await makeUser(db, { role: 'leadership' });
  const team = await makeTeam(db, { supervisorUserId: supervisor.id });
  const otherTeam = await makeTeam(db, { supervisorUserId: otherSupervisor.id });
  const operator = await makeOperator(db, { teamId: team, name: 'Jasur Yusupov' });
  const otherOperator = await makeOperator(db, { teamId: otherTeam, name: 'Madina Saidova' });
  const rubricVersionId = await makeRubricVersion(db);
  return { supervisor, otherSupervisor, specialist, otherSpecialist, admin, leadership, team, otherTeam, operator, otherOperator, rubricVersionId };
}
export type Organisation = Awaited<ReturnType<typeof makeOrganisation>>;

/** A call of the operator with a submitted evaluation failing the given criteria. */
export async function makeFailedEvaluation(
  db: Knex,
  org: Organisation,
  o: { operatorId?: number; failed?: string[]; comment?: string; submittedAt?: string; marks?: MarkSpec[]; kind?: 'regular' | 'calibration'; specialistId?: number; isComplexCase?: boolean; complexReason?: string; score?: number; result?: string; criticalFailure?: boolean } = {},
) {
  const operatorId = o.operatorId ?? org.operator;
  const submittedAt = o.submittedAt ?? new Date().toISOString();
  const callId = await makeCall(db, { operatorId, startedAt: new Date(Date.parse(submittedAt) - 3600_000).toISOString() });
  const failed = o.failed ?? ['INFO-2'];
  const { evaluationId, markIds } = await makeEvaluation(db, {
    callId, operatorId, specialistId: o.specialistId ?? org.specialist.id, rubricVersionId: org.rubricVersionId, kind: o.kind, submittedAt,
    isComplexCase: o.isComplexCase, complexReason: o.complexReason, score: o.score, result: o.result, criticalFailure: o.criticalFailure,
    answers: [{ code: 'OPEN-1' }, ...failed.map((code) => ({ code, failed: true, comment: o.comment ?? `${code} missed` }))],
    marks: o.marks,
  });
  return { callId, evaluationId, markIds };
}
