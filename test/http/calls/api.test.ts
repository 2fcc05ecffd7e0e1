import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import { expect } from 'chai';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../../helpers/app';
import { countRows, makeOrganisation, storedFiles, tempDir, textFile, wavFile } from './calls-fixtures';

const SAMPLE_CARD = path.join(__dirname, '..', '..', 'fixtures', 'call-card-sample.xml');
const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CallCard><CardNumber>&lol9;</CardNumber></CallCard>`;

describe('telephony API (POST /api/v1/calls) and its tokens (/admin/api-tokens)', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  let dir: string;
  let token: string;

  before(async () => {
    t = await createTestApp();
    org = await makeOrganisation(t.db);
    dir = tempDir();
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const metadata = (o: Record<string, unknown> = {}) =>
    JSON.stringify({ externalId: `CALL-${crypto.randomBytes(4).toString('hex')}`, startedAt: '2026-11-24T09:15:00+05:00', operatorCode: org.operatorCode, language: 'uz', category: 'medical', services: ['103'], regionCode: 'TK', callerNumber: '+998901234567', ...o });

  function post(tok: string | null = token) {
    const r = request(t.app).post('/api/v1/calls');
    return tok ? r.set('Authorization', `Bearer ${tok}`) : r;
  }

  async function snapshot() {
    return { calls: await countRows(t.db, 'calls'), recordings: await countRows(t.db, 'recordings'), cards: await countRows(t.db, 'call_cards'), files: storedFiles(t.config.recordingsDir).sort() };
  }

  describe('tokens', () => {
    it('an administrator creates a token that is shown once and stored only as its sha256', async () => {
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const page = await agent.get('/admin/api-tokens');
      expect(page.status).to.equal(200);
      const res = await agent.post('/admin/api-tokens').type('form').send({ name: 'Telephony, Tashkent', _csrf: csrfFrom(page.text) });
      expect(res.status).to.equal(201);
      token = /<pre class="token-value mono" id="new-token">([^<]+)<\/pre>/.exec(res.text)![1]!;
      expect(token).to.match(/^sft_[A-Za-z0-9_-]{40,}$/);
      const row = await t.db('api_tokens').where({ name: 'Telephony, Tashkent' }).first();
      expect(row.token_hash).to.equal(crypto.createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(row)).not.to.contain(token);
      const again = await agent.get('/admin/api-tokens');
      expect(again.text).not.to.contain(token);
      expect(again.text).to.contain(token.slice(0, 12));
      expect(await t.db('audit_log').where({ action: 'apiToken.create' }).first()).to.include({ user_id: org.admin.id });
    });

    it('a token needs a name', async () => {
      const before = await countRows(t.db, 'api_tokens');
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const page = await agent.get('/admin/api-tokens');
      const res = await agent.post('/admin/api-tokens').type('form').send({ name: '  ', _csrf: csrfFrom(page.text) });
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('Give the token a name');
      expect(await countRows(t.db, 'api_tokens')).to.equal(before);
    });

    it('only administrators reach the token page, create or revoke tokens', async () => {
      const before = await countRows(t.db, 'api_tokens');
      const tok = await t.db('api_tokens').first('id');
      for (const u of [org.specialist, org.supervisor, org.leadership, org.operatorUser]) {
        const { agent, csrf } = await signIn(t.app, u.username, u.password);
        expect((await agent.get('/admin/api-tokens')).status, u.username).to.equal(403);
        const token = await csrf();
        expect((await agent.post('/admin/api-tokens').type('form').send({ name: 'sneaky', _csrf: token })).status, u.username).to.equal(403);
        expect((await agent.post(`/admin/api-tokens/${tok.id}/revoke`).type('form').send({ _csrf: token })).status, u.username).to.equal(403);
      }
      expect(await countRows(t.db, 'api_tokens')).to.equal(before);
      expect((await t.db('api_tokens').where({ id: tok.id }).first()).revoked_at).to.equal(null);
    });
  });

  describe('sending calls', () => {
    it('refuses a request without a token (401), with a clear key', async () => {
      const res = await post(null).field('metadata', metadata()).attach('recording', wavFile(dir, 'a.wav', 1, 1));
      expect(res.status).to.equal(401);
      expect(res.body.error.key).to.equal('calls.api.tokenMissing');
      expect(res.headers['www-authenticate']).to.match(/^Bearer/);
    });

    it('refuses an unknown token (401)', async () => {
      const res = await post('sft_this-is-not-a-real-token-at-all-0000').field('metadata', metadata());
      expect(res.status).to.equal(401);
      expect(res.body.error.key).to.equal('calls.api.tokenInvalid');
    });

    it('refuses a body that is not multipart (415)', async () => {
      const res = await post().send({ metadata: JSON.parse(metadata()) });
      expect(res.status).to.equal(415);
      expect(res.body.error.key).to.equal('calls.api.unsupportedMediaType');
    });

    it('refuses bad metadata with field errors (400) and stores nothing', async () => {
      const before = await snapshot();
      const res = await post()
        .field('metadata', JSON.stringify({ startedAt: 'tuesday', operatorCode: org.operatorCode, language: 'klingon', services: ['103', '999'], colour: 'red' }))
        .attach('recording', wavFile(dir, 'b.wav', 1, 2));
      expect(res.status).to.equal(400);
      const byField = Object.fromEntries(res.body.error.fields.map((f: { field: string; key: string }) => [f.field, f.key]));
      expect(byField).to.include({ externalId: 'calls.metadata.required', startedAt: 'calls.metadata.instantInvalid', language: 'calls.metadata.languageInvalid', services: 'calls.metadata.servicesInvalid', colour: 'calls.metadata.unknownField' });
      expect(res.body.error.fields.every((f: { message: string }) => typeof f.message === 'string' && !f.message.startsWith('calls.'))).to.equal(true);
      expect(await snapshot()).to.deep.equal(before);
    });

    it('refuses metadata that is not JSON, an unknown operator, and a missing recording', async () => {
      const notJson = await post().field('metadata', '{oops').attach('recording', wavFile(dir, 'c.wav', 1, 3));
      expect(notJson.status).to.equal(400);
      expect(notJson.body.error.fields[0]).to.include({ field: 'metadata', key: 'calls.metadata.notJson' });
      const unknownOp = await post().field('metadata', metadata({ operatorCode: 'OP-999999' })).attach('recording', wavFile(dir, 'd.wav', 1, 4));
      expect(unknownOp.status).to.equal(400);
      expect(unknownOp.body.error.fields[0]).to.include({ field: 'operatorCode', key: 'calls.metadata.operatorUnknown' });
      const noFile = await post().field('metadata', metadata());
      expect(noFile.status).to.equal(400);
      expect(noFile.body.error.fields.map((f: { field: string }) => f.field)).to.deep.equal(['recording']);
    });

    it('accepts a call with its recording and card (201), parsing the card', async () => {
      const externalId = 'TEL-API-0001';
      const res = await post().field('metadata', metadata({ externalId, services: ['1050', '103'], extra: { trunk: 'E1-2' } })).attach('recording', wavFile(dir, 'e.wav', 2, 5)).attach('card', SAMPLE_CARD);
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ outcome: 'created' });
      expect(res.body.url).to.match(new RegExp(`/calls/${res.body.callId}$`));
      const call = await t.db('calls').where({ id: res.body.callId }).first();
      expect(call).to.include({ source: 'telephony', external_id: externalId, services: '101,103', started_at: '2026-11-24T04:15:00.000Z', call_date: '2026-11-24' });
      expect(JSON.parse(call.extra)).to.deep.equal({ trunk: 'E1-2' });
      const card = await t.db('call_cards').where({ call_id: call.id }).first();
      expect(card.xml).to.equal(fs.readFileSync(SAMPLE_CARD, 'utf8'));
      expect(Number(card.completeness)).to.equal(1);
      expect(JSON.parse(card.fields)).to.include({ cardNumber: '112-TK-2026-004217', incidentType: 'medical' });
      const audit = await t.db('audit_log').where({ action: 'call.create', entity_id: String(call.id) }).first();
      expect(JSON.parse(audit.details)).to.include({ via: 'api', card: true });
      const tok = await t.db('api_tokens').where({ name: 'Telephony, Tashkent' }).first();
      expect(tok.last_used_at).to.be.a('string');
    });

    it('is idempotent: the same call with the same audio again answers 200 with the existing call and adds nothing', async () => {
      const file = wavFile(dir, 'same.wav', 2, 6);
      const md = metadata({ externalId: 'TEL-API-0002' });
      const first = await post().field('metadata', md).attach('recording', file);
      expect(first.status).to.equal(201);
      const before = await snapshot();
      const second = await post().field('metadata', md).attach('recording', file);
      expect(second.status).to.equal(200);
      expect(second.body).to.include({ outcome: 'duplicate', callId: first.body.callId });
      expect(await snapshot()).to.deep.equal(before);
    });

    it('refuses the same call id with different audio (409) and changes nothing', async () => {
      const md = metadata({ externalId: 'TEL-API-0003' });
      const first = await post().field('metadata', md).attach('recording', wavFile(dir, 'one.wav', 2, 7));
      expect(first.status).to.equal(201);
      const before = await snapshot();
      const res = await post().field('metadata', md).attach('recording', wavFile(dir, 'other.wav', 2, 8));
      expect(res.status).to.equal(409);
      expect(res.body.error.key).to.equal('calls.ingest.conflict');
      expect(await snapshot()).to.deep.equal(before);
    });

    it('the same external id from another source is another call', async () => {
      const md = (source: string) => metadata({ externalId: 'SHARED-1', source });
      const a = await post().field('metadata', md('pbx-a')).attach('recording', wavFile(dir, 'sa.wav', 1, 9));
      const b = await post().field('metadata', md('pbx-b')).attach('recording', wavFile(dir, 'sb.wav', 1, 10));
      expect([a.status, b.status]).to.deep.equal([201, 201]);
      expect(a.body.callId).not.to.equal(b.body.callId);
    });

    it('refuses an entity-expansion ("billion laughs") card at once, with a clear error, and stores nothing', async () => {
      const before = await snapshot();
      const bomb = path.join(dir, 'bomb.xml');
      fs.writeFileSync(bomb, BILLION_LAUGHS);
      const started = Date.now();
      const res = await post().field('metadata', metadata()).attach('recording', wavFile(dir, 'f.wav', 1, 11)).attach('card', bomb);
      expect(Date.now() - started).to.be.below(2000);
      expect(res.status).to.equal(400);
      expect(res.body.error.key).to.equal('calls.card.doctypeForbidden');
      expect(res.body.error.message).to.contain('DOCTYPE');
      expect(await snapshot()).to.deep.equal(before);
    });

    it('refuses a malformed card with the line it broke at, and stores nothing', async () => {
      const before = await snapshot();
      const bad = path.join(dir, 'bad.xml');
      fs.writeFileSync(bad, '<CallCard>\n  <CardNumber>1</CardNumber>\n  <Incident><Type>fire</Incident>\n</CallCard>');
      const res = await post().field('metadata', metadata()).attach('recording', wavFile(dir, 'g.wav', 1, 12)).attach('card', bad);
      expect(res.status).to.equal(400);
      expect(res.body.error.key).to.equal('calls.card.malformed');
      expect(res.body.error.message).to.match(/\b3\b/); // the line, in the default (Uzbek) wording: "3-qator"
      expect(await snapshot()).to.deep.equal(before);
    });

    it('refuses a recording that is not audio (422) with the media module\'s reason, and stores nothing', async () => {
      const before = await snapshot();
      const res = await post().field('metadata', metadata()).attach('recording', textFile(dir, 'h.wav'));
      expect(res.status).to.equal(422);
      expect(res.body.error.key).to.equal('media.rejected.notAudio');
      expect(await snapshot()).to.deep.equal(before);
    });

    it('links a callback to the call it calls back', async () => {
      const original = await post().field('metadata', metadata({ externalId: 'TEL-API-DROP', dropped: true })).attach('recording', wavFile(dir, 'drop.wav', 1, 13));
      const callback = await post().field('metadata', metadata({ externalId: 'TEL-API-BACK', callbackOfExternalId: 'TEL-API-DROP' })).attach('recording', wavFile(dir, 'back.wav', 1, 14));
      expect(callback.status).to.equal(201);
      const row = await t.db('calls').where({ id: callback.body.callId }).first();
      expect(row.callback_of_call_id).to.equal(original.body.callId);
    });

    it('refuses a revoked token (401)', async () => {
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const tok = await t.db('api_tokens').where({ name: 'Telephony, Tashkent' }).first();
      const page = await agent.get('/admin/api-tokens');
      const res = await agent.post(`/admin/api-tokens/${tok.id}/revoke`).type('form').send({ _csrf: csrfFrom(page.text) });
      expect(res.status).to.equal(302);
      const before = await snapshot();
      const refused = await post().field('metadata', metadata()).attach('recording', wavFile(dir, 'i.wav', 1, 15));
      expect(refused.status).to.equal(401);
      expect(refused.body.error.key).to.equal('calls.api.tokenInvalid');
      expect(await snapshot()).to.deep.equal(before);
      expect(await t.db('audit_log').where({ action: 'apiToken.revoke', entity_id: String(tok.id) }).first()).to.be.an('object');
    });
  });
});
