// Drawing a day's plan through the app and its database: reproducibility, refusals, verification,
// Tashkent day boundaries, the daily schedule, redraws and carry-over.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { TEST_PASSWORD, makeCall } from '../../helpers/builders';
import { insertReturningId } from '../../../src/db';
import { PREPARE_MAX_ATTEMPTS } from '../../../src/features/calls/recordings.service';
import { drawDay, drawJobHandler, drawScheduleTick, verifyStoredPlan, DRAW_JOB } from '../../../src/features/plans/plans.service';
import { TODAY, YESTERDAY, at, makeCallsOn, makeOperators, makeRecording, makePeople, makeRules, putOnDuty } from './plan-fixtures';
import { addDays } from '../../../src/time';

describe('drawing a plan', () => {
  let t: TestApp;
  let now: Date;
  let people: Awaited<ReturnType<typeof makePeople>>;
  let operators: number[];

  beforeEach(async () => {
    now = at(TODAY, '10:00');
    t = await createTestApp({ clock: () => now });
    people = await makePeople(t.db);
    operators = await makeOperators(t.db, people.team, 3);
    await putOnDuty(t.db, people.specialistA.id, 10, ['uz', 'ru']);
    await putOnDuty(t.db, people.specialistB.id, 10, ['uz']);
  });
  afterEach(() => t.close());

  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);
  const picksOf = async (planId: number) =>
    (await t.db('assignments').where({ plan_id: planId }).select('call_id', 'specialist_user_id', 'status').orderBy('call_id')).map((r) => [Number(r.call_id), r.specialist_user_id == null ? null : Number(r.specialist_user_id), r.status]);

  async function adminAgent() {
    return signIn(t.app, people.admin.username, TEST_PASSWORD);
  }

  it('a supervisor draws today’s plan from yesterday’s calls: stored with its evidence and assigned to the specialists on duty', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    for (const op of operators) await makeCallsOn(t.db, op, YESTERDAY, 5);
    await makeCallsOn(t.db, operators[0], TODAY, 3); // today's calls are not yet eligible
    const { agent, csrf } = await signIn(t.app, people.supervisor.username, TEST_PASSWORD);
    const res = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/plans?date=${TODAY}`);
    const plans = await t.db('plans').where({ plan_date: TODAY });
    expect(plans).to.have.length(1);
    const p = plans[0];
    expect(p.status).to.equal('active');
    expect(p.seed).to.match(/^[0-9a-f]{32}$/);
    expect(p.algorithm_version).to.equal('splitmix64-es-1');
    expect(p.population_fingerprint).to.match(/^[0-9a-f]{64}$/);
    expect(Number(p.population_count)).to.equal(15);
    expect(JSON.parse(p.rules).quota).to.deep.equal({ mode: 'perDay', calls: 2 });
    expect(JSON.parse(p.specialists).map((s: { userId: number }) => s.userId).sort()).to.deep.equal([people.specialistA.id, people.specialistB.id].sort());
    const rows = await t.db('assignments').where({ plan_id: p.id });
    expect(rows).to.have.length(6);
    expect(rows.every((r) => r.status === 'new' && r.origin === 'draw' && r.specialist_user_id)).to.equal(true);
    const audit = await t.db('audit_log').where({ action: 'plan.draw' });
    expect(audit).to.have.length(1);
    expect(Number(audit[0].user_id)).to.equal(people.supervisor.id);
    const page = await agent.get(`/plans?date=${TODAY}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(p.seed).and.contain(p.population_fingerprint);
  });

  it('the same seed, rules and calls give the same plan', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 3 }, priority: { dropped: 4 } });
    for (const op of operators) await makeCallsOn(t.db, op, YESTERDAY, 12, { dropped: op === operators[1] });
    const first = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual', seeds: ['fixed-seed-1'] });
    const second = await drawDay(t, { planDate: TODAY, actorId: null, redraw: true, source: 'manual', seeds: ['fixed-seed-1'] });
    const other = await drawDay(t, { planDate: TODAY, actorId: null, redraw: true, source: 'manual', seeds: ['another-seed'] });
    const a = (await picksOf(first.planIds[0])).map(([c, s]) => [c, s]);
    const b = (await picksOf(second.planIds[0])).map(([c, s]) => [c, s]);
    const c = (await picksOf(other.planIds[0])).map(([c2]) => c2);
    expect(a).to.have.length(9);
    expect(b).to.deep.equal(a);
    expect(c).to.not.deep.equal(a.map(([x]) => x));
    const [p1, p2] = await t.db('plans').whereIn('id', [first.planIds[0], second.planIds[0]]).orderBy('id');
    expect(p2.population_fingerprint).to.equal(p1.population_fingerprint);
    expect(p1.status).to.equal('superseded');
  });

  it('a plan day in the future is refused with a clear message, and nothing is stored', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], TODAY, 3);
    const { agent, csrf } = await adminAgent();
    const tomorrow = addDays(TODAY, 1);
    const res = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: tomorrow });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain(`A plan cannot be drawn for a future day (${tomorrow})`);
    expect(await count('plans')).to.equal(0);
    expect(await count('assignments')).to.equal(0);
  });

  it('with nobody on duty the draw is refused (409) and nothing is stored', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 3);
    await t.db('specialist_duty').update({ on_duty: false });
    const { agent, csrf } = await adminAgent();
    const res = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY });
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('No specialist is on duty: nothing was drawn.');
    expect(await count('plans')).to.equal(0);
    expect(await count('assignments')).to.equal(0);
    expect(await count('audit_log', { action: 'plan.draw' })).to.equal(0);
  });

  it('without an active rule set the draw is refused with a clear message', async () => {
    await makeCallsOn(t.db, operators[0], YESTERDAY, 3);
    const { agent, csrf } = await adminAgent();
    const res = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY });
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('There is no active rule set.');
    expect(await count('plans')).to.equal(0);
  });

  it('a quota above an operator’s eligible calls takes them all and lists the operator as under quota', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 4 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 2);
    await makeCallsOn(t.db, operators[1], YESTERDAY, 6);
    const r = await drawDay(t, { planDate: TODAY, actorId: people.admin.id, source: 'manual' });
    expect(r.picked).to.equal(2 + 4);
    expect(r.warnings.filter((w) => w.key === 'plans.draw.quotaAboveEligible').map((w) => w.params.operatorId).sort()).to.deep.equal([operators[0], operators[2]].sort());
    const { agent } = await adminAgent();
    const page = await agent.get(`/plans?date=${TODAY}`);
    expect(page.text).to.contain('Operators under their quota');
    expect(page.text).to.contain('2 operators had fewer eligible calls than their quota');
  });

  it('a second draw of a drawn day is refused unless it is a redraw, which supersedes the old plan', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    const { agent, csrf } = await adminAgent();
    expect((await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY })).status).to.equal(303);
    const again = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY });
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('is already drawn');
    const redraw = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY, redraw: '1' });
    expect(redraw.status).to.equal(303);
    const plans = await t.db('plans').where({ plan_date: TODAY }).orderBy('id');
    expect(plans.map((p) => p.status)).to.deep.equal(['superseded', 'active']);
    expect((await t.db('assignments').where({ plan_id: plans[0].id })).every((a) => a.status === 'cancelled')).to.equal(true);
    expect(await count('audit_log', { action: 'plan.redraw' })).to.equal(1);
  });

  it('once work has started a plan cannot be redrawn (409, clear message) and stays as it was', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const [first] = await t.db('assignments').where({ plan_id: r.planIds[0] }).orderBy('id');
    await t.db('assignments').where({ id: first.id }).update({ status: 'in_progress' });
    const before = await picksOf(r.planIds[0]);
    const { agent, csrf } = await adminAgent();
    const res = await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY, redraw: '1' });
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('Work has started on the plan for');
    expect(await count('plans')).to.equal(1);
    expect(await picksOf(r.planIds[0])).to.deep.equal(before);
    const page = await agent.get(`/plans?date=${TODAY}`);
    expect(page.text).to.match(/<button type="submit" class="btn" disabled/);
  });

  it('verification re-derives the plan and says it matches; after a drawn call is deleted it says so', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    for (const op of operators) await makeCallsOn(t.db, op, YESTERDAY, 5);
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const planId = r.planIds[0];
    const { agent } = await adminAgent();
    const ok = await agent.get(`/plans/${planId}/verify`);
    expect(ok.status).to.equal(200);
    expect(ok.text).to.contain('The plan matches.');

    // a call evaluated after the draw still counts: eligibility is judged as at the draw
    const [picked, another] = await t.db('assignments').where({ plan_id: planId }).orderBy('id').select('call_id');
    now = at(TODAY, '12:00');
    await t.db('calls').where({ id: another.call_id }).update({ evaluated_at: now.toISOString() });
    expect((await verifyStoredPlan(t, planId)).result.ok).to.equal(true);
    // …even when its evaluation carries a time before the draw (a backdated or imported one): the
    // plan stored which calls it left out as evaluated, and only those are left out again
    await t.db('calls').whereNot({ id: picked.call_id }).update({ evaluated_at: at(YESTERDAY, '23:00').toISOString() });
    expect((await verifyStoredPlan(t, planId)).result.ok).to.equal(true);

    await t.db('calls').where({ id: picked.call_id }).update({ deleted_at: now.toISOString() });
    const json = await agent.get(`/plans/${planId}/verify`).set('accept', 'application/json');
    expect(json.body.ok).to.equal(false);
    expect(json.body.reasons).to.include('plans.verify.callsDeleted');
    expect(json.body.missingCallIds).to.deep.equal([Number(picked.call_id)]);
    const page = await agent.get(`/plans/${planId}/verify`);
    expect(page.text).to.contain('Calls drawn for this plan have since been deleted (1).');
    expect(page.text).to.contain(`#${picked.call_id}`);
  });

  it('a call at 23:30 Tashkent time (18:30Z) belongs to that Tashkent day: drawn for the next day’s plan, not the one after', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 10 } });
    const lateId = await makeCall(t.db, { operatorId: operators[0], startedAt: `${YESTERDAY}T18:30:00.000Z`, recordingId: await makeRecording(t.db) });
    const earlyNext = await makeCall(t.db, { operatorId: operators[0], startedAt: `${YESTERDAY}T19:30:00.000Z`, recordingId: await makeRecording(t.db) }); // 00:30 on TODAY in Tashkent
    expect((await t.db('calls').where({ id: lateId }).first()).call_date).to.equal(YESTERDAY);
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const ids = (await t.db('assignments').where({ plan_id: r.planIds[0] })).map((a) => Number(a.call_id));
    expect(ids).to.deep.equal([lateId]);
    now = at(addDays(TODAY, 1), '10:00');
    const next = await drawDay(t, { planDate: addDays(TODAY, 1), actorId: null, source: 'manual' });
    const nextIds = (await t.db('assignments').where({ plan_id: next.planIds[0] })).map((a) => Number(a.call_id));
    expect(nextIds).to.deep.equal([earlyNext]);
  });

  it('the scheduled tick creates exactly one plan a day, even when ticked twice, and nothing before the draw time', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    const tick = drawScheduleTick(t);
    t.jobs.register(DRAW_JOB, drawJobHandler(t));
    await tick(at(TODAY, '06:59'));
    expect(await count('jobs', { type: DRAW_JOB })).to.equal(0);
    await tick(at(TODAY, '07:00'));
    await tick(at(TODAY, '07:01'));
    expect(await count('jobs', { type: DRAW_JOB })).to.equal(1);
    expect((await t.db('jobs').where({ type: DRAW_JOB }).first()).dedupe_key).to.equal(`plan:draw:${TODAY}`);
    await t.jobs.drain();
    await tick(at(TODAY, '07:02'));
    await t.jobs.drain();
    expect(await count('plans', { plan_date: TODAY })).to.equal(1);
    expect(await count('jobs', { type: DRAW_JOB })).to.equal(1);
    const job = await t.db('jobs').where({ type: DRAW_JOB }).first();
    expect(job.status).to.equal('done');
  });

  it('when the scheduled draw is refused (nobody on duty) the job fails for good and the plan page says why', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    await t.db('specialist_duty').update({ on_duty: false });
    await drawScheduleTick(t)(at(TODAY, '07:00'));
    await t.jobs.drain();
    const job = await t.db('jobs').where({ type: DRAW_JOB }).first();
    expect(job.status).to.equal('failed');
    expect(Number(job.attempts)).to.equal(1);
    expect(await count('plans')).to.equal(0);
    const { agent } = await adminAgent();
    const page = await agent.get(`/plans?date=${TODAY}`);
    expect(page.text).to.contain('The scheduled draw at 07:00 made no plan:').and.contain('No specialist is on duty: nothing was drawn.');
  });

  it('the scheduled job skips a day already drawn by hand', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    await drawDay(t, { planDate: TODAY, actorId: people.admin.id, source: 'manual' });
    const result = await drawJobHandler(t)({ planDate: TODAY });
    expect(result).to.have.property('skipped', 'alreadyDrawn');
    expect(await count('plans', { plan_date: TODAY })).to.equal(1);
  });

  it('unfinished assignments carry over to the next day’s plan when the rules say so; a redraw carries them again', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 }, carryOver: true });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    const day1 = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const rows1 = await t.db('assignments').where({ plan_id: day1.planIds[0] }).orderBy('id');
    expect(rows1).to.have.length(2);
    await t.db('assignments').where({ id: rows1[0].id }).update({ status: 'done' });

    const tomorrow = addDays(TODAY, 1);
    now = at(tomorrow, '10:00');
    await makeCallsOn(t.db, operators[1], TODAY, 3);
    const day2 = await drawDay(t, { planDate: tomorrow, actorId: null, source: 'manual' });
    expect(day2.carried).to.equal(1);
    const carried = await t.db('assignments').where({ plan_id: day2.planIds[0], origin: 'carried' });
    expect(carried).to.have.length(1);
    expect(Number(carried[0].carried_from_id)).to.equal(Number(rows1[1].id));
    expect(Number(carried[0].call_id)).to.equal(Number(rows1[1].call_id));
    expect(Number(carried[0].specialist_user_id)).to.equal(Number(rows1[1].specialist_user_id)); // stays with its specialist
    expect((await t.db('assignments').where({ id: rows1[1].id }).first()).status).to.equal('cancelled');
    expect((await t.db('assignments').where({ id: rows1[0].id }).first()).status).to.equal('done');

    const again = await drawDay(t, { planDate: tomorrow, actorId: null, redraw: true, source: 'manual' });
    expect(again.carried).to.equal(1);
    const carriedAgain = await t.db('assignments').where({ plan_id: again.planIds[0], origin: 'carried' });
    expect(Number(carriedAgain[0].carried_from_id)).to.equal(Number(rows1[1].id));
    expect(await count('assignments', { origin: 'carried', status: 'new' })).to.equal(1);
  });

  it('without carry-over in the rules, yesterday’s unfinished work stays where it was', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 4);
    const day1 = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    now = at(addDays(TODAY, 1), '10:00');
    await makeCallsOn(t.db, operators[1], TODAY, 3);
    const day2 = await drawDay(t, { planDate: addDays(TODAY, 1), actorId: null, source: 'manual' });
    expect(day2.carried).to.equal(0);
    expect(await count('assignments', { plan_id: day1.planIds[0], status: 'new' })).to.equal(2);
  });

  it('calls of an inactive operator, already evaluated or deleted are not eligible', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 10 } });
    const [kept] = await makeCallsOn(t.db, operators[0], YESTERDAY, 1);
    const [evaluated] = await makeCallsOn(t.db, operators[0], YESTERDAY, 1);
    const [deleted] = await makeCallsOn(t.db, operators[0], YESTERDAY, 1);
    await makeCallsOn(t.db, operators[2], YESTERDAY, 2);
    await t.db('calls').where({ id: evaluated }).update({ evaluated_at: at(YESTERDAY, '15:00').toISOString() });
    await t.db('calls').where({ id: deleted }).update({ deleted_at: at(YESTERDAY, '15:00').toISOString() });
    await t.db('operators').where({ id: operators[2] }).update({ is_active: false });
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    expect(r.populationCount).to.equal(1);
    expect((await t.db('assignments').where({ plan_id: r.planIds[0] })).map((a) => Number(a.call_id))).to.deep.equal([kept]);
    expect((await verifyStoredPlan(t, r.planIds[0])).result.ok).to.equal(true);
    // an operator made inactive after the draw does not change what the draw saw
    await t.db('operators').where({ id: operators[0] }).update({ is_active: false });
    expect((await verifyStoredPlan(t, r.planIds[0])).result.ok).to.equal(true);
  });

  it('a call nobody on duty can take is stored as unassigned with its reason and shown on the plan page', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 3 } });
    const [signCall] = await makeCallsOn(t.db, operators[0], YESTERDAY, 1, { language: 'sign' });
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    expect(r.unassigned).to.equal(1);
    const row = await t.db('assignments').where({ call_id: signCall }).first();
    expect(row.status).to.equal('unassigned');
    expect(row.specialist_user_id).to.equal(null);
    const plan = await t.db('plans').where({ id: r.planIds[0] }).first();
    expect(JSON.parse(plan.unassigned)).to.deep.equal([{ callId: signCall, operatorId: operators[0], language: 'sign', reason: 'plans.assign.noLanguage' }]);
    const { agent } = await adminAgent();
    const page = await agent.get(`/plans?date=${TODAY}`);
    expect(page.text).to.contain('Calls nobody could take').and.contain('No one for this language');
  });

  it('drawing queues the media preparation of the drawn calls’ recordings (those not ready yet)', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 5 } });
    const stamp = new Date().toISOString();
    const rec = (sha: string, status: string) =>
      insertReturningId(t.db, 'recordings', { sha256: sha.padEnd(64, '0'), storage_key: `x/${sha}`, size_bytes: 1, status, created_at: stamp, updated_at: stamp });
    const stored = await rec('a1', 'stored');
    const ready = await rec('b2', 'ready');
    await makeCallsOn(t.db, operators[0], YESTERDAY, 1, { recordingId: stored });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 1, { recordingId: ready });
    await makeCallsOn(t.db, operators[0], YESTERDAY, 1);
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    expect(r.preparationQueued).to.equal(1);
    const jobs = await t.db('jobs').where({ type: 'media.prepare' });
    expect(jobs.map((j) => j.dedupe_key)).to.deep.equal([`prepare:recording:${stored}`]);
    expect(JSON.parse(jobs[0].payload)).to.deep.equal({ recordingId: stored });
    expect(Number(jobs[0].max_attempts)).to.equal(PREPARE_MAX_ATTEMPTS);
    // a redraw finds the job already queued: still one job per recording
    await drawDay(t, { planDate: TODAY, actorId: null, redraw: true, source: 'manual' });
    expect(await count('jobs', { type: 'media.prepare' })).to.equal(1);
  });
});
