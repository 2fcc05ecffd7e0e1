import { expect } from 'chai';
import { signIn } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { digestWorld, failedOn, readWorkbook, sheetRows, BASE_URL, DigestWorld } from './helpers';
import { startSmtp, parseMail, TestSmtp } from './smtp';

describe('digests (ma\'lumotnoma) on demand', () => {
  let smtp: TestSmtp;
  let w: DigestWorld;
  before(async () => {
    smtp = await startSmtp();
    w = await digestWorld({ smtpUrl: smtp.url });
    await failedOn(w, '2026-05-04', { failed: ['INFO-2', 'ROUTE-1'], comment: 'адрес не уточнён', marks: [{ startSec: 83.6, criterionCode: 'INFO-2' }], score: 52, result: 'critical_fail', criticalFailure: true });
    await failedOn(w, '2026-05-06', { failed: ['CLOSE-1'], comment: 'не объяснил, что дальше', score: 88, result: 'compliant' });
    await failedOn(w, '2026-05-06', { operatorId: w.org.otherOperator, failed: ['CARD-1'], comment: 'other team' });
  });
  after(async () => {
    await w.t.close();
    await smtp.close();
  });
  const digests = () => w.t.db('digests').orderBy('id');

  it('prepares a digest for a supervisor, stores it and e-mails it in the supervisor\'s language with the workbook attached', async () => {
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    const res = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `supervisor:${w.org.supervisor.id}`, from: '2026-05-01', to: '2026-05-07', send: '1' });
    expect(res.status).to.equal(302);
    const [row] = await digests();
    expect(res.headers.location).to.equal(`/digests/${row.id}`);
    expect([row.scope_type, Number(row.scope_id), row.period_start, row.period_end, row.language, row.delivery_status]).to.deep.equal(['supervisor', w.org.supervisor.id, '2026-05-01', '2026-05-07', 'ru', 'pending']);
    const content = JSON.parse(row.content);
    expect(content.summary).to.include({ evaluations: 2, criticalFailures: 1, errors: 3 });
    expect(content.summary.averageScore).to.equal(70);

    await w.t.jobs.drain();
    expect(smtp.received).to.have.length(1);
    const mail = smtp.received[0];
    expect(mail.from).to.equal('sifat@test.local');
    expect(mail.to).to.deep.equal(['bobur@example.uz']);
    const parsed = parseMail(mail.raw);
    expect(parsed.subject).to.equal('Справка: Смены: Bobur Aliyev, 01.05.2026 – 07.05.2026');
    expect(parsed.text).to.contain('Здравствуйте, Bobur Aliyev!');
    expect(parsed.text).to.contain('Оценено вызовов (случайная выборка): 2');
    expect(parsed.text).to.contain('Зафиксировано ошибок: 3');
    expect(parsed.text).to.contain('Сбор информации: 1');
    expect(parsed.text).to.contain(`${BASE_URL}/digests/${row.id}`);
    expect(parsed.text).not.to.contain('other team');

    expect(parsed.attachments).to.have.length(1);
    expect(parsed.attachments[0].filename).to.equal('spravka-2026-05-01-2026-05-07.xlsx');
    const wb = await readWorkbook(parsed.attachments[0].content);
    const sheet = wb.getWorksheet('Ошибки')!;
    const rows = sheetRows(sheet);
    expect(rows[0].slice(0, 4)).to.deep.equal(['Оператор', 'Табельный номер', 'Смена', 'Время вызова']);
    expect(rows).to.have.length(4); // header + 3 errors
    const info2 = rows.find((r) => r[4] === 'INFO-2')!;
    expect(info2[0]).to.equal('Jasur Yusupov');
    expect(info2[8]).to.equal('адрес не уточнён');
    expect(info2[9]).to.equal('1:23'); // the moment as the player shows it (whole seconds cut), where ?t=83 opens
    expect(info2[10]).to.match(new RegExp(`^${BASE_URL}/evaluations/\\d+\\?t=83$`));
    expect(rows.slice(1).map((r) => r[4]).sort()).to.deep.equal(['CLOSE-1', 'INFO-2', 'ROUTE-1']);

    const sent = (await digests())[0];
    expect([sent.delivery_status, Number(sent.attempts)]).to.deep.equal(['sent', 1]);
    expect(sent.sent_at).to.equal(w.clock.now.toISOString());
  });

  it('never sends a digest twice: a retried job and the send button both leave it alone', async () => {
    const [row] = await digests();
    const job = await w.t.jobs.findByKey(`digest-send:${row.id}`);
    await w.t.jobs.retry(job!.id);
    await w.t.jobs.drain();
    expect(smtp.received).to.have.length(1);
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    const res = await agent.post(`/digests/${row.id}/send`).type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(409);
    await w.t.jobs.drain();
    expect(smtp.received).to.have.length(1);
  });

  it('shows the digest as a printable page with links that open each recording at its moment', async () => {
    const [row] = await digests();
    const { agent } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    const res = await agent.get(`/digests/${row.id}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('href="/public/css/print.css" media="print"');
    expect(res.text).to.match(new RegExp(`href="${BASE_URL}/evaluations/\\d+\\?t=83"`));
    expect(res.text).to.contain('адрес не уточнён');
    const xlsx = await agent.get(`/digests/${row.id}/export.xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).to.equal(200);
    expect(xlsx.headers['content-disposition']).to.contain('spravka-2026-05-01-2026-05-07.xlsx');
    const wb = await readWorkbook(xlsx.body as Buffer);
    expect(wb.worksheets.map((s) => s.name)).to.deep.equal(['Сводка', 'Ошибки']);
    // The errors print across: landscape, one page wide, the header row repeated.
    expect(wb.getWorksheet('Ошибки')!.pageSetup).to.deep.include({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' });
  });

  it('an empty period gives a digest that says there were no errors (not an error)', async () => {
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    const res = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `supervisor:${w.org.supervisor.id}`, from: '2026-04-01', to: '2026-04-07' });
    expect(res.status).to.equal(302);
    const page = await agent.get(res.headers.location);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('За этот период ошибок не зафиксировано.');
    const row = (await digests()).pop()!;
    expect(JSON.parse(row.content).summary.errors).to.equal(0);
    expect(row.delivery_status).to.equal('in_app');
  });

  it('refuses a period whose end is before its start with a clear message, storing nothing', async () => {
    const before = (await digests()).length;
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    const res = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `supervisor:${w.org.supervisor.id}`, from: '2026-05-07', to: '2026-05-01', send: '1' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Конец периода не может быть раньше его начала');
    expect(res.text).to.contain('value="07.05.2026"');
    const json = await agent.post('/digests').set('accept', 'application/json').send({ _csrf: await csrf(), scope: `supervisor:${w.org.supervisor.id}`, from: '2026-05-07', to: 'soon' });
    expect(json.status).to.equal(400);
    expect(json.body.error.fields.map((f: { field: string; key: string }) => `${f.field}:${f.key}`)).to.deep.equal(['to:errors.period.invalidDate']);
    expect(await digests()).to.have.length(before);
  });

  it('refuses an unknown supervisor with a field message, storing nothing', async () => {
    const before = (await digests()).length;
    const { agent, csrf } = await signIn(w.t.app, w.org.admin.username, w.org.admin.password);
    const res = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: 'supervisor:999999', from: '2026-05-01', to: '2026-05-07' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('There is no such supervisor');
    const notSupervisor = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `supervisor:${w.org.specialist.id}`, from: '2026-05-01', to: '2026-05-07' });
    expect(notSupervisor.status).to.equal(400);
    expect(await digests()).to.have.length(before);
  });

  it('a supervisor cannot prepare or open another supervisor\'s digest', async () => {
    const other = await signIn(w.t.app, w.org.otherSupervisor.username, w.org.otherSupervisor.password);
    const before = (await digests()).length;
    const res = await other.agent.post('/digests').type('form').send({ _csrf: await other.csrf(), scope: `supervisor:${w.org.supervisor.id}`, from: '2026-05-01', to: '2026-05-07' });
    expect(res.status).to.equal(403);
    expect(await digests()).to.have.length(before);
    const [first] = await digests();
    expect((await other.agent.get(`/digests/${first.id}`)).status).to.equal(403);
    expect((await other.agent.get(`/digests/${first.id}/export.xlsx`)).status).to.equal(403);
    const list = await other.agent.get('/digests');
    expect(list.status).to.equal(200);
    expect(list.text).not.to.contain(`/digests/${first.id}"`);
  });

  it('an admin can prepare a digest for a team or the whole centre; leadership cannot reach digests (specialists prepare their own: handover.test.ts)', async () => {
    const { agent, csrf } = await signIn(w.t.app, w.org.admin.username, w.org.admin.password);
    const team = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `team:${w.org.otherTeam}`, from: '2026-05-01', to: '2026-05-07' });
    expect(team.status).to.equal(302);
    const teamDigest = (await digests()).pop()!;
    expect(JSON.parse(teamDigest.content).operators.map((o: { name: string }) => o.name)).to.deep.equal(['Madina Saidova']);
    const centre = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: 'centre', from: '2026-05-01', to: '2026-05-07' });
    expect(centre.status).to.equal(302);
    expect(JSON.parse((await digests()).pop()!.content).summary.errors).to.equal(4);
    const lead = await signIn(w.t.app, w.org.leadership.username, w.org.leadership.password);
    expect((await lead.agent.get('/digests')).status).to.equal(403);
    expect((await lead.agent.get('/')).text).not.to.contain('href="/digests"');
    const sup = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    expect((await sup.agent.get('/')).text).to.contain('href="/digests"');
    const spec = await signIn(w.t.app, w.org.specialist.username, w.org.specialist.password);
    expect((await spec.agent.get('/')).text).to.contain('href="/digests"');
    // A specialist does not see digests others prepared.
    expect((await spec.agent.get(`/digests/${teamDigest.id}`)).status).to.equal(403);
  });

  it('a digest for someone without an e-mail address stays in the app and the page says why', async () => {
    const noMail = await makeUser(w.t.db, { role: 'supervisor', language: 'uz' });
    const { agent, csrf } = await signIn(w.t.app, noMail.username, noMail.password);
    const res = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `supervisor:${noMail.id}`, from: '2026-05-01', to: '2026-05-07', send: '1' });
    expect(res.status).to.equal(302);
    const page = await agent.get(res.headers.location);
    expect(page.text).to.contain("Oluvchining elektron pochta manzili ko&#39;rsatilmagan.");
    expect((await digests()).pop()!.delivery_status).to.equal('in_app');
  });
});
