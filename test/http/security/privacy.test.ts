// Privacy on shared PCs and in the evidence: operators never see the caller's name, nothing personal
// is cached by the browser, reading personal data leaves a trace, and leadership's exports hold
// aggregates only.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { createTestApp, signIn, type TestApp, type Agent } from '../../helpers/app';
import { concretePath, listRoutes, seedDemo, signInDemoRoles, STREAMING_PATHS, headersOnly } from '../../helpers/routes';
import { makeCall, makeUser } from '../../helpers/builders';
import { insertReturningId } from '../../../src/db';

const CARD = `<CallCard><CardNumber>112-77</CardNumber><Caller><Name>Zulfiya Ergasheva</Name><Phone>+998 90 765 43 21</Phone></Caller></CallCard>`;

describe('privacy of calls, pages and exports', function () {
  this.timeout(60_000);
  let t: TestApp;
  let agents: Awaited<ReturnType<typeof signInDemoRoles>>;
  let ownCallId: number;
  before(async () => {
    t = await createTestApp();
    await seedDemo(t);
    agents = await signInDemoRoles(t.app);
    // A call of the demo operator's own, with a card naming the caller.
    const me = await t.db('users').where({ username: 'operator' }).first('operator_id');
    ownCallId = await makeCall(t.db, { operatorId: me.operator_id });
    await insertReturningId(t.db, 'call_cards', { call_id: ownCallId, xml: CARD, fields: JSON.stringify({ cardNumber: '112-77', callerName: 'Zulfiya Ergasheva', callerPhone: '+998 90 765 43 21' }), completeness: 0.25, missing_fields: '[]', created_at: new Date().toISOString() });
  });
  after(() => t.close());

  const audited = (action: string, userId?: number) => t.db('audit_log').where({ action }).modify((q) => (userId ? q.where({ user_id: userId }) : q));
  const idOf = async (username: string) => Number((await t.db('users').where({ username }).first('id')).id);

  it("an operator sees their own call without the caller's name or number; a specialist sees both", async () => {
    const mine = await agents.operator.agent.get(`/calls/${ownCallId}`);
    expect(mine.status).to.equal(200);
    expect(mine.text).not.to.contain('Zulfiya');
    expect(mine.text).not.to.contain('765 43');
    const specialist = await agents.specialist.agent.get(`/calls/${ownCallId}`);
    expect(specialist.text).to.contain('Zulfiya Ergasheva');
  });

  it("reading a call page with the caller's number or card is audited; an operator's masked view is not", async () => {
    const specialistId = await idOf('specialist');
    const operatorId = await idOf('operator');
    const before = (await audited('call.viewPersonal', specialistId)).length;
    await agents.specialist.agent.get(`/calls/${ownCallId}`);
    const rows = await audited('call.viewPersonal', specialistId);
    expect(rows.length).to.equal(before + 1);
    expect(rows.at(-1).entity_id).to.equal(String(ownCallId));
    await agents.operator.agent.get(`/calls/${ownCallId}`);
    expect(await audited('call.viewPersonal', operatorId)).to.have.length(0);
  });

  it('every page and download a signed-in user gets is sent with Cache-Control: no-store (also the ones added later)', async () => {
    const wrong: string[] = [];
    // Static files, the health check and the waveform peaks (no personal data) may be cached.
    const mayCache = (p: string) => p.startsWith('/vendor/') || p === '/healthz' || /\/peaks(-overview)?(\.dat)?$/.test(p);
    for (const route of listRoutes(t.app).filter((r) => r.method === 'GET' && !mayCache(r.path))) {
      for (const [role, { agent }] of Object.entries(agents)) {
        const url = concretePath(route.path);
        const res = STREAMING_PATHS.has(route.path) ? await headersOnly(agent.get(url)) : await agent.get(url);
        if (res.status < 400 && !String(res.headers['cache-control']).includes('no-store')) wrong.push(`${route.path} as ${role}: ${res.headers['cache-control']}`);
      }
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    // The routes this promise matters most for really answered (not only refusals).
    for (const url of ['/calls', '/reports', '/reports/export.xlsx', '/reports/operators.csv', '/digests/1', '/digests/1/export.xlsx', '/admin/imports/1/rejected.csv']) {
      const res = await agents.admin.agent.get(url);
      expect(res.status, url).to.equal(200);
      expect(res.headers['cache-control'], url).to.contain('no-store');
    }
  });

  it('digest and rejected.csv downloads, training material downloads and audit-log views are audited', async () => {
    const admin = await idOf('admin');
    const supervisor = await idOf('supervisor');
    const before = (await audited('digest.download', admin)).length;
    expect((await agents.admin.agent.get('/digests/2/export.xlsx')).status).to.equal(200);
    const downloads0 = await audited('digest.download', admin);
    expect(downloads0).to.have.length(before + 1);
    expect(downloads0.at(-1).entity_id).to.equal('2');
    const csvBefore = (await audited('import.rejectedDownload', admin)).length;
    expect((await agents.admin.agent.get('/admin/imports/1/rejected.csv')).status).to.equal(200);
    expect(await audited('import.rejectedDownload', admin)).to.have.length(csvBefore + 1);
    const material = await t.db('training_materials').whereNull('removed_at').first('id', 'training_id');
    expect((await agents.supervisor.agent.get(`/training/${material.training_id}/materials/${material.id}`)).status).to.equal(200);
    const downloads = await audited('training.materialDownload', supervisor);
    expect(JSON.parse(downloads.at(-1).details)).to.deep.equal({ materialId: material.id });
    const views = (await audited('audit.view', admin)).length;
    await agents.admin.agent.get('/admin/audit');
    expect(await audited('audit.view', admin)).to.have.length(views + 1);
  });

  it("leadership's workbook has no call-level sheet and its evaluations CSV does not exist; a supervisor keeps both", async () => {
    const sheetsOf = async (agent: Agent) => {
      const res = await agent.get('/reports/export.xlsx').buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(res.status).to.equal(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as unknown as ArrayBuffer);
      return { names: wb.worksheets.map((w) => w.name), text: wb.worksheets.map((w) => w.getSheetValues().flat(2).join('|')).join('\n') };
    };
    const leadership = await sheetsOf(agents.leadership.agent);
    const supervisor = await sheetsOf(agents.supervisor.agent);
    expect(supervisor.names.length).to.equal(leadership.names.length + 1);
    const callLevel = supervisor.names.find((n) => !leadership.names.includes(n))!;
    expect(callLevel).to.match(/Baholash|Evaluat|Оцен/i);
    expect(leadership.text).not.to.match(/suicide|suitsid|суицид/i);
    expect((await agents.leadership.agent.get('/reports/evaluations.csv')).status).to.equal(404);
    expect((await agents.supervisor.agent.get('/reports/evaluations.csv')).status).to.equal(200);
    expect((await agents.leadership.agent.get('/reports/operators.csv')).status).to.equal(200);
  });
});

describe('sessions end when the account changes', function () {
  this.timeout(30_000);
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  before(async () => {
    t = await createTestApp();
    const a = await makeUser(t.db, { role: 'admin' });
    admin = await signIn(t.app, a.username, a.password);
  });
  after(() => t.close());

  async function twoDevices(role: 'specialist' | 'supervisor' = 'specialist') {
    const u = await makeUser(t.db, { role });
    const laptop = await signIn(t.app, u.username, u.password);
    const desktop = await signIn(t.app, u.username, u.password);
    return { u, devices: [laptop.agent, desktop.agent] };
  }
  const signedOut = async (agent: Agent) => {
    const res = await agent.get('/calls');
    return res.status === 302 && String(res.headers.location).startsWith('/login');
  };

  it('a password reset by an administrator signs the user out on every device, and nobody else', async () => {
    const { u, devices } = await twoDevices();
    const bystander = await twoDevices();
    const res = await admin.agent.post(`/admin/users/${u.id}/password`).type('form').send({ _csrf: await admin.csrf(), password: 'a-brand-new-password' });
    expect(res.status).to.equal(302);
    for (const d of devices) expect(await signedOut(d)).to.equal(true);
    for (const d of bystander.devices) expect(await signedOut(d)).to.equal(false);
    expect(await signedOut(admin.agent)).to.equal(false);
    const row = await t.db('audit_log').where({ action: 'user.passwordReset', entity_id: String(u.id) }).first();
    expect(JSON.parse(row.details)).to.deep.equal({ sessionsEnded: 2 });
  });

  it('an administrator resetting their own password keeps the session they did it from', async () => {
    const me = await t.db('users').where({ role: 'admin' }).first('id');
    const res = await admin.agent.post(`/admin/users/${me.id}/password`).type('form').send({ _csrf: await admin.csrf(), password: 'admins-new-password' });
    expect(res.status).to.equal(302);
    expect(await signedOut(admin.agent)).to.equal(false);
  });

  for (const change of ['a role change', 'a deactivation'] as const) {
    it(`${change} signs the user out everywhere`, async () => {
      const { u, devices } = await twoDevices('supervisor');
      const form = { _csrf: await admin.csrf(), displayName: 'Changed', email: '', role: change === 'a role change' ? 'specialist' : 'supervisor', language: 'en', isActive: change === 'a deactivation' ? '0' : '1' };
      const res = await admin.agent.post(`/admin/users/${u.id}`).type('form').send(form);
      expect(res.status).to.equal(302);
      for (const d of devices) expect(await signedOut(d)).to.equal(true);
    });
  }

  it('changing only the display name leaves the sessions alone', async () => {
    const { u, devices } = await twoDevices();
    await admin.agent.post(`/admin/users/${u.id}`).type('form').send({ _csrf: await admin.csrf(), displayName: 'New Name', email: '', role: 'specialist', language: 'en', isActive: '1' });
    for (const d of devices) expect(await signedOut(d)).to.equal(false);
  });
});
