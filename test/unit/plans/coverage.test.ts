import { expect } from 'chai';
import { evaluateCoverage, parseStandard, PRESET_STANDARDS, type CoverageFacts } from '../../../src/features/plans/coverage';

const facts = (o: Partial<CoverageFacts> = {}): CoverageFacts => ({
  calls: 1000, randomReviewed: 25, reviews: 30, lateReviews: 0,
  callsByCategory: new Map([['medical', 600], ['fire', 100], ['information', 300]]),
  reviewedByCategory: new Map([['medical', 20], ['fire', 3], ['information', 7]]),
  operatorMonths: [{ operatorId: 1, month: '2026-11', calls: 50, reviews: 2 }, { operatorId: 2, month: '2026-11', calls: 40, reviews: 0 }, { operatorId: 3, month: '2026-11', calls: 0, reviews: 0 }],
  overdue: 0, ...o,
});
const HIGH = ['medical', 'fire', 'suicide_risk'];

describe('review coverage against a named standard', () => {
  it('APCO/NENA ANS 1.107.1: 2 % at random, within 5 days, every high-acuity category — met', () => {
    const r = evaluateCoverage(facts(), PRESET_STANDARDS.apco, HIGH);
    expect(r.checks.map((c) => [c.key, c.pass])).to.deep.equal([['share', true], ['lag', true], ['highAcuity', true]]);
    expect(r.pass).to.equal(true);
    expect(r.checks[0].params).to.include({ share: 2.5, target: 2, needed: 20 });
  });

  it('APCO fails on 1.9 %, on one late review, on an overdue drawn call, and names an unreviewed category', () => {
    expect(evaluateCoverage(facts({ randomReviewed: 19 }), PRESET_STANDARDS.apco, HIGH).checks[0].pass).to.equal(false);
    expect(evaluateCoverage(facts({ lateReviews: 1 }), PRESET_STANDARDS.apco, HIGH).checks[1].pass).to.equal(false);
    expect(evaluateCoverage(facts({ overdue: 2 }), PRESET_STANDARDS.apco, HIGH).checks[1].pass).to.equal(false);
    const r = evaluateCoverage(facts({ reviewedByCategory: new Map([['medical', 25]]) }), PRESET_STANDARDS.apco, HIGH);
    expect(r.missingCategories).to.deep.equal(['fire']);
    expect(r.pass).to.equal(false);
  });

  it('one review per operator per month lists the operators short of it (not those without calls)', () => {
    const r = evaluateCoverage(facts(), PRESET_STANDARDS.monthly, HIGH);
    expect(r.checks.map((c) => c.key)).to.deep.equal(['perOperator']);
    expect(r.underCovered).to.deep.equal([{ operatorId: 2, month: '2026-11', calls: 40, reviews: 0, missing: 1 }]);
    expect(r.pass).to.equal(false);
  });

  it('a custom standard is read from the page, and a bad value is a field error', () => {
    const ok = parseStandard({ coverage: 'custom', covShare: '5', covLag: '3', covPerOperator: '2', covHighAcuity: '1' });
    expect(ok.standard).to.deep.equal({ preset: 'custom', minShare: 0.05, maxLagDays: 3, highAcuity: true, minPerOperatorMonth: 2 });
    expect(ok.errors).to.deep.equal([]);
    expect(parseStandard({ coverage: 'custom', covShare: '500' }).errors.map((e) => e.field)).to.deep.equal(['covShare']);
    expect(parseStandard({}).standard).to.deep.equal(PRESET_STANDARDS.apco);
  });
});
