import { expect } from 'chai';
import { createTestDb, TestDb } from '../../helpers/app';
import { syncErrorsForEvaluation } from '../../../src/features/errors/errors.service';
import { makeOrganisation, makeFailedEvaluation, setAnswer, addMark, Organisation } from './builders';

describe('errors from a submitted evaluation (syncErrorsForEvaluation)', () => {
  let tdb: TestDb;
  let org: Organisation;
  const clock = () => new Date('2026-03-01T20:30:00Z'); // 2026-03-02 01:30 in Tashkent
  before(async () => {
    tdb = await createTestDb();
    org = await makeOrganisation(tdb.db);
  });
  after(() => tdb.destroy());

  const live = (evaluationId: number) => tdb.db('errors').where({ evaluation_id: evaluationId }).whereNull('voided_at').orderBy('id');

  it('turns every failed criterion and every error mark into one error record with its details', async () => {
    const { evaluationId, callId } = await makeFailedEvaluation(tdb.db, org, {
      failed: ['INFO-2', 'ROUTE-1'],
      submittedAt: '2026-03-01T20:30:00Z',
      marks: [
        { startSec: 41.5, criterionCode: 'INFO-2', isError: false, note: 'asked twice' },
        { startSec: 12, criterionCode: 'INFO-2', isError: false },
        { startSec: 70, isError: true, severity: 'major', note: 'shouted at the caller' },
        { startSec: 90, isError: false, note: 'just a note' },
      ],
    });
    const r = await syncErrorsForEvaluation(tdb.db, evaluationId, clock);
    expect(r).to.deep.equal({ created: 3, voided: 0, kept: 0 });
    const rows = await live(evaluationId);
    expect(rows.map((e) => [e.source, e.criterion_code, e.category, e.severity, e.at_sec == null ? null : Number(e.at_sec)])).to.deep.equal([
      ['criterion', 'INFO-2', 'information', 'major', 12],
      ['criterion', 'ROUTE-1', 'routing', 'critical', null],
      ['mark', null, 'other', 'major', 70],
    ]);
    // The marks on the failed criterion are that error: its moment (the earliest) and their notes.
    expect(rows[0].comment).to.equal('INFO-2 missed\nasked twice');
    expect(rows[2].comment).to.equal('shouted at the caller');
    for (const e of rows) {
      expect(e.status).to.equal('new');
      expect(e.error_date).to.equal('2026-03-02');
      expect(Number(e.call_id)).to.equal(callId);
      expect(Number(e.operator_id)).to.equal(org.operator);
    }
  });

  it('a failed critical criterion is a critical error; other criteria take their default severity', async () => {
    const { evaluationId } = await makeFailedEvaluation(tdb.db, org, { failed: ['OPEN-2', 'HELP-3', 'CARD-2'] });
    await syncErrorsForEvaluation(tdb.db, evaluationId, clock);
    const rows = await live(evaluationId);
    expect(Object.fromEntries(rows.map((e) => [e.criterion_code, e.severity]))).to.deep.equal({ 'OPEN-2': 'major', 'HELP-3': 'critical', 'CARD-2': 'minor' });
  });

  it('calling it twice creates nothing the second time', async () => {
    const { evaluationId } = await makeFailedEvaluation(tdb.db, org, { failed: ['INFO-1', 'CLOSE-1'], marks: [{ startSec: 5, isError: true }] });
    expect(await syncErrorsForEvaluation(tdb.db, evaluationId, clock)).to.deep.equal({ created: 3, voided: 0, kept: 0 });
    expect(await syncErrorsForEvaluation(tdb.db, evaluationId, clock)).to.deep.equal({ created: 0, voided: 0, kept: 3 });
    expect(await tdb.db('errors').where({ evaluation_id: evaluationId })).to.have.length(3);
  });

  it('a reopened and resubmitted evaluation voids what no longer fails, adds what newly fails and keeps the rest with their status', async () => {
    const { evaluationId } = await makeFailedEvaluation(tdb.db, org, { failed: ['INFO-1', 'INFO-3'] });
    await syncErrorsForEvaluation(tdb.db, evaluationId, clock);
    const [info1, info3] = await live(evaluationId);
    // The supervisor has already acknowledged INFO-1.
    await tdb.db('errors').where({ id: info1.id }).update({ status: 'acknowledged', acknowledged_by: org.supervisor.id, acknowledged_at: clock().toISOString() });
    // Reopened: INFO-3 now passes, CARD-1 fails, INFO-1's comment was reworded.
    await tdb.db('evaluations').where({ id: evaluationId }).update({ status: 'reopened' });
    await setAnswer(tdb.db, evaluationId, { code: 'INFO-3', failed: false, value: 1 });
    await setAnswer(tdb.db, evaluationId, { code: 'CARD-1', failed: true, comment: 'address field empty' });
    await setAnswer(tdb.db, evaluationId, { code: 'INFO-1', failed: true, comment: 'nature of the incident never asked' });
    const later = () => new Date('2026-03-05T06:00:00Z');
    await tdb.db('evaluations').where({ id: evaluationId }).update({ status: 'submitted', submitted_at: later().toISOString() });

    expect(await syncErrorsForEvaluation(tdb.db, evaluationId, later)).to.deep.equal({ created: 1, voided: 1, kept: 1 });
    const all = await tdb.db('errors').where({ evaluation_id: evaluationId }).orderBy('id');
    expect(all).to.have.length(3);
    const byCode = Object.fromEntries(all.map((e) => [e.criterion_code, e]));
    expect(byCode['INFO-1'].status).to.equal('acknowledged');
    expect(byCode['INFO-1'].voided_at).to.equal(null);
    expect(byCode['INFO-1'].comment).to.equal('nature of the incident never asked');
    expect(byCode['INFO-1'].error_date).to.equal(info1.error_date);
    expect(byCode['INFO-3'].id).to.equal(info3.id);
    expect(byCode['INFO-3'].voided_at).to.equal(later().toISOString());
    expect(byCode['CARD-1'].status).to.equal('new');
    expect(byCode['CARD-1'].error_date).to.equal('2026-03-05');
    // And resubmitting again changes nothing.
    expect(await syncErrorsForEvaluation(tdb.db, evaluationId, later)).to.deep.equal({ created: 0, voided: 0, kept: 2 });
  });

  it('a mark that is no longer flagged as an error voids its record; a new error mark gets one', async () => {
    const { evaluationId, markIds } = await makeFailedEvaluation(tdb.db, org, { failed: [], marks: [{ startSec: 30, isError: true }] });
    expect((await syncErrorsForEvaluation(tdb.db, evaluationId, clock)).created).to.equal(1);
    await tdb.db('evaluation_marks').where({ id: markIds[0] }).update({ is_error: false });
    await addMark(tdb.db, evaluationId, { startSec: 50, isError: true, severity: 'critical' });
    expect(await syncErrorsForEvaluation(tdb.db, evaluationId, clock)).to.deep.equal({ created: 1, voided: 1, kept: 0 });
    const rows = await live(evaluationId);
    expect(rows.map((e) => [Number(e.at_sec), e.severity])).to.deep.equal([[50, 'critical']]);
  });

  it('a calibration evaluation creates no errors', async () => {
    const { evaluationId } = await makeFailedEvaluation(tdb.db, org, { kind: 'calibration', failed: ['ROUTE-1', 'INFO-2'], marks: [{ startSec: 3, isError: true }] });
    expect(await syncErrorsForEvaluation(tdb.db, evaluationId, clock)).to.deep.equal({ created: 0, voided: 0, kept: 0 });
    expect(await tdb.db('errors').where({ evaluation_id: evaluationId })).to.have.length(0);
  });

  it('works inside the caller\'s transaction, and a rollback leaves no errors behind', async () => {
    const { evaluationId } = await makeFailedEvaluation(tdb.db, org, { failed: ['INFO-4'] });
    await tdb.db.transaction(async (trx) => {
      expect((await syncErrorsForEvaluation(trx, evaluationId, clock)).created).to.equal(1);
      await trx.rollback();
    }).catch(() => undefined);
    expect(await tdb.db('errors').where({ evaluation_id: evaluationId })).to.have.length(0);
  });

  it('refuses an unknown evaluation id', async () => {
    let thrown: unknown;
    try {
      await syncErrorsForEvaluation(tdb.db, 999999, clock);
    } catch (e) {
      thrown = e;
    }
    expect(String(thrown)).to.match(/999999 not found/);
  });
});
