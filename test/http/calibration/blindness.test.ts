import { expect } from 'chai';
import { createTestApp, signIn, type TestApp, type Agent } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, fullAnswers, makeRecording, postForm, submitInput, tokenFor, versionFor, type AnswerOverrides } from '../training/fixtures';
import { createSession } from '../../../src/features/calibration/calibration.service';
import { agreementReport, type CalibrationAnswer } from '../../../src/features/calibration/agreement';
import { flattenCriteria } from '../../../src/features/rubrics/rubric.model';

describe('calibration: blind until closed, then the agreement figures', () => {
  let t: TestApp;
  let now = new Date('2026-11-20T08:00:00Z');
  let supervisor: { id: number; username: string };
  let a: { id: number; username: string };
  let b: { id: number; username: string };
  let expert: { id: number; username: string };
  let callIds: number[];
  let sessionId: number;
  let agents: Record<string, Agent>;

  // What each scorer answers, per call (all else at its best, N/A where allowed).
  const ANSWERS: Record<string, AnswerOverrides[]> = {
    expert: [{ 'INFO-5': 2, 'CARD-2': 0 }, { 'INFO-2': 0, 'COMM-1': 2, 'CLOSE-1': 0 }],
    a: [{ 'INFO-5': 3, 'CARD-2': 1 }, { 'INFO-2': 0, 'COMM-1': 3, 'CLOSE-1': 0, 'CARD-2': 0 }],
    b: [{ 'INFO-5': 1, 'CARD-2': 0, 'HELP-1': 1 }, { 'INFO-2': 1, 'COMM-1': 2, 'CLOSE-1': 0 }],
  };
  const SECRET = 'B-only-comment-7f3a';

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    supervisor = await makeUser(t.db, { role: 'supervisor' });
    a = await makeUser(t.db, { role: 'specialist', displayName: 'Alpha Specialist' });
    b = await makeUser(t.db, { role: 'specialist', displayName: 'Bravo Specialist' });
    expert = await makeUser(t.db, { role: 'specialist', displayName: 'Expert Eshmatov' });
    const team = await makeTeam(t.db, { supervisorUserId: supervisor.id });
    const op = await makeOperator(t.db, { teamId: team });
    callIds = [];
    for (let i = 0; i < 2; i++) callIds.push(await makeCall(t.db, { operatorId: op, recordingId: await makeRecording(t, 60), startedAt: '2026-11-19T06:00:00Z' }));
    ({ sessionId } = await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'Blind one', notes: '', deadline: '2026-11-25', callIds, participantIds: [a.id, b.id], expertUserId: expert.id }));
    agents = {
      a: (await signIn(t.app, a.username, TEST_PASSWORD)).agent,
      b: (await signIn(t.app, b.username, TEST_PASSWORD)).agent,
      expert: (await signIn(t.app, expert.username, TEST_PASSWORD)).agent,
      supervisor: (await signIn(t.app, supervisor.username, TEST_PASSWORD)).agent,
    };
  });
  after(() => t.close());

  async function evaluationOf(userId: number, callId: number) {
    return t.db('evaluations').where({ calibration_session_id: sessionId, specialist_user_id: userId, call_id: callId }).first();
  }

  /** The participant hands in on the ordinary evaluation endpoint, as the page would. */
  async function handIn(who: 'a' | 'b' | 'expert', userId: number) {
    const version = await versionFor(t.db);
    for (const [i, callId] of callIds.entries()) {
      const e = await evaluationOf(userId, callId);
      const answers = fullAnswers(version.definition, ANSWERS[who]![i]!, who === 'b' ? { 'CARD-2': SECRET } : {});
      const res = await agents[who]!.post(`/evaluations/${e.id}/submit`).set('x-csrf-token', await tokenFor(agents[who]!)).send(submitInput(answers, 60, Number(e.revision)));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
  }

  it('a participant cannot open another participant’s calibration evaluation, before or after handing in', async () => {
    await handIn('b', b.id);
    const bEval = await evaluationOf(b.id, callIds[0]!);
    expect((await agents.a!.get(`/evaluations/${bEval.id}`)).status).to.equal(403);
    expect((await agents.expert!.get(`/evaluations/${bEval.id}`)).status).to.equal(403);
    // Their own is theirs to open.
    const own = await evaluationOf(a.id, callIds[0]!);
    expect((await agents.a!.get(`/evaluations/${own.id}`)).status).to.equal(200);
  });

  it('the session page shows who handed in, never what they answered', async () => {
    const bEval = await evaluationOf(b.id, callIds[0]!);
    expect(bEval.status).to.equal('submitted');
    for (const who of ['a', 'supervisor'] as const) {
      const page = await agents[who]!.get(`/calibration/${sessionId}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Bravo Specialist').and.contain('2 of 2'); // B's progress
      expect(page.text).to.not.contain(SECRET);
      expect(page.text).to.not.contain(`/evaluations/${bEval.id}"`);
      expect(page.text).to.not.contain(`>${new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(Number(bEval.score))}<`); // B's score
    }
  });

  it('before the session is closed the results page and JSON refuse everyone, participants and supervisors alike', async () => {
    for (const who of ['a', 'b', 'supervisor'] as const) {
      const page = await agents[who]!.get(`/calibration/${sessionId}/results`);
      expect(page.status).to.equal(403);
      expect(page.text).to.contain('only after the session is closed').and.not.contain(SECRET);
      const api = await agents[who]!.get(`/api/calibration/${sessionId}/results`);
      expect(api.status).to.equal(403);
      expect(api.body.error.key).to.equal('calibration.results.notYet');
      expect(JSON.stringify(api.body)).to.not.contain(SECRET);
    }
  });

  it('once closed, the JSON report is exactly agreementReport over the handed-in answers', async () => {
    await handIn('a', a.id);
    await handIn('expert', expert.id);
    now = new Date('2026-11-21T10:00:00Z');
    expect((await postForm(agents.supervisor!, `/calibration/${sessionId}/close`, {})).status).to.equal(303);

    const version = await versionFor(t.db);
    const criteria = flattenCriteria(version.definition).map((c) => (c.answerType === 'scale' ? { code: c.code, kind: 'scale' as const, maxValue: c.scaleMax } : { code: c.code, kind: 'yesNo' as const }));
    const evaluations = [];
    for (const [who, user] of [['expert', expert], ['a', a], ['b', b]] as const) {
      for (const [i, callId] of callIds.entries()) {
        const answers = fullAnswers(version.definition, ANSWERS[who]![i]!);
        const stored = await evaluationOf(user.id, callId);
        evaluations.push({
          participantId: user.id, callId, score: Number(stored.score),
          answers: Object.fromEntries(Object.entries(answers).map(([code, x]) => [code, (x.na ? 'na' : x.value) as CalibrationAnswer])),
        });
      }
    }
    const expected = agreementReport({ criteria, evaluations, expertId: expert.id });
    const res = await agents.a!.get(`/api/calibration/${sessionId}/results`);
    expect(res.status).to.equal(200);
    expect(res.body.report).to.deep.equal(JSON.parse(JSON.stringify(expected)));
    // The seeded disagreements show: INFO-5 and CARD-2 are flagged, CLOSE-1 (all agree it failed on call 2) is good.
    expect(expected.criteriaNeedingGuidance).to.include.members(['INFO-5', 'CARD-2']);
    expect(expected.criteria.find((c) => c.code === 'CLOSE-1')!.level).to.equal('good');
    expect(res.body.evaluations).to.have.length(6);
  });

  it('the results page shows the same alpha figures, the side-by-side answers and the alignment with the expert', async () => {
    const json = (await agents.b!.get(`/api/calibration/${sessionId}/results`)).body;
    const page = await agents.b!.get(`/calibration/${sessionId}/results`);
    expect(page.status).to.equal(200);
    const two = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(page.text).to.contain(`${two.format(json.report.overall.answers.alpha)} <span class="badge`);
    for (const c of json.report.criteria as { code: string; alpha: number | null; needsGuidance: boolean }[]) {
      const row = new RegExp(`data-criterion="${c.code}">[\\s\\S]*?data-alpha="([^"]*)"`).exec(page.text);
      expect(row, c.code).to.not.equal(null);
      expect(row![1]).to.equal(c.alpha === null ? '' : String(c.alpha));
    }
    expect(page.text).to.contain('class="calib-flag" data-criterion="INFO-5"');
    expect(page.text).to.contain('Alignment with the expert (Expert Eshmatov)');
    // Every participant's column, with B's comment visible now.
    expect(page.text).to.contain('Alpha Specialist').and.contain('Bravo Specialist').and.contain(SECRET);
    // Still not through the evaluation page: results are the way to compare.
    const bEval = await evaluationOf(b.id, callIds[0]!);
    expect((await agents.a!.get(`/evaluations/${bEval.id}`)).status).to.equal(403);
  });

  it('an evaluation handed in after the session closed does not count (its author had seen the others)', async () => {
    const late = await makeUser(t.db, { role: 'specialist', displayName: 'Late Comer' });
    const { sessionId: s2 } = await createSession({ ...t, clock: () => new Date('2026-11-21T10:00:00Z') }, { id: supervisor.id, role: 'supervisor' }, { title: 'Late', notes: '', deadline: '2026-11-25', callIds: [callIds[0]!], participantIds: [a.id, late.id], expertUserId: null });
    const version = await versionFor(t.db);
    const lateAgent = (await signIn(t.app, late.username, TEST_PASSWORD)).agent;
    const ownA = await t.db('evaluations').where({ calibration_session_id: s2, specialist_user_id: a.id }).first();
    await agents.a!.post(`/evaluations/${ownA.id}/submit`).set('x-csrf-token', await tokenFor(agents.a!)).send(submitInput(fullAnswers(version.definition), 60, 0)).expect(200);
    expect((await postForm(agents.supervisor!, `/calibration/${s2}/close`, {})).status).to.equal(303);
    now = new Date('2026-11-21T12:00:00Z');
    const ownLate = await t.db('evaluations').where({ calibration_session_id: s2, specialist_user_id: late.id }).first();
    await lateAgent.post(`/evaluations/${ownLate.id}/submit`).set('x-csrf-token', await tokenFor(lateAgent)).send(submitInput(fullAnswers(version.definition, { 'INFO-2': 0 }), 60, 0)).expect(200);
    const res = await agents.supervisor!.get(`/api/calibration/${s2}/results`);
    expect(res.body.evaluations.map((e: { participantId: number }) => e.participantId)).to.deep.equal([a.id]);
    expect(res.body.missing.map((m: { userId: number }) => m.userId)).to.deep.equal([late.id]);
  });
});
