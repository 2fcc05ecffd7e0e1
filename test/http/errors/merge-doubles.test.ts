// One fault, one error, for the errors already stored: the migration folds a mark's error into the
// failed criterion's error it repeats, keeping all evidence (nothing deleted, the follow-up that
// went furthest kept), and the counts drop to one per fault.
import { expect } from 'chai';
import { createTestDb, type TestDb } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import { insertReturningId, migrate } from '../../../src/db';
import { addMark, makeEvaluation, makeRubricVersion } from './builders';

const T0 = '2026-11-10T08:00:00.000Z';
const T1 = '2026-11-11T08:00:00.000Z';

describe('migration: merging an error counted twice (one fault, one error)', () => {
  let tdb: TestDb;
  let evaluationId: number;
  const ids: Record<string, number> = {};

  before(async () => {
    tdb = await createTestDb({ migrateBefore: '20261207300400_merge_double_errors.ts' });
    const db = tdb.db;
    const supervisor = await makeUser(db, { role: 'supervisor' });
    const specialist = await makeUser(db, { role: 'specialist' });
    const operatorId = await makeOperator(db, { teamId: await makeTeam(db, { supervisorUserId: supervisor.id }) });
    const callId = await makeCall(db, { operatorId });
    ({ evaluationId } = await makeEvaluation(db, { callId, operatorId, specialistId: specialist.id, rubricVersionId: await makeRubricVersion(db), submittedAt: T0 }));
    const markCard = await addMark(db, evaluationId, { startSec: 41, criterionCode: 'CARD-2', isError: true, note: 'Karta noaniq' });
    const markComm = await addMark(db, evaluationId, { startSec: 12, criterionCode: 'COMM-1', isError: true, note: 'Ovoz baland' });
    const base = { evaluation_id: evaluationId, call_id: callId, operator_id: operatorId, severity: 'minor', error_date: '2026-11-10', created_at: T0, updated_at: T0 };
    // The criterion's error, untouched; the mark's double of it, already acted upon by the supervisor.
    ids.criterion = await insertReturningId(db, 'errors', { ...base, source: 'criterion', criterion_code: 'CARD-2', category: 'card', comment: 'Matn tushunarsiz', status: 'new' });
    ids.double = await insertReturningId(db, 'errors', { ...base, source: 'mark', criterion_code: 'CARD-2', mark_id: markCard, category: 'card', comment: 'Karta noaniq', at_sec: 41, status: 'action_recorded', action_type: 'conversation', action_note: 'Suhbat o‘tkazildi', action_by: supervisor.id, action_at: T1, acknowledged_by: supervisor.id, acknowledged_at: T1 });
    // A mark error on a criterion that did not fail is a fault of its own.
    ids.own = await insertReturningId(db, 'errors', { ...base, source: 'mark', criterion_code: 'COMM-1', mark_id: markComm, category: 'communication', comment: 'Ovoz baland', at_sec: 12, status: 'new' });
    ids.markCard = markCard;
    await migrate(db);
  });
  after(() => tdb.destroy());

  it('keeps the criterion’s error with the mark’s moment, link, both notes and the furthest follow-up', async () => {
    const kept = await tdb.db('errors').where({ id: ids.criterion }).first();
    expect(kept.voided_at).to.equal(null);
    expect([Number(kept.at_sec), Number(kept.mark_id), kept.comment]).to.deep.equal([41, ids.markCard, 'Matn tushunarsiz\nKarta noaniq']);
    expect([kept.status, kept.action_type, kept.action_note, kept.action_at]).to.deep.equal(['action_recorded', 'conversation', 'Suhbat o‘tkazildi', T1]);
  });

  it('voids the double — never deletes it — and says which error it was merged into', async () => {
    const double = await tdb.db('errors').where({ id: ids.double }).first();
    expect(double).to.not.equal(undefined);
    expect(double.voided_at).to.be.a('string');
    expect(Number(double.merged_into_id)).to.equal(ids.criterion);
    expect(double.action_note).to.equal('Suhbat o‘tkazildi');
  });

  it('leaves a mark error that repeats no failed criterion alone; the live count is one per fault', async () => {
    const own = await tdb.db('errors').where({ id: ids.own }).first();
    expect(own.voided_at).to.equal(null);
    const live = await tdb.db('errors').where({ evaluation_id: evaluationId }).whereNull('voided_at').orderBy('id').select('criterion_code');
    expect(live.map((r) => r.criterion_code)).to.deep.equal(['CARD-2', 'COMM-1']);
  });
});
