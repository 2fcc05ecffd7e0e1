// The bad inputs issue #15 names, one by one: each gets its clear 4xx and leaves nothing behind.
import fs from 'node:fs';
import request from 'supertest';
import { expect } from 'chai';
import { createTestApp, signIn, csrfFrom, type TestApp } from '../../helpers/app';
import { makeCall } from '../../helpers/builders';
import { changedTables, fingerprint } from '../../helpers/routes';
import { countRows, makeOrganisation, storedFiles, tempDir, wavFile } from '../calls/calls-fixtures';
import { createApiToken } from '../../../src/features/calls/api-tokens.service';
import { storeRecording } from '../../../src/features/media/store';
import { insertRecording } from '../../../src/features/calls/recordings.repository';

describe('bad input answers 4xx, never 500, and stores nothing', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  let dir: string;
  let token: string;
  before(async () => {
    t = await createTestApp();
    org = await makeOrganisation(t.db);
    dir = tempDir();
    token = (await createApiToken(t, { name: 'telephony' }, { userId: org.admin.id })).token;
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('POST /login sent as multipart is refused (403 without a token, 415 with one), not a 500', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const without = await agent.post('/login').field('username', org.admin.username).field('password', org.admin.password);
    expect(without.status).to.equal(403);
    const withToken = await agent.post('/login').set('x-csrf-token', csrfFrom(page.text)).field('username', org.admin.username).field('password', org.admin.password);
    expect(withToken.status).to.equal(415);
    expect(withToken.text).to.contain('Bu shakl fayl qabul qilmaydi');
    expect(await t.db('audit_log').where({ action: 'auth.signIn' })).to.have.length(0);
  });

  it('a form posted as text/plain is an empty form (a validation answer), not a crash', async () => {
    const { agent, csrf } = await signIn(t.app, org.admin.username, org.admin.password);
    const users = await countRows(t.db, 'users');
    const res = await agent.post('/admin/users').set('x-csrf-token', await csrf()).set('content-type', 'text/plain').send('username=x&password=y');
    expect(res.status).to.equal(400);
    expect(await countRows(t.db, 'users')).to.equal(users);
  });

  const hostileCards: [string, string][] = [
    ['nested 70,000 deep', `<CallCard>${'<a>'.repeat(70_000)}${'</a>'.repeat(70_000)}</CallCard>`],
    ['with a <__proto__> element', '<CallCard><__proto__><x>1</x></__proto__><CardNumber>1</CardNumber></CallCard>'],
    ['with two root elements', '<CallCard><CardNumber>1</CardNumber></CallCard><Other/>'],
    ['with a NUL character', '<CallCard><CardNumber>1\u0000</CardNumber></CallCard>'],
  ];
  for (const [what, xml] of hostileCards) {
    it(`a call card ${what} is refused with 400 calls.card.malformed and nothing is stored`, async () => {
      const before = { calls: await countRows(t.db, 'calls'), files: storedFiles(t.config.recordingsDir).length };
      const res = await request(t.app)
        .post('/api/v1/calls')
        .set('Authorization', `Bearer ${token}`)
        .field('metadata', JSON.stringify({ externalId: `CARD-${Math.random().toString(36).slice(2)}`, startedAt: '2026-11-24T09:15:00+05:00', operatorCode: org.operatorCode, language: 'uz' }))
        .attach('recording', wavFile(dir, 'a.wav', 1), 'a.wav')
        .attach('card', Buffer.from(xml, 'utf8'), { filename: 'card.xml', contentType: 'application/xml' });
      expect(res.status).to.equal(400);
      expect(res.body.error.key).to.equal('calls.card.malformed');
      expect({ calls: await countRows(t.db, 'calls'), files: storedFiles(t.config.recordingsDir).length }).to.deep.equal(before);
    });
  }

  it('Range: bytes=99999999- on a recording answers 416 with the real length', async () => {
    const stored = await storeRecording(wavFile(dir, 'r.wav', 1), t.config.recordingsDir);
    const recId = await insertRecording(t.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'r.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 1, mimeType: 'audio/wav', hasVideo: false });
    const id = await makeCall(t.db, { operatorId: org.operatorId, recordingId: recId });
    const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
    const res = await agent.get(`/calls/${id}/audio`).set('Range', 'bytes=99999999-');
    expect(res.status).to.equal(416);
    expect(res.headers['content-range']).to.equal(`bytes */${stored.sizeBytes}`);
  });

  it('more than 5,000 form fields is refused with 413 and changes nothing, urlencoded or multipart', async () => {
    const { agent, csrf } = await signIn(t.app, org.admin.username, org.admin.password);
    const token = await csrf();
    const before = await fingerprint(t.db);
    const form = `_csrf=${encodeURIComponent(token)}&username=manyfields&displayName=Many&role=specialist&language=uz&password=long-enough-password&${Array.from({ length: 5001 }, (_, i) => `f${i}=1`).join('&')}`;
    const urlencoded = await agent.post('/admin/users').type('form').send(form);
    expect(urlencoded.status).to.equal(413);
    let upload = agent.post('/calls/upload').field('_csrf', token);
    for (let i = 0; i < 5001; i++) upload = upload.field(`f${i}`, '1');
    const multipart = await upload.attach('recording', wavFile(dir, 'm.wav', 1), 'm.wav');
    expect(multipart.status).to.equal(413);
    expect(changedTables(before, await fingerprint(t.db))).to.deep.equal([]);
    expect(await t.db('users').where({ username: 'manyfields' }).first()).to.equal(undefined);
  });

  it('a repeated query parameter (/errors/analysis?from=a&from=b) answers 400', async () => {
    const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const res = await agent.get('/errors/analysis?from=a&from=b');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Please correct the marked fields');
  });

  it('a path parameter that is not valid percent-encoding is a 404, not a 500', async () => {
    const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
    expect((await agent.get('/calls/%E0%A4%A/audio')).status).to.equal(404);
  });
});
