import { expect } from 'chai';
import fc from 'fast-check';
import {
  ANSWER_ERROR_KEYS as A, bandFor, criteriaInOrder, isCriterionFailed, maxAnswerValue, scoreEvaluation, validateAnswers, type Answer, type Answers,
} from '../../../src/features/evaluations/scoring';
import { criterionMaxValue, flattenCriteria, type RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';
import {
  answersArb, definitionArb, definitionWithAnswersArb, makeCriterion, makeDefinition, na, no, scale, yes,
} from '../rubrics/rubric-builders';

const bands = { high: 90, compliant: 80, partial: 60 };

/** Every default-rubric criterion answered at its best, N/A where the call had no such need. */
function bestDefaultAnswers(): Record<string, Answer> {
  const answers: Record<string, Answer> = {};
  for (const c of flattenCriteria(defaultRubricDefinition())) answers[c.code] = c.answerType === 'scale' ? scale(c.scaleMax!) : yes;
  for (const code of ['HELP-1', 'HELP-3', 'HELP-4', 'CLOSE-2']) answers[code] = na;
  return answers;
}

describe('scoring', () => {
  describe('scoreEvaluation() on hand-computed examples with the default rubric', () => {
    it('gives 100 and "high" for a flawless call', () => {
      const s = scoreEvaluation(defaultRubricDefinition(), bestDefaultAnswers(), bands);
      // 115 points less the N/A ones: HELP-1 5, HELP-3 10, HELP-4 5, CLOSE-2 5 → 90.
      expect(s).to.include({ pointsEarned: 90, pointsPossible: 90, score: 100, band: 'high', result: 'high', criticalFailure: false });
      expect(s.failedCodes).to.deep.equal([]);
    });

    it('earns a scale criterion in proportion and fails a yes/no one on "no"', () => {
      const answers = { ...bestDefaultAnswers(), 'CARD-2': no, 'INFO-5': scale(2) };
      const s = scoreEvaluation(defaultRubricDefinition(), answers, bands);
      // earned = 90 − 5 (CARD-2) − 5 + 5 × 2/3 (INFO-5) = 83.3333; 83.3333 / 90 = 92.59 %
      expect(s.pointsEarned).to.equal(83.3333);
      expect(s.pointsPossible).to.equal(90);
      expect(s.score).to.equal(92.6);
      expect(s.result).to.equal('high');
      expect(s.perCriterion['INFO-5']).to.deep.equal({ earned: 3.3333, possible: 5, failed: false, na: false, answered: true });
      expect(s.failedCodes).to.deep.equal(['CARD-2']);
    });

    it('drops to "compliant" when the location is also missed', () => {
      const answers = { ...bestDefaultAnswers(), 'CARD-2': no, 'INFO-5': scale(2), 'INFO-2': no };
      const s = scoreEvaluation(defaultRubricDefinition(), answers, bands);
      // 73.3333 / 90 = 81.48 %
      expect(s.score).to.equal(81.5);
      expect(s.band).to.equal('compliant');
      expect(s.failedCodes).to.deep.equal(['INFO-2', 'CARD-2']);
    });

    it('sets "critical_fail" for a wrong service even though the points are compliant', () => {
      const s = scoreEvaluation(defaultRubricDefinition(), { ...bestDefaultAnswers(), 'ROUTE-1': no }, bands);
      // 80 / 90 = 88.9 %
      expect(s.score).to.equal(88.9);
      expect(s.band).to.equal('compliant');
      expect(s.result).to.equal('critical_fail');
      expect(s.criticalFailure).to.equal(true);
      expect(s.failedCodes).to.deep.equal(['ROUTE-1']);
    });

    it('counts an answered N/A-able criterion like any other', () => {
      const s = scoreEvaluation(defaultRubricDefinition(), { ...bestDefaultAnswers(), 'CLOSE-2': no }, bands);
      // 90 / 95 = 94.74 %
      expect(s).to.include({ pointsEarned: 90, pointsPossible: 95, score: 94.7 });
    });
  });

  describe('scoreEvaluation() rules', () => {
    it('fails a scale criterion below half its maximum and passes it at half or above', () => {
      const c3 = { answerType: 'scale' as const, scaleMax: 3 };
      expect([0, 1, 2, 3].map((v) => isCriterionFailed(c3, v))).to.deep.equal([true, true, false, false]);
      const c4 = { answerType: 'scale' as const, scaleMax: 4 };
      expect([0, 1, 2, 3, 4].map((v) => isCriterionFailed(c4, v))).to.deep.equal([true, true, false, false, false]);
      const c1 = { answerType: 'scale' as const, scaleMax: 1 };
      expect([0, 1].map((v) => isCriterionFailed(c1, v))).to.deep.equal([true, false]);
    });

    it('lists a failed scale criterion among the failed codes with its partial points', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1', answerType: 'scale', scaleMax: 3, points: 6 }), makeCriterion({ code: 'A-2', points: 4 })]);
      const s = scoreEvaluation(definition, { 'A-1': scale(1), 'A-2': yes }, bands);
      // 6 × 1/3 + 4 = 6 of 10
      expect(s).to.include({ pointsEarned: 6, pointsPossible: 10, score: 60, band: 'partial', result: 'partial' });
      expect(s.failedCodes).to.deep.equal(['A-1']);
    });

    it('removes an N/A criterion from both earned and possible, ignoring any value sent with it', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1', points: 10 }), makeCriterion({ code: 'A-2', points: 30, naAllowed: true })]);
      const s = scoreEvaluation(definition, { 'A-1': yes, 'A-2': { value: 0, na: true } }, bands);
      expect(s).to.include({ pointsEarned: 10, pointsPossible: 10, score: 100 });
      expect(s.perCriterion['A-2']).to.deep.equal({ earned: 0, possible: 0, failed: false, na: true, answered: true });
    });

    it('leaves unanswered criteria out of a draft score', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1' }), makeCriterion({ code: 'A-2' }), makeCriterion({ code: 'A-3', critical: true })]);
      const s = scoreEvaluation(definition, { 'A-1': yes, 'A-2': { value: null, na: false } }, bands);
      expect(s).to.include({ pointsEarned: 5, pointsPossible: 5, score: 100, criticalFailure: false });
      expect(s.perCriterion['A-3']).to.include({ answered: false, failed: false });
    });

    it('gives no score, band or result when nothing is applicable', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1', naAllowed: true })]);
      for (const answers of [{ 'A-1': na }, {}]) {
        expect(scoreEvaluation(definition, answers, bands)).to.include({ score: null, band: null, result: null, pointsPossible: 0 });
      }
    });

    it('decides the band on the rounded score shown to the user', () => {
      // 899.6 of 1000 = 89.96 %, shown as 90.0, so "high".
      const definition = makeDefinition([makeCriterion({ code: 'A-1', points: 899.6 }), makeCriterion({ code: 'A-2', points: 100.4 })]);
      const s = scoreEvaluation(definition, { 'A-1': yes, 'A-2': no }, bands);
      expect(s.score).to.equal(90);
      expect(s.band).to.equal('high');
    });

    it('clamps unvalidated values into range so the score cannot leave 0..100', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1', answerType: 'scale', scaleMax: 3, points: 6 }), makeCriterion({ code: 'A-2', points: 4 })]);
      expect(scoreEvaluation(definition, { 'A-1': scale(7), 'A-2': scale(-2) }, bands)).to.include({ pointsEarned: 6, pointsPossible: 10, score: 60 });
    });

    it('ignores answers for codes the rubric does not have', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1' })]);
      const s = scoreEvaluation(definition, { 'A-1': yes, 'ZZ-9': no }, bands);
      expect(s).to.include({ score: 100 });
      expect(s.perCriterion).to.have.all.keys('A-1');
    });

    it('uses the bands it is given', () => {
      const definition = makeDefinition([makeCriterion({ code: 'A-1', points: 3 }), makeCriterion({ code: 'A-2', points: 1 })]);
      expect(scoreEvaluation(definition, { 'A-1': yes, 'A-2': no }, bands).band).to.equal('partial');
      expect(scoreEvaluation(definition, { 'A-1': yes, 'A-2': no }, { high: 75, compliant: 50, partial: 25 }).band).to.equal('high');
    });
  });

  describe('bandFor()', () => {
    it('puts a score at a lower bound into that band', () => {
      expect([100, 90, 89.9, 80, 79.9, 60, 59.9, 0].map((s) => bandFor(s, bands))).to.deep.equal(
        ['high', 'high', 'compliant', 'compliant', 'partial', 'partial', 'low', 'low'],
      );
    });
  });

  describe('scoreEvaluation() properties', () => {
    it('keeps the score within 0..100 and earned within possible for any valid answers', () => {
      fc.assert(fc.property(definitionWithAnswersArb, ({ definition, answers }) => {
        const s = scoreEvaluation(definition, answers, bands);
        expect(s.pointsEarned).to.be.at.least(0);
        expect(s.pointsEarned).to.be.at.most(s.pointsPossible);
        if (s.score === null) {
          expect(s.pointsPossible).to.equal(0);
        } else {
          expect(s.score).to.be.within(0, 100);
          expect(Math.round(s.score * 10)).to.equal(s.score * 10); // one decimal
        }
      }));
    });

    it('never changes other criteria\'s contribution when one criterion is answered N/A', () => {
      const arb = definitionWithAnswersArb.chain(({ definition, answers }) => {
        const codes = flattenCriteria(definition).map((c) => c.code);
        return fc.constantFrom(...codes).map((code) => ({ definition, answers, code }));
      });
      fc.assert(fc.property(arb, ({ definition, answers, code }) => {
        const before = scoreEvaluation(definition, answers, bands);
        const after = scoreEvaluation(definition, { ...answers, [code]: na }, bands);
        for (const other of Object.keys(before.perCriterion).filter((c) => c !== code)) {
          expect(after.perCriterion[other], other).to.deep.equal(before.perCriterion[other]);
        }
        expect(after.pointsPossible).to.be.closeTo(before.pointsPossible - before.perCriterion[code].possible, 1e-6);
        expect(after.pointsEarned).to.be.closeTo(before.pointsEarned - before.perCriterion[code].earned, 1e-3);
      }));
    });

    it('lets a failed critical criterion decide the result whatever the other answers', () => {
      const arb = definitionArb.chain((definition) => {
        const codes = flattenCriteria(definition).map((c) => c.code);
        return fc.constantFrom(...codes).chain((code) => {
          // Make the chosen criterion critical, then answer everything, with it failed (0).
          const criticalised: RubricDefinition = {
            sections: definition.sections.map((s) => ({
              ...s,
              criteria: s.criteria.map((c) => (c.code === code ? { ...c, critical: true, defaultSeverity: 'critical' as const } : c)),
            })),
          };
          return answersArb(criticalised).map((answers) => ({ definition: criticalised, answers: { ...answers, [code]: scale(0) } as Answers, code }));
        });
      });
      fc.assert(fc.property(arb, ({ definition, answers, code }) => {
        const s = scoreEvaluation(definition, answers, bands);
        expect(s.criticalFailure).to.equal(true);
        expect(s.result).to.equal('critical_fail');
        expect(s.failedCodes).to.include(code);
      }));
    });

    it('reports the band as the result whenever no critical criterion failed', () => {
      fc.assert(fc.property(definitionWithAnswersArb, ({ definition, answers }) => {
        const s = scoreEvaluation(definition, answers, bands);
        const criticalFailed = flattenCriteria(definition).some((c) => c.critical && s.perCriterion[c.code].failed);
        expect(s.criticalFailure).to.equal(criticalFailed);
        if (!criticalFailed) expect(s.result).to.equal(s.band);
      }));
    });

    it('never lowers the points earned when one answer is raised', () => {
      const arb = definitionWithAnswersArb.chain(({ definition, answers }) => {
        const criteria = flattenCriteria(definition);
        return fc.constantFrom(...criteria).map((c) => ({ definition, answers, c }));
      });
      fc.assert(fc.property(arb, ({ definition, answers, c }) => {
        const current = answers[c.code];
        if (!current || current.na || current.value === null) return;
        const max = c.answerType === 'scale' ? c.scaleMax! : 1;
        const raised = scoreEvaluation(definition, { ...answers, [c.code]: scale(Math.min(max, current.value + 1)) }, bands);
        expect(raised.pointsEarned).to.be.at.least(scoreEvaluation(definition, answers, bands).pointsEarned);
      }));
    });
  });

  describe('validateAnswers()', () => {
    const definition = makeDefinition([
      makeCriterion({ code: 'A-1' }),
      makeCriterion({ code: 'A-2', answerType: 'scale', scaleMax: 3 }),
      makeCriterion({ code: 'A-3', naAllowed: true }),
    ]);

    it('accepts a complete, valid set of answers', () => {
      expect(validateAnswers(definition, { 'A-1': yes, 'A-2': scale(3), 'A-3': na }, { requireComplete: true })).to.deep.equal([]);
    });

    it('reports an answer for a criterion the rubric does not have', () => {
      expect(validateAnswers(definition, { 'A-1': yes, 'B-7': yes }, { requireComplete: false })).to.deep.equal([
        { path: 'answers.B-7', key: A.unknownCriterion, params: { code: 'B-7' } },
      ]);
    });

    it('reports values outside 0..max or not whole', () => {
      const cases: [string, number, number][] = [['A-1', 2, 1], ['A-1', -1, 1], ['A-2', 4, 3], ['A-2', 1.5, 3]];
      for (const [code, value, max] of cases) {
        expect(validateAnswers(definition, { [code]: scale(value) }, { requireComplete: false }), `${code}=${value}`).to.deep.equal([
          { path: `answers.${code}`, key: A.outOfRange, params: { code, min: 0, max } },
        ]);
      }
    });

    it('reports N/A on a criterion that does not allow it', () => {
      expect(validateAnswers(definition, { 'A-1': na }, { requireComplete: false })).to.deep.equal([
        { path: 'answers.A-1', key: A.naNotAllowed, params: { code: 'A-1' } },
      ]);
    });

    it('on submit lists every unanswered criterion in rubric order', () => {
      expect(validateAnswers(definition, { 'A-2': { value: null, na: false } }, { requireComplete: true })).to.deep.equal([
        { path: 'answers', key: A.incomplete, params: { codes: ['A-1', 'A-2', 'A-3'], count: 3 } },
      ]);
    });

    it('lets a draft be incomplete', () => {
      expect(validateAnswers(definition, { 'A-1': yes }, { requireComplete: false })).to.deep.equal([]);
    });

    it('accepts any generated valid answers for a draft', () => {
      fc.assert(fc.property(definitionWithAnswersArb, ({ definition: d, answers }) => {
        expect(validateAnswers(d, answers, { requireComplete: false })).to.deep.equal([]);
      }));
    });
  });

  describe('the zod-free readers the browser bundle uses', () => {
    it('list the criteria in the same order and give the same maximum as rubric.model', () => {
      fc.assert(fc.property(definitionArb, (definition) => {
        expect(criteriaInOrder(definition).map((c) => c.code)).to.deep.equal(flattenCriteria(definition).map((c) => c.code));
        for (const c of flattenCriteria(definition)) expect(maxAnswerValue(c), c.code).to.equal(criterionMaxValue(c));
      }));
      const d = defaultRubricDefinition();
      expect(criteriaInOrder(d).map((c) => c.code)).to.deep.equal(flattenCriteria(d).map((c) => c.code));
    });
  });
});
