import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, makeRecording, postForm, versionFor } from '../training/fixtures';
import { closeOverdueSessions, createSession } from '../../../src/features/calibration/calibration.service';

describe('calibration sessions: creating, listing, roles', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T08:00:00Z');
  let supervisor: { id: number; username: string };
  let specA: { id: number; username: string };
  let specB: { id: number; username: string };
  let expert: { id: number; username: string };
  let outsider: { id: number; username: string };
  let leadership: { username: string };
  let operatorUser: { username: string };
  let callIds: number[];

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    supervisor = await makeUser(t.db, { role: 'supervisor' });
    specA = await makeUser(t.db, { role: 'specialist', displayName: 'Specialist A' });
    specB = await makeUser(t.db, { role: 'specialist', displayName: 'Specialist B' });
    expert = await makeUser(t.db, { role: 'specialist', displayName: 'The Expert' });
    outsider = await makeUser(t.db, { role: 'specialist', displayName: 'Not Invited' });
    leadership = await makeUser(t.db, { role: 'leadership' });
    const team = await makeTeam(t.db, { supervisorUserId: supervisor.id });
    const op = await makeOperator(t.db, { teamId: team });
    operatorUser = await makeUser(t.db, { role: 'operator', operatorId: op });
    callIds = [];
    for (let i = 0; i < 2; i++) callIds.push(await makeCall(t.db, { operatorId: op, recordingId: await makeRecording(t), startedAt: '2026-11-19T06:00:00Z' }));
  });
  after(() => t.close());

  async function counts() {
    const s = await t.db('calibration_sessions').count({ n: '*' }).first();
    const e = await t.db('evaluations').where({ kind: 'calibration' }).count({ n: '*' }).first();
    return { sessions: Number(s?.n), evaluations: Number(e?.n) };
  }

  it('a supervisor starts a session: one draft calibration evaluation per scorer per call, on the rubric for the call', async () => {
    const { agent } = await signIn(t.app, supervisor.username, TEST_PASSWORD);
    const form = await agent.get('/calibration/new');
    expect(form.status).to.equal(200);
    expect(form.text).to.contain(`value="${callIds[0]}"`).and.contain('Specialist A');
    const res = await postForm(agent, '/calibration', { title: 'Week 47', deadline: '2026-11-23', callIds: callIds.map(String), participantIds: [String(specA.id), String(specB.id)], expertUserId: String(expert.id), notes: '' });
    expect(res.status).to.equal(303);
    const id = Number(/\/calibration\/(\d+)$/.exec(res.headers.location)![1]);
    const session = await t.db('calibration_sessions').where({ id }).first();
    expect(session).to.include({ title: 'Week 47', deadline: '2026-11-23', status: 'open', created_by: supervisor.id, expert_user_id: expert.id });
    const evaluations = await t.db('evaluations').where({ calibration_session_id: id }).orderBy('id');
    expect(evaluations).to.have.length(6); // 3 scorers × 2 calls
    const version = await versionFor(t.db);
    for (const e of evaluations) {
      expect(e.kind).to.equal('calibration');
      expect(e.status).to.equal('draft');
      expect(Number(e.rubric_version_id)).to.equal(version.versionId);
    }
    expect(new Set(evaluations.map((e) => Number(e.specialist_user_id)))).to.deep.equal(new Set([specA.id, specB.id, expert.id]));
    const people = await t.db('calibration_participants').where({ session_id: id });
    expect(people.filter((p) => p.is_expert === true || p.is_expert === 1).map((p) => Number(p.user_id))).to.deep.equal([expert.id]);
    expect(await t.db('audit_log').where({ action: 'calibration.create', entity_id: String(id) })).to.have.length(1);
  });

  for (const [name, body, field] of [
    ['without calls', { callIds: [] }, 'Choose at least one call.'],
    ['with a deadline in the past', { deadline: '2026-11-19' }, 'The deadline cannot be in the past.'],
    ['with a supervisor among the participants', { participantIds: ['SUPERVISOR'] }, 'Only active specialists can take part.'],
    ['with a single scorer', { participantIds: ['A'], expertUserId: '' }, 'At least 2 people must score'],
    ['without a title', { title: '  ' }, 'Give the session a title.'],
  ] as const) {
    it(`a session ${name} is refused with a field message, and nothing is stored`, async () => {
      const before = await counts();
      const { agent } = await signIn(t.app, supervisor.username, TEST_PASSWORD);
      const base: Record<string, unknown> = { title: 'Bad one', deadline: '2026-11-23', callIds: callIds.map(String), participantIds: [String(specA.id), String(specB.id)], expertUserId: '', notes: '' };
      const patch: Record<string, unknown> = { ...body };
      if (Array.isArray(patch.participantIds)) patch.participantIds = (patch.participantIds as string[]).map((p) => (p === 'SUPERVISOR' ? String(supervisor.id) : p === 'A' ? String(specA.id) : p));
      const res = await postForm(agent, '/calibration', { ...base, ...patch });
      expect(res.status).to.equal(400);
      expect(res.text).to.contain(field);
      expect(res.text).to.contain('value="Bad one"'.replace('Bad one', String((patch.title as string | undefined) ?? 'Bad one')));
      expect(await counts()).to.deep.equal(before);
    });
  }

  it('a call without a recording cannot be calibrated', async () => {
    const before = await counts();
    const bare = await makeCall(t.db, { startedAt: '2026-11-19T06:00:00Z' });
    await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'x', notes: '', deadline: '2026-11-23', callIds: [bare], participantIds: [specA.id, specB.id], expertUserId: null })
      .then(() => expect.fail('should refuse'), (e: { fields: { key: string }[] }) => expect(e.fields.map((f) => f.key)).to.include('calibration.form.callInvalid'));
    expect(await counts()).to.deep.equal(before);
  });

  it('specialists see only the sessions they take part in; the list shows their own progress', async () => {
    const { sessionId } = await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'Only A and B', notes: '', deadline: '2026-11-23', callIds: [callIds[0]!], participantIds: [specA.id, specB.id], expertUserId: null });
    const a = await signIn(t.app, specA.username, TEST_PASSWORD);
    const list = await a.agent.get('/calibration');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain('Only A and B').and.contain('0 of 1');
    expect((await a.agent.get(`/calibration/${sessionId}`)).status).to.equal(200);
    const o = await signIn(t.app, outsider.username, TEST_PASSWORD);
    expect((await o.agent.get('/calibration')).text).to.not.contain('Only A and B');
    expect((await o.agent.get(`/calibration/${sessionId}`)).status).to.equal(403);
    expect((await o.agent.get(`/api/calibration/${sessionId}/results`)).status).to.equal(403);
  });

  it('role checks: specialists may not create or close; leadership and operators may not enter at all', async () => {
    const { sessionId } = await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'Roles', notes: '', deadline: '2026-11-23', callIds: [callIds[1]!], participantIds: [specA.id, specB.id], expertUserId: null });
    const a = await signIn(t.app, specA.username, TEST_PASSWORD);
    expect((await a.agent.get('/calibration/new')).status).to.equal(403);
    expect((await postForm(a.agent, '/calibration', { title: 'x', deadline: '2026-11-23', callIds: [String(callIds[0])], participantIds: [String(specA.id), String(specB.id)] })).status).to.equal(403);
    expect((await postForm(a.agent, `/calibration/${sessionId}/close`, {})).status).to.equal(403);
    for (const who of [leadership.username, operatorUser.username]) {
      const { agent } = await signIn(t.app, who, TEST_PASSWORD);
      for (const url of ['/calibration', `/calibration/${sessionId}`, `/calibration/${sessionId}/results`, '/calibration/new']) {
        expect((await agent.get(url)).status, `${who} ${url}`).to.equal(403);
      }
      const api = await agent.get(`/api/calibration/${sessionId}/results`);
      expect(api.status).to.equal(403);
      expect(api.body.error.key).to.equal('http.forbidden.text');
    }
    expect((await t.db('calibration_sessions').where({ id: sessionId }).first()).status).to.equal('open');
  });

  it('an unknown session is 404, and closing twice is refused the second time', async () => {
    const { agent } = await signIn(t.app, supervisor.username, TEST_PASSWORD);
    expect((await agent.get('/calibration/99999')).status).to.equal(404);
    const { sessionId } = await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'Twice', notes: '', deadline: '2026-11-23', callIds: [callIds[0]!], participantIds: [specA.id, specB.id], expertUserId: null });
    expect((await postForm(agent, `/calibration/${sessionId}/close`, {})).status).to.equal(303);
    const again = await postForm(agent, `/calibration/${sessionId}/close`, {});
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('already closed');
  });

  it('a session whose deadline day has passed closes by itself (the schedule), once', async () => {
    const { sessionId } = await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'Runs out', notes: '', deadline: '2026-11-21', callIds: [callIds[0]!], participantIds: [specA.id, specB.id], expertUserId: null });
    // 2026-11-21 23:30 in Tashkent: still the deadline day.
    expect(await closeOverdueSessions({ ...t, clock: () => new Date('2026-11-21T18:30:00Z') })).to.equal(0);
    expect((await t.db('calibration_sessions').where({ id: sessionId }).first()).status).to.equal('open');
    const after = () => new Date('2026-11-21T19:30:00Z'); // 00:30 on the 22nd in Tashkent
    expect(await closeOverdueSessions({ ...t, clock: after })).to.be.greaterThanOrEqual(1);
    expect(await t.db('calibration_sessions').where({ id: sessionId }).first()).to.include({ status: 'closed', closed_at: after().toISOString(), closed_by: null });
    expect(await closeOverdueSessions({ ...t, clock: after })).to.equal(0);
    expect(await t.db('audit_log').where({ action: 'calibration.close', entity_id: String(sessionId) })).to.have.length(1);
  });
});
