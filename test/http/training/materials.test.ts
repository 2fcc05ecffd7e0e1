import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp, type Agent } from '../../helpers/app';
import { makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, tokenFor } from './fixtures';
import { createTraining } from '../../../src/features/training/training.service';
import { makeZip } from '../../unit/training/zip';

describe('training materials: checked by content, stored by content, downloaded under the original name', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T08:00:00Z');
  let sup: { id: number; username: string };
  let spec: { id: number; username: string };
  let trainingId: number;
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    sup = await makeUser(t.db, { role: 'supervisor' });
    spec = await makeUser(t.db, { role: 'specialist' });
    const team = await makeTeam(t.db, { supervisorUserId: sup.id });
    const op = await makeOperator(t.db, { teamId: team });
    trainingId = await createTraining(t, { id: sup.id, role: 'supervisor' }, { topic: 'With files', description: '', trainingDate: '2026-11-27', trainer: '', location: '', criteria: [], participantIds: [op], suggestedIds: [] });
  });
  after(() => t.close());

  const dir = () => path.join(t.config.recordingsDir, 'training');
  const stored = () => (fs.existsSync(dir()) ? fs.readdirSync(dir()) : []);
  const rows = async () => t.db('training_materials').where({ training_id: trainingId });

  async function upload(agent: Agent, files: { name: string; content: Buffer }[], csrf = true) {
    const req = agent.post(`/training/${trainingId}/materials`);
    if (csrf) req.field('_csrf', await tokenFor(agent, `/training/${trainingId}`));
    for (const f of files) req.attach('material', f.content, { filename: f.name, contentType: 'application/octet-stream' });
    return req;
  }

  it('a PDF is stored under RECORDINGS_DIR/training/<sha256>, never under the name it came with', async () => {
    const { agent } = await signIn(t.app, sup.username, TEST_PASSWORD);
    const res = await upload(agent, [{ name: '../../Ўқув режа "1".pdf', content: PDF }]);
    expect(res.status).to.equal(303);
    const sha = crypto.createHash('sha256').update(PDF).digest('hex');
    expect(stored()).to.deep.equal([sha]);
    expect(fs.readFileSync(path.join(dir(), sha)).equals(PDF)).to.equal(true);
    const [row] = await rows();
    expect(row).to.include({ sha256: sha, original_name: 'Ўқув режа "1".pdf', mime_type: 'application/pdf', uploaded_by: sup.id });
    expect(Number(row.size_bytes)).to.equal(PDF.length);
    expect(await t.db('audit_log').where({ action: 'training.materials', entity_id: String(trainingId) })).to.have.length(1);
  });

  it('a specialist downloads it with its type from the content and the original name safely encoded', async () => {
    const [row] = await rows();
    const { agent } = await signIn(t.app, spec.username, TEST_PASSWORD);
    const res = await agent.get(`/training/${trainingId}/materials/${row.id}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['content-disposition']).to.equal(`attachment; filename="____ ____ _1_.pdf"; filename*=UTF-8''%D0%8E%D2%9B%D1%83%D0%B2%20%D1%80%D0%B5%D0%B6%D0%B0%20%221%22.pdf`);
    expect((res.body as Buffer).equals(PDF)).to.equal(true);
  });

  it('a program named .pdf is refused by its content: 400 naming the file, nothing stored', async () => {
    const before = { files: stored(), rows: (await rows()).length };
    const { agent } = await signIn(t.app, sup.username, TEST_PASSWORD);
    const res = await upload(agent, [{ name: 'slides.docx', content: makeZip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w/>' }) }, { name: 'slides.pdf', content: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]) }]);
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('&#34;slides.pdf&#34; is not a PDF, Office document, PNG/JPEG image or plain UTF-8 text. Nothing was uploaded.');
    // All or nothing: the good .docx in the same upload is not kept either.
    expect(stored()).to.deep.equal(before.files);
    expect((await rows()).length).to.equal(before.rows);
  });

  it('Office documents, images and UTF-8 text are accepted with the type their content shows', async () => {
    const { agent } = await signIn(t.app, sup.username, TEST_PASSWORD);
    const res = await upload(agent, [
      { name: 'plan.xlsx', content: makeZip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<x/>' }) },
      { name: 'rasm.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]) },
      { name: 'eslatma.txt', content: Buffer.from("Manzilni so'rang.\nУточните адрес.\n", 'utf8') },
    ]);
    expect(res.status).to.equal(303);
    const byName = Object.fromEntries((await rows()).map((r) => [r.original_name, r.mime_type]));
    expect(byName).to.include({
      'plan.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'rasm.png': 'image/png',
      'eslatma.txt': 'text/plain; charset=utf-8',
    });
  });

  it('an upload without the CSRF token, or by a specialist, is refused and stores nothing', async () => {
    const before = { files: stored(), rows: (await rows()).length };
    const s = (await signIn(t.app, sup.username, TEST_PASSWORD)).agent;
    expect((await upload(s, [{ name: 'x.txt', content: Buffer.from('no token') }], false)).status).to.equal(403);
    const sp = (await signIn(t.app, spec.username, TEST_PASSWORD)).agent;
    expect((await upload(sp, [{ name: 'x.txt', content: Buffer.from('specialist') }])).status).to.equal(403);
    expect(stored()).to.deep.equal(before.files);
    expect((await rows()).length).to.equal(before.rows);
  });

  it('a removed material is marked removed (the file stays for other trainings) and no longer downloads', async () => {
    const [row] = await rows();
    const { agent } = await signIn(t.app, sup.username, TEST_PASSWORD);
    const res = await agent.post(`/training/${trainingId}/materials/${row.id}/remove`).type('form').send({ _csrf: await tokenFor(agent) });
    expect(res.status).to.equal(303);
    expect((await t.db('training_materials').where({ id: row.id }).first()).removed_at).to.equal(now.toISOString());
    expect(stored()).to.include(row.sha256);
    expect((await agent.get(`/training/${trainingId}/materials/${row.id}`)).status).to.equal(404);
  });
});
