// E-mails that must go out once: digests and the weekly report are recorded in the mail outbox
// before they go to SMTP, so a job run twice — after a crash, or by a second instance that took
// the job over from a frozen one — does not mail them twice, and does not lose them either.
import { expect } from 'chai';
import { createTestApp, createTestDb, type TestApp, type TestDb } from '../../helpers/app';
import { JobQueue } from '../../../src/jobs/queue';
import { MailInProgressError, outboxMessageId, sendOnce } from '../../../src/mail/outbox';
import { digestOutboxKey } from '../../../src/features/digests/digests.service';
import { digestsFeature } from '../../../src/features/digests';
import { reportsFeature } from '../../../src/features/reports';
import { WEEKLY_JOB, sendWeeklyReport } from '../../../src/features/reports/weekly-report';
import { makeUser } from '../../helpers/builders';
import { digestWorld, failedOn, requestDigest, type DigestWorld } from '../digests/helpers';
import { parseMail, startSmtp, type TestSmtp } from '../digests/smtp';

describe('sending an e-mail once (the mail outbox)', () => {
  let tdb: TestDb;
  let now: Date;
  const clock = () => now;
  beforeEach(async () => {
    tdb = await createTestDb();
    now = new Date('2026-11-30T03:00:00Z');
  });
  afterEach(() => tdb.destroy());

  it('sends a key once: a second call finds it sent and does not send, with the same Message-ID', async () => {
    const sent: string[] = [];
    const first = await sendOnce(tdb.db, { key: 'digest:1', holder: 'w#1', domain: 'sifat.example.uz', clock }, async (id) => void sent.push(id));
    const second = await sendOnce(tdb.db, { key: 'digest:1', holder: 'w#2', domain: 'sifat.example.uz', clock }, async (id) => void sent.push(id));
    expect(first).to.deep.equal({ sent: true, messageId: outboxMessageId('digest:1', 'sifat.example.uz') });
    expect(second.sent).to.equal(false);
    expect(sent).to.deep.equal([outboxMessageId('digest:1', 'sifat.example.uz')]);
    expect(sent[0]).to.match(/^<sifat\.[0-9a-f]{32}@sifat\.example\.uz>$/);
  });

  it('a failed send releases the key, so the retry sends it', async () => {
    let calls = 0;
    const send = async () => {
      calls++;
      if (calls === 1) throw new Error('451 try later');
    };
    let error: unknown;
    await sendOnce(tdb.db, { key: 'weekly:2026-11-16:3', holder: 'w#1', domain: 'x', clock }, send).catch((e) => (error = e));
    expect((error as Error).message).to.equal('451 try later');
    expect((await tdb.db('mail_outbox').first()).status).to.equal('failed');
    expect((await sendOnce(tdb.db, { key: 'weekly:2026-11-16:3', holder: 'w#1', domain: 'x', clock }, send)).sent).to.equal(true);
    expect(calls).to.equal(2);
  });

  it('a run that lost its job does not send: the check right before sending stops it', async () => {
    let sent = 0;
    let error: unknown;
    await sendOnce(tdb.db, { key: 'digest:9', holder: 'w#1', domain: 'x', clock, assertHeld: async () => Promise.reject(new Error('lost')) }, async () => void sent++).catch((e) => (error = e));
    expect((error as Error).message).to.equal('lost');
    expect(sent).to.equal(0);
  });

  it('outside a job, a fresh claim of another process is respected and a stale one taken over', async () => {
    await tdb.db('mail_outbox').insert({ outbox_key: 'digest:5', status: 'sending', holder: null, message_id: '<m>', attempts: 1, claimed_at: now.toISOString(), created_at: now.toISOString(), updated_at: now.toISOString() });
    let error: unknown;
    await sendOnce(tdb.db, { key: 'digest:5', domain: 'x', clock }, async () => undefined).catch((e) => (error = e));
    expect(error).to.be.instanceOf(MailInProgressError);
    now = new Date(now.getTime() + 11 * 60_000);
    expect((await sendOnce(tdb.db, { key: 'digest:5', domain: 'x', clock }, async () => undefined)).sent).to.equal(true);
  });
});

