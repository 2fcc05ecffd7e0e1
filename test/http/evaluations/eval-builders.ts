// Builders and helpers shared by the evaluation HTTP tests: a small organisation (two teams with
// their supervisors, specialists, an operator per team), calls, a plan with an assignment, and the
// JSON requests the evaluation page sends.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { TestApp, Agent } from '../../helpers/app';
import { signIn } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import { insertReturningId } from '../../../src/db';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';
import { flattenCriteria } from '../../../src/features/rubrics/rubric.model';

export interface Person {
  id: number;
  username: string;
  agent: Agent;
  csrf: () => Promise<string>;
}

async function person(t: TestApp, role: 'admin' | 'specialist' | 'supervisor' | 'leadership' | 'operator'): Promise<Person> {
  const u = await makeUser(t.db, { role });
  const s = await signIn(t.app, u.username, u.password);
  return { id: u.id, username: u.username, agent: s.agent, csrf: s.csrf };
}

export interface World {
  specialist: Person;
  otherSpecialist: Person;
  supervisor: Person;
  otherSupervisor: Person;
  admin: Person;
  leadership: Person;
  teamId: number;
  operatorId: number;
  otherOperatorId: number;
}

export async function makeWorld(t: TestApp): Promise<World> {
  const [specialist, otherSpecialist, supervisor, otherSupervisor, admin, leadership] = [
    await person(t, 'specialist'), await person(t, 'specialist'), await person(t, 'supervisor'),
    await person(t, 'supervisor'), await person(t, 'admin'), await person(t, 'leadership'),
  ];
  const teamId = await makeTeam(t.db, { supervisorUserId: supervisor.id });
  const otherTeamId = await makeTeam(t.db, { supervisorUserId: otherSupervisor.id });
  const operatorId = await makeOperator(t.db, { teamId });
  const otherOperatorId = await makeOperator(t.db, { teamId: otherTeamId });
  return { specialist, otherSpecialist, supervisor, otherSupervisor, admin, leadership, teamId, operatorId, otherOperatorId };
}

/** A call of 95 s (makeCall's default), without a recording unless asked: marks must lie within 95 s. */
export async function callOf(t: TestApp, operatorId: number, o: { dropped?: boolean; durationSec?: number; withRecording?: boolean } = {}): Promise<number> {
  const recordingId = o.withRecording ? await recordingRow(t.db, o.durationSec ?? 95) : null;
  return makeCall(t.db, { operatorId, dropped: o.dropped, durationSec: o.durationSec, recordingId });
}

let recordingSeq = 0;
/** A prepared recording's row (no files: the HTTP tests never fetch the audio). */
export async function recordingRow(db: Knex, durationSec: number): Promise<number> {
  const now = new Date().toISOString();
  const sha = (`${Date.now().toString(16)}${(++recordingSeq).toString(16)}`).padEnd(64, '0');
  return insertReturningId(db, 'recordings', {
    sha256: sha, storage_key: `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, size_bytes: 1000, mime_type: 'audio/wav', format: 'wav', codec: 'pcm_mulaw', sample_rate: 8000, channels: 2,
    duration_sec: durationSec, status: 'ready', facts: JSON.stringify({ durationSec, channels: 2, talkSec: [30, 40], silences: [{ startSec: 10, endSec: 14 }], silenceSec: 4, longestSilenceSec: 4, overlapSec: 1 }),
    created_at: now, updated_at: now,
  });
}

/**
 * The player fetches the call's audio as this person (GET /calls/:id/audio, optionally one byte
 * range): what the server then counts as sent, and so as possibly heard. Writes the recording's
 * file (100 bytes per second of audio) into the store first when it is not there yet.
 */
export async function listen(t: TestApp, p: Person, callId: number, range?: string): Promise<number> {
  const rec = await t.db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where('c.id', callId).first('r.storage_key', 'r.duration_sec');
  const file = path.join(t.config.recordingsDir, ...String(rec.storage_key).split('/'));
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(Math.round(Number(rec.duration_sec) * 100), 0x7f));
  }
  const req = p.agent.get(`/calls/${callId}/audio`);
  if (range) req.set('Range', range);
  const res = await req;
  expect([200, 206], res.text).to.include(res.status);
  return res.status;
}

/** An active plan for the call's day with the call assigned to the specialist. */
export async function assign(db: Knex, callId: number, specialistUserId: number): Promise<number> {
  const now = new Date().toISOString();
  const planId = await insertReturningId(db, 'plans', {
    plan_date: '2026-11-21', status: 'active', seed: 'test', rules: '{}', algorithm_version: 'test', population_fingerprint: 'x', population_count: 1, created_at: now,
  });
  return insertReturningId(db, 'assignments', { plan_id: planId, call_id: callId, specialist_user_id: specialistUserId, status: 'new', origin: 'draw', priority: 0, created_at: now, updated_at: now });
}

/** POST /calls/:id/evaluate as this person; returns the evaluation id it redirected to. */
export async function openEvaluation(p: Person, callId: number): Promise<number> {
  const res = await p.agent.post(`/calls/${callId}/evaluate`).type('form').send({ _csrf: await p.csrf() });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  const m = /^\/evaluations\/(\d+)$/.exec(res.headers.location ?? '');
  expect(m, res.headers.location).to.not.equal(null);
  return Number(m![1]);
}

export type AnswerIn = { value: number | null; na: boolean; comment?: string };

/** Every criterion of the default rubric at its best, N/A where a quiet medical call had no need. */
export function bestAnswers(): Record<string, AnswerIn> {
  const answers: Record<string, AnswerIn> = {};
  for (const c of flattenCriteria(defaultRubricDefinition())) answers[c.code] = { value: c.answerType === 'scale' ? c.scaleMax! : 1, na: false };
  for (const code of ['HELP-1', 'HELP-3', 'HELP-4', 'CLOSE-2']) answers[code] = { value: null, na: true };
  return answers;
}

export interface StateIn {
  revision: number;
  answers?: Record<string, AnswerIn>;
  marks?: Array<{ key: string; startSec: number; endSec: number; note?: string; criterionCode?: string | null; severity?: string | null; isError?: boolean }>;
  played?: Array<[number, number]>;
  complexCase?: boolean;
  complexReason?: string;
  summaryComment?: string;
  confirmLowHeard?: boolean;
}

export async function saveDraft(p: Person, id: number, body: StateIn | Record<string, unknown>) {
  return p.agent.put(`/evaluations/${id}/draft`).set('accept', 'application/json').set('x-csrf-token', await p.csrf()).send(body);
}

export async function submit(p: Person, id: number, body: StateIn | Record<string, unknown>) {
  return p.agent.post(`/evaluations/${id}/submit`).set('accept', 'application/json').set('x-csrf-token', await p.csrf()).send(body);
}

export async function revisionOf(db: Knex, id: number): Promise<number> {
  return Number((await db('evaluations').where({ id }).first('revision')).revision);
}

/** The stored state of an evaluation, for "nothing changed" checks. */
export async function snapshot(db: Knex, id: number) {
  const evaluation = await db('evaluations').where({ id }).first();
  const answers = await db('evaluation_answers').where({ evaluation_id: id }).orderBy('criterion_code');
  const marks = await db('evaluation_marks').where({ evaluation_id: id }).orderBy('id');
  return JSON.parse(JSON.stringify({ evaluation, answers, marks }));
}
