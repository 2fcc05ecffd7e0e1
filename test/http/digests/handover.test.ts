// A monitoring specialist prepares the ma'lumotnoma of a team for a period (B2.02.4 #2–3), reviews
// it and sends it: only then does it reach the team's supervisor — in their digests, marked new on
// their home page, and by e-mail.
import { expect } from 'chai';
import { signIn } from '../../helpers/app';
import { digestWorld, failedOn, type DigestWorld } from './helpers';
import { startSmtp, type TestSmtp } from './smtp';

describe('a specialist’s ma’lumotnoma: prepared, reviewed, handed to the supervisor', () => {
  let w: DigestWorld;
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
    w = await digestWorld({ smtpUrl: smtp.url });
    await failedOn(w, '2026-05-05', { failed: ['INFO-2'] });
  });
  after(async () => {
    await w.t.close();
    await smtp.close();
  });

  it('goes from draft to the supervisor’s digests and e-mail only when sent, once', async () => {
    const s = await signIn(w.t.app, w.org.specialist.username, 'correct-horse-battery');
    const list = await s.agent.get('/digests');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(`value="team:${w.org.team}"`).and.not.contain('name="frequency"');
    const res = await s.agent.post('/digests').type('form').send({ _csrf: await s.csrf(), scope: `team:${w.org.team}`, from: '2026-05-01', to: '2026-05-07', send: '1' });
    expect(res.status).to.equal(302);
    const id = Number(/\/digests\/(\d+)$/.exec(res.headers.location)![1]);
    const row = await w.t.db('digests').where({ id }).first();
    expect(row).to.include({ handover_status: 'draft', delivery_status: 'in_app', prepared_by: w.org.specialist.id });
    expect(JSON.parse(row.recipients).map((r: { userId: number }) => r.userId)).to.deep.equal([w.org.supervisor.id]);
    expect((await s.agent.get(`/digests/${id}`)).text).to.contain('Send to the supervisor');

    // Not yet the supervisor's: neither listed nor open to them, nothing mailed.
    const sup = await signIn(w.t.app, w.org.supervisor.username, 'correct-horse-battery');
    expect((await sup.agent.get('/digests')).text).not.to.contain(`/digests/${id}"`);
    expect((await sup.agent.get(`/digests/${id}`)).status).to.equal(403);
    await w.t.jobs.drain();
    expect(smtp.received).to.have.length(0);

    const sent = await s.agent.post(`/digests/${id}/handover`).type('form').send({ _csrf: await s.csrf() });
    expect(sent.status).to.equal(302);
    expect(await w.t.db('digests').where({ id }).first()).to.include({ handover_status: 'sent', handed_over_by: w.org.specialist.id });
    expect(await w.t.db('audit_log').where({ action: 'digest.handover', entity_id: String(id) })).to.have.length(1);
    await w.t.jobs.drain();
    expect(smtp.received).to.have.length(1);
    expect(smtp.received[0].to).to.deep.equal(['bobur@example.uz']);

    // The supervisor's home says there is a new one; opening it clears that.
    expect((await sup.agent.get('/')).text).to.contain('new-digests');
    expect((await sup.agent.get('/digests')).text).to.contain(`/digests/${id}"`);
    expect((await sup.agent.get(`/digests/${id}`)).status).to.equal(200);
    expect((await w.t.db('digests').where({ id }).first()).read_at).to.be.a('string');
    expect((await sup.agent.get('/')).text).not.to.contain('new-digests');

    // Sending again is refused; the e-mail is not repeated.
    const again = await s.agent.post(`/digests/${id}/handover`).type('form').send({ _csrf: await s.csrf() }).set('accept', 'application/json');
    expect(again.status).to.equal(409);
    await w.t.jobs.drain();
    expect(smtp.received).to.have.length(1);
  });

  it('a specialist prepares only team digests, sees only their own, and cannot schedule or e-mail others’', async () => {
    const s = await signIn(w.t.app, w.org.specialist.username, 'correct-horse-battery');
    const centre = await s.agent.post('/digests').type('form').send({ _csrf: await s.csrf(), scope: 'centre', from: '2026-05-01', to: '2026-05-07' });
    expect(centre.status).to.equal(400);
    expect(centre.text).to.contain('Choose a team');
    const other = await signIn(w.t.app, w.org.otherSpecialist.username, 'correct-horse-battery');
    const mine = await w.t.db('digests').where({ prepared_by: w.org.specialist.id }).first();
    expect((await other.agent.get(`/digests/${mine.id}`)).status).to.equal(403);
    expect((await s.agent.post('/digests/schedule').type('form').send({ _csrf: await s.csrf(), frequency: 'daily', sendTime: '08:00' })).status).to.equal(403);
    expect((await s.agent.post(`/digests/${mine.id}/send`).type('form').send({ _csrf: await s.csrf() })).status).to.equal(403);
  });
});
