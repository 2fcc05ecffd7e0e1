// Facts for every call, on arrival: every way in (API, browser upload, manifest import, hand-run
// SQL) leaves the call's facts computed by the jobs without anyone opening it; the bad inputs of
// issue #12 each give a clear state or message and no wrong fact.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import { expect } from 'chai';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeUser } from '../../helpers/builders';
import { countRows, makeOrganisation, tempDir } from '../calls/calls-fixtures';
import { createApiToken } from '../../../src/features/calls/api-tokens.service';
import { encodeMuLawWav, synthesizeCall, synthesizeCallWav } from '../../../src/features/media';
import { findCallFacts } from '../../../src/features/facts/facts.repository';
import * as factsRepo from '../../../src/features/facts/facts.repository';
import { computeBatch, drainStaleFacts, FACTS_JOB_KEY, factsTick } from '../../../src/features/facts/facts.service';
import { ANALYSE_JOB } from '../../../src/features/calls/recordings.analyse';
import { validateRow, analyseHeader } from '../../../src/features/imports/imports.manifest';

describe('facts of every call, on arrival', function () {
  this.timeout(60_000);
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  let dir: string;
  let token: string;

  before(async () => {
    t = await createTestApp();
    org = await makeOrganisation(t.db);
    dir = tempDir('sifat-facts-');
    token = (await createApiToken(t, { name: 'PBX' }, { userId: org.admin.id })).token;
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const START = '2026-12-01T09:00:00.000Z';
  const plus = (sec: number, from = START) => new Date(Date.parse(from) + sec * 1000).toISOString();

  function file(name: string, wav: Buffer): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, wav);
    return p;
  }

  async function push(meta: Record<string, unknown>, recording: string) {
    return request(t.app)
      .post('/api/v1/calls')
      .set('Authorization', `Bearer ${token}`)
      .field('metadata', JSON.stringify({ externalId: `F-${crypto.randomBytes(4).toString('hex')}`, startedAt: START, operatorCode: org.operatorCode, language: 'uz', ...meta }))
      .attach('recording', recording);
  }

  const stale = async (callId: number) => Boolean(await t.db('call_facts_stale').where({ call_id: callId }).first());
  const drainAll = () => drainStaleFacts(t);

  describe('every way in', () => {
    it('a call pushed through the API gets its recording analysed and its facts computed, no one opening it', async () => {
      const call = synthesizeCall({ seed: 77, durationSec: 20 });
      const res = await push({ answeredAt: plus(6), endedAt: plus(26) }, file('api.wav', encodeMuLawWav(call.channels, 8000)));
      expect(res.status).to.equal(201);
      const callId = res.body.callId as number;
      // queued at once: the analysis of this recording and the facts job
      expect(await t.jobs.findByKey(`analyse:recording:${res.body.recordingId}`)).to.include({ type: ANALYSE_JOB, status: 'queued' });
      expect(await t.jobs.findByKey(FACTS_JOB_KEY)).to.include({ status: 'queued' });
      expect(await stale(callId)).to.equal(true);

      await t.jobs.drain();
      const f = (await findCallFacts(t.db, callId))!;
      expect(f).to.include({ answerState: 'answered', answerDelaySec: 6, durationSec: 20, audioState: 'measured', operatorChannel: 0 });
      expect(f.greetingLatencySec).to.be.closeTo(call.turns[0]!.startSec, 0.1);
      expect(f.operatorTalkSec).to.be.above(2);
      expect(f.callerTalkSec).to.be.above(2);
      expect(await stale(callId)).to.equal(false);
      // ready for the player by the same pass (mu-law WAV plays as it is); no rendition job for an unopened call
      expect((await t.db('recordings').where({ id: res.body.recordingId }).first()).status).to.equal('ready');
      expect(await t.jobs.findByKey(`prepare:recording:${res.body.recordingId}`)).to.equal(null);
    });

    it('a call uploaded in the browser gets its facts the same way', async () => {
      const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
      const page = await agent.get('/calls/upload');
      const res = await agent
        .post('/calls/upload')
        .set('accept', 'application/json')
        .field('_csrf', csrfFrom(page.text))
        .field('startedAt', '2026-12-01T14:00')
        .field('operatorCode', org.operatorCode)
        .field('language', 'uz')
        .attach('recording', file('upload.wav', synthesizeCallWav({ seed: 5, durationSec: 8 })));
      expect(res.status).to.equal(201);
      const callId = res.body.results[0].callId as number;
      await t.jobs.drain();
      const f = (await findCallFacts(t.db, callId))!;
      expect(f.audioState).to.equal('measured');
      // the upload form has no answer time: answered (recorded), delay unknown, and said so
      expect(f.answerDelaySec).to.equal(null);
      expect(f.flags).to.include('answerTimeMissing');
    });

    it('calls imported with a manifest get their facts once the import job has run', async () => {
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const page = await agent.get('/admin/imports');
      const manifest = ['external_id,started_at,answered_at,ended_at,operator_code,language,recording_file', `IMP-F1,2026-12-01 10:00:00,2026-12-01 10:00:09,2026-12-01 10:00:19,${org.operatorCode},uz,imp.wav`, `IMP-F2,2026-12-01 10:05:00,,2026-12-01 10:05:40,,ru,`].join('\n');
      const res = await agent
        .post('/admin/imports')
        .field('_csrf', csrfFrom(page.text))
        .field('source', '')
        .attach('manifest', Buffer.from(manifest), 'm.csv')
        .attach('recordings', synthesizeCallWav({ seed: 9, durationSec: 10 }), 'imp.wav');
      expect(res.status).to.equal(303);
      await t.jobs.drain();
      const [withAudio, abandoned] = await Promise.all(['IMP-F1', 'IMP-F2'].map(async (id) => findCallFacts(t.db, (await t.db('calls').where({ external_id: id }).first()).id)));
      expect(withAudio).to.include({ answerState: 'answered', answerDelaySec: 9, audioState: 'measured' });
      expect(abandoned).to.include({ answerState: 'abandoned', audioState: 'none' });
    });

    it('any writer marks a call stale — calls, cards, callbacks, recordings, evaluations, even hand-run SQL', async () => {
      const callId = await makeCall(t.db, { operatorId: org.operatorId, dropped: true });
      expect(await stale(callId)).to.equal(true);
      await drainAll();
      expect(await stale(callId)).to.equal(false);

      const check = async (what: string, write: () => Promise<unknown>) => {
        await drainAll();
        await write();
        expect(await stale(callId), what).to.equal(true);
      };
      await check('a card arriving late', () => t.db('call_cards').insert({ call_id: callId, xml: '<CallCard/>', fields: '{}', completeness: 0.5, missing_fields: '["address"]', created_at: START }));
      const startedAt = (await t.db('calls').where({ id: callId }).first()).started_at as string;
      await check('a callback added', () => makeCall(t.db, { operatorId: org.operatorId, startedAt: plus(3600, startedAt) }).then((id) => t.db('calls').where({ id }).update({ callback_of_call_id: callId })));
      await check('the call itself changed', () => t.db('calls').where({ id: callId }).update({ answered_at: plus(5, startedAt) }));
      await check('an evaluation submitted', async () => {
        const rubricVersion = await t.db('rubric_versions').first('id');
        await t.db('evaluations').insert({ call_id: callId, rubric_version_id: rubricVersion.id, specialist_user_id: org.specialist.id, status: 'submitted', started_at: START, submitted_at: plus(86400), evaluation_date: '2026-12-02', created_at: START, updated_at: START });
      });
      const f = (await computeAndRead(callId))!;
      expect(f).to.include({ cardPresent: true, cardComplete: false, callbackAttempts: 1, callbackReached: false });
      expect(f.cardMissingFields).to.deep.equal(['address']);
      expect(f.reviewedAt).to.equal(plus(86400));

      // a recording's analysis changing marks every call of that recording
      const recCall = await t.db('calls').whereNotNull('recording_id').first('id', 'recording_id');
      await drainAll();
      await t.db('recordings').where({ id: recCall.recording_id }).update({ analysis_error: JSON.stringify({ key: 'x', params: {} }) });
      expect(await stale(recCall.id)).to.equal(true);
      expect((await computeAndRead(recCall.id))!.audioState).to.equal('failed');
    });

    it('a mark written while the facts are being computed stays for the next run', async () => {
      const callId = await makeCall(t.db, { operatorId: org.operatorId });
      const marks = (await factsRepo.staleBatch(t.db, 100_000)).filter((m) => m.callId === callId);
      await t.db('calls').where({ id: callId }).update({ dropped: true }); // a write lands meanwhile
      await computeBatch(t, marks);
      expect(await stale(callId)).to.equal(true);
      await drainAll();
      expect((await findCallFacts(t.db, callId))!.dropped).to.equal(true);
    });

    it('the minute tick kicks the facts job only when something is stale', async () => {
      await drainAll();
      await t.jobs.drain();
      const before = await t.jobs.findByKey(FACTS_JOB_KEY);
      await factsTick(t)();
      expect((await t.jobs.findByKey(FACTS_JOB_KEY))!.status).to.equal(before!.status);
      await makeCall(t.db, { operatorId: org.operatorId });
      await factsTick(t)();
      expect((await t.jobs.findByKey(FACTS_JOB_KEY))!.status).to.equal('queued');
      await t.jobs.drain();
      expect(await factsRepo.staleCount(t.db)).to.equal(0);
    });
  });

  async function computeAndRead(callId: number) {
    await drainAll();
    return findCallFacts(t.db, callId);
  }

  describe('bad input', () => {
    it('a call without a recording: metadata facts only, every audio fact unknown (not zero), shown as such', async () => {
      const callId = await makeCall(t.db, { operatorId: org.operatorId });
      const f = (await computeAndRead(callId))!;
      expect(f.audioState).to.equal('none');
      expect([f.operatorTalkSec, f.talkSec, f.silenceCount, f.greetingLatencySec, f.talkOverSec]).to.deep.equal([null, null, null, null, null]);
      const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
      const page = await agent.get(`/calls/${callId}`);
      expect(page.text).to.contain('Call facts').and.contain('No recording').and.contain('unknown for this call, not zero');
    });

    it('answered before offered: the API refuses it and stores nothing; one written by hand is flagged, with no negative delay', async () => {
      const before = await countRows(t.db, 'calls');
      const res = await push({ answeredAt: plus(-10) }, file('early.wav', synthesizeCallWav({ seed: 3, durationSec: 3 })));
      expect(res.status).to.equal(400);
      expect(res.body.error.fields[0]).to.include({ field: 'answeredAt', key: 'calls.metadata.beforeStart' });
      expect(await countRows(t.db, 'calls')).to.equal(before);

      const callId = await makeCall(t.db, { operatorId: org.operatorId, startedAt: START });
      await t.db('calls').where({ id: callId }).update({ answered_at: plus(-30), ended_at: plus(90) });
      const f = (await computeAndRead(callId))!;
      expect(f.answerDelaySec).to.equal(null);
      expect(f.flags).to.include('answeredBeforeOffered');
      const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
      const page = await agent.get(`/calls/${callId}`);
      expect(page.text).to.contain('earlier than the time the call was offered');
    });

    it('a call over 24 hours: refused at the API and in a manifest with a clear message; one stored by hand is flagged and not used', async () => {
      const before = await countRows(t.db, 'calls');
      const res = await push({ answeredAt: plus(5), endedAt: plus(25 * 3600) }, file('long.wav', synthesizeCallWav({ seed: 3, durationSec: 3 })));
      expect(res.status).to.equal(400);
      expect(res.body.error.fields[0]).to.include({ field: 'endedAt', key: 'calls.metadata.longerThanDay' });
      expect(res.body.error.fields[0].message).to.contain('24 soatdan ortiq'); // the API answers in the default language, Uzbek
      const negative = await push({ durationSec: -3 }, file('neg.wav', synthesizeCallWav({ seed: 3, durationSec: 3 })));
      expect(negative.status).to.equal(400);
      expect(negative.body.error.fields[0]).to.include({ field: 'durationSec', key: 'calls.metadata.durationInvalid' });
      expect(await countRows(t.db, 'calls')).to.equal(before);

      const header = analyseHeader(['external_id', 'started_at', 'ended_at', 'duration_sec', 'operator_code']);
      const refs = { operators: new Map([[org.operatorCode, org.operatorId]]), operatorsLower: new Map(), regions: new Map(), now: new Date('2026-12-05T00:00:00Z'), defaultSource: 'telephony' } as unknown as Parameters<typeof validateRow>[3];
      const row = validateRow(['X-1', '2026-12-01 09:00:00', '2026-12-02 10:00:00', '', org.operatorCode], 2, header, refs);
      expect(row.ok).to.equal(false);
      expect(!row.ok && row.problems).to.deep.include({ column: 'ended_at', key: 'imports.reject.longerThanDay' });
      const stated = validateRow(['X-2', '2026-12-01 09:00:00', '', '90000', org.operatorCode], 3, header, refs);
      expect(!stated.ok && stated.problems).to.deep.include({ column: 'duration_sec', key: 'imports.reject.longerThanDay' });

      const callId = await makeCall(t.db, { operatorId: org.operatorId, durationSec: 90_000 });
      const f = (await computeAndRead(callId))!;
      expect(f.durationSec).to.equal(null);
      expect(f.flags).to.include('durationOver24h');
    });

    it('a callback dated before the call is not counted as one, and is flagged', async () => {
      const callId = await makeCall(t.db, { operatorId: org.operatorId, startedAt: START, dropped: true });
      await t.db('calls').where({ id: callId }).update({ answered_at: plus(4), ended_at: plus(64) });
      const early = await makeCall(t.db, { operatorId: org.operatorId, startedAt: plus(-3600) });
      await t.db('calls').where({ id: early }).update({ callback_of_call_id: callId, answered_at: plus(-3590) });
      const f = (await computeAndRead(callId))!;
      expect(f).to.include({ callbackAttempts: 0, callbackReached: false });
      expect(f.flags).to.include('callbackBeforeCall');
    });

    it('swapped channels: flagged from the talk pattern, corrected by the source\'s channel role, facts recomputed', async () => {
      const call = synthesizeCall({ seed: 21, durationSec: 20 });
      const swapped = file('swapped.wav', encodeMuLawWav([call.channels[1], call.channels[0]], 8000));
      const res = await push({ source: 'pbx-old', answeredAt: plus(3), endedAt: plus(23) }, swapped);
      expect(res.status).to.equal(201);
      await t.jobs.drain();
      const callId = res.body.callId as number;
      const wrong = (await findCallFacts(t.db, callId))!;
      expect(wrong.flags).to.include('channelsMaybeSwapped');
      expect(wrong.greetingLatencySec).to.be.above(call.turns[0]!.endSec - 0.5);

      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const page = await agent.get('/admin/channel-roles');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('pbx-old').and.contain('1 of 1 (100%)');
      const saved = await agent.post('/admin/channel-roles').type('form').send({ _csrf: csrfFrom(page.text), source: 'pbx-old', operatorChannel: '1' });
      expect(saved.status).to.equal(302);
      expect(await stale(callId)).to.equal(true);
      expect(await t.jobs.findByKey(FACTS_JOB_KEY)).to.include({ status: 'queued' });
      await t.jobs.drain();
      const right = (await findCallFacts(t.db, callId))!;
      expect(right.operatorChannel).to.equal(1);
      expect(right.flags).not.to.include('channelsMaybeSwapped');
      expect(right.greetingLatencySec).to.be.closeTo(call.turns[0]!.startSec, 0.1);
      expect(right.operatorTalkSec).to.equal(wrong.callerTalkSec);
      expect(await t.db('audit_log').where({ action: 'facts.channelRole.set', entity_id: 'pbx-old' }).first()).to.include({ user_id: org.admin.id });
    });

    it('a silence-only recording: facts say no speech, zero talk, no share, no greeting', async () => {
      const n = 8000 * 6;
      let x = 7;
      const hiss = () => Int16Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % 61) - 30);
      const res = await push({ answeredAt: plus(2), endedAt: plus(8) }, file('silent.wav', encodeMuLawWav([hiss(), hiss()], 8000)));
      expect(res.status).to.equal(201);
      await t.jobs.drain();
      const f = (await findCallFacts(t.db, res.body.callId))!;
      expect(f).to.include({ audioState: 'measured', operatorTalkSec: 0, callerTalkSec: 0, talkShare: null, greetingLatencySec: null, silenceCount: 1 });
      expect(f.flags).to.include('noSpeech');
    });

    it('a recording clipped throughout: facts say nothing can be measured, and why', async () => {
      const square = Int16Array.from({ length: 8000 * 6 }, (_, i) => (Math.floor(i / 20) % 2 ? 32767 : -32768));
      const res = await push({ answeredAt: plus(2), endedAt: plus(8) }, file('clipped.wav', encodeMuLawWav([square, square], 8000)));
      expect(res.status).to.equal(201);
      await t.jobs.drain();
      const f = (await findCallFacts(t.db, res.body.callId))!;
      expect(f.audioState).to.equal('unusable');
      expect([f.operatorTalkSec, f.talkShare, f.greetingLatencySec]).to.deep.equal([null, null, null]);
      expect(f.flags).to.include('recordingClipped');
    });
  });

  describe('pages', () => {
    it('the call page shows the facts panel in the user\'s language', async () => {
      const uz = await makeUser(t.db, { role: 'specialist', language: 'uz' });
      const callId = await makeCall(t.db, { operatorId: org.operatorId, dropped: true });
      await t.db('calls').where({ id: callId }).update({ answered_at: plus(12, (await t.db('calls').where({ id: callId }).first()).started_at) });
      await drainAll();
      const { agent } = await signIn(t.app, uz.username, uz.password);
      const page = await agent.get(`/calls/${callId}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Chaqiruv ko&#39;rsatkichlari').and.contain('Javob kutish').and.contain('Qayta qo&#39;ng&#39;iroq qilinmagan');
    });

    it('only administrators see or change channel roles; a bad source is refused with its message and nothing saved', async () => {
      const spec = await signIn(t.app, org.specialist.username, org.specialist.password);
      expect((await spec.agent.get('/admin/channel-roles')).status).to.equal(403);
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const page = await agent.get('/admin/channel-roles');
      const before = await countRows(t.db, 'channel_roles');
      const res = await agent.post('/admin/channel-roles').type('form').send({ _csrf: csrfFrom(page.text), source: '../etc', operatorChannel: '1' });
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('A source is letters, digits');
      expect(await countRows(t.db, 'channel_roles')).to.equal(before);
      const noCsrf = await agent.post('/admin/channel-roles').type('form').send({ source: 'x', operatorChannel: '1' });
      expect(noCsrf.status).to.equal(403);
      expect(await countRows(t.db, 'channel_roles')).to.equal(before);
    });
  });
});
