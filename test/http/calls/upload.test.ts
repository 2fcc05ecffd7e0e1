import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createTestApp, isPgRun, signIn, type TestApp } from '../../helpers/app';
import { synthesizeVideoCall } from '../../../src/features/media/synth-video';
import { mediaTools } from '../../../src/features/calls/recordings.service';
import { countRows, emptyFile, makeOrganisation, storedFiles, tempDir, textFile, truncatedWav, wavClaimingHours, wavFile } from './calls-fixtures';

describe('browser upload of calls (/calls/upload)', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  let dir: string;
  const today = new Date();
  const startedAt = `${today.toISOString().slice(0, 10)}T09:30`;

  before(async () => {
    // A small upload limit so the "too large" case needs only a few hundred kilobytes.
    t = await createTestApp({ config: { maxUploadBytes: 300 * 1024, maxRecordingSeconds: 600 } });
    org = await makeOrganisation(t.db);
    dir = tempDir();
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  async function as(user: { username: string; password: string }) {
    return signIn(t.app, user.username, user.password);
  }

  function form(req: ReturnType<Awaited<ReturnType<typeof as>>['agent']['post']>, csrf: string, extra: Record<string, string> = {}) {
    const fields: Record<string, string> = { _csrf: csrf, operatorCode: org.operatorCode, startedAt, language: 'uz', channel: 'voice', category: 'medical', regionCode: 'TK', callerNumber: '+998901112233', ...extra };
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req;
  }

  async function expectNothingStored(before: { calls: number; recordings: number; files: string[] }) {
    expect(await countRows(t.db, 'calls')).to.equal(before.calls);
    expect(await countRows(t.db, 'recordings')).to.equal(before.recordings);
    expect(storedFiles(t.config.recordingsDir).sort()).to.deep.equal(before.files);
  }

  async function counts() {
    return { calls: await countRows(t.db, 'calls'), recordings: await countRows(t.db, 'recordings'), files: storedFiles(t.config.recordingsDir).sort() };
  }

  it('shows the upload form to specialists, admins and supervisors, and refuses leadership and operators', async () => {
    for (const u of [org.specialist, org.admin, org.supervisor]) {
      const { agent } = await as(u);
      const res = await agent.get('/calls/upload');
      expect(res.status, u.username).to.equal(200);
      expect(res.text).to.contain('enctype="multipart/form-data"').and.contain('name="_csrf"');
    }
    for (const u of [org.leadership, org.operatorUser]) {
      const { agent } = await as(u);
      expect((await agent.get('/calls/upload')).status, u.username).to.equal(403);
    }
  });

  it('refuses an upload by leadership or an operator account (403) and stores nothing', async () => {
    const before = await counts();
    for (const u of [org.leadership, org.operatorUser]) {
      const { agent, csrf } = await as(u);
      const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf()).attach('recording', wavFile(dir, 'l.wav', 1, 1));
      expect(res.status, u.username).to.equal(403);
    }
    await expectNothingStored(before);
  });

  it('a supervisor is offered only their own teams\' operators', async () => {
    const { agent } = await as(org.supervisor);
    const res = await agent.get('/calls/upload');
    expect(res.text).to.contain(org.operatorCode).and.not.contain(org.otherOperatorCode);
  });

  it('accepts a recording with its details: a call with a generated id, the original stored untouched by content', async () => {
    const { agent, csrf } = await as(org.specialist);
    const file = wavFile(dir, 'ok.wav', 2, 101);
    const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf()).attach('recording', file);
    expect(res.status).to.equal(201);
    const result = res.body.results[0];
    expect(result.outcome).to.equal('created');
    const call = await t.db('calls').where({ id: result.callId }).first();
    expect(call.source).to.equal('upload');
    expect(call.external_id).to.match(/^upload-\d{8}-[0-9a-f]{12}$/);
    expect(call.language).to.equal('uz');
    expect(call.services).to.equal(null);
    expect(call.caller_number).to.equal('+998901112233');
    // 09:30 in Tashkent is 04:30 UTC
    expect(call.started_at).to.match(/T04:30:00\.000Z$/);
    const rec = await t.db('recordings').where({ id: call.recording_id }).first();
    expect(rec.original_name).to.equal('ok.wav');
    expect(rec.status).to.equal('stored');
    expect(rec.mime_type).to.equal('audio/wav');
    const stored = path.join(t.config.recordingsDir, ...String(rec.storage_key).split('/'));
    expect(fs.readFileSync(stored).equals(fs.readFileSync(file))).to.equal(true);
    const audit = await t.db('audit_log').where({ action: 'call.create', entity_id: String(result.callId) }).first();
    expect(audit.user_id).to.equal(org.specialist.id);
  });

  it('the same recording uploaded again without an id is the same call: "already uploaded as call N", nothing new stored', async () => {
    const { agent, csrf } = await as(org.specialist);
    const file = wavFile(dir, 'twice.wav', 2, 777);
    const first = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf()).attach('recording', file);
    expect(first.status).to.equal(201);
    const callId = first.body.results[0].callId;
    const before = await counts();
    // Again, under another name and with other details: the audio decides.
    const again = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf(), { category: 'fire' }).attach('recording', fs.readFileSync(file), 'renamed.wav');
    expect(again.status).to.equal(200);
    expect(again.body.results[0]).to.include({ outcome: 'duplicate', callId, message: `Already uploaded as call ${callId}: the same recording` });
    await expectNothingStored(before);
    // With an id of its own, it is a call in its own right (the telephony platform's ids rule).
    const withId = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf(), { externalId: 'TEL-77' }).attach('recording', fs.readFileSync(file), 'tel.wav');
    expect(withId.status).to.equal(201);
    expect(withId.body.results[0].callId).to.not.equal(callId);
  });

  it('takes several files in one form post (no script) and answers with a result per file', async () => {
    const { agent, csrf } = await as(org.admin);
    const res = await form(agent.post('/calls/upload'), await csrf(), { 'services': '103' })
      .attach('recording', wavFile(dir, 'a.wav', 2, 201))
      .attach('recording', textFile(dir, 'b.wav'))
      .attach('recording', wavFile(dir, 'c.wav', 2, 202));
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('a.wav').and.contain('b.wav').and.contain('c.wav');
    expect((res.text.match(/upload-result-created/g) ?? []).length).to.equal(2);
    expect((res.text.match(/upload-result-rejected/g) ?? []).length).to.equal(1);
    expect(res.text).to.contain('This is not an audio or video recording');
  });

  it('accepts a sign-language video without a sound track (a video call), stored as video', async () => {
    const { agent, csrf } = await as(org.specialist);
    const file = path.join(dir, 'sign.webm');
    await synthesizeVideoCall(mediaTools(t.config), file, { kind: 'webm-silent', durationSec: 2 });
    const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf(), { language: 'sign', channel: 'video' }).attach('recording', file);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const call = await t.db('calls').where({ id: res.body.results[0].callId }).first();
    expect(call.channel).to.equal('video');
    const rec = await t.db('recordings').where({ id: call.recording_id }).first();
    expect(rec.mime_type).to.equal('video/webm');
    expect(rec.has_video === true || rec.has_video === 1).to.equal(true);
    expect(rec.channels).to.equal(0);
  });

  const badFiles: { label: string; make: () => string; status: number; key: string }[] = [
    { label: 'a text file named .wav', make: () => textFile(dir, 'notes.wav'), status: 422, key: 'media.rejected.notAudio' },
    { label: 'a truncated WAV', make: () => truncatedWav(dir, 'cut.wav'), status: 422, key: 'media.rejected.corrupt' },
    { label: 'a zero-byte file', make: () => emptyFile(dir, 'empty.wav'), status: 422, key: 'media.rejected.empty' },
    { label: 'a WAV whose header claims hours but holds one second', make: () => wavClaimingHours(dir, 'liar.wav'), status: 422, key: 'media.rejected.corrupt' },
    { label: 'a file over the size limit', make: () => wavFile(dir, 'big.wav', 30, 9), status: 413, key: 'uploads.tooLarge' },
  ];
  for (const bad of badFiles) {
    it(`refuses ${bad.label} with a clear reason, and stores nothing`, async () => {
      const before = await counts();
      const { agent, csrf } = await as(org.specialist);
      const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf()).attach('recording', bad.make());
      expect(res.status).to.equal(bad.status);
      expect(res.body.error.key).to.equal(bad.key);
      expect(res.body.error.message).to.be.a('string').and.not.equal(bad.key);
      await expectNothingStored(before);
    });
  }

  it('shows the refusal on the page too when the form is posted without script', async () => {
    const before = await counts();
    const { agent, csrf } = await as(org.specialist);
    const res = await form(agent.post('/calls/upload'), await csrf()).attach('recording', textFile(dir, 'fake.wav'));
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('fake.wav').and.contain('This is not an audio or video recording');
    await expectNothingStored(before);
  });

  it('keeps a client file name with ../ or in Cyrillic as a label only: the stored path comes from the content', async () => {
    const { agent, csrf } = await as(org.specialist);
    for (const [name, seed] of [['../../etc/passwd.wav', 301], ['Звонок 112 — Ташкент.wav', 302]] as const) {
      const file = wavFile(dir, `src-${seed}.wav`, 2, seed);
      const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf()).attach('recording', fs.readFileSync(file), { filepath: name, contentType: 'audio/wav' } as unknown as { filename: string }); // form-data's filepath keeps the ../
      expect(res.status, name).to.equal(201);
      const call = await t.db('calls').where({ id: res.body.results[0].callId }).first();
      const rec = await t.db('recordings').where({ id: call.recording_id }).first();
      // multer keeps only the last path segment; either way the name is a label, never a path.
      expect(rec.original_name).to.equal(path.posix.basename(name));
      expect(rec.storage_key).to.match(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      expect(storedFiles(t.config.recordingsDir).every((f) => !f.includes('passwd') && !/[А-я]/.test(f))).to.equal(true);
    }
    expect(fs.existsSync(path.resolve(t.config.recordingsDir, '../../etc/passwd.wav'))).to.equal(false);
  });

  it('refuses a form with missing details field by field, before touching any file', async () => {
    const before = await counts();
    const { agent, csrf } = await as(org.specialist);
    const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf(), { operatorCode: '', startedAt: 'yesterday', callerNumber: 'call me' }).attach('recording', wavFile(dir, 'm.wav', 2, 401));
    expect(res.status).to.equal(400);
    const fields = res.body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).to.include.members(['operatorCode', 'startedAt', 'callerNumber']);
    const html = await form(agent.post('/calls/upload'), await csrf(), { operatorCode: 'NOPE-1' }).attach('recording', wavFile(dir, 'm2.wav', 2, 402));
    expect(html.status).to.equal(400);
    expect(html.text).to.contain('No operator has the code NOPE-1').and.contain('aria-invalid="true"');
    await expectNothingStored(before);
  });

  it('a supervisor cannot add a call for another team\'s operator', async () => {
    const before = await counts();
    const { agent, csrf } = await as(org.supervisor);
    const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf(), { operatorCode: org.otherOperatorCode }).attach('recording', wavFile(dir, 's.wav', 2, 501));
    expect(res.status).to.equal(400);
    expect(res.body.error.fields[0]).to.include({ field: 'operatorCode', key: 'calls.metadata.operatorNotInTeam' });
    await expectNothingStored(before);
  });

  it('refuses an upload without the CSRF token and stores nothing', async () => {
    const before = await counts();
    const { agent } = await as(org.specialist);
    const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), 'not-the-token').attach('recording', wavFile(dir, 'x.wav', 2, 601));
    expect(res.status).to.equal(403);
    await expectNothingStored(before);
  });

  it('leaves no file and no row behind when the database refuses the call after the file was stored', async () => {
    const before = await counts();
    if (isPgRun()) {
      await t.db.raw(`create function sifat_test_fail_calls() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`);
      await t.db.raw('create trigger sifat_test_fail_calls before insert on calls for each row execute function sifat_test_fail_calls()');
    } else {
      await t.db.raw("create trigger sifat_test_fail_calls before insert on calls begin select raise(abort, 'refused by test'); end");
    }
    try {
      const { agent, csrf } = await as(org.specialist);
      const res = await form(agent.post('/calls/upload').set('Accept', 'application/json'), await csrf()).attach('recording', wavFile(dir, 'late.wav', 2, 701));
      expect(res.status).to.equal(500);
      await expectNothingStored(before);
    } finally {
      await t.db.raw(isPgRun() ? 'drop trigger sifat_test_fail_calls on calls' : 'drop trigger sifat_test_fail_calls');
      if (isPgRun()) await t.db.raw('drop function sifat_test_fail_calls()');
    }
  });
});
