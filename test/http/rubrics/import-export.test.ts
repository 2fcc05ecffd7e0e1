import { expect } from 'chai';
import type { TestApp } from '../../helpers/app';
import { makeRubric, rubricCount, rubricsApp, signedIn, smallDefinition, storedVersion, textOf, type SignedIn } from './rubric-helpers';
import { rubricJsonExport } from '../../../src/features/rubrics/rubric.model';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';

describe('exporting and importing rubric files', () => {
  let t: TestApp;
  let admin: SignedIn;

  before(async () => {
    t = await rubricsApp();
    admin = await signedIn(t, 'admin');
  });
  after(() => t.close());

  async function upload(text: string | Buffer, fields: Record<string, string> = {}, fileName = 'rubric.json') {
    const req = admin.agent.post('/rubrics/import').field('_csrf', await admin.csrf());
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req.attach('file', Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), fileName);
  }

  async function versionCount(): Promise<number> {
    const r = await t.db('rubric_versions').count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  it('exports a version as a JSON download that imports back into an identical draft', async () => {
    const { rubricId, versionId } = await makeRubric(t, admin.userId, { name: 'Round trip', callCategory: 'road', publish: true });
    const res = await admin.agent.get(`/rubrics/${rubricId}/versions/${versionId}/export`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['content-disposition']).to.equal('attachment; filename="round-trip-v1.json"');
    const file = JSON.parse(res.text);
    expect(file).to.include({ format: 'sifat.rubric', formatVersion: 1 });
    expect(file.rubric).to.deep.include({ name: 'Round trip', callCategory: 'road', versionNo: 1 });
    expect(file.definition).to.deep.equal((await storedVersion(t, versionId)).definition);

    const imported = await upload(res.text, { name: 'Round trip (imported)' });
    expect(imported.status).to.equal(302);
    const m = /^\/rubrics\/(\d+)\/versions\/(\d+)\/edit$/.exec(imported.headers.location)!;
    const rubric = await t.db('rubrics').where({ id: Number(m[1]) }).first();
    expect(rubric.name).to.equal('Round trip (imported)');
    // "road" is taken by the original, so the import is left without a category and says so.
    expect(rubric.call_category).to.equal(null);
    const page = await admin.agent.get(imported.headers.location);
    expect(textOf(page.text)).to.contain('Rubric "Round trip (imported)" imported as a draft.').and.contain('Category "road" already has a rubric');
    const draft = await storedVersion(t, Number(m[2]));
    expect(draft.status).to.equal('draft');
    expect(draft.definition).to.deep.equal(file.definition);
  });

  it('imports the name and category from the file when the form gives none', async () => {
    const text = rubricJsonExport({ name: 'From the file', callCategory: 'gas' }, smallDefinition());
    const res = await upload(text);
    expect(res.status).to.equal(302);
    const rubric = await t.db('rubrics').where({ name: 'From the file' }).first();
    expect(rubric.call_category).to.equal('gas');
    expect(Boolean(rubric.is_default)).to.equal(false);
  });

  it('imports JSON pasted into the form, and a UTF-16 file from Windows Notepad', async () => {
    const pasted = await admin.agent.post('/rubrics/import').field('_csrf', await admin.csrf()).field('name', 'Pasted').field('json', JSON.stringify(smallDefinition()));
    expect(pasted.status).to.equal(302);
    expect(await t.db('rubrics').where({ name: 'Pasted' }).first()).to.exist;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rubricJsonExport({ name: "Qo'ng'iroq — UTF-16" }, defaultRubricDefinition()), 'utf16le')]);
    const res = await upload(utf16);
    expect(res.status).to.equal(302);
    expect(await t.db('rubrics').where({ name: "Qo'ng'iroq — UTF-16" }).first()).to.exist;
  });

  it('a malformed JSON file is refused with a clear error and its line, and nothing is stored', async () => {
    const before = { rubrics: await rubricCount(t), versions: await versionCount() };
    const res = await upload('{\n  "format": "sifat.rubric",\n  "definition": { "sections": [ }\n}', {}, 'broken.json');
    expect(res.status).to.equal(400);
    const text = textOf(res.text);
    expect(text).to.contain('The rubric was not imported; nothing was stored.').and.contain('The file is not valid JSON.').and.contain('line 3');
    expect(text).to.contain('File: broken.json');
    expect({ rubrics: await rubricCount(t), versions: await versionCount() }).to.deep.equal(before);
  });

  it('a rubric file with several problems lists each with where it is, and nothing is stored', async () => {
    const file = JSON.parse(rubricJsonExport({ name: 'Broken' }, smallDefinition()));
    file.definition.sections[0].criteria[1].code = 'OPEN-1'; // duplicate
    file.definition.sections[1].criteria[0].points = 0; // invalid points
    delete file.definition.sections[1].criteria[0].text.ru; // missing Russian
    const before = { rubrics: await rubricCount(t), versions: await versionCount() };
    const res = await upload(JSON.stringify(file));
    expect(res.status).to.equal(400);
    const text = textOf(res.text);
    expect(text).to.contain('Section 1 › criterion OPEN-1 › Code: Code OPEN-1 is already used by another criterion. definition.sections.0.criteria.1.code');
    expect(text).to.contain('Section 2 › criterion ROUTE-1 › Points: Points must be a number above zero. definition.sections.1.criteria.0.points');
    expect(text).to.contain('Section 2 › criterion ROUTE-1 › Criterion (Русский): Enter the text in every language. definition.sections.1.criteria.0.text.ru');
    expect({ rubrics: await rubricCount(t), versions: await versionCount() }).to.deep.equal(before);
  });

  it('refuses a file that is not a rubric, one from a newer format, an empty one, and no file at all', async () => {
    const before = await rubricCount(t);
    const cases: [string, string][] = [
      ['{"hello": "world"}', 'This is not a Sifat rubric file.'],
      [JSON.stringify({ format: 'sifat.rubric', formatVersion: 9, definition: smallDefinition() }), "The file's format version (9) is not supported"],
      ['   ', 'Choose a file or paste the JSON text.'],
    ];
    for (const [body, message] of cases) {
      const res = await upload(body);
      expect(res.status, message).to.equal(400);
      expect(textOf(res.text)).to.contain(message);
    }
    const nothing = await admin.agent.post('/rubrics/import').field('_csrf', await admin.csrf());
    expect(nothing.status).to.equal(400);
    expect(textOf(nothing.text)).to.contain('Choose a file or paste the JSON text.');
    expect(await rubricCount(t)).to.equal(before);
  });

  it('a bare definition without a name asks for one, and nothing is stored', async () => {
    const before = await rubricCount(t);
    const res = await upload(JSON.stringify(smallDefinition()));
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.contain('The file has no rubric name: enter one.');
    expect(await rubricCount(t)).to.equal(before);
  });

  it('refuses a file above the upload limit before reading it', async () => {
    const before = await rubricCount(t);
    const res = await upload(Buffer.alloc(5 * 1024 * 1024, 0x20));
    expect(res.status).to.equal(413);
    expect(await rubricCount(t)).to.equal(before);
  });
});
