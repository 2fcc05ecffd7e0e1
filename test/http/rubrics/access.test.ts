import { expect } from 'chai';
import request from 'supertest';
import type { TestApp } from '../../helpers/app';
import type { Role } from '../../../src/auth/roles';
import { makeRubric, rubricCount, rubricsApp, signedIn, storedVersion, type SignedIn } from './rubric-helpers';

describe('who may open the rubric pages and use their actions', () => {
  let t: TestApp;
  const as: Partial<Record<Role, SignedIn>> = {};
  let published: { rubricId: number; versionId: number };
  let draftOnly: { rubricId: number; versionId: number };
  let draftOfPublished: number;

  before(async () => {
    t = await rubricsApp();
    for (const role of ['admin', 'specialist', 'supervisor', 'leadership', 'operator'] as const) as[role] = await signedIn(t, role);
    published = await makeRubric(t, as.admin!.userId, { name: 'Published rubric', publish: true });
    draftOnly = await makeRubric(t, as.admin!.userId, { name: 'Draft-only rubric' });
    const opened = await as.admin!.agent.post(`/rubrics/${published.rubricId}/draft`).type('form').send({ _csrf: await as.admin!.csrf() });
    draftOfPublished = Number(/versions\/(\d+)\/edit/.exec(opened.headers.location)![1]);
  });
  after(() => t.close());

  const viewers = ['admin', 'specialist', 'supervisor'] as const;
  const refused = ['leadership', 'operator'] as const;

  it('the rubric list: admin, specialist and supervisor; leadership and operators get 403; strangers go to sign in', async () => {
    for (const role of viewers) expect((await as[role]!.agent.get('/rubrics')).status, role).to.equal(200);
    for (const role of refused) expect((await as[role]!.agent.get('/rubrics')).status, role).to.equal(403);
    const anonymous = await request(t.app).get('/rubrics');
    expect(anonymous.status).to.equal(302);
    expect(anonymous.headers.location).to.equal('/login?next=%2Frubrics');
  });

  it('specialists and supervisors see published rubrics read-only: no drafts, no admin buttons', async () => {
    for (const role of ['specialist', 'supervisor'] as const) {
      const list = await as[role]!.agent.get('/rubrics');
      expect(list.text).to.contain('Published rubric').and.not.contain('Draft-only rubric');
      expect(list.text).not.to.contain('/rubrics/new').and.not.contain('/edit"');
      const page = await as[role]!.agent.get(`/rubrics/${published.rubricId}`);
      expect(page.status).to.equal(200);
      expect(page.text).not.to.contain('/settings').and.not.contain('/copy').and.not.contain('/export');
      expect((await as[role]!.agent.get(`/rubrics/${draftOnly.rubricId}`)).status, 'a rubric with nothing published').to.equal(404);
    }
  });

  it('a published version and its preview: admin, specialist and supervisor; not leadership', async () => {
    const base = `/rubrics/${published.rubricId}/versions/${published.versionId}`;
    for (const path of [base, `${base}/preview`, `/rubrics/${published.rubricId}`]) {
      for (const role of viewers) expect((await as[role]!.agent.get(path)).status, `${role} ${path}`).to.equal(200);
      for (const role of refused) expect((await as[role]!.agent.get(path)).status, `${role} ${path}`).to.equal(403);
    }
  });

  it('a draft version is for administrators only', async () => {
    const base = `/rubrics/${published.rubricId}/versions/${draftOfPublished}`;
    for (const path of [base, `${base}/preview`]) {
      expect((await as.admin!.agent.get(path)).status).to.equal(200);
      for (const role of ['specialist', 'supervisor', 'leadership'] as const) expect((await as[role]!.agent.get(path)).status, `${role} ${path}`).to.equal(403);
    }
  });

  it('every management page answers the administrator and refuses everyone else with 403', async () => {
    const d = `/rubrics/${published.rubricId}/versions/${draftOfPublished}`;
    const pages = [
      '/rubrics/new', '/rubrics/import', `/rubrics/${published.rubricId}/settings`,
      `${d}/edit`, `${d}/sections/new`, `${d}/sections/section-1/edit`, `${d}/sections/section-1/criteria/new`, `${d}/criteria/OPEN-1/edit`,
      `/rubrics/${published.rubricId}/versions/${published.versionId}/export`,
    ];
    for (const path of pages) {
      expect((await as.admin!.agent.get(path)).status, `admin ${path}`).to.equal(200);
      for (const role of ['specialist', 'supervisor', 'leadership', 'operator'] as const) expect((await as[role]!.agent.get(path)).status, `${role} ${path}`).to.equal(403);
    }
  });

  it('every action refuses non-administrators with 403 and changes nothing', async () => {
    const d = `/rubrics/${published.rubricId}/versions/${draftOfPublished}`;
    const actions: [string, Record<string, string>][] = [
      ['/rubrics', { name: 'Sneaky' }],
      [`/rubrics/${published.rubricId}`, { name: 'Renamed' }],
      [`/rubrics/${published.rubricId}/copy`, {}],
      [`/rubrics/${published.rubricId}/draft`, {}],
      [`${d}/publish`, {}],
      [`${d}/discard`, {}],
      [`${d}/sections`, { 'title[uz]': 'a', 'title[ru]': 'b', 'title[en]': 'c' }],
      [`${d}/sections/section-1`, { 'title[uz]': 'a', 'title[ru]': 'b', 'title[en]': 'c' }],
      [`${d}/sections/section-1/move`, { direction: 'down' }],
      [`${d}/sections/section-1/delete`, {}],
      [`${d}/sections/section-1/criteria`, { code: 'X-1' }],
      [`${d}/criteria/OPEN-1`, { code: 'OPEN-1' }],
      [`${d}/criteria/OPEN-1/move`, { direction: 'down' }],
      [`${d}/criteria/OPEN-1/delete`, {}],
    ];
    const before = { count: await rubricCount(t), draft: (await storedVersion(t, draftOfPublished)).definition, name: (await t.db('rubrics').where({ id: published.rubricId }).first()).name };
    for (const role of ['specialist', 'supervisor', 'leadership', 'operator'] as const) {
      const csrf = await as[role]!.csrf();
      for (const [path, body] of actions) {
        const res = await as[role]!.agent.post(path).type('form').send({ ...body, _csrf: csrf });
        expect(res.status, `${role} POST ${path}`).to.equal(403);
      }
      const upload = await as[role]!.agent.post('/rubrics/import').field('_csrf', csrf).attach('file', Buffer.from('{"sections":[]}'), 'r.json');
      expect(upload.status, `${role} import`).to.equal(403);
    }
    expect(await rubricCount(t)).to.equal(before.count);
    expect((await storedVersion(t, draftOfPublished)).definition).to.deep.equal(before.draft);
    expect((await storedVersion(t, draftOfPublished)).status).to.equal('draft');
    expect((await t.db('rubrics').where({ id: published.rubricId }).first()).name).to.equal(before.name);
  });

  it('an administrator action without the CSRF token is refused and changes nothing', async () => {
    const d = `/rubrics/${published.rubricId}/versions/${draftOfPublished}`;
    const before = (await storedVersion(t, draftOfPublished)).definition;
    const count = await rubricCount(t);
    for (const [path, body] of [[`${d}/criteria/OPEN-1/delete`, {}], [`${d}/publish`, {}], ['/rubrics', { name: 'No token' }], [`/rubrics/${published.rubricId}/copy`, {}]] as const) {
      const res = await as.admin!.agent.post(path).type('form').send(body);
      expect(res.status, path).to.equal(403);
      expect(res.text).to.contain('invalid security token');
    }
    const upload = await as.admin!.agent.post('/rubrics/import').attach('file', Buffer.from('{"sections":[]}'), 'r.json');
    expect(upload.status).to.equal(403);
    expect((await storedVersion(t, draftOfPublished)).definition).to.deep.equal(before);
    expect((await storedVersion(t, draftOfPublished)).status).to.equal('draft');
    expect(await rubricCount(t)).to.equal(count);
  });

  it('shows the Rubrics menu item to admin, specialist and supervisor only', async () => {
    for (const role of viewers) expect((await as[role]!.agent.get('/')).text, role).to.match(/<a href="\/rubrics"[^>]*>Rubrics<\/a>/);
    for (const role of refused) expect((await as[role]!.agent.get('/')).text, role).not.to.contain('href="/rubrics"');
  });

  it('answers 404 for a version that belongs to another rubric or does not exist', async () => {
    expect((await as.admin!.agent.get(`/rubrics/${draftOnly.rubricId}/versions/${published.versionId}`)).status).to.equal(404);
    expect((await as.admin!.agent.get(`/rubrics/${published.rubricId}/versions/99999`)).status).to.equal(404);
    expect((await as.admin!.agent.get('/rubrics/abc')).status).to.equal(404);
  });
});
