// Shared builders for the calibration, training and operator-portal HTTP tests: recordings with a
// real file, evaluations submitted through the evaluation service, an app with the portal.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { insertReturningId } from '../../../src/db';
import { FEATURES } from '../../../src/features';
import type { Feature } from '../../../src/app-context';
import { operatorPortalFeature } from '../../../src/features/operator-portal';
import { storageKeyFor } from '../../../src/features/media/store';
import { rubricVersionForCall } from '../../../src/features/rubrics/rubrics.service';
import { flattenCriteria, type RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { insertEvaluation } from '../../../src/features/evaluations/evaluations.repository';
import { submitEvaluation, viewerFor } from '../../../src/features/evaluations/evaluations.service';
import type { SubmitInput } from '../../../src/features/evaluations/evaluations.schema';
import type { TestApp } from '../../helpers/app';
import { csrfFrom, type Agent } from '../../helpers/app';

/** Every feature, with the operator portal until the lead registers it in src/features/index.ts. */
export function featuresWithPortal(): Feature[] {
  return FEATURES.some((f) => f.name === operatorPortalFeature.name) ? FEATURES : [...FEATURES, operatorPortalFeature];
}

/** A stored recording: a small file under RECORDINGS_DIR at its content address, and its row. */
export async function makeRecording(t: TestApp, durationSec = 60): Promise<number> {
  const bytes = crypto.randomBytes(2048);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const key = storageKeyFor(sha256);
  const file = path.join(t.config.recordingsDir, ...key.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  const now = new Date().toISOString();
  return insertReturningId(t.db, 'recordings', {
    sha256, storage_key: key, original_name: 'call.wav', size_bytes: bytes.length, format: 'wav', codec: 'pcm_s16le', sample_rate: 8000, channels: 1,
    duration_sec: durationSec, status: 'stored', mime_type: 'audio/wav', created_at: now, updated_at: now,
  });
}

export type AnswerOverrides = Record<string, number | 'na'>;

/** A complete set of answers: every criterion at its best (N/A where allowed), then the overrides. */
export function fullAnswers(definition: RubricDefinition, overrides: AnswerOverrides = {}, comments: Record<string, string> = {}): SubmitInput['answers'] {
  const out: SubmitInput['answers'] = {};
  for (const c of flattenCriteria(definition)) {
    const o = overrides[c.code];
    const best = c.answerType === 'scale' ? (c.scaleMax ?? 1) : 1;
    if (o === 'na') out[c.code] = { value: null, na: true, comment: comments[c.code] ?? '' };
    else if (typeof o === 'number') out[c.code] = { value: o, na: false, comment: comments[c.code] ?? '' };
    else if (c.naAllowed) out[c.code] = { value: null, na: true, comment: '' };
    else out[c.code] = { value: best, na: false, comment: '' };
  }
  return out;
}

export function submitInput(answers: SubmitInput['answers'], durationSec = 60, revision = 0): SubmitInput {
  return { revision, answers, marks: [], played: [[0, durationSec]], complexCase: false, complexReason: '', summaryComment: '', confirmLowHeard: true };
}

export async function versionFor(db: Knex, category = 'medical') {
  const v = await rubricVersionForCall(db, category);
  if (!v) throw new Error('no rubric for the test call');
  return v;
}

/**
 * A regular evaluation handed in through the evaluation service at `submittedAt` (the call's
 * evaluated_at, the error records and the Tashkent evaluation day follow from it).
 */
export async function submittedEvaluation(t: TestApp, o: { callId: number; operatorId: number | null; specialistId: number; overrides?: AnswerOverrides; comments?: Record<string, string>; submittedAt: Date; category?: string }): Promise<number> {
  const version = await versionFor(t.db, o.category);
  const started = new Date(o.submittedAt.getTime() - 10 * 60_000).toISOString();
  const id = await insertEvaluation(t.db, { callId: o.callId, operatorId: o.operatorId, rubricVersionId: version.versionId, specialistUserId: o.specialistId, purpose: 'random', now: started });
  const viewer = await viewerFor(t.db, { id: o.specialistId, role: 'specialist' });
  await submitEvaluation({ ...t, clock: () => o.submittedAt }, viewer, id, submitInput(fullAnswers(version.definition, o.overrides ?? {}, o.comments ?? {})));
  return id;
}

/** A fresh CSRF token for a signed-in agent (from a page it may open). */
export async function tokenFor(agent: Agent, page = '/'): Promise<string> {
  return csrfFrom((await agent.get(page)).text);
}

/** Posts a form with the agent's CSRF token. */
export async function postForm(agent: Agent, url: string, body: Record<string, unknown>, page = '/') {
  return agent.post(url).type('form').send({ ...body, _csrf: await tokenFor(agent, page) });
}
