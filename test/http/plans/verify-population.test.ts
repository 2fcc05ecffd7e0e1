// A plan's Verify re-derives its draw from the population as it was at the draw. Calls that arrive
// later (a telephony push, a next-day import) leave it green and are reported as late; a drawn call
// removed or altered, or a call slipped into the plan, still turn it red. And a draw takes only
// calls that can be heard: those without a usable recording are counted and listed apart.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { TEST_PASSWORD } from '../../helpers/builders';
import { insertReturningId } from '../../../src/db';
import { addCall, drawDay, verifyStoredPlan } from '../../../src/features/plans/plans.service';
import { TODAY, YESTERDAY, at, makeCallsOn, makeOperators, makePeople, makeRecording, makeRules, putOnDuty } from './plan-fixtures';

describe('verifying a plan against its population as drawn', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof makePeople>>;
  let operators: number[];
  let planId: number;
  /** a call of the plan day itself: there before the draw, outside its window */
  let spare: number;

  beforeEach(async () => {
    t = await createTestApp({ clock: () => at(TODAY, '10:00') });
    people = await makePeople(t.db);
    operators = await makeOperators(t.db, people.team, 3);
    await putOnDuty(t.db, people.specialistA.id, 20, ['uz', 'ru']);
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 } });
    for (const op of operators) await makeCallsOn(t.db, op, YESTERDAY, 5);
    [spare] = await makeCallsOn(t.db, operators[0], TODAY, 1);
    planId = (await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' })).planIds[0];
  });
  afterEach(() => t.close());

  const verify = () => verifyStoredPlan(t, planId);
  const drawn = async () => (await t.db('assignments').where({ plan_id: planId }).orderBy('id').select('call_id')).map((r) => Number(r.call_id));
  const undrawn = async () => Number((await t.db('calls').where('call_date', YESTERDAY).whereNotIn('id', await drawn()).first('id')).id);

  it('stays green when calls of the window arrive after the draw, and says how many arrived', async () => {
    await makeCallsOn(t.db, operators[0], YESTERDAY, 3); // a next-day import
    await makeCallsOn(t.db, operators[1], YESTERDAY, 1, { recordingId: null });
    const v = await verify();
    expect(v.result.reasons).to.deep.equal([]);
    expect(v.result.ok).to.equal(true);
    expect(v.lateArrivals).to.equal(4);
    const { agent } = await signIn(t.app, people.admin.username, TEST_PASSWORD);
    const page = await agent.get(`/plans/${planId}/verify`);
    expect(page.text).to.contain('The plan matches.');
    expect(page.text).to.contain('4 calls arrived after the draw.');
    const json = await agent.get(`/plans/${planId}/verify`).set('accept', 'application/json');
    expect(json.body).to.include({ ok: true, lateArrivals: 4 });
  });

  it('turns red when a drawn call is removed', async () => {
    const [first] = await drawn();
    await t.db('calls').where({ id: first }).update({ deleted_at: at(TODAY, '11:00').toISOString() });
    const v = await verify();
    expect(v.result.ok).to.equal(false);
    expect(v.result.reasons).to.include('plans.verify.callsDeleted');
  });

  it('turns red when a call of the population is altered after the draw (moved to another operator)', async () => {
    await t.db('calls').where({ id: await undrawn() }).update({ operator_id: operators[2] === operators[0] ? operators[1] : operators[0] });
    await t.db('calls').where({ id: (await drawn())[0] }).update({ operator_id: await insertReturningId(t.db, 'operators', { employee_code: 'X-9', full_name: 'Moved', team_id: people.team, category: 'A1', languages: 'uz', is_active: true, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }) });
    const v = await verify();
    expect(v.result.ok).to.equal(false);
  });

  it('turns red when a call is slipped into the plan as if drawn', async () => {
    await t.db('assignments').insert({ plan_id: planId, call_id: await undrawn(), operator_id: operators[0], specialist_user_id: people.specialistA.id, status: 'new', origin: 'draw', purpose: 'random', priority: 1, created_at: '2026-11-20T05:00:00Z', updated_at: '2026-11-20T05:00:00Z' });
    const v = await verify();
    expect(v.result.ok).to.equal(false);
    expect(v.result.reasons).to.include('plans.verify.picksDiffer');
  });

  it('turns red when a call is written into the population below the draw’s watermark (not a late arrival)', async () => {
    // A call that exists before the draw but outside its window, then rewritten into the window by
    // hand with its old id: the draw never saw it, and its id says it is not late.
    expect((await verify()).result.ok).to.equal(true);
    await t.db('calls').where({ id: spare }).update({ call_date: YESTERDAY, started_at: at(YESTERDAY, '12:00').toISOString() });
    const v = await verify();
    expect(v.lateArrivals).to.equal(0);
    expect(v.result.ok).to.equal(false);
    expect(v.result.reasons).to.include('plans.verify.populationChanged');
  });

  it('a hand-added call is on request, not part of the random draw, and leaves Verify green', async () => {
    const extra = await undrawn();
    await addCall(t, { planId, callId: extra, specialistUserId: people.specialistA.id, actor: { id: people.admin.id, role: 'admin' } });
    expect((await t.db('assignments').where({ plan_id: planId, call_id: extra }).first()).purpose).to.equal('on_request');
    expect((await t.db('assignments').where({ plan_id: planId, origin: 'draw' }).distinct('purpose')).map((r) => r.purpose)).to.deep.equal(['random']);
    expect((await verify()).result.ok).to.equal(true);
  });
});

