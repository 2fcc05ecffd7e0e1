// The operator portal's dispute rules (pure; kept with the training unit tests, where disputes are decided).
import { expect } from 'chai';
import { answersAfterDispute, canDecideDispute, disputeDeadline, DISPUTE_WINDOW_DAYS, isDisputeWindowOpen, passingValue } from '../../../src/features/operator-portal/disputes';
import { scoreEvaluation } from '../../../src/features/evaluations/scoring';
import type { RubricDefinition } from '../../../src/features/rubrics/rubric.model';

const text = { uz: 'x', ru: 'x', en: 'x' };
const DEF: RubricDefinition = {
  sections: [{
    key: 's', title: text,
    criteria: [
      { code: 'A-1', text, guidance: text, points: 10, answerType: 'yesno', naAllowed: false, critical: true, errorCategory: 'routing', defaultSeverity: 'critical' },
      { code: 'B-1', text, guidance: text, points: 5, answerType: 'scale', scaleMax: 3, naAllowed: false, critical: false, errorCategory: 'information', defaultSeverity: 'major' },
      { code: 'C-1', text, guidance: text, points: 5, answerType: 'yesno', naAllowed: true, critical: false, errorCategory: 'help', defaultSeverity: 'minor' },
    ],
  }],
};
const BANDS = { high: 90, compliant: 80, partial: 60 };

describe('disputes of a criterion', () => {
  it('the window is 7 days from the moment the evaluation was handed in, the last instant included', () => {
    expect(DISPUTE_WINDOW_DAYS).to.equal(7);
    const submitted = '2026-11-01T10:00:00.000Z';
    expect(disputeDeadline(submitted).toISOString()).to.equal('2026-11-08T10:00:00.000Z');
    expect(isDisputeWindowOpen(submitted, new Date('2026-11-08T10:00:00.000Z'))).to.equal(true);
    expect(isDisputeWindowOpen(submitted, new Date('2026-11-08T10:00:00.001Z'))).to.equal(false);
    expect(isDisputeWindowOpen(submitted, new Date('2026-11-02T00:00:00Z'), 0)).to.equal(false);
    expect(isDisputeWindowOpen(null, new Date())).to.equal(false);
  });

  it('only the supervisor of the operator’s team or an administrator decides', () => {
    expect(canDecideDispute({ id: 5, role: 'supervisor' }, 5)).to.equal(true);
    expect(canDecideDispute({ id: 5, role: 'supervisor' }, 6)).to.equal(false);
    expect(canDecideDispute({ id: 5, role: 'supervisor' }, null)).to.equal(false);
    expect(canDecideDispute({ id: 1, role: 'admin' }, 6)).to.equal(true);
    expect(canDecideDispute({ id: 5, role: 'specialist' }, 5)).to.equal(false);
    expect(canDecideDispute({ id: 5, role: 'operator' }, 5)).to.equal(false);
  });

  it('an accepted dispute makes the criterion pass at its top value and leaves the other answers alone', () => {
    expect(passingValue({ answerType: 'yesno' })).to.equal(1);
    expect(passingValue({ answerType: 'scale', scaleMax: 3 })).to.equal(3);
    const before = { 'A-1': { value: 0, na: false }, 'B-1': { value: 1, na: false }, 'C-1': { value: null, na: true } };
    const after = answersAfterDispute(before, { code: 'A-1', answerType: 'yesno' });
    expect(after).to.deep.equal({ 'A-1': { value: 1, na: false }, 'B-1': { value: 1, na: false }, 'C-1': { value: null, na: true } });
    // Re-scored: the critical failure is gone; 10 + 5·1/3 of 15 points.
    const was = scoreEvaluation(DEF, before, BANDS);
    const now = scoreEvaluation(DEF, after, BANDS);
    expect(was.result).to.equal('critical_fail');
    expect(now.criticalFailure).to.equal(false);
    expect(now.score).to.equal(77.8);
    expect(now.result).to.equal('partial');
    expect(answersAfterDispute(before, { code: 'B-1', answerType: 'scale', scaleMax: 3 })['B-1']).to.deep.equal({ value: 3, na: false });
  });
});
