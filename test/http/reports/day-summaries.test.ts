// The unfiltered dashboard reads one stored row of sums per day; database triggers mark a day stale
// whenever a row it sums is written. These tests hold the summaries to the tables: the same figures
// either way, and after every kind of write, the new figures at once.
import { expect } from 'chai';
import { createTestApp, type TestApp } from '../../helpers/app';
import { authFeature } from '../../../src/features/auth';
import { homeFeature } from '../../../src/features/home';
import { reportsFeature } from '../../../src/features/reports';
import { buildDashboard, computeDayParts, freshDaySums, periodSums, tablePeriodSums } from '../../../src/features/reports/reports.service';
import { previousPeriod } from '../../../src/features/reports/aggregate';
import type { PeriodSums } from '../../../src/features/reports/period-sums';
import { callCategories, saveDaySums, staleDays } from '../../../src/features/reports/reports.repository';
import { SUM_DAYS_JOB, sumDays, sumDaysTick } from '../../../src/features/reports/day-sums-job';
import { BANDS, FIXTURE_NOW, PERIOD, makeEvaluation, seedReportFixture, type ReportFixture } from './report-builders';

const SCOPE = { ...PERIOD, teamIds: null, regionId: null, category: null, language: null };
const PREVIOUS = previousPeriod(SCOPE);

/** Sums in a canonical form: rows sorted, maps as sorted entries, float sums rounded (days add up in another order). */
function canonical(s: PeriodSums): unknown {
  const round = (v: unknown): unknown => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v);
  const rows = (xs: readonly object[]) => xs.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round(v)]))).map((x) => JSON.stringify(x)).sort();
  const map = (m: Map<unknown, number>) => [...m.entries()].map((e) => JSON.stringify(e)).sort();
  return {
    dayBins: rows(s.dayBins),
    operators: rows(s.operators),
    regions: rows(s.regions),
    operatorsPrevious: rows(s.operatorsPrevious),
    work: rows(s.work),
    failed: map(s.failed),
    na: map(s.na),
    errorsByCategory: rows(s.errorsByCategory),
    errorsByOperator: rows(s.errorsByOperator),
    assignments: rows(s.assignments),
    volumes: map(s.volumes),
    lagHours: map(s.lagHours),
    samples: rows(s.samples),
  };
}

