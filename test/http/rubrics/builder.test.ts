import { expect } from 'chai';
import type { TestApp } from '../../helpers/app';
import { makeCall } from '../../helpers/builders';
import { insertReturningId } from '../../../src/db';
import { makeRubric, rubricCount, rubricsApp, signedIn, storedVersion, textOf, type SignedIn } from './rubric-helpers';

const criterionForm = (over: Record<string, string> = {}) => ({
  code: 'INFO-1',
  'text[uz]': "Hodisa mohiyati aniqlandi", 'text[ru]': 'Установлен характер происшествия', 'text[en]': 'Nature of the incident established',
  'guidance[uz]': '', 'guidance[ru]': '', 'guidance[en]': '',
  points: '5', answerType: 'yesno', scaleMax: '3', errorCategory: 'information', defaultSeverity: 'major', standardRef: 'A1.01.3',
  ...over,
});

const sectionForm = (over: Record<string, string> = {}) => ({ key: '', 'title[uz]': "Ma'lumot", 'title[ru]': 'Сбор информации', 'title[en]': 'Information', ...over });

describe('building a rubric in the browser', () => {
  let t: TestApp;
  let admin: SignedIn;

  before(async () => {
    t = await rubricsApp();
    admin = await signedIn(t, 'admin');
  });
  after(() => t.close());

  async function post(path: string, body: Record<string, string> = {}) {
    return admin.agent.post(path).type('form').send({ ...body, _csrf: await admin.csrf() });
  }

  async function newDraft(name = `Draft ${Math.random().toString(36).slice(2, 7)}`) {
    const res = await post('/rubrics', { name, description: 'For tests', callCategory: '' });
    expect(res.status).to.equal(302);
    const m = /^\/rubrics\/(\d+)\/versions\/(\d+)\/edit$/.exec(res.headers.location);
    expect(m, res.headers.location).to.exist;
    return { rubricId: Number(m![1]), versionId: Number(m![2]), base: `/rubrics/${m![1]}/versions/${m![2]}` };
  }

  it('a new rubric starts as an empty draft v1 whose builder says what to do first', async () => {
    const d = await newDraft('Medical calls');
    const v = await storedVersion(t, d.versionId);
    expect(v).to.include({ status: 'draft', version_no: 1 });
    expect(v.definition).to.deep.equal({ sections: [] });
    const page = await admin.agent.get(`${d.base}/edit`);
    expect(page.status).to.equal(200);
    expect(textOf(page.text)).to.contain('This draft is empty').and.contain('The rubric has no criteria.');
  });

  it('a new rubric without a name is refused with a field error and nothing is stored', async () => {
    const count = await rubricCount(t);
    const res = await post('/rubrics', { name: '  ', callCategory: '' });
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.contain("Enter the rubric's name.");
    expect(await rubricCount(t)).to.equal(count);
  });

  it('adds a section (key made from the title) and criteria, each stored in the draft in order', async () => {
    const d = await newDraft();
    const s = await post(`${d.base}/sections`, sectionForm());
    expect(s.status).to.equal(302);
    expect(s.headers.location).to.equal(`${d.base}/edit#s-information`);
    expect((await post(`${d.base}/sections/information/criteria`, criterionForm())).status).to.equal(302);
    const c2 = await post(`${d.base}/sections/information/criteria`, criterionForm({ code: 'info-2', points: '2,5', answerType: 'scale', scaleMax: '4', naAllowed: '1' }));
    expect(c2.headers.location).to.equal(`${d.base}/edit#c-INFO-2`);
    const def = (await storedVersion(t, d.versionId)).definition;
    expect(def.sections.map((x) => x.key)).to.deep.equal(['information']);
    expect(def.sections[0].criteria.map((c) => c.code)).to.deep.equal(['INFO-1', 'INFO-2']);
    expect(def.sections[0].criteria[1]).to.include({ points: 2.5, answerType: 'scale', scaleMax: 4, naAllowed: true, critical: false });
    const page = await admin.agent.get(`${d.base}/edit`);
    expect(textOf(page.text)).to.contain('Criterion INFO-2 added.').and.contain('Nature of the incident established');
  });

  describe('bad input is refused with a clear message and changes nothing', () => {
    let d: Awaited<ReturnType<typeof newDraft>>;
    let before: unknown;
    beforeEach(async () => {
      d = await newDraft();
      await post(`${d.base}/sections`, sectionForm());
      await post(`${d.base}/sections/information/criteria`, criterionForm());
      before = (await storedVersion(t, d.versionId)).definition;
    });
    afterEach(async () => {
      expect((await storedVersion(t, d.versionId)).definition).to.deep.equal(before);
    });

    it('a code already used in the draft', async () => {
      const res = await post(`${d.base}/sections/information/criteria`, criterionForm({ 'text[en]': 'Something else' }));
      expect(res.status).to.equal(400);
      expect(textOf(res.text)).to.contain('Code INFO-1 is already used by another criterion.');
      expect(res.text).to.contain('>Something else</textarea>'); // what was typed is kept
      expect(res.text).to.match(/id="f-code"[^>]*aria-invalid="true"/);
    });

    for (const [points, message] of [['0', 'Points must be a number above zero.'], ['-3', 'Points must be a number above zero.'], ['abc', 'Points must be a number above zero.'], ['1.234', 'Points may have at most 2 decimals.'], ['5000', 'Points cannot be above 1000.'], ['', 'This is required.']]) {
      it(`points of "${points}"`, async () => {
        const res = await post(`${d.base}/sections/information/criteria`, criterionForm({ code: 'INFO-9', points }));
        expect(res.status).to.equal(400);
        expect(textOf(res.text)).to.contain(message);
        expect(res.text).to.match(/id="f-points"[^>]*aria-invalid="true"/);
      });
    }

    it('a text missing in Russian, shown on the Russian field', async () => {
      const res = await post(`${d.base}/sections/information/criteria`, criterionForm({ code: 'INFO-9', 'text[ru]': ' ' }));
      expect(res.status).to.equal(400);
      expect(res.text).to.match(/id="f-text-ru-"[^>]*aria-invalid="true"/);
      expect(textOf(res.text)).to.contain('Enter the text in every language.');
    });

    it('a critical criterion with a minor severity, and a bad code', async () => {
      const res = await post(`${d.base}/sections/information/criteria`, criterionForm({ code: 'info 9', critical: '1', defaultSeverity: 'minor' }));
      expect(res.status).to.equal(400);
      const text = textOf(res.text);
      expect(text).to.contain('A critical criterion must have the severity "critical".').and.contain('The code must be capital Latin letters');
    });

    it('a section key used by another section', async () => {
      const res = await post(`${d.base}/sections`, sectionForm({ key: 'information' }));
      expect(res.status).to.equal(400);
      expect(textOf(res.text)).to.contain('Another section already has the key "information".');
    });

    it('an edit of a criterion that is not in the draft', async () => {
      const res = await post(`${d.base}/criteria/NOPE-1`, criterionForm({ code: 'NOPE-1' }));
      expect(res.status).to.equal(404);
      expect(textOf(res.text)).to.contain('That section or criterion is no longer in the draft.');
    });

    it('a move that names no direction', async () => {
      const res = await post(`${d.base}/criteria/INFO-1/move`, { direction: 'sideways' });
      expect(res.status).to.equal(400);
    });
  });

  it('edits, reorders and removes criteria and sections', async () => {
    const d = await newDraft();
    await post(`${d.base}/sections`, sectionForm({ key: 'a', 'title[en]': 'A' }));
    await post(`${d.base}/sections`, sectionForm({ key: 'b', 'title[en]': 'B' }));
    for (const code of ['A-1', 'A-2']) await post(`${d.base}/sections/a/criteria`, criterionForm({ code }));
    await post(`${d.base}/sections/b/criteria`, criterionForm({ code: 'B-1' }));
    const codes = async () => (await storedVersion(t, d.versionId)).definition.sections.map((s) => `${s.key}:${s.criteria.map((c) => c.code).join(',')}`);

    expect((await post(`${d.base}/criteria/A-2/move`, { direction: 'up' })).headers.location).to.equal(`${d.base}/edit#c-A-2`);
    expect(await codes()).to.deep.equal(['a:A-2,A-1', 'b:B-1']);
    await post(`${d.base}/criteria/A-1/move`, { direction: 'down' });
    expect(await codes()).to.deep.equal(['a:A-2', 'b:A-1,B-1']);
    await post(`${d.base}/sections/b/move`, { direction: 'up' });
    expect(await codes()).to.deep.equal(['b:A-1,B-1', 'a:A-2']);

    // The browser's drag and drop sends a target section and place, and asks for JSON.
    const dragged = await admin.agent.post(`${d.base}/criteria/B-1/move`).set('accept', 'application/json').set('x-csrf-token', await admin.csrf()).type('form').send({ toSection: 'a', toIndex: '1' });
    expect(dragged.status).to.equal(200);
    expect(dragged.body).to.deep.equal({ ok: true, redirect: `${d.base}/edit#c-B-1` });
    expect(await codes()).to.deep.equal(['b:A-1', 'a:A-2,B-1']);

    const edit = await post(`${d.base}/criteria/A-2`, criterionForm({ code: 'A-2', points: '7', 'text[en]': 'Reworded' }));
    expect(edit.status).to.equal(302);
    const a2 = (await storedVersion(t, d.versionId)).definition.sections[1].criteria[0];
    expect(a2).to.include({ code: 'A-2', points: 7 });
    expect(a2.text.en).to.equal('Reworded');

    const renamed = await post(`${d.base}/sections/a`, sectionForm({ key: 'alpha', 'title[en]': 'Alpha' }));
    expect(renamed.headers.location).to.equal(`${d.base}/edit#s-alpha`);
    await post(`${d.base}/criteria/A-1/delete`);
    expect(await codes()).to.deep.equal(['b:', 'alpha:A-2,B-1']);
    await post(`${d.base}/sections/b/delete`);
    expect(await codes()).to.deep.equal(['alpha:A-2,B-1']);
  });

  it('publishing an empty draft is refused with the reason, and the draft stays a draft', async () => {
    const d = await newDraft();
    const res = await post(`${d.base}/publish`);
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.contain('This draft cannot be published yet.').and.contain('The rubric has no criteria.');
    const v = await storedVersion(t, d.versionId);
    expect(v.status).to.equal('draft');
    expect(v.published_at).to.equal(null);
  });

  it('publishing a draft with an empty section is refused, naming the section', async () => {
    const d = await newDraft();
    await post(`${d.base}/sections`, sectionForm({ key: 'a' }));
    await post(`${d.base}/sections/a/criteria`, criterionForm({ code: 'A-1' }));
    await post(`${d.base}/sections`, sectionForm({ key: 'b' }));
    const res = await post(`${d.base}/publish`);
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.contain('Section 2').and.contain('This section has no criteria.');
    expect((await storedVersion(t, d.versionId)).status).to.equal('draft');
  });

  it('publishing freezes the version, retires the one before, and evaluations keep theirs', async () => {
    const { rubricId, versionId: v1 } = await makeRubric(t, admin.userId, { publish: true });
    const v1Before = await storedVersion(t, v1);
    // An evaluation scored on v1.
    const callId = await makeCall(t.db);
    const now = new Date().toISOString();
    const evaluationId = await insertReturningId(t.db, 'evaluations', { call_id: callId, rubric_version_id: v1, specialist_user_id: admin.userId, status: 'submitted', started_at: now, created_at: now, updated_at: now });

    const opened = await post(`/rubrics/${rubricId}/draft`);
    const v2 = Number(/versions\/(\d+)\/edit/.exec(opened.headers.location)![1]);
    expect(v2).not.to.equal(v1);
    expect((await storedVersion(t, v2)).definition).to.deep.equal(v1Before.definition);
    // Asking again opens the same draft rather than a second one.
    expect((await post(`/rubrics/${rubricId}/draft`)).headers.location).to.equal(`/rubrics/${rubricId}/versions/${v2}/edit`);

    await post(`/rubrics/${rubricId}/versions/${v2}/sections/section-1/criteria`, criterionForm({ code: 'OPEN-3' }));
    const published = await post(`/rubrics/${rubricId}/versions/${v2}/publish`);
    expect(published.status).to.equal(302);
    expect(published.headers.location).to.equal(`/rubrics/${rubricId}`);
    const page = await admin.agent.get(published.headers.location);
    expect(textOf(page.text)).to.contain('Version 2 is published and version 1 is retired.');

    const after1 = await storedVersion(t, v1);
    expect(after1.status).to.equal('retired');
    expect(after1.definition).to.deep.equal(v1Before.definition);
    expect((await storedVersion(t, v2))).to.include({ status: 'published' });
    expect((await t.db('evaluations').where({ id: evaluationId }).first()).rubric_version_id).to.equal(v1);
    expect(textOf(page.text)).to.match(/v1 Retired .* 1 /); // the versions table counts v1's evaluation
  });

  it('editing a published version is refused with a clear page and changes nothing', async () => {
    const { rubricId, versionId } = await makeRubric(t, admin.userId, { publish: true });
    const before = await storedVersion(t, versionId);
    const base = `/rubrics/${rubricId}/versions/${versionId}`;
    const attempts = [
      post(`${base}/sections/section-1/criteria`, criterionForm({ code: 'NEW-1' })),
      post(`${base}/criteria/OPEN-1`, criterionForm({ code: 'OPEN-1', points: '9' })),
      post(`${base}/criteria/OPEN-1/delete`),
      post(`${base}/criteria/OPEN-1/move`, { direction: 'down' }),
      post(`${base}/sections/section-1/delete`),
      post(`${base}/publish`),
      post(`${base}/discard`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).to.equal(409);
      expect(textOf(res.text)).to.contain('This version cannot be changed').and.contain('Version 1 is published or retired and is frozen');
    }
    const json = await admin.agent.post(`${base}/criteria/OPEN-1/delete`).set('accept', 'application/json').set('x-csrf-token', await admin.csrf());
    expect(json.status).to.equal(409);
    expect(json.body.error.key).to.equal('rubrics.builder.notDraft');
    const after = await storedVersion(t, versionId);
    expect(after.definition).to.deep.equal(before.definition);
    expect(after.status).to.equal('published');
    expect(after.updated_at).to.equal(before.updated_at);
    // The builder of a published version sends the reader to the read-only page.
    const builder = await admin.agent.get(`${base}/edit`);
    expect(builder.status).to.equal(302);
    expect(builder.headers.location).to.equal(base);
    expect((await admin.agent.get(`${base}/criteria/OPEN-1/edit`)).status).to.equal(409);
  });

  it('a code used by an earlier version cannot be renamed in the new draft', async () => {
    const { rubricId } = await makeRubric(t, admin.userId, { publish: true });
    const opened = await post(`/rubrics/${rubricId}/draft`);
    const base = opened.headers.location.replace(/\/edit$/, '');
    const versionId = Number(/versions\/(\d+)/.exec(base)![1]);
    const before = (await storedVersion(t, versionId)).definition;
    const form = await admin.agent.get(`${base}/criteria/OPEN-1/edit`);
    expect(form.text).to.match(/name="code" value="OPEN-1" readonly/);
    const res = await post(`${base}/criteria/OPEN-1`, criterionForm({ code: 'OPEN-9' }));
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.contain('Code OPEN-1 is used by earlier versions of this rubric and cannot be renamed.');
    expect((await storedVersion(t, versionId)).definition).to.deep.equal(before);
  });

  it('discarding a draft deletes it and leaves the published version in use', async () => {
    const { rubricId, versionId } = await makeRubric(t, admin.userId, { publish: true });
    const opened = await post(`/rubrics/${rubricId}/draft`);
    const draftId = Number(/versions\/(\d+)\/edit/.exec(opened.headers.location)![1]);
    const res = await post(`/rubrics/${rubricId}/versions/${draftId}/discard`);
    expect(res.status).to.equal(302);
    expect(await t.db('rubric_versions').where({ id: draftId }).first()).to.equal(undefined);
    expect((await storedVersion(t, versionId)).status).to.equal('published');
  });

  it('copies a rubric into a new draft rubric that is not the default and has no category', async () => {
    const { rubricId, versionId } = await makeRubric(t, admin.userId, { name: 'Original', callCategory: 'fire', publish: true });
    const res = await post(`/rubrics/${rubricId}/copy`);
    expect(res.status).to.equal(302);
    const m = /^\/rubrics\/(\d+)\/versions\/(\d+)\/edit$/.exec(res.headers.location)!;
    const copy = await t.db('rubrics').where({ id: Number(m[1]) }).first();
    expect(copy.name).to.equal('Original (copy)');
    expect(copy.call_category).to.equal(null);
    expect(Boolean(copy.is_default)).to.equal(false);
    const draft = await storedVersion(t, Number(m[2]));
    expect(draft.status).to.equal('draft');
    expect(draft.definition).to.deep.equal((await storedVersion(t, versionId)).definition);
  });

  describe('rubric settings', () => {
    it('refuses a call category another rubric already has, and keeps the form input', async () => {
      await makeRubric(t, admin.userId, { name: 'Fire calls', callCategory: 'fire-2' });
      const { rubricId } = await makeRubric(t, admin.userId, { name: 'Other' });
      const res = await post(`/rubrics/${rubricId}`, { name: 'Other renamed', callCategory: 'fire-2', description: '' });
      expect(res.status).to.equal(400);
      expect(textOf(res.text)).to.contain('Calls of category "fire-2" already use the rubric "Fire calls".');
      expect(res.text).to.contain('value="Other renamed"');
      expect((await t.db('rubrics').where({ id: rubricId }).first())).to.include({ name: 'Other', call_category: null });
    });

    it('makes a published rubric the default, taking the flag from the old one; the default flag cannot just be removed', async () => {
      const oldDefault = await t.db('rubrics').where({ is_default: true }).first();
      const draftOnly = await makeRubric(t, admin.userId, { name: 'Unpublished' });
      const refused = await post(`/rubrics/${draftOnly.rubricId}`, { name: 'Unpublished', callCategory: '', isDefault: '1' });
      expect(refused.status).to.equal(400);
      expect(textOf(refused.text)).to.contain('Only a rubric with a published version can be the default.');

      const { rubricId } = await makeRubric(t, admin.userId, { name: 'New default', publish: true });
      expect((await post(`/rubrics/${rubricId}`, { name: 'New default', callCategory: '', isDefault: '1' })).status).to.equal(302);
      const defaults = await t.db('rubrics').where({ is_default: true }).select('id');
      expect(defaults.map((r) => Number(r.id))).to.deep.equal([rubricId]);

      const unset = await post(`/rubrics/${rubricId}`, { name: 'New default', callCategory: '' });
      expect(unset.status).to.equal(400);
      expect(textOf(unset.text)).to.contain('There must always be a default rubric');
      // Give the flag back so other tests see the seeded default.
      await post(`/rubrics/${oldDefault.id}`, { name: oldDefault.name, description: oldDefault.description ?? '', callCategory: '', isDefault: '1' });
      expect(Boolean((await t.db('rubrics').where({ id: oldDefault.id }).first()).is_default)).to.equal(true);
    });
  });
});
