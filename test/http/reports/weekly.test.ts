import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { authFeature } from '../../../src/features/auth';
import { homeFeature } from '../../../src/features/home';
import { reportsFeature } from '../../../src/features/reports';
import { isWeeklySendTime, previousWeek, sendWeeklyReport, weeklyTick, WEEKLY_JOB } from '../../../src/features/reports/weekly-report';
import { num } from '../../../src/db';
import { makeUser } from '../../helpers/builders';
import { parseMail, startSmtp, type TestSmtp } from '../digests/smtp';
import { FIXTURE_NOW, seedReportFixture, type ReportFixture } from './report-builders';

describe('reports: the weekly report e-mail', () => {
  let t: TestApp;
  let f: ReportFixture;
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ clock: () => FIXTURE_NOW, features: [authFeature, homeFeature, reportsFeature], config: { smtpUrl: smtp.url, smtpFrom: 'Sifat <sifat@test.local>' } });
    f = await seedReportFixture(t.db);
    await t.db('users').whereIn('id', [f.leadership.id, f.leadershipRu.id]).update({ email: 'boss@test.local' });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it('reports on the Monday-to-Sunday week before, and runs on Mondays from 08:00 Tashkent time', () => {
    expect(previousWeek('2026-11-23')).to.deep.equal({ from: '2026-11-16', to: '2026-11-22' }); // a Monday
    expect(previousWeek('2026-11-25')).to.deep.equal({ from: '2026-11-16', to: '2026-11-22' });
    expect(isWeeklySendTime(new Date('2026-11-23T02:59:00Z'))).to.equal(false); // Monday 07:59 in Tashkent
    expect(isWeeklySendTime(new Date('2026-11-23T03:00:00Z'))).to.equal(true); // Monday 08:00
    expect(isWeeklySendTime(new Date('2026-11-22T20:00:00Z'))).to.equal(false); // Monday 01:00 in Tashkent, Sunday in UTC
    expect(isWeeklySendTime(new Date('2026-11-23T18:00:00Z'))).to.equal(true); // Monday 23:00
    expect(isWeeklySendTime(new Date('2026-11-23T19:00:00Z'))).to.equal(false); // Tuesday 00:00
  });

  it('is off by default; a leadership user turns it on and off with the CSRF token', async () => {
    const { agent, csrf } = await signIn(t.app, f.leadership.username, f.leadership.password);
    const page = await agent.get('/reports?from=2026-11-01&to=2026-11-20');
    expect(page.text).to.contain('Weekly report by e-mail').and.contain('Turn on');
    const refused = await agent.post('/reports/subscription').type('form').send({ weekly: 'on' });
    expect(refused.status).to.equal(403);
    expect(await t.db('report_subscriptions').where({ user_id: f.leadership.id })).to.have.length(0);
    const on = await agent.post('/reports/subscription').type('form').send({ weekly: 'on', _csrf: await csrf(), back: '/reports?from=2026-11-01&to=2026-11-20' });
    expect(on.status).to.equal(302);
    expect(on.headers.location).to.equal('/reports?from=2026-11-01&to=2026-11-20');
    expect((await agent.get(on.headers.location)).text).to.contain('The weekly report e-mail is on.').and.contain('Turn off');
    const off = await agent.post('/reports/subscription').type('form').send({ weekly: 'off', _csrf: await csrf(), back: 'https://evil.example/' });
    expect(off.headers.location).to.equal('/reports');
    const row = await t.db('report_subscriptions').where({ user_id: f.leadership.id }).first();
    expect(Boolean(row.is_active)).to.equal(false);
  });

  it('is not offered to supervisors, who see only their teams', async () => {
    const { agent, csrf } = await signIn(t.app, f.sup1.username, f.sup1.password);
    expect((await agent.get('/reports')).text).not.to.contain('Weekly report by e-mail');
    const res = await agent.post('/reports/subscription').type('form').send({ weekly: 'on', _csrf: await csrf() });
    expect(res.status).to.equal(403);
    expect(await t.db('report_subscriptions').where({ user_id: f.sup1.id })).to.have.length(0);
  });

  it('queues one job per subscriber on Monday morning, once, and none on other days', async () => {
    const { agent, csrf } = await signIn(t.app, f.leadership.username, f.leadership.password);
    await agent.post('/reports/subscription').type('form').send({ weekly: 'on', _csrf: await csrf() });
    const noEmail = await makeUser(t.db, { role: 'leadership' });
    await t.db('report_subscriptions').insert({ user_id: noEmail.id, is_active: true, created_at: FIXTURE_NOW.toISOString(), updated_at: FIXTURE_NOW.toISOString() });
    const jobs = () => t.db('jobs').where({ type: WEEKLY_JOB });
    await weeklyTick(t)(new Date('2026-11-24T05:00:00Z')); // Tuesday
    expect(await jobs()).to.have.length(0);
    await weeklyTick(t)(new Date('2026-11-23T03:05:00Z')); // Monday 08:05
    await weeklyTick(t)(new Date('2026-11-23T03:06:00Z'));
    const queued = await jobs();
    expect(queued).to.have.length(1); // the subscriber without an e-mail address is skipped
    expect(JSON.parse(queued[0].payload)).to.deep.equal({ userId: f.leadership.id, from: '2026-11-16', to: '2026-11-22' });
  });

  it('mails last week\'s aggregates with the workbook attached, and no caller numbers', async () => {
    await t.db('report_subscriptions').where({ user_id: f.leadership.id }).update({ is_active: true });
    smtp.received.length = 0;
    const result = await sendWeeklyReport(t, { userId: f.leadership.id, from: '2026-11-16', to: '2026-11-22' });
    expect(result).to.deep.equal({ sent: true });
    expect(smtp.received).to.have.length(1);
    const mail = parseMail(smtp.received[0].raw);
    expect(mail.subject).to.equal('Sifat: weekly report 2026-11-16 – 2026-11-22');
    const inWeek = await t.db('evaluations').where({ status: 'submitted', kind: 'regular' }).whereBetween('evaluation_date', ['2026-11-16', '2026-11-22']).count({ n: '*' }).first();
    expect(mail.text).to.contain(`Evaluations submitted: ${num(inWeek?.n)}`);
    expect(smtp.received[0].raw).not.to.contain('998901234567');
    expect(mail.attachments).to.have.length(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(mail.attachments[0].content as unknown as ArrayBuffer);
    // Leadership gets aggregates only: no sheet of individual evaluations.
    expect(wb.getWorksheet('Evaluations')).to.equal(undefined);
    expect(wb.getWorksheet('Operators')).to.not.equal(undefined);
  });

  it('sends nothing to someone who unsubscribed before the job ran', async () => {
    await t.db('report_subscriptions').where({ user_id: f.leadership.id }).update({ is_active: false });
    smtp.received.length = 0;
    expect(await sendWeeklyReport(t, { userId: f.leadership.id, from: '2026-11-16', to: '2026-11-22' })).to.deep.equal({ sent: false, reason: 'unsubscribed' });
    expect(smtp.received).to.have.length(0);
  });
});
