import { expect } from 'chai';
import { SIZING_FORMULA_PARTS, dutyFormFromBody, parseDuty, parsePeriod, ruleFieldName, ruleFormFromBody, ruleFormFromRules, rulesInputFromForm } from '../../../src/features/plans/plans.forms';
import { defaultPlanRules, parsePlanRules } from '../../../src/features/plans/plan-rules';
import { ValidationError } from '../../../src/http/errors';
import { SIZING_FORMULA } from '../../../src/features/plans/sizing';
import { mergePerOperator, tally } from '../../../src/features/plans/plans.service';

describe('the rules form', () => {
  it('round-trips the default rules through the form values', () => {
    const rules = defaultPlanRules();
    const values = ruleFormFromRules('Main', true, rules);
    expect(parsePlanRules(rulesInputFromForm(values))).to.deep.equal(rules);
  });

  it('reads a share in per cent and sends only the chosen quota mode', () => {
    const v = ruleFormFromBody({ name: 'x', 'quota.mode': 'share', 'quota.sharePercent': '12,5', 'quota.min': '1', 'quota.max': '', 'quota.calls': 'junk' });
    const input = rulesInputFromForm(v) as { quota: unknown };
    expect(input.quota).to.deep.equal({ mode: 'share', share: 0.125, min: 1 });
    expect(parsePlanRules(input).quota).to.deep.equal({ mode: 'share', share: 0.125, min: 1 });
  });

  it('an unticked box is false and an empty number is left to the schema', () => {
    const v = ruleFormFromBody({ name: 'x', 'quota.mode': 'perDay', 'quota.calls': '2' });
    expect(v['eligibility.excludeEvaluated']).to.equal(false);
    const rules = parsePlanRules(rulesInputFromForm(v));
    expect(rules.eligibility.daysBack).to.equal(1);
    expect(rules.eligibility.excludeEvaluated).to.equal(false);
  });

  it('a quota below zero reports on the quota field; a bad share on the per-cent field', () => {
    const bad = (body: Record<string, unknown>) => {
      try {
        parsePlanRules(rulesInputFromForm(ruleFormFromBody({ name: 'x', ...body })));
      } catch (e) {
        return (e as ValidationError).fields.map((f) => [ruleFieldName(f.field), f.key]);
      }
      return [];
    };
    expect(bad({ 'quota.mode': 'perDay', 'quota.calls': '-1' })).to.deep.equal([['quota.calls', 'plans.rules.quotaNegative']]);
    expect(bad({ 'quota.mode': 'share', 'quota.sharePercent': '0' })).to.deep.equal([['quota.sharePercent', 'plans.rules.shareOutOfRange']]);
    expect(bad({ 'quota.mode': 'perDay', 'quota.calls': 'abc' })).to.deep.equal([['quota.calls', 'plans.rules.invalid']]);
  });
});

describe('the duty form', () => {
  it('reads each specialist’s row and validates capacity and languages', () => {
    const rows = dutyFormFromBody({ 'duty.1.onDuty': '1', 'duty.1.capacity': '20', 'duty.1.languages': ['ru', 'uz'], 'duty.2.capacity': '2.5', 'duty.3.onDuty': '1', 'duty.3.capacity': '5' }, [1, 2, 3]);
    const { entries, errors } = parseDuty(rows);
    expect(entries[0]).to.deep.equal({ userId: 1, onDuty: true, capacity: 20, languages: ['uz', 'ru'] });
    expect(errors).to.deep.equal([
      { field: 'duty.2.capacity', key: 'plans.duty.capacityInvalid', params: { max: 500 } },
      { field: 'duty.3.languages', key: 'plans.duty.languagesRequired' },
    ]);
  });

  it('refuses a language the app does not know', () => {
    const { errors } = parseDuty([{ userId: 1, onDuty: true, capacity: '3', languages: ['xx'] }]);
    expect(errors.map((e) => e.key)).to.deep.equal(['plans.duty.languageInvalid']);
  });
});

describe('the sizing period', () => {
  it('accepts two ordered dates within a year, and names the field that is wrong otherwise', () => {
    expect(parsePeriod('2026-01-01', '2026-01-31')).to.deep.equal({ fromDate: '2026-01-01', toDate: '2026-01-31' });
    expect(parsePeriod('2026-02-30', '2026-03-01')).to.deep.equal([{ field: 'from', key: 'plans.sizing.periodInvalid' }]);
    expect(parsePeriod('2026-03-02', '2026-03-01')).to.deep.equal([{ field: 'to', key: 'plans.sizing.periodInverted' }]);
    expect(parsePeriod('2025-01-01', '2026-03-01')).to.deep.equal([{ field: 'from', key: 'plans.sizing.periodTooLong', params: { max: 366 } }]);
  });
});

describe('plan page figures', () => {
  it('tally() counts new, in progress and done as planned, and keeps unassigned apart', () => {
    const t = tally([
      { key: 1, status: 'new', n: 2 },
      { key: 1, status: 'in_progress', n: 1 },
      { key: 1, status: 'done', n: 3 },
      { key: 1, status: 'cancelled', n: 9 },
      { key: null, status: 'unassigned', n: 4 },
    ]);
    expect(t.get(1)).to.deep.equal({ planned: 6, inProgress: 1, done: 3, unassigned: 0 });
    expect(t.get(null)).to.deep.equal({ planned: 0, inProgress: 0, done: 0, unassigned: 4 });
  });

  it('mergePerOperator() sums the draw figures of a day’s plan rows', () => {
    const per = (operatorId: number, eligible: number, quota: number, picked: number) => ({ operatorId, eligible, quota, picked });
    const details = (perOperator: ReturnType<typeof per>[]) => ({ fromDate: '', toDate: '', warnings: [], inactiveOperatorIds: [], ruleSetName: null, perOperator });
    const m = mergePerOperator([{ details: details([per(1, 5, 3, 3), per(2, 1, 3, 1)]) }, { details: details([per(1, 2, 1, 1)]) }, { details: null }]);
    expect(m.get(1)).to.deep.equal({ eligible: 7, quota: 4, picked: 4 });
    expect(m.get(2)).to.deep.equal({ eligible: 1, quota: 3, picked: 1 });
  });
});

describe('the sizing formula on the page', () => {
  it('shows exactly the parts of the formula sizePlan() uses', () => {
    for (const part of Object.values(SIZING_FORMULA_PARTS)) expect(SIZING_FORMULA).to.contain(part);
  });
});