describe('reports: per-day summaries behind the unfiltered dashboard', () => {
  let t: TestApp;
  let f: ReportFixture;
  const clock = () => FIXTURE_NOW;
  const summarised = () => periodSums(t.db, SCOPE, PREVIOUS, clock);
  const fromTables = () => tablePeriodSums(t.db, SCOPE, PREVIOUS);
  const dashboard = () => buildDashboard(t.db, SCOPE, BANDS, undefined, clock);

  before(async () => {
    t = await createTestApp({ clock, features: [authFeature, homeFeature, reportsFeature] });
    f = await seedReportFixture(t.db);
  });
  after(() => t.close());

  it('gives the same sums as the tables, and stores one row per day of both periods', async () => {
    expect(await t.db('report_day_summaries').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
    const sums = await summarised();
    expect(canonical(sums)).to.deep.equal(canonical(await fromTables()));
    expect(sums.dayBins.reduce((n, r) => n + r.n, 0)).to.equal(13);
    const days = await t.db('report_day_summaries').whereBetween('day', [PREVIOUS.from, PERIOD.to]).andWhere('part', 'all').count({ n: '*' }).first().then((r) => Number(r?.n));
    expect(days).to.equal(40);
    const parts = (await t.db('report_day_summaries').where('day', '2026-11-04').select('part')).map((r) => r.part).sort();
    const medical = (await t.db('report_call_categories').where({ category: 'medical' }).first()).id;
    expect(parts, 'a day with work of team Beta only, on medical calls in Uzbek of one region').to.deep.equal(['all', `cat:${medical}`, 'lang:uz', `region:${f.regions[1]}`, `team:${f.teamB}`]);
    expect(await staleDays(t.db, PREVIOUS.from, PERIOD.to), 'every stale mark cleared').to.have.property('size', 0);
  });

  it('a team\'s, several teams\' and a supervisor without teams\' sums come from the team parts, and agree with the tables', async () => {
    for (const teamIds of [[f.teamA], [f.teamB], [f.teamA, f.teamB], []]) {
      const team = { ...SCOPE, teamIds };
      const sums = await periodSums(t.db, team, PREVIOUS, clock);
      expect(canonical(sums), JSON.stringify(teamIds)).to.deep.equal(canonical(await tablePeriodSums(t.db, team, PREVIOUS)));
      if (teamIds.length) expect(sums.dayBins.length, JSON.stringify(teamIds)).to.be.greaterThan(0);
    }
  });

  it('a region, category or language filter comes from its stored parts, and agrees with the tables; two filters together read the tables', async () => {
    for (const filter of [{ regionId: f.regions[1] }, { regionId: f.regions[0] }, { category: 'fire' }, { category: 'medical' }, { language: 'ru' }, { language: 'uz' }, { regionId: f.regions[1], category: 'fire' }]) {
      const scope = { ...SCOPE, ...filter };
      const sums = await periodSums(t.db, scope, PREVIOUS, clock);
      expect(canonical(sums), JSON.stringify(filter)).to.deep.equal(canonical(await tablePeriodSums(t.db, scope, PREVIOUS)));
      expect(sums.dayBins.reduce((n, r) => n + r.n, 0), JSON.stringify(filter)).to.be.within(1, 12);
    }
    // No call of that category: an empty dashboard, not an error.
    expect((await periodSums(t.db, { ...SCOPE, category: 'gas' }, PREVIOUS, clock)).dayBins).to.deep.equal([]);
  });

  it('the category filter’s list comes from the stored list, kept current by the calls table', async () => {
    const before = await callCategories(t.db);
    expect(before).to.include('fire').and.include('medical');
    await makeEvaluation(t.db, { operatorId: f.opA1, specialistId: f.spec1.id, version: f.v1, date: '2026-11-18', answers: { 'Q-1': 1, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 }, category: 'suicide_risk' });
    expect(await callCategories(t.db)).to.include('suicide_risk');
    const anyCall = await t.db('calls').where({ category: 'suicide_risk' }).first();
    await t.db('calls').where({ id: anyCall.id }).update({ category: 'gas_leak_new' });
    expect(await callCategories(t.db)).to.include('gas_leak_new');
  });

  it('shows every kind of write at once: a new evaluation, a voided error, a reopened evaluation, a plan and its work, a call moved or deleted', async () => {
    await dashboard();
    const before = await dashboard();
    const expectSameAsTables = async (what: string) => {
      expect(canonical(await summarised()), what).to.deep.equal(canonical(await fromTables()));
      for (const filter of [{ regionId: f.regions[0] }, { regionId: f.regions[1] }, { category: 'fire' }, { language: 'ru' }, { language: 'uz' }]) {
        const scope = { ...SCOPE, ...filter };
        expect(canonical(await periodSums(t.db, scope, PREVIOUS, clock)), `${what}, ${JSON.stringify(filter)}`).to.deep.equal(canonical(await tablePeriodSums(t.db, scope, PREVIOUS)));
      }
      for (const teamIds of [[f.teamA], [f.teamB]]) {
        const team = { ...SCOPE, teamIds };
        expect(canonical(await periodSums(t.db, team, PREVIOUS, clock)), `${what}, team ${teamIds[0]}`).to.deep.equal(canonical(await tablePeriodSums(t.db, team, PREVIOUS)));
      }
    };

    // A late-submitted evaluation on a past day of the period.
    await makeEvaluation(t.db, { operatorId: f.opA2, specialistId: f.spec2.id, version: f.v1, date: '2026-11-07', answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 0, 'Q-4': 0 }, regionId: f.regions[0] });
    expect((await staleDays(t.db, PERIOD.from, PERIOD.to)).has('2026-11-07'), 'the trigger marked the day').to.equal(true);
    let now = await dashboard();
    expect(now.summary.evaluations).to.equal(before.summary.evaluations + 1);
    expect(now.summary.criticalFailures).to.equal(before.summary.criticalFailures + 1);
    await expectSameAsTables('after a new evaluation');

    // A supervisor voids an error.
    const error = await t.db('errors').whereNull('voided_at').andWhere('error_date', '2026-11-04').first();
    await t.db('errors').where({ id: error.id }).update({ voided_at: FIXTURE_NOW.toISOString() });
    now = await dashboard();
    expect(now.summary.errors).to.equal(before.summary.errors - 1);
    await expectSameAsTables('after voiding an error');

    // An evaluation reopened (no longer submitted) leaves the figures; its answers rewritten while submitted count anew.
    const reopened = f.evaluations[3];
    await t.db('evaluations').where({ id: reopened.id }).update({ status: 'reopened' });
    now = await dashboard();
    expect(now.summary.evaluations).to.equal(before.summary.evaluations);
    await expectSameAsTables('after a reopen');
    const answered = f.evaluations[4];
    await t.db('evaluation_answers').where({ evaluation_id: answered.id, criterion_code: 'Q-1' }).update({ failed: true });
    await expectSameAsTables('after an answer changed');

    // Plan work: an assignment done, then the day's plan superseded.
    await t.db('assignments').where({ status: 'new' }).update({ status: 'done' });
    now = await dashboard();
    expect(now.summary.plannedDone).to.equal(before.summary.plannedDone + 1);
    await t.db('plans').where({ plan_date: '2026-11-10', status: 'active' }).update({ status: 'superseded' });
    now = await dashboard();
    expect(now.summary.planned).to.equal(0);
    await expectSameAsTables('after plan changes');

    // A call's region corrected (the call was received a day before it was evaluated), and a call deleted.
    const moved = await makeEvaluation(t.db, { operatorId: f.opB1, specialistId: f.spec2.id, version: f.v1, date: '2026-11-08', time: '01:00', answers: { 'Q-1': 1, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 }, regionId: f.regions[1] });
    const call = await t.db('calls').where({ id: moved.callId }).first();
    expect(call.call_date, 'the call is from another day than its evaluation').to.equal('2026-11-07');
    await summarised();
    await t.db('calls').where({ id: moved.callId }).update({ region_id: f.regions[0] });
    expect((await staleDays(t.db, PERIOD.from, PERIOD.to)).has('2026-11-08'), 'the evaluation\'s day marked').to.equal(true);
    await expectSameAsTables('after a call changed region');
    // …and its category and language: the evaluation's day and the parts of both follow.
    await summarised();
    await t.db('calls').where({ id: moved.callId }).update({ category: 'fire', language: 'ru' });
    expect((await staleDays(t.db, PERIOD.from, PERIOD.to)).has('2026-11-08'), 'the evaluation\'s day marked').to.equal(true);
    await expectSameAsTables('after a call changed category and language');
    const volumeBefore = [...(await summarised()).volumes.values()].reduce((a, b) => a + b, 0);
    await t.db('calls').where({ id: f.evaluations[0].callId }).update({ deleted_at: FIXTURE_NOW.toISOString() });
    expect([...(await summarised()).volumes.values()].reduce((a, b) => a + b, 0)).to.equal(volumeBefore - 1);
    await expectSameAsTables('after a call was deleted');

    // Deleting rows marks their days too.
    await t.db('evaluation_answers').where({ evaluation_id: f.evaluations[5].id }).del();
    await expectSameAsTables('after answers were deleted');

    // An operator moving to another team marks every summed day: the team parts follow.
    const teamBBefore = await periodSums(t.db, { ...SCOPE, teamIds: [f.teamB] }, PREVIOUS, clock);
    await t.db('operators').where({ id: f.opA2 }).update({ team_id: f.teamB });
    const summed = (await t.db('report_day_summaries').where('part', 'all').select('day')).map((r) => String(r.day));
    const stale = await staleDays(t.db, '2000-01-01', '2099-12-31');
    expect(summed.length).to.be.greaterThan(30);
    expect(summed.filter((d) => !stale.has(d)), 'every summed day is marked').to.deep.equal([]);
    const teamBAfter = await periodSums(t.db, { ...SCOPE, teamIds: [f.teamB] }, PREVIOUS, clock);
    expect(teamBAfter.dayBins.reduce((n, r) => n + r.n, 0)).to.be.greaterThan(teamBBefore.dayBins.reduce((n, r) => n + r.n, 0));
    await expectSameAsTables('after an operator moved team');
  });

  it('several viewers summing the same days at once all get the right figures', async () => {
    await t.db('report_day_summaries').del();
    const expected = canonical(await fromTables());
    const results = await Promise.all(Array.from({ length: 4 }, () => summarised()));
    for (const r of results) expect(canonical(r)).to.deep.equal(expected);
    expect(await t.db('report_day_summaries').whereBetween('day', [PREVIOUS.from, PERIOD.to]).andWhere('part', 'all').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(40);
  });

  it('a write that lands while a day is being summed keeps the day stale', async () => {
    const day = '2026-11-02';
    await makeEvaluation(t.db, { operatorId: f.opA1, specialistId: f.spec1.id, version: f.v1, date: day, answers: { 'Q-1': 1, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 } });
    const seen = (await staleDays(t.db, day, day)).get(day)!;
    expect(seen).to.be.a('string');
    const parts = await computeDayParts(t.db, day);
    // Meanwhile another evaluation is submitted for the same day.
    await makeEvaluation(t.db, { operatorId: f.opA1, specialistId: f.spec1.id, version: f.v1, date: day, answers: { 'Q-1': 0, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 } });
    await saveDaySums(t.db, day, new Map([...parts].map(([part, sums]) => [part, JSON.stringify(sums)])), seen, FIXTURE_NOW.toISOString());
    expect((await staleDays(t.db, day, day)).has(day), 'still stale: the sums saved miss the second evaluation').to.equal(true);
    const fresh = await freshDaySums(t.db, day, day, ['all'], clock);
    const evaluationsIn = (sums: { b: [unknown, unknown, number, ...unknown[]][] }) => sums.b.reduce((n, b) => n + b[2], 0);
    expect(evaluationsIn(fresh[0]!.sums)).to.equal(evaluationsIn(parts.get('all')!) + 1);
    expect((await staleDays(t.db, day, day)).has(day)).to.equal(false);
  });

  it('an hourly job sums the stale and missing days in the background, one job per hour', async () => {
    await makeEvaluation(t.db, { operatorId: f.opB1, specialistId: f.spec2.id, version: f.v1, date: '2026-11-19', answers: { 'Q-1': 1, 'Q-2': 1, 'Q-3': 3, 'Q-4': 1 } });
    await t.db('report_day_summaries').where('day', '2026-11-12').del();
    expect((await staleDays(t.db, PERIOD.from, PERIOD.to)).has('2026-11-19')).to.equal(true);

    const tick = sumDaysTick(t);
    await tick(new Date('2026-11-20T07:05:00Z'));
    await tick(new Date('2026-11-20T07:55:00Z'));
    await tick(new Date('2026-11-20T08:01:00Z'));
    expect(await t.db('jobs').where({ type: SUM_DAYS_JOB }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(2);

    const result = await sumDays(t);
    expect(result.days).to.be.greaterThan(1);
    expect(await staleDays(t.db, '2000-01-01', '2026-11-20'), 'up to today').to.have.property('size', 0);
    expect(await t.db('report_day_summaries').where('day', '2026-11-12').first()).to.not.equal(undefined);
    expect((await sumDays(t)).days, 'nothing left to do').to.equal(0);
    expect(canonical(await summarised())).to.deep.equal(canonical(await fromTables()));
  });
});
