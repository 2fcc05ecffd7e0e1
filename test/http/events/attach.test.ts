import fs from 'node:fs';
import request from 'supertest';
import { expect } from 'chai';
import { createTestApp, type TestApp } from '../../helpers/app';
import { tempDir, wavFile } from '../calls/calls-fixtures';
import { at, CARD, ids, makeFloor, postEvents } from './events-fixtures';

describe('a recording or a card arriving after its call (POST /api/v1/calls)', () => {
  let t: TestApp;
  let floor: Awaited<ReturnType<typeof makeFloor>>;
  let dir: string;
  const T0 = '2026-12-07T04:10:00.000Z';

  before(async () => {
    t = await createTestApp();
    floor = await makeFloor(t.db);
    dir = tempDir();
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const postCall = (metadata: Record<string, unknown>, file: string, card?: string) => {
    const r = request(t.app).post('/api/v1/calls').set('Authorization', `Bearer ${floor.token}`).field('metadata', JSON.stringify(metadata)).attach('recording', file);
    return card ? r.attach('card', Buffer.from(card), 'card.xml') : r;
  };

  it('the recording of a call known from its events joins that call; the events\' times stay, empty columns are filled', async () => {
    const id = ids('att');
    const ref = id.call();
    await postEvents(t.app, floor.token, { events: [
      { id: id.event(), type: 'call.offered', at: T0, callId: ref },
      { id: id.event(), type: 'call.answered', at: at(T0, 6), callId: ref, operatorCode: floor.operatorCode },
      { id: id.event(), type: 'call.ended', at: at(T0, 80), callId: ref, reason: 'normal' },
    ] });
    const before = await t.db('calls').where({ external_id: ref }).first();
    const res = await postCall({ externalId: ref, startedAt: at(T0, 1), operatorCode: floor.operatorCode, language: 'ru', category: 'fire', regionCode: 'SA' }, wavFile(dir, 'a.wav'), CARD({ notes: 'ok' }));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ outcome: 'attached', callId: Number(before.id) });
    const after = await t.db('calls').where({ external_id: ref }).first();
    expect(after.recording_id).to.not.equal(null);
    expect([after.started_at, after.answered_at, after.language, after.category]).to.deep.equal([T0, at(T0, 6), 'ru', 'fire']);
    expect(Number((await t.db('calls').where({ external_id: ref }).count({ n: '*' }).first())?.n)).to.equal(1);
    expect(await t.db('call_cards').where({ call_id: before.id }).first()).to.not.equal(undefined);
  });

  it('a card sent with a call that is already here (same recording) is attached, not silently dropped', async () => {
    const ref = ids('card').call();
    const file = wavFile(dir, 'b.wav', 3, 11);
    const meta = { externalId: ref, startedAt: T0, operatorCode: floor.operatorCode, language: 'uz' };
    expect((await postCall(meta, file)).status).to.equal(201);
    const c = await t.db('calls').where({ external_id: ref }).first();
    expect(await t.db('call_cards').where({ call_id: c.id }).first()).to.equal(undefined);
    const res = await postCall(meta, file, CARD({ notes: 'Brigada yuborildi' }));
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ outcome: 'duplicate', cardAttached: true });
    const card = await t.db('call_cards').where({ call_id: c.id }).first();
    expect(JSON.parse(card.fields).operatorNotes).to.equal('Brigada yuborildi');
    const again = await postCall(meta, file, CARD({ notes: 'Brigada yuborildi' }));
    expect(again.body).to.include({ outcome: 'duplicate', cardAttached: false });
  });
});
