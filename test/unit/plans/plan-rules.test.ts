import { expect } from 'chai';
import {
  defaultPlanRules, eligibilityDates, findOverlaps, matchesEligibility, parsePlanRules, planRulesSchema, quotaFor,
  type RuleSet,
} from '../../../src/features/plans/plan-rules';
import { ValidationError } from '../../../src/http/errors';

function fieldKeys(input: unknown): string[] {
  try {
    parsePlanRules(input);
  } catch (e) {
    expect(e).to.be.instanceOf(ValidationError);
    return (e as ValidationError).fields.map((f) => `${f.field}:${f.key}`);
  }
  expect.fail('expected a ValidationError');
}

function ruleSet(id: number, categories: string[], languages: string[], isActive = true): RuleSet {
  return { id, name: `Set ${id}`, isActive, rules: parsePlanRules({ quota: { mode: 'perDay', calls: 1 }, eligibility: { categories, languages } }) };
}

describe('plans/plan-rules', () => {
  describe('parsePlanRules()', () => {
    it('fills the defaults: the day before, evaluated and inactive excluded, neutral weights, no carry-over', () => {
      const rules = parsePlanRules({ quota: { mode: 'perDay', calls: 3 } });
      expect(rules).to.deep.equal({
        eligibility: { daysBack: 1, categories: [], languages: [], excludeEvaluated: true, excludeInactiveOperators: true },
        quota: { mode: 'perDay', calls: 3 },
        priority: { suicideRisk: 1, line1146: 1, dropped: 1, longCall: 1, longCallSec: 600 },
        carryOver: false,
      });
    });

    it('reads the stored JSON text, and parsing its own output changes nothing', () => {
      const rules = parsePlanRules(JSON.stringify(defaultPlanRules()));
      expect(rules).to.deep.equal(defaultPlanRules());
      expect(parsePlanRules(rules)).to.deep.equal(rules);
    });

    it('accepts a share with bounds, and a share of exactly 1', () => {
      expect(parsePlanRules({ quota: { mode: 'share', share: 0.1, min: 2, max: 5 } }).quota).to.deep.equal({ mode: 'share', share: 0.1, min: 2, max: 5 });
      expect(parsePlanRules({ quota: { mode: 'share', share: 1 } }).quota).to.deep.equal({ mode: 'share', share: 1, min: 0 });
    });

    it('refuses a quota below zero', () => {
      expect(fieldKeys({ quota: { mode: 'perDay', calls: -1 } })).to.deep.equal(['quota.calls:plans.rules.quotaNegative']);
      expect(fieldKeys({ quota: { mode: 'share', share: 0.1, min: -2 } })).to.deep.equal(['quota.min:plans.rules.quotaNegative']);
    });

    it('refuses a fractional number of calls', () => {
      expect(fieldKeys({ quota: { mode: 'perDay', calls: 2.5 } })).to.deep.equal(['quota.calls:plans.rules.quotaNotInteger']);
    });

    it('refuses a share of 0 or above 1', () => {
      expect(fieldKeys({ quota: { mode: 'share', share: 0 } })).to.deep.equal(['quota.share:plans.rules.shareOutOfRange']);
      expect(fieldKeys({ quota: { mode: 'share', share: 1.2 } })).to.deep.equal(['quota.share:plans.rules.shareOutOfRange']);
    });

    it('refuses a minimum above the maximum', () => {
      expect(fieldKeys({ quota: { mode: 'share', share: 0.1, min: 6, max: 5 } })).to.deep.equal(['quota.max:plans.rules.minAboveMax']);
    });

    it('refuses inverted duration bounds', () => {
      expect(fieldKeys({ quota: { mode: 'perDay', calls: 1 }, eligibility: { minDurationSec: 300, maxDurationSec: 60 } })).to.deep.equal([
        'eligibility.maxDurationSec:plans.rules.durationInverted',
      ]);
    });

    it('refuses a weight below 1, an unknown quota mode, a missing quota and unknown fields', () => {
      expect(fieldKeys({ quota: { mode: 'perDay', calls: 1 }, priority: { suicideRisk: 0.5 } })).to.deep.equal(['priority.suicideRisk:plans.rules.weightBelowOne']);
      expect(fieldKeys({ quota: { mode: 'perWeek', calls: 1 } })).to.deep.equal(['quota.mode:plans.rules.quotaModeInvalid']);
      expect(fieldKeys({})).to.deep.equal(['quota:plans.rules.quotaRequired']);
      expect(fieldKeys({ quota: { mode: 'perDay', calls: 1 }, eligibilty: {} })).to.deep.equal(['_:plans.rules.unknownField']);
    });

    it('says when stored rules are not JSON', () => {
      expect(fieldKeys('{not json')).to.deep.equal(['_:plans.rules.notJson']);
    });

    it('keeps the suggested defaults valid and fresh on every call', () => {
      expect(planRulesSchema.safeParse(defaultPlanRules()).success).to.equal(true);
      const a = defaultPlanRules();
      a.eligibility.categories.push('fire');
      expect(defaultPlanRules().eligibility.categories).to.deep.equal([]);
    });
  });

  describe('quotaFor()', () => {
    it('gives the perDay number whatever the eligible count', () => {
      expect(quotaFor({ mode: 'perDay', calls: 4 }, 0)).to.equal(4);
      expect(quotaFor({ mode: 'perDay', calls: 4 }, 100)).to.equal(4);
    });

    it('rounds a share up without floating-point surprises, then holds it within [min, max]', () => {
      const share = { mode: 'share' as const, share: 0.1, min: 2, max: 5 };
      expect(quotaFor({ mode: 'share', share: 0.1, min: 0 }, 30)).to.equal(3); // 0.1 × 30 = 3.0000000000000004
      expect(quotaFor(share, 31)).to.equal(4);
      expect(quotaFor(share, 100)).to.equal(5);
      expect(quotaFor(share, 5)).to.equal(2);
      expect(quotaFor(share, 0)).to.equal(2);
    });
  });

  describe('eligibilityDates()', () => {
    it('takes the day before the plan day by default, and more days when asked', () => {
      expect(eligibilityDates('2026-11-25', { daysBack: 1 })).to.deep.equal({ fromDate: '2026-11-24', toDate: '2026-11-24' });
      expect(eligibilityDates('2026-03-01', { daysBack: 3 })).to.deep.equal({ fromDate: '2026-02-26', toDate: '2026-02-28' });
      expect(() => eligibilityDates('2026-02-30', { daysBack: 1 })).to.throw().with.property('key', 'plans.rules.planDateInvalid');
    });
  });

  describe('matchesEligibility()', () => {
    const e = parsePlanRules({ quota: { mode: 'perDay', calls: 1 }, eligibility: { minDurationSec: 30, maxDurationSec: 600, categories: ['fire'], languages: ['uz', 'ru'] } }).eligibility;
    const call = { durationSec: 120, category: 'fire', language: 'ru' };

    it('lets a call through only when every bound and list allows it', () => {
      expect(matchesEligibility(call, e)).to.equal(true);
      expect(matchesEligibility({ ...call, durationSec: 29 }, e)).to.equal(false);
      expect(matchesEligibility({ ...call, durationSec: 601 }, e)).to.equal(false);
      expect(matchesEligibility({ ...call, durationSec: null }, e)).to.equal(false);
      expect(matchesEligibility({ ...call, category: 'medical' }, e)).to.equal(false);
      expect(matchesEligibility({ ...call, language: 'en' }, e)).to.equal(false);
      expect(matchesEligibility({ ...call, language: null }, e)).to.equal(false);
    });

    it('treats empty lists and absent bounds as "any"', () => {
      const any = parsePlanRules({ quota: { mode: 'perDay', calls: 1 } }).eligibility;
      expect(matchesEligibility({ durationSec: null, category: null, language: null }, any)).to.equal(true);
    });
  });

  describe('findOverlaps()', () => {
    it('reports two active sets whose categories and languages both intersect', () => {
      expect(findOverlaps([ruleSet(2, ['medical'], []), ruleSet(1, ['fire', 'medical'], ['uz'])])).to.deep.equal([
        { key: 'plans.rules.overlap', params: { firstId: 1, firstName: 'Set 1', secondId: 2, secondName: 'Set 2', categories: ['medical'], languages: ['uz'] } },
      ]);
    });

    it('counts "any" as meeting everything', () => {
      const overlaps = findOverlaps([ruleSet(1, [], []), ruleSet(2, [], [])]);
      expect(overlaps).to.have.length(1);
      expect(overlaps[0].params).to.include({ categories: null, languages: null });
    });

    it('finds no overlap when categories or languages are disjoint, or a set is inactive', () => {
      expect(findOverlaps([ruleSet(1, ['fire'], []), ruleSet(2, ['medical'], [])])).to.deep.equal([]);
      expect(findOverlaps([ruleSet(1, ['fire'], ['uz']), ruleSet(2, ['fire'], ['ru'])])).to.deep.equal([]);
      expect(findOverlaps([ruleSet(1, [], []), ruleSet(2, [], [], false)])).to.deep.equal([]);
    });

    it('reports every overlapping pair among several sets', () => {
      const sets = [ruleSet(4, ['fire', 'police'], ['ru']), ruleSet(1, [], ['uz']), ruleSet(2, ['fire'], []), ruleSet(3, ['police'], ['ru'])];
      const pairs = findOverlaps(sets).map((o) => [o.params.firstId, o.params.secondId]);
      expect(pairs).to.deep.equal([[1, 2], [2, 4], [3, 4]]);
    });
  });
});
