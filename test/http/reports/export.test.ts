import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { createTestApp, signIn, type Agent, type TestApp } from '../../helpers/app';
import { authFeature } from '../../../src/features/auth';
import { homeFeature } from '../../../src/features/home';
import { reportsFeature } from '../../../src/features/reports';
import { loadConfig } from '../../../src/config';
import { num } from '../../../src/db';
import { evaluationPages } from '../../../src/features/reports/reports.repository';
import { FIXTURE_NOW, PERIOD, seedReportFixture, type ReportFixture } from './report-builders';

const q = `from=${PERIOD.from}&to=${PERIOD.to}`;

function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

async function download(agent: Agent, url: string) {
  return agent.get(url).buffer(true).parse(binary as never);
}

async function workbook(agent: Agent, url: string): Promise<{ wb: ExcelJS.Workbook; bytes: Buffer }> {
  const res = await download(agent, url);
  expect(res.status, String(res.body).slice(0, 300)).to.equal(200);
  expect(res.headers['content-type']).to.contain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  return { wb, bytes: res.body as Buffer };
}

/** A sheet as objects keyed by the header row's texts. */
function rowsOf(ws: ExcelJS.Worksheet): Record<string, unknown>[] {
  const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const values = (row.values as unknown[]).slice(1);
    out.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null])));
  });
  return out;
}

function summaryValue(ws: ExcelJS.Worksheet, label: string): unknown {
  let found: unknown = undefined;
  ws.eachRow((row) => {
    if (row.getCell(1).value === label) found = row.getCell(2).value;
  });
  return found;
}

