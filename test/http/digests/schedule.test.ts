import { expect } from 'chai';
import { signIn } from '../../helpers/app';
import { digestsFeature } from '../../../src/features/digests';
import { prepareScheduledDigest } from '../../../src/features/digests/digests.service';
import { digestWorld, failedOn, DigestWorld } from './helpers';
import { startSmtp, parseMail, TestSmtp } from './smtp';

describe('digests on each supervisor\'s schedule', () => {
  let smtp: TestSmtp;
  let w: DigestWorld;
  // The feature's own tick, as the scheduler runs it every minute.
  const tick = (at: Date) => Promise.all(digestsFeature.schedules!(w.t).map((t) => t(at)));
  before(async () => {
    smtp = await startSmtp();
    w = await digestWorld({ smtpUrl: smtp.url }, 'en');
    await failedOn(w, '2026-05-11', { failed: ['INFO-3'], comment: 'name not confirmed' });
    await failedOn(w, '2026-05-08', { failed: ['HELP-2'], comment: 'a week ago' });
  });
  after(async () => {
    await w.t.close();
    await smtp.close();
  });

  it('a supervisor chooses a daily time; bad input is refused field by field and nothing is stored', async () => {
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    const bad = await agent.post('/digests/schedule').type('form').send({ _csrf: await csrf(), frequency: 'weekly', weekday: '', sendTime: '25:00' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Choose the day for a weekly digest');
    expect(bad.text).to.contain('Enter the time as HH:MM');
    expect(await w.t.db('digest_schedules')).to.have.length(0);
    const ok = await agent.post('/digests/schedule').type('form').send({ _csrf: await csrf(), frequency: 'daily', sendTime: '08:30' });
    expect(ok.status).to.equal(302);
    const rows = await w.t.db('digest_schedules');
    expect(rows.map((r) => [Number(r.user_id), r.frequency, r.send_time])).to.deep.equal([[w.org.supervisor.id, 'daily', '08:30']]);
    const page = await agent.get('/digests');
    expect(page.text).to.contain('Next digest:');
  });

  it('is not due before its time; once due, one digest for yesterday is prepared and mailed however often the tick runs', async () => {
    await tick(new Date('2026-05-12T03:29:00Z')); // 08:29 in Tashkent
    expect(await w.t.db('jobs').where({ type: 'digests.prepare' })).to.have.length(0);
    await tick(new Date('2026-05-12T03:30:00Z'));
    await tick(new Date('2026-05-12T03:31:00Z'));
    const jobs = await w.t.db('jobs').where({ type: 'digests.prepare' });
    expect(jobs.map((j) => j.dedupe_key)).to.deep.equal([`digest:${w.org.supervisor.id}:2026-05-11`]);
    await w.t.jobs.drain();
    await tick(new Date('2026-05-12T10:00:00Z'));
    await w.t.jobs.drain();
    const digests = await w.t.db('digests');
    expect(digests.map((d) => [d.trigger, d.period_start, d.period_end, d.delivery_status, d.schedule_key])).to.deep.equal([
      ['schedule', '2026-05-11', '2026-05-11', 'sent', `digest:${w.org.supervisor.id}:2026-05-11`],
    ]);
    expect(smtp.received).to.have.length(1);
    const mail = parseMail(smtp.received[0].raw);
    expect(mail.subject).to.equal("Digest: Bobur Aliyev's teams, 11.05.2026 – 11.05.2026");
    expect(mail.text).to.contain('Errors recorded: 1');
    expect(mail.text).not.to.contain('a week ago');
  });

  it('the same digest prepared twice (two instances, a retried job) is stored once', async () => {
    const a = await prepareScheduledDigest(w.t, { userId: w.org.supervisor.id, periodStart: '2026-05-11', periodEnd: '2026-05-11' });
    expect(a.created).to.equal(false);
    expect(await w.t.db('digests')).to.have.length(1);
  });

  it('a weekly schedule sends on its weekday only, covering the seven days up to yesterday', async () => {
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    await agent.post('/digests/schedule').type('form').send({ _csrf: await csrf(), frequency: 'weekly', weekday: '1', sendTime: '09:00' });
    await tick(new Date('2026-05-13T05:00:00Z')); // Wednesday 10:00
    expect(await w.t.db('jobs').where({ type: 'digests.prepare' })).to.have.length(1);
    await tick(new Date('2026-05-18T04:00:00Z')); // Monday 09:00
    await w.t.jobs.drain();
    const weekly = await w.t.db('digests').where({ period_end: '2026-05-17' }).first();
    expect([weekly.period_start, weekly.period_end]).to.deep.equal(['2026-05-11', '2026-05-17']);
  });

  it('turning the schedule off stops it', async () => {
    const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
    await agent.post('/digests/schedule').type('form').send({ _csrf: await csrf(), frequency: 'off', sendTime: '09:00' });
    const before = (await w.t.db('jobs').where({ type: 'digests.prepare' })).length;
    await tick(new Date('2026-05-25T04:30:00Z')); // a Monday after the time
    expect(await w.t.db('jobs').where({ type: 'digests.prepare' })).to.have.length(before);
  });

  it('a scheduled job for a supervisor who no longer exists fails for good and stores nothing', async () => {
    await w.t.jobs.enqueue('digests.prepare', { userId: 999999, periodStart: '2026-05-11', periodEnd: '2026-05-11' }, { dedupeKey: 'digest:999999:2026-05-11' });
    const before = (await w.t.db('digests')).length;
    await w.t.jobs.drain();
    const job = await w.t.jobs.findByKey('digest:999999:2026-05-11');
    expect(job!.status).to.equal('failed');
    expect(await w.t.db('digests')).to.have.length(before);
  });
});
