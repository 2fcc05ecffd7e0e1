import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { openNoOutcomeFollowups } from '../../../src/features/followups/followups.sync';
import { nextStatus } from '../../../src/features/followups/followups.service';
import { at, ids, makeFloor, postEvents } from '../events/events-fixtures';

describe('follow-up of calls the services did not fulfil (/followups)', () => {
  let t: TestApp;
  let floor: Awaited<ReturnType<typeof makeFloor>>;
  const T0 = new Date(Date.now() - 3 * 3600000).toISOString();

  before(async () => {
    t = await createTestApp();
    floor = await makeFloor(t.db);
  });
  after(() => t.close());

  async function notFulfilled(): Promise<{ ref: string; followupId: number }> {
    const id = ids('fu');
    const ref = id.call();
    await postEvents(t.app, floor.token, { events: [
      { id: id.event(), type: 'call.offered', at: T0, callId: ref, regionCode: 'SA' },
      { id: id.event(), type: 'call.answered', at: at(T0, 5), callId: ref, operatorCode: floor.operatorCode },
      { id: id.event(), type: 'service.dispatched', at: at(T0, 60), callId: ref, service: '102' },
      { id: id.event(), type: 'service.outcome', at: at(T0, 1800), callId: ref, service: '102', outcome: 'not_fulfilled', reason: 'Ekipaj yo\'q' },
    ] });
    const f = await t.db('service_followups as f').join('calls as c', 'c.id', 'f.call_id').where('c.external_id', ref).first('f.id');
    return { ref, followupId: Number(f.id) };
  }

  it('a contact result decides where the item goes: fulfilled closes, not fulfilled goes to the supervisor', () => {
    expect(nextStatus('open', 'fulfilled')).to.deep.equal({ status: 'closed', resolution: 'fulfilled' });
    expect(nextStatus('open', 'not_fulfilled').status).to.equal('escalated');
    expect(nextStatus('open', 'no_answer').status).to.equal('open');
    expect(nextStatus('escalated', 'in_progress').status).to.equal('escalated');
  });

  it('a specialist records whom they contacted; "not fulfilled" hands the item to the operator\'s supervisor, who closes it', async () => {
    const { ref, followupId } = await notFulfilled();
    const spec = await makeUser(t.db, { role: 'specialist' });
    const s = await signIn(t.app, spec.username, spec.password);
    const list = await s.agent.get('/followups');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(ref);
    expect(list.text).to.contain('Samarkand');
    const bad = await s.agent.post(`/followups/${followupId}/contacts`).type('form').send({ _csrf: await s.csrf(), contactName: '', contactedAt: 'x', result: 'in_progress' });
    expect(bad.status).to.equal(400);
    expect(Number((await t.db('service_followup_contacts').where({ followup_id: followupId }).count({ n: '*' }).first())?.n)).to.equal(0);
    const ok = await s.agent.post(`/followups/${followupId}/contacts`).type('form').send({ _csrf: await s.csrf(), contactName: 'Navbatchi Karimov', contactedAt: '2026-12-07T10:15', result: 'not_fulfilled', note: 'Ekipaj band' });
    expect(ok.status).to.equal(302);
    const f = await t.db('service_followups').where({ id: followupId }).first();
    expect([f.status, Number(f.escalated_to)]).to.deep.equal(['escalated', floor.supervisor.id]);
    const sup = await signIn(t.app, floor.supervisor.username, floor.supervisor.password);
    expect((await sup.agent.get('/followups')).text).to.contain(ref);
    expect((await sup.agent.post(`/followups/${followupId}/close`).type('form').send({ _csrf: await sup.csrf(), note: 'Ichki ishlar bo\'limi bilan gaplashildi' })).status).to.equal(302);
    expect((await t.db('service_followups').where({ id: followupId }).first()).status).to.equal('closed');
    const lead = await makeUser(t.db, { role: 'leadership' });
    expect((await (await signIn(t.app, lead.username, lead.password)).agent.get('/followups')).status).to.equal(403);
  });

  it('a request with no outcome past its service\'s limit joins the worklist once', async () => {
    const id = ids('no');
    const ref = id.call();
    await postEvents(t.app, floor.token, { events: [
      { id: id.event(), type: 'call.offered', at: T0, callId: ref },
      { id: id.event(), type: 'service.dispatched', at: at(T0, 30), callId: ref, service: '103' },
    ] });
    const limits = { '103': 45 };
    expect(await openNoOutcomeFollowups(t.db, new Date(Date.parse(T0) + 40 * 60000), limits, 120)).to.equal(0);
    expect(await openNoOutcomeFollowups(t.db, new Date(Date.parse(T0) + 50 * 60000), limits, 120)).to.equal(1);
    expect(await openNoOutcomeFollowups(t.db, new Date(Date.parse(T0) + 60 * 60000), limits, 120)).to.equal(0);
    const f = await t.db('service_followups as f').join('calls as c', 'c.id', 'f.call_id').where('c.external_id', ref).first('f.reason', 'f.status');
    expect(f).to.deep.equal({ reason: 'no_outcome', status: 'open' });
  });
});
