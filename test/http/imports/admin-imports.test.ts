import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, signIn, csrfFrom, type TestApp } from '../../helpers/app';
import { makeOperator, makeUser } from '../../helpers/builders';
import { synthesizeCallWav } from '../../../src/features/media';
import { stagingDir } from '../../../src/features/imports/imports.files';

describe('admin imports page (/admin/imports)', function () {
  this.timeout(30000);
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;

  before(async () => {
    t = await createTestApp();
    await makeOperator(t.db, { code: 'OP-101' });
    const a = await makeUser(t.db, { role: 'admin', language: 'en' });
    admin = await signIn(t.app, a.username, a.password);
  });
  after(() => t.close());

  const count = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())!.n);

  async function formToken(agent = admin.agent): Promise<string> {
    return csrfFrom((await agent.get('/admin/imports')).text);
  }

  it('shows the upload form, the format help and an empty history to an admin, with "Import" in the navigation', async () => {
    const res = await admin.agent.get('/admin/imports');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('enctype="multipart/form-data"');
    expect(res.text).to.contain('name="_csrf"');
    expect(res.text).to.contain('<code>operator_code</code>');
    expect(res.text).to.contain('No imports yet');
    expect(res.text).to.match(/<a href="\/admin\/imports"[^>]*>Import<\/a>/);
  });

  it('refuses other roles (403) and sends a signed-out visitor to the sign-in page', async () => {
    for (const role of ['specialist', 'supervisor', 'leadership', 'operator'] as const) {
      const u = await makeUser(t.db, { role, language: 'en' });
      const { agent, csrf } = await signIn(t.app, u.username, u.password);
      expect((await agent.get('/admin/imports')).status, role).to.equal(403);
      expect((await agent.get('/admin/imports/template.csv')).status, role).to.equal(403);
      const post = await agent.post('/admin/imports').field('_csrf', await csrf()).attach('manifest', Buffer.from('external_id,started_at,operator_code\nX-1,2026-11-20 10:00,OP-101\n'), 'm.csv');
      expect(post.status, role).to.equal(403);
      expect((await agent.get('/')).text, role).not.to.contain('href="/admin/imports"');
    }
    expect(await count('imports')).to.equal(0);
    const anon = await request(t.app).get('/admin/imports');
    expect(anon.status).to.equal(302);
    expect(anon.headers.location).to.match(/^\/login/);
  });

  it('refuses an upload without a CSRF token and stores nothing', async () => {
    const res = await admin.agent.post('/admin/imports').attach('manifest', Buffer.from('external_id,started_at,operator_code\nCSRF-1,2026-11-20 10:00,OP-101\n'), 'm.csv');
    expect(res.status).to.equal(403);
    expect(await count('imports')).to.equal(0);
    expect(await count('jobs')).to.equal(0);
  });

  it('refuses a manifest missing required columns on the form, naming them, and stores nothing', async () => {
    const res = await admin.agent
      .post('/admin/imports')
      .field('_csrf', await formToken())
      .field('source', 'telephony')
      .attach('manifest', Buffer.from('external_id;caller_number\nM-1;+998901234567\n'), 'chaqiruvlar.csv');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('required columns are missing: started_at, operator_code');
    expect(res.text).to.contain('aria-invalid="true"');
    expect(await count('imports')).to.equal(0);
    expect(await count('jobs')).to.equal(0);
    expect(await count('calls')).to.equal(0);
  });

  it('asks for a manifest when none is chosen, and refuses a bad source', async () => {
    const res = await admin.agent.post('/admin/imports').field('_csrf', await formToken()).field('source', 'no spaces please');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Choose a manifest file.');
    expect(res.text).to.contain('Source: up to 32 Latin letters');
    expect(await count('imports')).to.equal(0);
  });

  it('imports a manifest with its recordings as a job: good rows stored, bad rows listed with translated reasons', async () => {
    const wav = synthesizeCallWav({ seed: 9, durationSec: 2 });
    const manifest = [
      'external_id;started_at;operator_code;region;category;recording_file',
      'WEB-1;2026-11-20 09:00:00;OP-101;TK;medical;2026-11/запись-1.wav',
      'WEB-2;2026-11-20 09:05:00;OP-999;TK;medical;',
      'WEB-3;2026-11-20 09:10:00;OP-101;TK;fire;izoh.wav',
      'WEB-4;2026-11-20 09:15:00;OP-101;TK;fire;yoʻq.wav',
      'WEB-5;vaqt yoʻq;OP-101;TK;fire;',
    ].join('\r\n');
    const res = await admin.agent
      .post('/admin/imports')
      .field('_csrf', await formToken())
      .field('source', '')
      .attach('manifest', Buffer.from(`\uFEFF${manifest}\r\n`), 'chaqiruvlar-20.csv')
      .attach('recordings', wav, 'запись-1.wav')
      .attach('recordings', Buffer.from('bu matn, audio emas'), 'izoh.wav');
    expect(res.status).to.equal(303);
    const m = /^\/admin\/imports\/(\d+)$/.exec(res.headers.location);
    expect(m).to.not.equal(null);
    const id = Number(m![1]);

    // Queued: the page shows a progress bar that polls the status endpoint.
    const queued = await admin.agent.get(`/admin/imports/${id}`);
    expect(queued.status).to.equal(200);
    expect(queued.text).to.contain(`data-import-status="/admin/imports/${id}/status"`);
    expect(queued.text).to.contain('src="/public/build/imports.js"');
    const statusBefore = await admin.agent.get(`/admin/imports/${id}/status`).set('accept', 'application/json');
    expect(statusBefore.body).to.include({ status: 'queued', finished: false });
    const script = await admin.agent.get('/public/build/imports.js');
    expect(script.status).to.equal(200);
    expect(script.headers['content-type']).to.match(/javascript/);
    expect(script.text).to.contain('data-import-status');
    expect(fs.existsSync(stagingDir(t.config.recordingsDir, id))).to.equal(true);

    expect(await t.jobs.drain()).to.be.greaterThan(0);

    const status = await admin.agent.get(`/admin/imports/${id}/status`).set('accept', 'application/json');
    expect(status.body).to.include({ status: 'done', progress: 100, totalRows: 5, acceptedCount: 1, rejectedCount: 4, recordingsStored: 1, finished: true });
    const call = await t.db('calls').where({ external_id: 'WEB-1' }).first();
    expect(call).to.include({ source: 'telephony', category: 'medical' });
    expect(call.recording_id).to.not.equal(null);
    expect(await t.db('recordings').where({ id: call.recording_id }).first('original_name')).to.deep.equal({ original_name: 'запись-1.wav' });
    expect(await count('calls')).to.equal(1);
    // The staging copies are gone once the job is done.
    expect(fs.existsSync(stagingDir(t.config.recordingsDir, id))).to.equal(false);

    const page = await admin.agent.get(`/admin/imports/${id}`);
    expect(page.text).to.contain('chaqiruvlar-20.csv');
    expect(page.text).to.contain('No operator has the employee code &#34;OP-999&#34;.');
    expect(page.text).to.contain('&#34;izoh.wav&#34; is not an audio or video recording.');
    expect(page.text).to.contain('The recording &#34;yoʻq.wav&#34; is not among the files.');
    expect(page.text).to.contain('&#34;vaqt yoʻq&#34; is not a date and time');
    expect(page.text).to.contain(`href="/calls/${call.id}"`);
    expect(page.text).not.to.contain('data-import-status');

    const csv = await admin.agent.get(`/admin/imports/${id}/rejected.csv`);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-disposition']).to.contain(`import-${id}-rejected.csv`);
    expect(csv.text.charCodeAt(0)).to.equal(0xfeff);
    expect(csv.text).to.contain('3;WEB-2;operator_code;"No operator has the employee code ""OP-999""."');

    const list = await admin.agent.get('/admin/imports');
    expect(list.text).to.contain('chaqiruvlar-20.csv');
    expect(list.text).to.contain('Done, some rows rejected');

    const audit = await t.db('audit_log').where({ action: 'import.start', entity_id: String(id) }).first();
    expect(audit).to.not.equal(undefined);
  });

  it('uploading the same manifest again adds nothing twice', async () => {
    const manifest = 'external_id,started_at,operator_code\nAGAIN-1,2026-11-21 10:00:00,OP-101\nAGAIN-2,2026-11-21 10:01:00,OP-101\n';
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await admin.agent.post('/admin/imports').field('_csrf', await formToken()).attach('manifest', Buffer.from(manifest), 'again.csv');
      expect(res.status).to.equal(303);
      ids.push(Number(res.headers.location.split('/').pop()));
      await t.jobs.drain();
    }
    const second = await admin.agent.get(`/admin/imports/${ids[1]}/status`).set('accept', 'application/json');
    expect(second.body).to.include({ status: 'done', acceptedCount: 0, alreadyCount: 2, rejectedCount: 0 });
    expect(Number((await t.db('calls').where('external_id', 'like', 'AGAIN-%').count({ n: '*' }).first())!.n)).to.equal(2);
    const page = await admin.agent.get(`/admin/imports/${ids[1]}`);
    expect(page.text).to.contain('Every good row was already imported before');
  });

  it('gives a template that is itself a valid manifest', async () => {
    const res = await admin.agent.get('/admin/imports/template.csv');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/text\/csv/);
    const upload = await admin.agent.post('/admin/imports').field('_csrf', await formToken()).attach('manifest', Buffer.from(res.text), 'template.csv');
    expect(upload.status).to.equal(303);
  });

  it('answers 404 for an import that does not exist', async () => {
    expect((await admin.agent.get('/admin/imports/99999')).status).to.equal(404);
    expect((await admin.agent.get('/admin/imports/99999/status').set('accept', 'application/json')).status).to.equal(404);
    expect((await admin.agent.get('/admin/imports/abc')).status).to.equal(404);
  });

  it('the page speaks Uzbek and Russian too', async () => {
    for (const [lang, word] of [['uz', 'Chaqiruvlarni import qilish'], ['ru', 'Импорт вызовов']] as const) {
      const u = await makeUser(t.db, { role: 'admin', language: lang });
      const { agent } = await signIn(t.app, u.username, u.password);
      expect((await agent.get('/admin/imports')).text).to.contain(word);
    }
  });

  it('a staging folder is named by the import id only', () => {
    expect(stagingDir('/srv/rec', 12)).to.equal(path.join('/srv/rec', '.imports', '12'));
    expect(() => stagingDir('/srv/rec', Number('../x'))).to.throw();
  });
});