describe('a draw takes only calls that can be heard', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof makePeople>>;
  let operator: number;

  beforeEach(async () => {
    t = await createTestApp({ clock: () => at(TODAY, '10:00') });
    people = await makePeople(t.db);
    [operator] = await makeOperators(t.db, people.team, 1);
    await putOnDuty(t.db, people.specialistA.id, 20, ['uz', 'ru']);
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 10 } });
  });
  afterEach(() => t.close());

  it('leaves out calls with no recording or a failed one, and counts and lists them apart', async () => {
    const good = await makeCallsOn(t.db, operator, YESTERDAY, 3);
    const none = await makeCallsOn(t.db, operator, YESTERDAY, 2, { recordingId: null });
    const failed = await makeCallsOn(t.db, operator, YESTERDAY, 1, { recordingId: await makeRecording(t.db, 'failed') });
    const stored = await makeCallsOn(t.db, operator, YESTERDAY, 1, { recordingId: await makeRecording(t.db, 'stored') });
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const picked = (await t.db('assignments').where({ plan_id: r.planIds[0] }).orderBy('call_id')).map((a) => Number(a.call_id));
    expect(picked).to.deep.equal([...good, ...stored]);
    expect(r.populationCount).to.equal(4);
    const plan = await t.db('plans').where({ id: r.planIds[0] }).first();
    expect(JSON.parse(plan.draw_details).noRecordingCallIds).to.deep.equal([...none, ...failed].sort((a, b) => a - b));
    const { agent } = await signIn(t.app, people.supervisor.username, TEST_PASSWORD);
    const page = await agent.get(`/plans?date=${TODAY}`);
    expect(page.text).to.contain('3 calls were left out: no usable recording');
    for (const id of [...none, ...failed]) expect(page.text).to.contain(`href="/calls/${id}"`);
  });

  it('a drawn recording that fails to prepare after the draw leaves Verify green', async () => {
    const [a, b] = await makeCallsOn(t.db, operator, YESTERDAY, 2);
    await makeCallsOn(t.db, operator, YESTERDAY, 1, { recordingId: null });
    const r = await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const rec = (await t.db('calls').where({ id: a }).first()).recording_id;
    await t.db('recordings').where({ id: rec }).update({ status: 'failed' });
    // …and a call that had none gets one: the population is still the one drawn.
    await t.db('calls').whereNull('recording_id').update({ recording_id: (await t.db('calls').where({ id: b }).first()).recording_id });
    expect((await verifyStoredPlan(t, r.planIds[0])).result.ok).to.equal(true);
  });
});
