import { expect } from 'chai';
import fc from 'fast-check';
import { desiredErrors, planErrorSync, severityForCriterion, type DesiredError, type ExistingError } from '../../../src/features/errors/error-sync';
import { flattenCriteria } from '../../../src/features/rubrics/rubric.model';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';

const criteria = flattenCriteria(defaultRubricDefinition());

describe('which error records an evaluation calls for', () => {
  it('one fault, one error: a mark linked to a failed criterion is that criterion’s error (its moment, link and note), not a second one', () => {
    const out = desiredErrors({
      kind: 'regular',
      criteria,
      failedAnswers: [{ criterionCode: 'CLOSE-1', comment: '  ' }, { criterionCode: 'OPEN-1', comment: 'no greeting' }],
      marks: [
        { id: 7, startSec: 40, criterionCode: 'CLOSE-1', severity: null, isError: false, note: null },
        { id: 8, startSec: 35.5, criterionCode: 'CLOSE-1', severity: null, isError: true, note: 'hung up' },
        { id: 9, startSec: 2, criterionCode: null, severity: 'bogus', isError: true, note: null },
      ],
    });
    expect(out.map((e) => [e.source, e.criterionCode, e.markId, e.severity, e.atSec, e.comment])).to.deep.equal([
      ['criterion', 'OPEN-1', null, 'minor', null, 'no greeting'],
      ['criterion', 'CLOSE-1', 8, 'minor', 35.5, 'hung up'],
      ['mark', null, 9, 'minor', 2, null],
    ]);
  });

  it('an error mark on a criterion that passed (or no criterion) stays an error of its own', () => {
    const out = desiredErrors({
      kind: 'regular',
      criteria,
      failedAnswers: [{ criterionCode: 'INFO-1', comment: 'nature unclear' }],
      marks: [
        { id: 3, startSec: 12, criterionCode: 'INFO-1', severity: null, isError: true, note: 'asked twice' },
        { id: 4, startSec: 20, criterionCode: 'COMM-1', severity: 'major', isError: true, note: 'raised voice' },
      ],
    });
    expect(out.map((e) => [e.source, e.criterionCode, e.markId, e.atSec, e.comment])).to.deep.equal([
      ['criterion', 'INFO-1', 3, 12, 'nature unclear\nasked twice'],
      ['mark', 'COMM-1', 4, 20, 'raised voice'],
    ]);
  });

  it('a critical criterion always gives a critical error; an unknown code falls back to major/other', () => {
    expect(severityForCriterion(criteria.find((c) => c.code === 'ROUTE-1'))).to.equal('critical');
    expect(severityForCriterion({ critical: true, defaultSeverity: 'minor' })).to.equal('critical');
    const [e] = desiredErrors({ kind: 'regular', criteria, failedAnswers: [{ criterionCode: 'GONE-1', comment: null }], marks: [] });
    expect([e.category, e.severity]).to.deep.equal(['other', 'major']);
  });

  it('a calibration evaluation or a second review calls for none', () => {
    expect(desiredErrors({ kind: 'second_review', criteria, failedAnswers: [{ criterionCode: 'ROUTE-1', comment: null }], marks: [] })).to.deep.equal([]);
    expect(desiredErrors({ kind: 'calibration', criteria, failedAnswers: [{ criterionCode: 'ROUTE-1', comment: null }], marks: [{ id: 1, startSec: 1, criterionCode: null, severity: null, isError: true, note: null }] })).to.deep.equal([]);
  });
});

describe('planErrorSync', () => {
  const d = (code: string, extra: Partial<DesiredError> = {}): DesiredError => ({ source: 'criterion', criterionCode: code, markId: null, category: 'information', severity: 'major', comment: null, atSec: null, ...extra });
  const e = (id: number, code: string, extra: Partial<DesiredError> = {}): ExistingError => ({ id, ...d(code, extra) });

  it('keeps what still holds (refreshing edited details), voids what no longer holds, creates what is new', () => {
    const plan = planErrorSync([e(1, 'INFO-1'), e(2, 'INFO-3')], [d('INFO-1', { comment: 'reworded' }), d('CARD-1')]);
    expect(plan.keep).to.deep.equal([{ id: 1, changes: { comment: 'reworded' } }]);
    expect(plan.void).to.deep.equal([2]);
    expect(plan.create.map((x) => x.criterionCode)).to.deep.equal(['CARD-1']);
  });

  it('a mark error and a criterion error of the same code are different records', () => {
    const plan = planErrorSync([e(1, 'INFO-1')], [d('INFO-1'), d('INFO-1', { source: 'mark', markId: 5 })]);
    expect(plan.create).to.have.length(1);
    expect(plan.keep.map((k) => k.id)).to.deep.equal([1]);
  });

  it('is idempotent: applying a plan and planning again yields nothing to create or void', () => {
    const codes = criteria.map((c) => c.code);
    fc.assert(fc.property(fc.subarray(codes), fc.subarray(codes), (before, after) => {
      const existing = before.map((code, i) => e(i + 1, code));
      const plan = planErrorSync(existing, after.map((c) => d(c)));
      const voided = new Set(plan.void);
      const applied = [...existing.filter((x) => !voided.has(x.id)), ...plan.create.map((x, i) => ({ ...x, id: 1000 + i }))];
      const again = planErrorSync(applied, after.map((c) => d(c)));
      expect(again.create).to.deep.equal([]);
      expect(again.void).to.deep.equal([]);
      expect(again.keep).to.have.length(after.length);
      expect(plan.create.length + plan.keep.length).to.equal(after.length);
    }));
  });
});
