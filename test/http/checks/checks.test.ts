// Automatic checks on every call: results stored for every bound check when the facts are
// computed (and for calls stored before a check was bound), flagged calls of a day, a callback
// window decided when it closes, suggestions with evidence on the evaluation page that answer
// nothing, the administrators' agreement page, and bindings set in the rubric builder.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeOrganisation } from '../calls/calls-fixtures';
import { definition, criterion, makeEvaluation, makeRubricVersion } from '../reports/report-builders';
import { insertReturningId } from '../../../src/db';
import { drainStaleFacts } from '../../../src/features/facts/facts.service';
import { drainStaleChecks, flaggedCalls } from '../../../src/features/checks/checks.service';
import { insertRecording } from '../../../src/features/calls/recordings.repository';
import { VAD_VERSION } from '../../../src/features/media';
import { rubricVersionForCall } from '../../../src/features/rubrics/rubrics.service';
import { queueCall } from '../service/service-fixtures';

const DAY = '2026-11-10';
const DEFAULT_KEYS = ['answerAndGreeting:10,3', 'callback:10,3', 'cardComplete', 'silence:15', 'talkOver:10'];

describe('automatic checks on every call', function () {
  this.timeout(60_000);
  let t: TestApp;
  let now = new Date('2026-11-20T09:00:00.000Z');
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  const as = (username: string) => signIn(t.app, username, 'correct-horse-battery');
  const drain = async () => {
    await drainStaleFacts(t);
    return drainStaleChecks(t);
  };
  const results = async (callId: number) => Object.fromEntries((await t.db('call_check_results').where({ call_id: callId }).select('check_key', 'outcome')).map((r) => [r.check_key, r.outcome]));

  before(async () => {
    t = await createTestApp({ clock: () => now });
    org = await makeOrganisation(t.db);
  });
  after(async () => {
    await t.close();
  });

  it('stores a result of every bound check for every call once its facts are computed, and lists the flagged ones of a day', async () => {
    const late = await queueCall(t.db, { day: DAY, answerSec: 25, operatorId: org.operatorId });
    const fine = await queueCall(t.db, { day: DAY, answerSec: 4, operatorId: org.operatorId });
    const dropped = await queueCall(t.db, { day: DAY, answerSec: 3, dropped: true, operatorId: org.operatorId });
    const r = await drain();
    expect(r.computed).to.be.at.least(3);
    for (const id of [late, fine, dropped]) expect(Object.keys(await results(id)).sort()).to.deep.equal(DEFAULT_KEYS);
    expect(await results(late)).to.include({ 'answerAndGreeting:10,3': 'fail', 'callback:10,3': 'na', cardComplete: 'unknown', 'silence:15': 'unknown' });
    expect((await results(fine))['answerAndGreeting:10,3']).to.equal('unknown');
    expect((await results(dropped))['callback:10,3']).to.equal('fail');
    const flagged = await flaggedCalls(t, DAY);
    expect(flagged).to.deep.equal([{ callId: late, keys: ['answerAndGreeting:10,3'] }, { callId: dropped, keys: ['callback:10,3'] }]);
    expect(await flaggedCalls(t, DAY, { keys: ['callback:10,3'] })).to.deep.equal([{ callId: dropped, keys: ['callback:10,3'] }]);
    // A callback reaching the caller 2 minutes after the drop changes the facts, and the result follows.
    await queueCall(t.db, { day: DAY, time: '10:05', answerSec: 5, callbackOf: dropped, operatorId: org.operatorId });
    await drain();
    expect((await results(dropped))['callback:10,3']).to.equal('pass');
  });

  it('computes a newly bound check for every call stored before it was published', async () => {
    const before = await t.db('call_facts').count({ n: '*' }).first();
    await makeRubricVersion(t.db, definition([criterion('HOLD-1', { autoCheck: { check: 'hold', params: { maxSec: 90 } } })]));
    const r = await drainStaleChecks(t);
    expect(r.backfilled).to.equal(Number(before!.n));
    const rows = await t.db('call_check_results').where({ check_key: 'hold:90' }).count({ n: '*' }).first();
    expect(Number(rows!.n)).to.equal(Number(before!.n));
    expect((await t.db('check_backfills').where({ check_key: 'hold:90' }).first()).done).to.be.oneOf([1, true]);
  });

  it('answers "cannot tell" while a callback window is open, and decides it when the window closes without any write', async () => {
    now = new Date('2026-11-20T09:00:00.000Z');
    const id = await queueCall(t.db, { day: '2026-11-20', time: '13:55', answerSec: 3, talkSec: 60, dropped: true, operatorId: org.operatorId });
    await drain();
    const row = await t.db('call_check_results').where({ call_id: id, check_key: 'callback:10,3' }).first();
    expect(row.outcome).to.equal('unknown');
    expect(row.recheck_at).to.equal('2026-11-20T09:06:03.000Z');
    now = new Date('2026-11-20T09:07:00.000Z');
    const r = await drainStaleChecks(t);
    expect(r.rechecksDue).to.equal(1);
    const after = await t.db('call_check_results').where({ call_id: id, check_key: 'callback:10,3' }).first();
    expect(after).to.include({ outcome: 'fail', recheck_at: null });
  });

  it('shows each bound criterion\'s suggestion with its evidence on the evaluation page, and answers none of them', async () => {
    const recordingId = await insertRecording(t.db, { sha256: 'a'.repeat(64), storageKey: 'aa/test.wav', originalName: 'x.wav', sizeBytes: 1000, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 200, mimeType: 'audio/wav', hasVideo: false });
    const facts = {
      durationSec: 200, channels: 2, talkSec: [60, 70], silences: [{ startSec: 151.02, endSec: 166.4 }], silenceSec: 15.38, longestSilenceSec: 15.38, overlapSec: 1, overlaps: [{ startSec: 20, endSec: 21 }],
      speech: [[{ startSec: 1.2, endSec: 10 }], [{ startSec: 9, endSec: 21 }]], clippedShare: [0, 0], vad: { frameMs: 20, thresholdDb: [-50, -50], noiseFloorDb: [-60, -60], version: VAD_VERSION },
    };
    await t.db('recordings').where({ id: recordingId }).update({ facts: JSON.stringify(facts), analysed_at: now.toISOString(), analysis_version: VAD_VERSION });
    const callId = await queueCall(t.db, { day: '2026-11-19', answerSec: 6, talkSec: 200, operatorId: org.operatorId, recordingId });
    await insertReturningId(t.db, 'call_cards', { call_id: callId, xml: '<card/>', fields: '{}', completeness: 0.75, missing_fields: JSON.stringify(['address', 'operatorNotes']), created_at: now.toISOString() });
    await drain();
    const specialist = await as(org.specialist.username);
    const open = await specialist.agent.post(`/calls/${callId}/evaluate`).type('form').send({ _csrf: await specialist.csrf() });
    expect(open.status).to.equal(303);
    const page = await specialist.agent.get(open.headers.location!);
    expect(page.status).to.equal(200);
    const html = page.text;
    const block = (code: string) => html.slice(html.indexOf(`data-code="${code}"`), html.indexOf('</fieldset>', html.indexOf(`data-code="${code}"`)));
    expect(block('OPEN-1')).to.include('data-outcome="pass"').and.include('Answered 6 s after the offer (limit 10 s).');
    expect(block('INFO-5')).to.include('data-outcome="fail"').and.include('data-seek="151.02"').and.include('2:31').and.include('Silence of 15.4 s.');
    expect(block('CARD-1')).to.include('data-outcome="fail"').and.include('Address').and.include('Operator');
    expect(block('CLOSE-2')).to.include('data-outcome="na"');
    // Nothing filled in: no answer of any criterion is checked.
    for (const code of ['OPEN-1', 'INFO-5', 'CARD-1', 'COMM-1', 'CLOSE-2']) expect(block(code)).not.to.match(/type="radio"[^>]*checked/);
    expect(html).to.include('/public/build/suggestions.js');
  });

  it('shows administrators how each check agrees with the specialists (n, percent, kappa), and nobody else', async () => {
    const version = (await rubricVersionForCall(t.db, null))!;
    const cards: [number, number][] = [[1, 1], [1, 1], [0.75, 1], [0.75, 0]]; // [card completeness, specialist's CARD-1 answer]
    for (const [completeness, answer] of cards) {
      const e = await makeEvaluation(t.db, { operatorId: org.operatorId, specialistId: org.specialist.id, version, date: '2026-11-18', answers: { 'CARD-1': answer } });
      await insertReturningId(t.db, 'call_cards', { call_id: e.callId, xml: '<card/>', fields: '{}', completeness, missing_fields: JSON.stringify(completeness < 1 ? ['address'] : []), created_at: now.toISOString() });
    }
    await drain();
    const admin = await as(org.admin.username);
    const page = await admin.agent.get('/admin/checks?from=2026-11-01&to=2026-11-20');
    expect(page.status).to.equal(200);
    // machine: pass, pass, fail, fail; specialist: yes, yes, yes, no → 3 of 4 agree; kappa (0.75 − 0.5)/(1 − 0.5) = 0.5.
    const row = page.text.slice(page.text.indexOf('CARD-1'), page.text.indexOf('</tr>', page.text.indexOf('CARD-1')));
    expect(row).to.include('>4<').and.include('75.0%').and.include('0.5');
    expect(page.text).to.include('Call card complete');
    for (const u of [org.specialist, org.supervisor, org.leadership]) expect((await (await as(u.username)).agent.get('/admin/checks')).status).to.equal(403);
  });

  it('lets an administrator bind a criterion to a check with its threshold in a draft, refusing a threshold out of range', async () => {
    const admin = await as(org.admin.username);
    const version = (await rubricVersionForCall(t.db, null))!;
    const draft = await admin.agent.post(`/rubrics/${version.rubricId}/draft`).type('form').send({ _csrf: await admin.csrf() });
    expect(draft.status).to.equal(302);
    const base = draft.headers.location!.replace(/\/edit.*$/, '');
    const form = {
      code: 'OPEN-2', 'text[uz]': 'Suhbat fuqaroning tilida', 'text[ru]': 'Разговор на языке заявителя', 'text[en]': "Conversation in the caller's language",
      'guidance[uz]': '', 'guidance[ru]': '', 'guidance[en]': '', points: '5', answerType: 'yesno', scaleMax: '3', errorCategory: 'communication', defaultSeverity: 'major',
    };
    const bad = await admin.agent.post(`${base}/criteria/OPEN-2`).type('form').send({ ...form, 'autoCheck[check]': 'silence', 'autoCheck[params][silence][maxSec]': '0', _csrf: await admin.csrf() });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('This threshold is outside the allowed range');
    const ok = await admin.agent.post(`${base}/criteria/OPEN-2`).type('form').send({ ...form, 'autoCheck[check]': 'greetingWithin', 'autoCheck[params][greetingWithin][greetingSec]': '4,5', _csrf: await admin.csrf() });
    expect(ok.status).to.equal(302);
    const stored = await t.db('rubric_versions').where({ id: Number(base.split('/').pop()) }).first('definition', 'status');
    expect(stored.status).to.equal('draft');
    const open2 = JSON.parse(stored.definition).sections.flatMap((s: { criteria: { code: string }[] }) => s.criteria).find((c: { code: string }) => c.code === 'OPEN-2');
    expect(open2.autoCheck).to.deep.equal({ check: 'greetingWithin', params: { greetingSec: 4.5 } });
    const edit = await admin.agent.get(`${base}/criteria/OPEN-2/edit`);
    expect(edit.text).to.match(/<option value="greetingWithin" selected>/);
    const exported = await admin.agent.get(`${base}/export`);
    expect(exported.text).to.include('"check": "greetingWithin"');
  });
});
