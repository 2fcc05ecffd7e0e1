// The Service page over every call: who may see it, the figures against hand-computed examples
// (abandonment, service levels, the longest-10 % average, callbacks across Tashkent midnight), bad
// input left out and counted, a day with no calls, stored day sums that follow every write, and the
// downloads (CSV per table, the workbook, and the sheets the reports workbook carries).
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeOperator } from '../../helpers/builders';
import { makeOrganisation } from '../calls/calls-fixtures';
import { drainStaleFacts } from '../../../src/features/facts/facts.service';
import { drainStaleChecks } from '../../../src/features/checks/checks.service';
import { csvRows, queueCall } from './service-fixtures';

const DAY = '2026-11-10';
const NEXT = '2026-11-11';
let clockNow = new Date('2026-11-25T09:00:00.000Z');
const TODAY_CLOCK = () => clockNow;

function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('the Service page: KPIs over every call', function () {
  this.timeout(60_000);
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  const as = (username: string) => signIn(t.app, username, 'correct-horse-battery');
  const drain = async () => {
    await drainStaleFacts(t);
    await drainStaleChecks(t);
  };

  before(async () => {
    t = await createTestApp({ clock: TODAY_CLOCK });
    org = await makeOrganisation(t.db);
    // DAY: 10 calls answered after 2, 4, … 20 s, and 2 callers who hung up while it rang.
    for (let i = 1; i <= 10; i++) await queueCall(t.db, { day: DAY, time: `1${i % 10}:05`, answerSec: 2 * i, operatorId: i % 2 ? org.operatorId : org.otherOperatorId });
    await queueCall(t.db, { day: DAY, time: '12:30', answerSec: null, talkSec: 40 });
    await queueCall(t.db, { day: DAY, time: '21:10', answerSec: null, talkSec: 15 });
    // A call dropped at 23:55 Tashkent on DAY, called back at 00:04 the next day (reached).
    const dropped = await queueCall(t.db, { day: DAY, time: '23:55', answerSec: 4, talkSec: 60, dropped: true, operatorId: org.operatorId });
    await queueCall(t.db, { day: NEXT, time: '00:04', answerSec: 6, talkSec: 50, callbackOf: dropped, operatorId: org.operatorId });
    await drain();
  });
  after(async () => {
    await t.close();
  });

  async function csv(username: string, table: string, query: string) {
    const { agent } = await as(username);
    const res = await agent.get(`/service/${table}.csv?${query}`);
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    return csvRows(res.text);
  }

  it('is refused to operators and open to specialists, supervisors, leadership and administrators', async () => {
    expect((await (await as(org.operatorUser.username)).agent.get('/service')).status).to.equal(403);
    for (const u of [org.specialist, org.supervisor, org.leadership, org.admin]) {
      const res = await (await as(u.username)).agent.get(`/service?from=${DAY}&to=${DAY}`);
      expect(res.status, u.username).to.equal(200);
      expect(res.text).to.include('Service KPIs');
    }
  });

  it('counts DAY by hand: 13 offered, 2 abandoned (15.4 %), answer times 4, 2 … 20 s', async () => {
    const [row] = await csv(org.admin.username, 'service-trend', `from=${DAY}&to=${DAY}`);
    expect(row).to.include({ Offered: '13', Answered: '11', Abandoned: '2', Abandonment: '15.4' });
    // 2+4+…+20 = 110, plus the dropped call's 4 s: 114 / 11 = 10.4 s.
    expect(row!['Avg answer, s']).to.equal('10.4');
    // within 10 s: 2,4,6,8,10 and 4 → 6 of 11; 15 s: +12,14 → 8; 20 s: all 11.
    expect(row!['≤ 10 s']).to.equal('54.5');
    expect(row!['≤ 15 s']).to.equal('72.7');
    expect(row!['≤ 20 s']).to.equal('100');
    // Longest 10 % of 11 answer times: ⌈1.1⌉ = 2 values, 20 and 18 s → 19 s, exactly (whole-second buckets).
    expect(row!['Longest 10 % avg, s']).to.equal('19');
    expect(row!['±, s']).to.equal('0');
  });

  it('counts a callback made after Tashkent midnight on the dropped call\'s day, and not as an offered call of the next', async () => {
    const rows = await csv(org.admin.username, 'service-trend', `from=${DAY}&to=${NEXT}`);
    expect(rows[0]).to.include({ Dropped: '1', 'Called back ≤ 10 min': '100' });
    expect(rows[1]).to.include({ Offered: '0', Answered: '0', Dropped: '0' });
  });

  it('shows a day with no calls as a clear empty state, with no NaN, no infinity and no 0 % figure', async () => {
    const { agent } = await as(org.admin.username);
    const res = await agent.get('/service?from=2026-11-20&to=2026-11-20');
    expect(res.status).to.equal(200);
    expect(res.text).to.include('No calls in this period');
    expect(res.text).not.to.match(/NaN|Infinity|undefined/);
    expect(res.text).not.to.include('0.0%');
    const [summary] = await csv(org.admin.username, 'service-summary', 'from=2026-11-20&to=2026-11-20');
    expect(summary).to.deep.equal({ Measure: 'No calls in this period', Value: 'No calls' });
    const trend = await csv(org.admin.username, 'service-trend', 'from=2026-11-20&to=2026-11-20');
    expect(trend[0]).to.include({ Offered: '0', Abandonment: '', 'Avg answer, s': '', '≤ 10 s': '' });
  });

  it('leaves an answer time before the offer out of every average, keeps the call as answered, and says so', async () => {
    const day = '2026-11-12';
    await queueCall(t.db, { day, answerSec: 6 });
    await queueCall(t.db, { day, answerSec: 10 });
    await queueCall(t.db, { day, answeredBeforeOffered: true });
    await drain();
    const [row] = await csv(org.admin.username, 'service-trend', `from=${day}&to=${day}`);
    expect(row).to.include({ Offered: '3', Answered: '3', 'Avg answer, s': '8', '≤ 10 s': '100', 'Left out': '1' });
    const { agent } = await as(org.admin.username);
    const page = await agent.get(`/service?from=${day}&to=${day}`);
    expect(page.text).to.include('1 answered call has an impossible answer time');
  });

  it('reads stored day sums, and a call written later marks its day so the figures follow at once', async () => {
    const day = '2026-11-13';
    await queueCall(t.db, { day, answerSec: 3 });
    await drain();
    expect((await csv(org.admin.username, 'service-trend', `from=${day}&to=${day}`))[0]).to.include({ Offered: '1' });
    expect(await t.db('service_day_sums').where({ day, part: 'all' }).first()).to.not.equal(undefined);
    expect(await t.db('service_stale_days').where({ day }).first()).to.equal(undefined);
    await queueCall(t.db, { day, answerSec: null });
    await drain();
    expect(await t.db('service_stale_days').where({ day }).first()).to.not.equal(undefined);
    expect((await csv(org.admin.username, 'service-trend', `from=${day}&to=${day}`))[0]).to.include({ Offered: '2', Abandoned: '1' });
    // An operator moving to another team marks every summed day (the team parts follow the current team).
    await t.db('operators').where({ id: org.operatorId }).update({ team_id: org.otherTeam });
    expect(await t.db('service_stale_days').where({ day: DAY }).first()).to.not.equal(undefined);
    await t.db('operators').where({ id: org.operatorId }).update({ team_id: org.team });
  });

  it('shows a busy today from sums up to two minutes old, saying when they were counted, and counts it again after', async () => {
    const today = '2026-11-25';
    await queueCall(t.db, { day: today, time: '13:00', answerSec: 3 });
    await drain();
    expect((await csv(org.admin.username, 'service-trend', `from=${today}&to=${today}`))[0]).to.include({ Offered: '1' });
    await queueCall(t.db, { day: today, time: '13:30', answerSec: 5 });
    await drain();
    clockNow = new Date(clockNow.getTime() + 60_000);
    const { agent } = await as(org.admin.username);
    const page = await agent.get(`/service?from=${today}&to=${today}`);
    expect(page.text).to.include('s figures as counted at');
    expect((await csv(org.admin.username, 'service-trend', `from=${today}&to=${today}`))[0]).to.include({ Offered: '1' });
    clockNow = new Date(clockNow.getTime() + 121_000);
    expect((await csv(org.admin.username, 'service-trend', `from=${today}&to=${today}`))[0]).to.include({ Offered: '2' });
  });

  it('shows a supervisor their own teams by default, without queue figures, and the whole service on request', async () => {
    const { agent } = await as(org.supervisor.username);
    const own = await agent.get(`/service?from=${DAY}&to=${DAY}`);
    expect(own.text).to.include('Figures cover your teams');
    expect(own.text).to.include('Calls nobody answered belong to no team');
    const rows = await csv(org.supervisor.username, 'service-trend', `from=${DAY}&to=${DAY}`);
    expect(rows[0]).to.include({ Offered: '', Answered: '6', Abandonment: '' });
    expect((await agent.get(`/service?from=${DAY}&to=${DAY}&team=${org.otherTeam}`)).status).to.equal(403);
    const whole = await csv(org.supervisor.username, 'service-trend', `from=${DAY}&to=${DAY}&scope=service`);
    expect(whole[0]).to.include({ Offered: '13', Abandoned: '2' });
    const operators = await csv(org.supervisor.username, 'service-operators', `from=${DAY}&to=${DAY}&scope=service`);
    expect(operators.map((r) => r.Operator)).to.deep.equal(['Jasur Yusupov']);
  });

  it('filters by region, category or language from stored parts, and by two at once from the tables, alike', async () => {
    const day = '2026-11-14';
    const region = Number((await t.db('regions').first('id')).id);
    await queueCall(t.db, { day, answerSec: 4, regionId: region, language: 'ru' });
    await queueCall(t.db, { day, answerSec: 30, regionId: region, language: 'uz' });
    await queueCall(t.db, { day, answerSec: 8, regionId: null, language: 'ru' });
    await drain();
    const q = `from=${day}&to=${day}`;
    expect((await csv(org.admin.username, 'service-trend', `${q}&region=${region}`))[0]).to.include({ Offered: '2', 'Avg answer, s': '17' });
    expect((await csv(org.admin.username, 'service-trend', `${q}&language=ru`))[0]).to.include({ Offered: '2', 'Avg answer, s': '6' });
    expect((await csv(org.admin.username, 'service-trend', `${q}&region=${region}&language=ru`))[0]).to.include({ Offered: '1', 'Avg answer, s': '4' });
  });

  it('refuses an unknown table (404) and an unknown parameter (400, the form shown again)', async () => {
    const { agent } = await as(org.admin.username);
    expect((await agent.get(`/service/passwords.csv?from=${DAY}&to=${DAY}`)).status).to.equal(404);
    const bad = await agent.get('/service?tema=3');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('name="from"');
  });

  it('downloads a workbook with the Service sheets, and the reports workbook carries them too', async () => {
    const { agent } = await as(org.admin.username);
    for (const url of [`/service/export.xlsx?from=${DAY}&to=${DAY}`, `/reports/export.xlsx?from=${DAY}&to=${DAY}`]) {
      const res = await agent.get(url).buffer(true).parse(binary);
      expect(res.status, url).to.equal(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as unknown as ArrayBuffer);
      const names = wb.worksheets.map((w) => w.name);
      expect(names, url).to.include.members(['Service - summary', 'Service - monthly', 'Service - by hour', 'Service - checks']);
      const monthly = wb.getWorksheet('Service - monthly')!;
      expect(monthly.getRow(2).getCell(2).value, url).to.equal(13);
    }
    expect(await t.db('audit_log').where({ action: 'service.export' }).first()).to.not.equal(undefined);
  });

  it('shows the checks\' pass rates over all calls', async () => {
    const rows = await csv(org.admin.username, 'service-checks', `from=${DAY}&to=${DAY}`);
    const open1 = rows.find((r) => r.Criteria === 'OPEN-1')!;
    // No recordings: the greeting cannot be known, so every answered call is "cannot tell" unless
    // answered late (then "no" whatever the greeting): 12, 14, 16, 18 and 20 s fail; 2 callers hung up (N/A).
    expect(open1).to.include({ Passed: '0', Failed: '5', 'N/A': '2', 'Cannot tell': '6' });
    const close2 = rows.find((r) => r.Criteria === 'CLOSE-2')!;
    expect(close2).to.include({ Passed: '1', Failed: '0', 'N/A': '12' });
  });

  it('lists operators by name with their own answer figures only (no queue figures of their own)', async () => {
    const extra = await makeOperator(t.db, { teamId: org.team, name: 'Nodira Karimova' });
    await queueCall(t.db, { day: '2026-11-15', answerSec: 9, operatorId: extra });
    await drain();
    const rows = await csv(org.admin.username, 'service-operators', 'from=2026-11-15&to=2026-11-15');
    expect(rows[0]).to.include({ Operator: 'Nodira Karimova', Answered: '1', Offered: '', Abandonment: '' });
  });
});