describe('digests and the weekly report are mailed once whatever happens to the job running them', function () {
  this.timeout(30_000);

  describe('a digest', () => {
    let smtp: TestSmtp;
    let w: DigestWorld;
    before(async () => {
      smtp = await startSmtp();
      w = await digestWorld({ smtpUrl: smtp.url });
      await failedOn(w, '2026-05-05', { failed: ['INFO-1'] });
    });
    after(async () => {
      await w.t.close();
      await smtp.close();
    });

    it('a run of the job after a crash that came right after the send does not mail it again, and marks the digest sent', async () => {
      const id = await requestDigest(w);
      await w.t.jobs.drain();
      expect(smtp.received).to.have.length(1);
      // The crash: the message went out and the outbox says so, but the digest and its job were not
      // updated — the process died first. The job is back in the queue (lease lapsed).
      await w.t.db('digests').where({ id }).update({ delivery_status: 'sending' });
      await w.t.db('jobs').where({ dedupe_key: `digest-send:${id}` }).update({ status: 'queued', locked_by: null });
      await w.t.jobs.drain();
      expect(smtp.received, 'no second e-mail').to.have.length(1);
      expect((await w.t.db('digests').where({ id }).first()).delivery_status).to.equal('sent');
      expect(parseMail(smtp.received[0].raw).headers['message-id']).to.equal(outboxMessageId(digestOutboxKey(id), 'sifat.example.uz'));
    });

    it('a run that crashed after recording the send but before SMTP took it is not lost: the next run sends it', async () => {
      smtp.received.length = 0;
      const id = await requestDigest(w, { from: '2026-05-02', to: '2026-05-08' });
      const job = (await w.t.jobs.findByKey(`digest-send:${id}`))!;
      // The dead run: it claimed the digest and the outbox key, then its process stopped.
      await w.t.db('digests').where({ id }).update({ delivery_status: 'sending' });
      await w.t.db('mail_outbox').insert({ outbox_key: digestOutboxKey(id), status: 'sending', holder: 'dead:1:z#1', message_id: outboxMessageId(digestOutboxKey(id), 'sifat.example.uz'), attempts: 1, claimed_at: w.clock.now.toISOString(), created_at: w.clock.now.toISOString(), updated_at: w.clock.now.toISOString() });
      await w.t.db('jobs').where({ id: job.id }).update({ status: 'running', attempts: 1, locked_by: 'dead:1:z#1', locked_at: new Date(w.clock.now.getTime() - 10 * 60_000).toISOString() });
      await w.t.jobs.recoverAbandoned();
      await w.t.jobs.drain();
      expect(smtp.received).to.have.length(1);
      expect((await w.t.db('digests').where({ id }).first()).delivery_status).to.equal('sent');
    });
  });

  describe('the weekly report', () => {
    let smtp: TestSmtp;
    let t: TestApp;
    before(async () => {
      smtp = await startSmtp();
      t = await createTestApp({ features: [digestsFeature, reportsFeature], config: { smtpUrl: smtp.url, appBaseUrl: 'https://sifat.example.uz' } });
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    it('an instance frozen past its lease wakes up after another took the job over and sent it: one e-mail, one result', async () => {
      const boss = await makeUser(t.db, { role: 'leadership', email: 'boss@example.uz' });
      await t.db('report_subscriptions').insert({ user_id: boss.id, is_active: true, created_at: new Date().toISOString(), updated_at: new Date().toISOString() });
      // The frozen instance's heartbeat does not come round during the test (a quarter of its lease);
      // the other instance counts a lease of 300 ms.
      const frozen = new JobQueue(t.db, { concurrency: 1, leaseMs: 60_000 });
      const other = new JobQueue(t.db, { concurrency: 1, leaseMs: 300 });
      let wake!: () => void;
      const asleep = new Promise<void>((r) => (wake = r));
      let froze = false;
      frozen.register(WEEKLY_JOB, async (p, ctx) => {
        froze = true;
        await asleep; // a long pause: no heartbeat reaches the database meanwhile
        return sendWeeklyReport(t, p as { userId: number; from: string; to: string }, ctx);
      });
      other.register(WEEKLY_JOB, reportsFeature.jobHandlers!(t)[WEEKLY_JOB]!);
      const id = await t.jobs.enqueue(WEEKLY_JOB, { userId: boss.id, from: '2026-11-16', to: '2026-11-22' }, { dedupeKey: `reports:weekly:2026-11-16:${boss.id}` });
      const run = frozen.runOnce();
      while (!froze) await new Promise((r) => setTimeout(r, 10));
      await t.db('jobs').where({ id }).update({ locked_at: new Date(Date.now() - 60_000).toISOString() });
      await other.recoverAbandoned();
      expect(await other.runOnce()).to.equal(true);
      expect(smtp.received).to.have.length(1);
      wake();
      await run;
      expect(smtp.received, 'the woken run sent nothing').to.have.length(1);
      const job = await t.db('jobs').where({ id }).first();
      expect(job.status).to.equal('done');
      expect(JSON.parse(job.result)).to.deep.equal({ sent: true });
      expect(await t.db('mail_outbox').where({ status: 'sent' })).to.have.length(1);
    });
  });
});
