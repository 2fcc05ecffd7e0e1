// Agreement between a check and the specialists, against a worked example.
import { expect } from 'chai';
import { checkAgreement, cohenKappa, humanOutcome } from '../../../src/features/checks/agreement';

describe('agreement of a check with the specialists', () => {
  // The textbook example (Wikipedia, "Cohen's kappa"): 50 calls; both say yes on 20, the machine
  // yes and the specialist no on 5, the machine no and the specialist yes on 10, both no on 15.
  // p_o = 35/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = (0.7 − 0.5)/(1 − 0.5) = 0.4.
  // Alpha (nominal, two coders, no missing values): n = 100 values, n_yes = 55, n_no = 45,
  // disagreeing coincidences 30: alpha = 1 − (n − 1)·30 / (2·55·45) = 1 − 2970/4950 = 0.4.
  const worked = [
    { machine: 'pass' as const, human: 'pass' as const, n: 20 },
    { machine: 'pass' as const, human: 'fail' as const, n: 5 },
    { machine: 'fail' as const, human: 'pass' as const, n: 10 },
    { machine: 'fail' as const, human: 'fail' as const, n: 15 },
  ];

  it('gives 70 % agreement, kappa 0.4 and alpha 0.4 on the worked example, with n = 50', () => {
    const a = checkAgreement(worked);
    expect(a.n).to.equal(50);
    expect(a.agreed).to.equal(35);
    expect(a.percent).to.be.closeTo(0.7, 1e-12);
    expect(a.kappa).to.be.closeTo(0.4, 1e-12);
    expect(a.alpha).to.be.closeTo(0.4, 1e-12);
    expect(a.matrix.pass.fail).to.equal(5);
  });

  it('leaves the calls where the machine could not tell out of every figure, and counts them', () => {
    const a = checkAgreement([...worked, { machine: 'unknown', human: 'fail', n: 40 }]);
    expect(a.n).to.equal(50);
    expect(a.unknown).to.equal(40);
    expect(a.kappa).to.be.closeTo(0.4, 1e-12);
  });

  it('treats N/A as an answer of its own (machine N/A against a specialist\'s yes is a disagreement)', () => {
    const a = checkAgreement([{ machine: 'na', human: 'na', n: 8 }, { machine: 'na', human: 'pass', n: 2 }]);
    expect(a.n).to.equal(10);
    expect(a.percent).to.be.closeTo(0.8, 1e-12);
  });

  it('has no kappa or alpha when there is nothing to compare, or no variation at all', () => {
    expect(checkAgreement([])).to.deep.include({ n: 0, percent: null, kappa: null, alpha: null });
    const same = checkAgreement([{ machine: 'pass', human: 'pass', n: 12 }]);
    expect(same.percent).to.equal(1);
    expect(same.kappa).to.equal(null);
    expect(same.alpha).to.equal(null);
  });

  it('reads a specialist answer as pass / fail / N/A and an unanswered criterion as nothing', () => {
    expect(humanOutcome({ isNa: true, value: null, failed: false })).to.equal('na');
    expect(humanOutcome({ isNa: false, value: 1, failed: false })).to.equal('pass');
    expect(humanOutcome({ isNa: false, value: 0, failed: true })).to.equal('fail');
    expect(humanOutcome({ isNa: false, value: null, failed: false })).to.equal(null);
  });

  it('computes kappa 1 for perfect agreement with variation', () => {
    expect(cohenKappa([[3, 0], [0, 7]])).to.equal(1);
  });
});
