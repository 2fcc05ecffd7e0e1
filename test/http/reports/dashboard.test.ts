import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { authFeature } from '../../../src/features/auth';
import { homeFeature } from '../../../src/features/home';
import { reportsFeature } from '../../../src/features/reports';
import { makeUser } from '../../helpers/builders';
import { FIXTURE_NOW, PERIOD, seedReportFixture, type ReportFixture } from './report-builders';

const q = `from=${PERIOD.from}&to=${PERIOD.to}`;

/** The chart data block the page hands to the browser. */
function chartData(html: string): { charts: Record<string, { data: { labels: string[]; datasets: { data: (number | null)[] }[] } }> } {
  const m = /<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no chart data on the page');
  return JSON.parse(m[1]);
}

describe('reports dashboard (/reports)', () => {
  let t: TestApp;
  let f: ReportFixture;
  before(async () => {
    t = await createTestApp({ clock: () => FIXTURE_NOW, features: [authFeature, homeFeature, reportsFeature] });
    f = await seedReportFixture(t.db);
  });
  after(() => t.close());

  it('shows leadership the period\'s figures: evaluations, average with its band, critical failures, errors and plan', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get(`/reports?${q}`);
    expect(res.status).to.equal(200);
    const scores = f.evaluations.map((e) => e.score!);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    expect(res.text).to.contain('<div class="stat-value">13</div>');
    expect(res.text).to.contain(mean.toFixed(1));
    // 1 critical failure, 3 errors that hold (the voided one is left out), plan 3 of 5.
    expect(res.text).to.match(/Critical failures<\/div>\s*<div class="stat-value text-danger">1</);
    expect(res.text).to.match(/Errors<\/div>\s*<div class="stat-value">3</);
    expect(res.text).to.contain('Plan: 3 of 5');
    // Charts come as data, with a table under each.
    const data = chartData(res.text);
    expect(Object.keys(data.charts)).to.include.members(['weekly', 'distribution', 'criteria', 'errors', 'plan', 'workload']);
    const weeklyCounts = data.charts.weekly.data.datasets[1].data as number[];
    expect(weeklyCounts.reduce((a, b) => a + b, 0)).to.equal(13);
    expect((res.text.match(/<details class="data-table">/g) ?? []).length).to.be.at.least(6);
    expect(res.text).to.contain('<script type="module" src="/public/build/dashboard.js">');
  });

  it('draws the regions as a tile map of all 14, coloured by score band or by calls, with the table under it and each tile filtering the dashboard', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get(`/reports?${q}`);
    const tiles = [...res.text.matchAll(/<li class="region-tile tile-([A-Z]{2}) (level-[a-z_-]+\d?)">/g)];
    expect(tiles.map((m) => m[1]).sort()).to.deep.equal(['AN', 'BU', 'FA', 'JI', 'NG', 'NV', 'QA', 'QR', 'SA', 'SI', 'SU', 'TK', 'TO', 'XO']);
    expect(tiles.every((m) => /^level-(high|compliant|partial|low|critical_fail|none)$/.test(m[2]!))).to.equal(true);
    expect(res.text).to.match(/<section class="card report-regions"[\s\S]*<ul class="region-map"[\s\S]*<table class="table table-compact">/);
    expect(res.text).to.match(/href="\/reports\?[^"]*&(amp;)?region=\d+" title="[^"]*: average score/);
    const byCalls = await agent.get(`/reports?${q}&map=calls`);
    expect(byCalls.status).to.equal(200);
    expect(byCalls.text).to.match(/<li class="region-tile tile-[A-Z]{2} level-calls-[0-4]">/);
    expect(byCalls.text).to.contain('aria-current=true>Calls</a>');
  });

  it('marks an operator with too few evaluations instead of ranking them', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get(`/reports?${q}`);
    const row = (name: string) => res.text.split('<tr').find((r) => r.includes(name)) ?? '';
    expect(row('Anvar Alpha')).to.contain('report-too-few').and.contain('too few').and.match(/<td class="num">—<\/td>/);
    expect(row('Aziza Alpha')).not.to.contain('report-too-few');
    expect(row('Aziza Alpha')).to.match(/<td class="num">[12]<\/td>/);
    expect(row('Bahrom Beta')).to.match(/<td class="num">[12]<\/td>/);
  });

  it('shows leadership aggregates only: no caller numbers and no audio', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get(`/reports?${q}`);
    expect(res.text).not.to.contain('998901234567');
    expect(res.text).not.to.match(/<audio|\/audio/);
  });

  it('limits a supervisor to the teams they supervise, and refuses another supervisor\'s team', async () => {
    const { agent } = await signIn(t.app, f.sup1.username, f.sup1.password);
    const res = await agent.get(`/reports?${q}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Aziza Alpha').and.contain('Team Alpha');
    expect(res.text).not.to.contain('Bahrom Beta');
    expect(res.text).not.to.contain('Team Beta');
    expect(res.text).to.contain('<div class="stat-value">8</div>');
    const other = await agent.get(`/reports?${q}&team=${f.teamB}`);
    expect(other.status).to.equal(403);
  });

  it('tells a supervisor without teams that there is nothing to show', async () => {
    const lonely = await makeUser(t.db, { role: 'supervisor' });
    const { agent } = await signIn(t.app, lonely.username, lonely.password);
    const res = await agent.get(`/reports?${q}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('No team is assigned to you yet');
    expect(res.text).to.contain('<div class="stat-value">0</div>');
  });

  it('applies the team, region, category and language filters', async () => {
    const { agent } = await signIn(t.app, f.admin.username, f.admin.password);
    const team = await agent.get(`/reports?${q}&team=${f.teamB}`);
    expect(team.text).to.contain('<div class="stat-value">5</div>');
    const lang = await agent.get(`/reports?${q}&language=ru`);
    expect(lang.text).to.contain('<div class="stat-value">2</div>');
    const cat = await agent.get(`/reports?${q}&category=fire&region=${f.regions[1]}`);
    expect(cat.text).to.contain('<div class="stat-value">2</div>');
  });

  it('shows specialists the dashboard (they prepare the reports for leadership), refuses operators, and sends a signed-out visitor to sign in', async () => {
    const s = await makeUser(t.db, { role: 'specialist' });
    expect((await (await signIn(t.app, s.username, s.password)).agent.get('/reports')).status).to.equal(200);
    const u = await makeUser(t.db, { role: 'operator' });
    const { agent } = await signIn(t.app, u.username, u.password);
    expect((await agent.get('/reports')).status).to.equal(403);
    const anon = await request(t.app).get('/reports');
    expect(anon.status).to.equal(302);
    expect(anon.headers.location).to.match(/^\/login/);
  });

  it('answers an unknown filter with a clear 400 that names it', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get(`/reports?${q}&tema=3`);
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Unknown filter &#34;tema&#34;');
    expect(res.text).not.to.contain('id="dashboard-data"');
    const badTeam = await agent.get(`/reports?${q}&team=99999`);
    expect(badTeam.status).to.equal(400);
    expect(badTeam.text).to.contain('There is no such value');
    const badLang = await agent.get(`/reports?${q}&language=klingon`);
    expect(badLang.status).to.equal(400);
  });

  it('refuses a period longer than the configured maximum, and a period that ends before it starts', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const long = await agent.get('/reports?from=2024-01-01&to=2026-11-20');
    expect(long.status).to.equal(400);
    expect(long.text).to.contain('at most 366 days');
    const backwards = await agent.get('/reports?from=2026-11-20&to=2026-11-01');
    expect(backwards.status).to.equal(400);
    expect(backwards.text).to.contain('The start date is after the end date');
  });

  it('shows an empty period as an empty state, not an error', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get('/reports?from=2025-01-01&to=2025-01-31');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('No evaluations in this period');
  });

  it('defaults to the last 30 days up to today in Tashkent', async () => {
    const { agent } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const res = await agent.get('/reports');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('value="22.10.2026"').and.contain('value="20.11.2026"');
  });

  it('puts the dashboard in the navigation of leadership, admins, supervisors and specialists', async () => {
    for (const [u, visible] of [[f.leadership, true], [f.admin, true], [f.sup1, true], [f.spec1, true]] as const) {
      const { agent } = await signIn(t.app, u.username, u.password);
      const home = await agent.get('/');
      expect(home.text.includes('href="/reports"'), u.username).to.equal(visible);
    }
  });
});
