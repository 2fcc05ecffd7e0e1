// Why a call was heard decides which figures it may enter: operator scores, intervals, bands, trends
// and comparisons use the random sample by default; targeted, on-request and calibration evaluations
// are shown beside them, never mixed in, and a filter shows them. The dashboard and the export say
// which sample every figure comes from.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { createTestApp, signIn, type Agent, type TestApp } from '../../helpers/app';
import { makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import { authFeature } from '../../../src/features/auth';
import { homeFeature } from '../../../src/features/home';
import { reportsFeature } from '../../../src/features/reports';
import { buildDashboard } from '../../../src/features/reports/reports.service';
import type { ReportScope } from '../../../src/features/reports/reports.repository';
import { BANDS, criterion, definition, makeErrorRecord, makeEvaluation, makeRubricVersion } from './report-builders';

const NOW = new Date('2026-11-20T07:00:00Z');
const PERIOD = { from: '2026-11-01', to: '2026-11-20' };
const SCOPE: ReportScope = { ...PERIOD, teamIds: null, regionId: null, category: null, language: null };

describe('reports: the random sample by default, the other purposes beside it', () => {
  let t: TestApp;
  let leadership: Agent;
  let admin: Agent;
  let regionId: number;
  let operatorId: number;
  const clock = () => NOW;

  before(async () => {
    t = await createTestApp({ clock, features: [authFeature, homeFeature, reportsFeature] });
    const lead = await makeUser(t.db, { role: 'leadership' });
    leadership = (await signIn(t.app, lead.username, lead.password)).agent;
    const adm = await makeUser(t.db, { role: 'admin' });
    admin = (await signIn(t.app, adm.username, adm.password)).agent;
    const specialist = await makeUser(t.db, { role: 'specialist' });
    const team = await makeTeam(t.db, {});
    operatorId = await makeOperator(t.db, { teamId: team, name: 'Dilnoza Karimova' });
    regionId = Number((await t.db('regions').first('id')).id);
    const v = await makeRubricVersion(t.db, definition([criterion('Q-1'), criterion('Q-2'), criterion('Q-3'), criterion('Q-4'), criterion('Q-5')]));
    const ev = (purpose: 'random' | 'targeted' | 'on_request' | 'calibration', yes: number, date: string, lagHours: number) =>
      makeEvaluation(t.db, {
        operatorId, specialistId: specialist.id, version: v, date, regionId, lagHours, purpose,
        kind: purpose === 'calibration' ? 'calibration' : 'regular',
        answers: Object.fromEntries(['Q-1', 'Q-2', 'Q-3', 'Q-4', 'Q-5'].map((c, i) => [c, i < yes ? 1 : 0])),
      });
    // The random sample: 100, 100, 80 (mean 93.3), reviewed 2 h, 3 h and 130 h after the call.
    await ev('random', 5, '2026-11-03', 2);
    await ev('random', 5, '2026-11-10', 3);
    await ev('random', 4, '2026-11-17', 130);
    // Hand-picked and targeted calls are the poor ones — that is why they were picked.
    const picked = await ev('on_request', 2, '2026-11-11', 24);
    await ev('targeted', 1, '2026-11-12', 24);
    await ev('calibration', 0, '2026-11-13', 24);
    await makeErrorRecord(t.db, { evaluationId: picked.id, callId: picked.callId, operatorId, date: '2026-11-11', category: 'information' });
  });
  after(() => t.close());

  for (const [path, scope] of [['the day summaries', SCOPE], ['the tables (a region filter)', { ...SCOPE, regionId: 0 }]] as const) {
    it(`operator figures use the random sample only, by default (${path})`, async () => {
      const d = await buildDashboard(t.db, { ...scope, regionId: scope.regionId === null ? null : regionId }, BANDS, 1, clock);
      expect(d.summary.sample).to.equal('random');
      expect(d.summary.evaluations).to.equal(3);
      expect(d.summary.mean).to.be.closeTo(93.33, 0.01);
      expect(d.summary.errors, 'the hand-picked call’s error is not the sample’s').to.equal(0);
      expect(d.operators.map((o) => [o.name, o.n, Math.round(o.mean! * 10) / 10])).to.deep.equal([['Dilnoza Karimova', 3, 93.3]]);
      expect(d.teams.map((x) => x.n)).to.deep.equal([3]);
      // The others stand beside the sample, each on its own.
      expect(d.samples.map((x) => [x.purpose, x.evaluations, x.mean, x.shown])).to.deep.equal([
        ['random', 3, d.summary.mean, true],
        ['targeted', 1, 20, false],
        ['on_request', 1, 40, false],
        ['calibration', 1, 0, false],
      ]);
    });
  }

  it('a filter shows one other purpose alone, or all of them together (and says so)', async () => {
    const onRequest = await buildDashboard(t.db, { ...SCOPE, sample: 'on_request' }, BANDS, 1, clock);
    expect([onRequest.summary.evaluations, onRequest.summary.mean, onRequest.summary.errors]).to.deep.equal([1, 40, 1]);
    expect(onRequest.samples.filter((x) => x.shown).map((x) => x.purpose)).to.deep.equal(['on_request']);
    const all = await buildDashboard(t.db, { ...SCOPE, sample: 'all' }, BANDS, 1, clock);
    expect(all.summary.evaluations).to.equal(6);
    expect(all.samples.every((x) => x.shown)).to.equal(true);
  });

  it('gives the review lag’s median and the share within the target', async () => {
    const d = await buildDashboard(t.db, SCOPE, BANDS, 1, clock, 5);
    expect(d.summary.lag).to.deep.equal({ n: 3, medianHours: 3, withinTarget: 2 / 3, targetDays: 5 });
  });

  it('the dashboard page names the sample and lists the other purposes beside it', async () => {
    const res = await leadership.get(`/reports?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('data-sample="random"');
    expect(res.text).to.contain('Every figure below is taken over the Random sample (plan draws)');
    expect(res.text).to.match(/data-purpose="on_request"[\s\S]*?On request[\s\S]*?<td class="num">1<\/td>/);
    const other = await leadership.get(`/reports?from=${PERIOD.from}&to=${PERIOD.to}&sample=on_request`);
    expect(other.text).to.contain('data-sample="on_request"');
    expect(other.text).to.contain('not a random sample');
    expect((await leadership.get(`/reports?from=${PERIOD.from}&to=${PERIOD.to}&sample=lucky`)).status).to.equal(400);
  });

  it('the home tiles show the dashboard’s own figures for the same period and sample', async () => {
    const home = (await leadership.get('/')).text;
    const dash = (await leadership.get('/reports')).text;
    const tile = (html: string, label: string) => new RegExp(`${label}</div>\\s*<div class="stat-value[^"]*">([^<]*)<`).exec(html)?.[1]?.trim();
    expect(tile(home, 'Evaluations')).to.equal('3');
    expect(tile(dash, 'Evaluations')).to.equal('3');
    expect(tile(home, 'Average score')).to.equal('93.3');
    expect(tile(dash, 'Average score')?.startsWith('93.3')).to.equal(true);
    expect(tile(home, 'Critical failures')).to.equal(tile(dash, 'Critical failures'));
    expect(home).to.contain('last 30 days, random sample');
  });

  it('the workbook says which sample its figures come from, and lists every purpose', async () => {
    // An administrator's workbook: leadership's holds aggregates only (no call-level Evaluations sheet).
    const res = await admin.get(`/reports/export.xlsx?from=${PERIOD.from}&to=${PERIOD.to}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.headers['content-disposition']).to.contain('sifat-report-random-');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('Summary')!;
    const row = summary.getSheetValues().find((r) => Array.isArray(r) && r[1] === 'Sample of every figure') as unknown[];
    expect(row[2]).to.equal('Random sample (plan draws)');
    const purposes = wb.getWorksheet('By purpose')!;
    expect(purposes.getRow(4).values).to.include('On request').and.include(1);
    const evaluations = wb.getWorksheet('Evaluations')!;
    expect(evaluations.rowCount).to.equal(4);
    expect(evaluations.getRow(1).values).to.include('Purpose');
    expect(evaluations.getRow(2).values).to.include('Random (plan draw)');
  });
});
