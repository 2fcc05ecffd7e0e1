import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeOperator } from '../../helpers/builders';
import { resolveLateOperatorsTick } from '../../../src/features/events/events.jobs';
import { ingestBatch } from '../../../src/features/events/events.service';
import { at, CARD, count, ids, makeFloor, postEvents } from './events-fixtures';

describe('call events API (POST /api/v1/events)', () => {
  let t: TestApp;
  let floor: Awaited<ReturnType<typeof makeFloor>>;
  const T0 = '2026-12-07T04:00:00.000Z';

  before(async () => {
    t = await createTestApp();
    floor = await makeFloor(t.db);
  });
  after(() => t.close());

  const send = (events: unknown[], extra: Record<string, unknown> = {}) => postEvents(t.app, floor.token, { events, ...extra });
  const callRow = (ref: string) => t.db('calls').where({ external_id: ref }).first();

  it('a call offered, answered and ended becomes a calls row with its times, operator and drop', async () => {
    const id = ids();
    const ref = id.call();
    const res = await send([
      { id: id.event(), type: 'call.offered', at: T0, callId: ref, callerNumber: '+998901234567', language: 'uz', regionCode: 'TK', category: 'medical' },
      { id: id.event(), type: 'call.answered', at: at(T0, 7), callId: ref, operatorCode: floor.operatorCode },
      { id: id.event(), type: 'call.ended', at: at(T0, 95), callId: ref, reason: 'dropped' },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ stored: 3, duplicates: 0, held: 0 });
    const c = await callRow(ref);
    expect(c.started_at).to.equal(T0);
    expect(c.answered_at).to.equal(at(T0, 7));
    expect(Number(c.operator_id)).to.equal(floor.operatorId);
    expect(c.ended_at).to.equal(at(T0, 95));
    expect(Number(c.duration_sec)).to.equal(95);
    expect(Boolean(c.dropped)).to.equal(true);
    expect(c.call_date).to.equal('2026-12-07');
    expect(c.caller_number).to.equal('+998901234567');
  });

  it('a repeated event is stored once; the same id with other content is refused with 409 and nothing is stored', async () => {
    const id = ids();
    const ref = id.call();
    const offered = { id: id.event(), type: 'call.offered', at: T0, callId: ref };
    expect((await send([offered])).status).to.equal(201);
    const before = await count(t.db, 'call_events');
    const again = await send([offered]);
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ stored: 0, duplicates: 1 });
    const changed = await send([{ ...offered, at: at(T0, 1) }, { id: id.event(), type: 'call.answered', at: at(T0, 5), callId: ref, operatorCode: floor.operatorCode }]);
    expect(changed.status).to.equal(409);
    expect(changed.body.error.key).to.equal('events.api.conflict');
    expect(changed.body.error.message).to.contain(offered.id);
    expect(await count(t.db, 'call_events')).to.equal(before);
    expect((await callRow(ref)).answered_at).to.equal(null);
  });

  it('events arriving in reverse order settle to the same call as in order (held until the call is known)', async () => {
    const id = ids();
    const ref = id.call();
    const ended = { id: id.event(), type: 'call.ended', at: at(T0, 60), callId: ref, reason: 'normal' };
    const answered = { id: id.event(), type: 'call.answered', at: at(T0, 12), callId: ref, operatorCode: floor.operatorCode };
    const offered = { id: id.event(), type: 'call.offered', at: T0, callId: ref };
    const r1 = await send([ended]);
    expect(r1.status).to.equal(201);
    expect(r1.body.held).to.equal(1);
    expect(await callRow(ref)).to.equal(undefined);
    expect((await send([answered])).body.held).to.equal(1);
    const r3 = await send([offered]);
    expect(r3.body.held).to.equal(0);
    const c = await callRow(ref);
    expect([c.started_at, c.answered_at, c.ended_at, Number(c.duration_sec), Boolean(c.dropped)]).to.deep.equal([T0, at(T0, 12), at(T0, 60), 60, false]);
    const statuses = await t.db('call_events').whereIn('event_id', [ended.id, answered.id, offered.id]).pluck('status');
    expect(statuses).to.deep.equal(['applied', 'applied', 'applied']);
  });

  it('a callback attempt for a dropped call becomes a call row pointing at it, answered when the caller is reached', async () => {
    const id = ids();
    const dropped = id.call('d');
    await send([
      { id: id.event(), type: 'call.offered', at: T0, callId: dropped },
      { id: id.event(), type: 'call.answered', at: at(T0, 4), callId: dropped, operatorCode: floor.operatorCode },
      { id: id.event(), type: 'call.ended', at: at(T0, 30), callId: dropped, reason: 'dropped' },
    ]);
    const first = id.call('cb1');
    const second = id.call('cb2');
    const res = await send([
      { id: id.event(), type: 'callback.attempted', at: at(T0, 90), callId: first, callbackOf: dropped, operatorCode: floor.operatorCode, result: 'no_answer' },
      { id: id.event(), type: 'callback.attempted', at: at(T0, 200), callId: second, callbackOf: dropped, operatorCode: floor.operatorCode, result: 'reached' },
    ]);
    expect(res.status).to.equal(201);
    const original = await callRow(dropped);
    const a = await callRow(first);
    const b = await callRow(second);
    expect(Number(a.callback_of_call_id)).to.equal(Number(original.id));
    expect(Number(b.callback_of_call_id)).to.equal(Number(original.id));
    expect(a.answered_at).to.equal(null);
    expect(a.ended_at).to.equal(at(T0, 90));
    expect(b.answered_at).to.equal(at(T0, 200));
    expect(Number(b.operator_id)).to.equal(floor.operatorId);
  });

  it('the newest card version by time is kept whatever order the versions arrive in, and a close marks it closed', async () => {
    const id = ids();
    const ref = id.call();
    await send([{ id: id.event(), type: 'call.offered', at: T0, callId: ref }]);
    await send([{ id: id.event(), type: 'card.updated', at: at(T0, 120), callId: ref, xml: CARD({ notes: 'Brigada yo\'lda', number: 'K-2' }) }]);
    await send([{ id: id.event(), type: 'card.created', at: at(T0, 30), callId: ref, xml: CARD({ number: 'K-1' }) }]);
    const c = await callRow(ref);
    let card = await t.db('call_cards').where({ call_id: c.id }).first();
    expect(JSON.parse(card.fields).cardNumber).to.equal('K-2');
    expect(Number(card.completeness)).to.equal(1);
    expect(card.status).to.equal('open');
    await send([{ id: id.event(), type: 'card.closed', at: at(T0, 300), callId: ref }]);
    card = await t.db('call_cards').where({ call_id: c.id }).first();
    expect([card.status, card.closed_at, JSON.parse(card.fields).cardNumber]).to.deep.equal(['closed', at(T0, 300), 'K-2']);
  });

  it('a card whose XML the parser refuses refuses the batch with the card error, storing nothing', async () => {
    const id = ids();
    const before = await count(t.db, 'call_events');
    const res = await send([{ id: id.event(), type: 'call.offered', at: T0, callId: id.call() }, { id: id.event(), type: 'card.created', at: T0, callId: id.call(), xml: '<!DOCTYPE x [<!ENTITY a "b">]><CallCard/>' }]);
    expect(res.status).to.equal(400);
    expect(res.body.error.fields[0]).to.include({ field: 'events[1].xml', key: 'calls.card.doctypeForbidden' });
    expect(await count(t.db, 'call_events')).to.equal(before);
  });

  it('services dispatched and their outcomes become service requests; "not fulfilled" opens a follow-up, a later "fulfilled" closes it', async () => {
    const id = ids();
    const ref = id.call();
    await send([
      { id: id.event(), type: 'call.offered', at: T0, callId: ref },
      { id: id.event(), type: 'service.dispatched', at: at(T0, 60), callId: ref, service: '103' },
      { id: id.event(), type: 'service.dispatched', at: at(T0, 61), callId: ref, service: 1050 },
      { id: id.event(), type: 'service.outcome', at: at(T0, 900), callId: ref, service: '103', outcome: 'arrived' },
      { id: id.event(), type: 'service.outcome', at: at(T0, 2400), callId: ref, service: '103', outcome: 'not_fulfilled', reason: 'Manzil topilmadi' },
    ]);
    const c = await callRow(ref);
    expect(c.services).to.equal('101,103');
    const reqs = await t.db('service_requests').where({ call_id: c.id }).orderBy('service');
    expect(reqs.map((r) => [r.service, r.outcome])).to.deep.equal([['101', null], ['103', 'not_fulfilled']]);
    expect(reqs[1].arrived_at).to.equal(at(T0, 900));
    let f = await t.db('service_followups').where({ call_id: c.id }).first();
    expect([f.status, f.reason, f.service]).to.deep.equal(['open', 'not_fulfilled', '103']);
    await send([{ id: id.event(), type: 'service.outcome', at: at(T0, 5000), callId: ref, service: '103', outcome: 'fulfilled' }]);
    f = await t.db('service_followups').where({ call_id: c.id }).first();
    expect([f.status, f.resolution]).to.deep.equal(['closed', 'service_reported']);
  });

  it('satisfaction scores and complex cases are kept against their call', async () => {
    const id = ids();
    const ref = id.call();
    await send([
      { id: id.event(), type: 'call.offered', at: T0, callId: ref },
      { id: id.event(), type: 'satisfaction.scored', at: at(T0, 400), callId: ref, score: 2 },
      { id: id.event(), type: 'satisfaction.scored', at: at(T0, 500), callId: ref, score: 4 },
      { id: id.event(), type: 'complex.raised', at: at(T0, 20), callId: ref, operatorCode: floor.operatorCode, note: 'Suitsid xavfi' },
    ]);
    const c = await callRow(ref);
    expect(Number((await t.db('call_satisfaction').where({ call_id: c.id }).first()).score)).to.equal(4);
    expect((await t.db('complex_cases').where({ call_id: c.id }).first()).note).to.equal('Suitsid xavfi');
  });

  it('operator states are kept by their own time; an unknown operator code is accepted, listed, and attached once the operator exists', async () => {
    const id = ids();
    const res = await send([
      { id: id.event(), type: 'operator.state', at: at(T0, 10), operatorCode: floor.operatorCode, state: 'ready' },
      { id: id.event(), type: 'operator.state', at: T0, operatorCode: floor.operatorCode, state: 'logged_in' },
      { id: id.event(), type: 'operator.state', at: T0, operatorCode: 'NO-SUCH-7', state: 'logged_in' },
    ]);
    expect(res.status).to.equal(201);
    const states = await t.db('operator_states').where({ operator_code: floor.operatorCode }).orderBy('started_at').pluck('state');
    expect(states).to.deep.equal(['logged_in', 'ready']);
    const unknown = await t.db('operator_states').where({ operator_code: 'NO-SUCH-7' }).first();
    expect(unknown.operator_id).to.equal(null);
    const { agent } = await signIn(t.app, floor.admin.username, floor.admin.password);
    const page = await agent.get('/admin/events');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('NO-SUCH-7');
    const opId = await makeOperator(t.db, { code: 'NO-SUCH-7' });
    await resolveLateOperatorsTick(t)(new Date());
    expect(Number((await t.db('operator_states').where({ operator_code: 'NO-SUCH-7' }).first()).operator_id)).to.equal(opId);
    expect((await agent.get('/admin/events')).text).not.to.contain('NO-SUCH-7');
  });

  it('requests arriving together are stored in one transaction, each answered for itself: a repeat is a duplicate, a conflict refuses only its own request', async () => {
    const id = ids('group');
    const calls = Array.from({ length: 12 }, (_, i) => id.call(String(i)));
    const offers = calls.map((ref) => ({ id: id.event(), type: 'call.offered', at: T0, callId: ref }));
    const answered = { id: id.event(), type: 'call.answered', at: at(T0, 4), callId: calls[0], operatorCode: floor.operatorCode };
    let transactions = 0;
    const countLocks = (q: { sql: string }) => void (/pg_advisory_xact_lock|where 0 = 1/i.test(q.sql) && transactions++);
    t.db.on('query', countLocks);
    try {
      const results = await Promise.allSettled([
        ...offers.map((e) => ingestBatch(t, { events: [e] }, { apiTokenId: null })),
        ingestBatch(t, { events: [offers[3]] }, { apiTokenId: null }), // the same event again
        ingestBatch(t, { events: [{ ...offers[5], at: at(T0, 9) }, answered] }, { apiTokenId: null }), // offers[5]'s id with other content
      ]);
      const ok = results.slice(0, 12).map((r) => (r.status === 'fulfilled' ? r.value : null));
      expect(ok.every((r) => r !== null && r.stored === 1 && r.duplicates === 0 && r.lastSeq !== null)).to.equal(true);
      const repeat = results[12]!;
      expect(repeat.status === 'fulfilled' && repeat.value).to.include({ stored: 0, duplicates: 1 });
      const conflict = results[13]!;
      expect(conflict.status).to.equal('rejected');
      expect((conflict as PromiseRejectedResult).reason).to.include({ status: 409, key: 'events.api.conflict' });
    } finally {
      t.db.off('query', countLocks);
    }
    // The first request starts alone; the rest waited and went in together.
    expect(transactions).to.be.at.most(3);
    for (const ref of calls) expect((await callRow(ref)).started_at).to.equal(T0);
    // Nothing of the refused request is stored.
    expect(await t.db('call_events').where({ event_id: answered.id }).first()).to.equal(undefined);
    expect((await callRow(calls[0]!)).answered_at).to.equal(null);
  });
});