describe('reports export (/reports/export.xlsx and CSV)', () => {
  let t: TestApp;
  let f: ReportFixture;
  let leadership: Agent;
  let admin: Agent;
  before(async () => {
    t = await createTestApp({ clock: () => FIXTURE_NOW, features: [authFeature, homeFeature, reportsFeature] });
    f = await seedReportFixture(t.db);
    leadership = (await signIn(t.app, f.leadership.username, f.leadership.password)).agent;
    admin = (await signIn(t.app, f.admin.username, f.admin.password)).agent;
  });
  after(() => t.close());

  const inPeriod = () => t.db('evaluations').where({ status: 'submitted', purpose: 'random' }).whereBetween('evaluation_date', [PERIOD.from, PERIOD.to]);

  it('writes every sheet, with figures that match the database (leadership: aggregates only, no Evaluations sheet)', async () => {
    const { wb } = await workbook(admin, `/reports/export.xlsx?${q}`);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['Summary', 'By purpose', 'Score by week', 'Score distribution', 'Operators', 'Teams', 'Criteria', 'Regions', 'Specialists', 'Plan fulfilment', 'Errors', 'Follow-ups by service', 'Follow-ups by region', 'Working time', 'Satisfaction by operator', 'Satisfaction by region', 'Satisfaction by category', 'Service - summary', 'Service - monthly', 'Service - by day', 'Service - by hour', 'Service - by weekday', 'Service - hour x weekday', 'Service - operators', 'Service - teams', 'Service - regions', 'Service - categories', 'Service - languages', 'Service - answer times', 'Service - card fields', 'Service - checks', 'Evaluations']);
    const aggregates = await workbook(leadership, `/reports/export.xlsx?${q}`);
    expect(aggregates.wb.worksheets.map((w) => w.name)).to.deep.equal(['Summary', 'By purpose', 'Score by week', 'Score distribution', 'Operators', 'Teams', 'Criteria', 'Regions', 'Specialists', 'Plan fulfilment', 'Errors', 'Follow-ups by service', 'Follow-ups by region', 'Working time', 'Satisfaction by operator', 'Satisfaction by region', 'Satisfaction by category', 'Service - summary', 'Service - monthly', 'Service - by day', 'Service - by hour', 'Service - by weekday', 'Service - hour x weekday', 'Service - operators', 'Service - teams', 'Service - regions', 'Service - categories', 'Service - languages', 'Service - answer times', 'Service - card fields', 'Service - checks']);

    const db = await inPeriod().clone().count({ n: '*' }).avg({ avg: 'score' }).first();
    const summary = wb.getWorksheet('Summary')!;
    expect(summaryValue(summary, 'Evaluations submitted')).to.equal(num(db?.n));
    expect(summaryValue(summary, 'Average score')).to.be.closeTo(Number(db?.avg), 0.05);
    expect(summaryValue(summary, 'Critical failures')).to.equal(1);
    expect(summaryValue(summary, 'Errors')).to.equal(3);
    expect(summaryValue(summary, 'Planned assignments')).to.equal(5);

    // Operators: count and mean per operator as the database has them.
    const perOperator: Record<string, unknown>[] = await inPeriod().clone().select('operator_id').count({ n: '*' }).avg({ avg: 'score' }).groupBy('operator_id');
    const codes = new Map([[f.opA1, 'A-1'], [f.opA2, 'A-2'], [f.opB1, 'B-1']]);
    const operators = rowsOf(wb.getWorksheet('Operators')!);
    expect(operators).to.have.length(3);
    for (const r of perOperator) {
      const row = operators.find((o) => o['Employee code'] === codes.get(Number(r.operator_id)))!;
      expect(row.Evaluations).to.equal(num(r.n));
      expect(row['Average score']).to.be.closeTo(Number(r.avg), 0.05);
    }
    const a2 = operators.find((o) => o['Employee code'] === 'A-2')!;
    expect(a2.Rank).to.equal(null);
    expect(String(a2.Note)).to.contain('Fewer than 5 evaluations');

    // Criteria: failures as counted in the answers.
    const failed: Record<string, unknown>[] = await t.db('evaluation_answers as a').join('evaluations as v', 'v.id', 'a.evaluation_id').where({ 'v.status': 'submitted', 'v.kind': 'regular', 'a.failed': true }).whereBetween('v.evaluation_date', [PERIOD.from, PERIOD.to]).select('a.criterion_code').count({ n: '*' }).groupBy('a.criterion_code');
    const criteria = rowsOf(wb.getWorksheet('Criteria')!);
    for (const r of failed) expect(criteria.find((c) => c.Code === r.criterion_code)!.Failed).to.equal(num(r.n));
    expect(criteria.find((c) => c.Code === 'Q-5')!.Evaluated).to.equal(2);
  });

  it('has one Evaluations row per evaluation and one column per criterion across rubric versions', async () => {
    const { wb } = await workbook(admin, `/reports/export.xlsx?${q}`);
    const ws = wb.getWorksheet('Evaluations')!;
    const rows = rowsOf(ws);
    const ids = (await inPeriod().clone().select('id').orderBy('id')).map((r) => Number(r.id));
    expect(rows.map((r) => r.Evaluation)).to.deep.equal(ids);
    const headers = (ws.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(-5)).to.deep.equal(['Q-1', 'Q-2', 'Q-3', 'Q-4', 'Q-5']);

    const answers = await t.db('evaluation_answers').whereIn('evaluation_id', ids).select('evaluation_id', 'criterion_code', 'value', 'is_na');
    for (const a of answers) {
      const row = rows.find((r) => r.Evaluation === Number(a.evaluation_id))!;
      expect(row[a.criterion_code], `evaluation ${a.evaluation_id} ${a.criterion_code}`).to.equal(a.is_na ? 'N/A' : Number(a.value));
    }
    // Version-1 evaluations have no Q-5 answer: the cell is empty, not zero.
    const v1Row = rows.find((r) => r.Evaluation === f.evaluations[0].id)!;
    expect(v1Row['Q-5']).to.equal(null);
    expect(rows.filter((r) => r['Q-5'] !== null)).to.have.length(2);
    for (const r of rows) {
      expect(String(r['Caller number (masked)'])).to.match(/^\+998•+67$/);
      // Submitted at 11:00 Tashkent time, written as Tashkent wall-clock time.
      expect((r.Submitted as Date).toISOString().slice(11, 16)).to.equal('11:00');
    }
  });

  it('reads the Evaluations rows page by page: small pages give the same rows, in order, none twice', async () => {
    const scope = { ...PERIOD, teamIds: null, regionId: null, category: null, language: null };
    const collect = async (pageSize: number) => {
      const pages: number[][] = [];
      const rows: unknown[] = [];
      for await (const page of evaluationPages(t.db, scope, pageSize)) {
        pages.push(page.map((r) => r.id));
        rows.push(...page.map((r) => ({ ...r, answers: [...r.answers] })));
      }
      return { pages, rows };
    };
    const whole = await collect(1000);
    const small = await collect(4);
    expect(whole.pages).to.have.length(1);
    expect(whole.rows).to.have.length(13);
    expect(small.pages.map((p) => p.length)).to.deep.equal([4, 4, 4, 1]);
    expect(small.rows).to.deep.equal(whole.rows);
  });

  it('freezes header rows, adds autofilters and widths, and colours scores by band', async () => {
    const { wb } = await workbook(admin, `/reports/export.xlsx?${q}`);
    for (const name of ['Operators', 'Evaluations']) {
      const ws = wb.getWorksheet(name)!;
      expect(ws.views[0]).to.deep.include({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter, name).to.be.ok;
      expect(ws.getColumn(3).width).to.be.greaterThan(10);
    }
    const ops = wb.getWorksheet('Operators')!;
    const cf = (ops as unknown as { conditionalFormattings: { ref: string; rules: { type: string; formulae: string[] }[] }[] }).conditionalFormattings;
    expect(cf).to.have.length(1);
    expect(cf[0].ref).to.equal('F2:F4');
    expect(cf[0].rules.map((r) => r.formulae[0])).to.include('AND(ISNUMBER(F2),F2>=90)');
    expect(ops.getCell('F2').numFmt).to.equal('0.0');
    expect(wb.getWorksheet('Evaluations')!.getCell('C2').numFmt).to.equal('dd.mm.yyyy hh:mm');
  });

  it('prints every sheet landscape, fitted to the page width, with the header row on every page', async () => {
    const { wb } = await workbook(leadership, `/reports/export.xlsx?${q}`);
    for (const ws of wb.worksheets) {
      expect(ws.pageSetup, ws.name).to.deep.include({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1', paperSize: 9 });
    }
  });

  it('writes headers and labels in the user\'s language', async () => {
    const { agent } = await signIn(t.app, f.leadershipRu.username, f.leadershipRu.password);
    const { wb } = await workbook(agent, `/reports/export.xlsx?${q}`);
    expect(wb.worksheets.map((w) => w.name)).to.include.members(['Сводка', 'Операторы', 'Выполнение плана']);
    expect(wb.worksheets.map((w) => w.name)).not.to.include('Оценки'); // leadership: aggregates only
    expect((wb.getWorksheet('Операторы')!.getRow(1).values as unknown[]).slice(1)).to.include.members(['Оператор', 'Средний балл']);
  });

  it('opens in LibreOffice (headless conversion to CSV keeps the Cyrillic)', async function () {
    const soffice = ['/usr/bin/soffice', '/usr/lib/libreoffice/program/soffice'].find((p) => fs.existsSync(p));
    if (!soffice) {
      if (loadConfig().ci) throw new Error('soffice is required under CI to check that the workbook opens');
      this.skip();
    }
    this.timeout(120_000);
    const { agent } = await signIn(t.app, f.leadershipRu.username, f.leadershipRu.password);
    const { bytes } = await workbook(agent, `/reports/export.xlsx?${q}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-report-'));
    try {
      const file = path.join(dir, 'report.xlsx');
      fs.writeFileSync(file, bytes);
      // Its own profile directory, so a LibreOffice already running elsewhere does not swallow the job.
      await promisify(execFile)(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', dir, file], { timeout: 110_000 });
      const csv = fs.readFileSync(path.join(dir, 'report.csv'), 'utf8');
      expect(csv).to.contain('Отправлено оценок');
      expect(csv).to.match(/Отправлено оценок",?13/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty period still gives every sheet, saying there is no data', async () => {
    const { wb } = await workbook(admin, '/reports/export.xlsx?from=2025-01-01&to=2025-01-31');
    expect(wb.worksheets).to.have.length(18 + 14); // the dashboard's, the live floor's, the Service KPIs', the evaluations;
    expect(wb.getWorksheet('Service - summary')!.getCell('A2').value).to.equal('No calls in this period');
    const summary = wb.getWorksheet('Summary')!;
    expect(summary.getCell('A2').value).to.equal('No evaluations in this period');
    expect(summaryValue(summary, 'Evaluations submitted')).to.equal(0);
    expect(wb.getWorksheet('Evaluations')!.getCell('A2').value).to.equal('No data for this period.');
    expect(wb.getWorksheet('Operators')!.getCell('A2').value).to.equal('No data for this period.');
  });

  it('refuses a period over the allowed length with a clear 400 and no file', async () => {
    const res = await leadership.get('/reports/export.xlsx?from=2024-01-01&to=2026-11-20').set('Accept', 'application/json');
    expect(res.status).to.equal(400);
    expect(res.headers['content-type']).to.contain('json');
    expect(res.body.error.fields[0]).to.deep.include({ field: 'to', key: 'reports.filters.tooLong' });
    expect(res.body.error.fields[0].message).to.contain('at most 366 days');
    const html = await leadership.get('/reports/export.xlsx?from=2024-01-01&to=2026-11-20');
    expect(html.status).to.equal(400);
    expect(html.text).to.contain('at most 366 days');
  });

  it('refuses unknown filters with a clear 400', async () => {
    const res = await leadership.get(`/reports/export.xlsx?${q}&operator=5`).set('Accept', 'application/json');
    expect(res.status).to.equal(400);
    expect(res.body.error.fields[0].message).to.equal('Unknown filter "operator". Allowed: from, to, team, region, category, language, sample.');
    const csv = await leadership.get(`/reports/operators.csv?${q}&region=999999`).set('Accept', 'application/json');
    expect(csv.status).to.equal(400);
  });

  it('lets specialists download the workbook for leadership; refuses a supervisor exporting another supervisor\'s team', async () => {
    const { agent: specialist } = await signIn(t.app, f.spec1.username, f.spec1.password);
    expect((await specialist.get(`/reports/export.xlsx?${q}`)).status).to.equal(200);
    expect((await specialist.get(`/reports/evaluations.csv?${q}`)).status).to.equal(200);
    const { agent: sup } = await signIn(t.app, f.sup1.username, f.sup1.password);
    expect((await sup.get(`/reports/export.xlsx?${q}&team=${f.teamB}`)).status).to.equal(403);
  });

  it('gives a supervisor a workbook of their own teams only', async () => {
    const { agent } = await signIn(t.app, f.sup1.username, f.sup1.password);
    const { wb } = await workbook(agent, `/reports/export.xlsx?${q}`);
    const evaluations = rowsOf(wb.getWorksheet('Evaluations')!);
    expect(evaluations).to.have.length(8);
    expect(evaluations.every((r) => r.Team === 'Team Alpha')).to.equal(true);
  });

  it('downloads each table as CSV in UTF-8 with a byte-order mark', async () => {
    const res = await download(leadership, `/reports/operators.csv?${q}`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('text/csv; charset=utf-8');
    // The sample the figures are taken over is in the file's name.
    expect(res.headers['content-disposition']).to.contain(`sifat-operators-random-${PERIOD.from}_${PERIOD.to}.csv`);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).to.match(/^Rank,Employee code,Operator,Team,Evaluations,Average score/);
    expect(lines).to.have.length(4);

    expect((await leadership.get(`/reports/evaluations.csv?${q}`)).status).to.equal(404); // call-level: not for leadership
    const ev = await download(admin, `/reports/evaluations.csv?${q}`);
    const evLines = (ev.body as Buffer).toString('utf8').slice(1).trim().split('\r\n');
    expect(evLines).to.have.length(14);
    expect(evLines[0].endsWith('Q-1,Q-2,Q-3,Q-4,Q-5')).to.equal(true);
    expect(evLines.join('\n')).not.to.contain('998901234567');

    for (const table of ['summary', 'purposes', 'weekly', 'distribution', 'teams', 'criteria', 'regions', 'specialists', 'plan', 'errors']) {
      const r = await download(leadership, `/reports/${table}.csv?${q}`);
      expect(r.status, table).to.equal(200);
    }
    expect((await leadership.get(`/reports/secrets.csv?${q}`)).status).to.equal(404);
  });

  it('records every export in the audit log', async () => {
    const before = await t.db('audit_log').where({ action: 'report.export' }).count({ n: '*' }).first();
    await download(leadership, `/reports/teams.csv?${q}`);
    const after = await t.db('audit_log').where({ action: 'report.export' }).count({ n: '*' }).first();
    expect(num(after?.n)).to.equal(num(before?.n) + 1);
  });
});
