import { expect } from 'chai';
import pino from 'pino';
import { createTestApp, TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import { seedEvaluations } from '../../../src/features/evaluations/evaluations.seed';
import { recordingRow } from './eval-builders';
import { insertReturningId } from '../../../src/db';
import { addDays, tashkentDate } from '../../../src/time';

const NOW = new Date('2026-11-25T12:00:00Z');

/**
 * A small demo world: the demo logins, two teams, calls over the past two weeks with recordings,
 * and the plans that drew most of them (the day after each call) for the three specialists.
 */
async function demoWorld(t: TestApp): Promise<void> {
  const specialists: number[] = [];
  for (const username of ['specialist', 'specialist2', 'specialist3']) specialists.push((await makeUser(t.db, { role: 'specialist', username, language: username === 'specialist2' ? 'ru' : 'uz' })).id);
  const supervisor = await makeUser(t.db, { role: 'supervisor', username: 'supervisor' });
  const supervisor2 = await makeUser(t.db, { role: 'supervisor', username: 'supervisor2' });
  const teams = [await makeTeam(t.db, { supervisorUserId: supervisor.id }), await makeTeam(t.db, { supervisorUserId: supervisor2.id })];
  const operators = [];
  for (let i = 0; i < 6; i++) operators.push(await makeOperator(t.db, { teamId: teams[i % 2] }));
  const categories = ['medical', 'gas', 'suicide_risk', 'crime', 'information', 'domestic_violence'];
  for (let i = 0; i < 80; i++) {
    const startedAt = new Date(NOW.getTime() - (i * 4 + 2) * 3600_000).toISOString();
    const recordingId = await recordingRow(t.db, 40 + (i % 5) * 10);
    const callId = await makeCall(t.db, { operatorId: operators[i % operators.length], startedAt, durationSec: 40 + (i % 5) * 10, category: categories[i % categories.length], dropped: i % 9 === 0, recordingId, externalId: `SEED-${i}` });
    if (i % 4 === 3) continue;
    const planDate = addDays(tashkentDate(startedAt), 1);
    const plan = (await t.db('plans').where({ plan_date: planDate }).first('id'))?.id
      ?? (await insertReturningId(t.db, 'plans', { plan_date: planDate, status: 'active', seed: planDate, rules: '{}', algorithm_version: 'test', population_fingerprint: 'x', population_count: 0, created_at: NOW.toISOString() }));
    await t.db('assignments').insert({ plan_id: plan, call_id: callId, operator_id: operators[i % operators.length], specialist_user_id: specialists[i % 3], status: 'new', origin: 'draw', purpose: 'random', priority: 1, created_at: NOW.toISOString(), updated_at: NOW.toISOString() });
  }
}

async function seeded() {
  const t = await createTestApp({ clock: () => NOW });
  await demoWorld(t);
  await seedEvaluations({ ...t, log: () => undefined, logger: pino({ level: 'silent' }) });
  return t;
}

describe('the demo seed of evaluations', function () {
  this.timeout(60_000);
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    a = await seeded();
    b = await seeded();
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('hands in evaluations of past calls by the three specialists, with realistic scores and heard shares', async () => {
    const submitted = await a.db('evaluations as e').join('users as u', 'u.id', 'e.specialist_user_id').where('e.status', 'submitted').select('e.*', 'u.username');
    expect(submitted.length).to.be.greaterThan(15);
    expect(new Set(submitted.map((e) => e.username))).to.have.all.keys('specialist', 'specialist2', 'specialist3');
    for (const e of submitted) {
      expect(e.heard_share).to.be.within(0.95, 1);
      expect(e.score).to.be.a('number');
      expect(e.evaluation_date).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(e.submitted_at <= NOW.toISOString()).to.equal(true);
    }
    // Mostly the plans' random draws (completing their assignments), a few picked by hand.
    const random = submitted.filter((e) => e.purpose === 'random');
    expect(random.length / submitted.length).to.be.greaterThan(0.7);
    expect(submitted.filter((e) => e.purpose !== 'random').every((e) => e.purpose === 'on_request')).to.equal(true);
    const done = await a.db('assignments').whereIn('evaluation_id', random.map((e) => e.id)).where('status', 'done');
    expect(done).to.have.length(random.length);
    const mostlyGood = submitted.filter((e) => e.score >= 80).length / submitted.length;
    expect(mostlyGood).to.be.greaterThan(0.7);
    // Every handed-in evaluation got its error records and its call marked evaluated.
    const withFailures = await a.db('evaluation_answers').whereIn('evaluation_id', submitted.map((e) => e.id)).where('failed', true).distinct('evaluation_id');
    const withErrors = await a.db('errors').whereIn('evaluation_id', submitted.map((e) => e.id)).distinct('evaluation_id');
    expect(withErrors.map((r) => r.evaluation_id)).to.include.members(withFailures.map((r) => r.evaluation_id));
    const unevaluated = await a.db('calls').whereIn('id', submitted.map((e) => e.call_id)).whereNull('evaluated_at');
    expect(unevaluated).to.have.length(0);
  });

  it('answers N/A where the call had no such need (CLOSE-2 on a call that did not drop)', async () => {
    const rows = await a.db('evaluation_answers as a').join('evaluations as e', 'e.id', 'a.evaluation_id').join('calls as c', 'c.id', 'e.call_id')
      .where('a.criterion_code', 'CLOSE-2').select('a.is_na', 'c.dropped');
    expect(rows.length).to.be.greaterThan(0);
    for (const r of rows) expect(Boolean(r.is_na)).to.equal(!r.dropped);
  });

  it('leaves a couple reopened, two complex cases for the demo supervisor, and drafts in progress with marks', async () => {
    const counts = (await a.db('evaluations').select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: unknown }>;
    const byStatus = Object.fromEntries(counts.map((r) => [r.status, Number(r.n)]));
    expect(byStatus.reopened).to.be.within(1, 2);
    expect(byStatus.draft).to.be.within(2, 3);
    const complex = await a.db('evaluations as e').join('operators as o', 'o.id', 'e.operator_id').join('teams as t', 't.id', 'o.team_id').join('users as u', 'u.id', 't.supervisor_user_id')
      .where('e.is_complex_case', true).select('u.username', 'e.complex_reason');
    expect(complex).to.have.length(2);
    for (const c of complex) {
      expect(c.username).to.equal('supervisor');
      expect(c.complex_reason).to.be.a('string').and.not.equal('');
    }
    expect(await a.db('evaluation_marks').whereNotNull('note')).to.have.length.greaterThan(5);
    expect(await a.db('audit_log').where({ action: 'evaluation.reopen' })).to.have.length(byStatus.reopened!);
  });

  it('is deterministic: the same world and clock give the same evaluations', async () => {
    const pick = (db: TestApp['db']) => db('evaluations as e').join('calls as c', 'c.id', 'e.call_id').join('users as u', 'u.id', 'e.specialist_user_id')
      .select('c.external_id', 'u.username', 'e.status', 'e.score', 'e.heard_share', 'e.is_complex_case').orderBy('c.external_id').orderBy('u.username');
    const [x, y] = [await pick(a.db), await pick(b.db)];
    expect(x.length).to.be.greaterThan(0);
    expect(JSON.parse(JSON.stringify(y))).to.deep.equal(JSON.parse(JSON.stringify(x)));
  });
});
