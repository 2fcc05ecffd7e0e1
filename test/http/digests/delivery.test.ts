import { expect } from 'chai';
import { signIn } from '../../helpers/app';
import { backoffMs } from '../../../src/jobs/queue';
import { SEND_MAX_ATTEMPTS } from '../../../src/features/digests/digests.service';
import { digestWorld, failedOn, requestDigest, DigestWorld } from './helpers';
import { startSmtp, freePort, parseMail, TestSmtp } from './smtp';

const prepare = (w: DigestWorld, send = true): Promise<number> => requestDigest(w, { send });
const digest = async (w: DigestWorld, id: number) => w.t.db('digests').where({ id }).first();

describe('delivering digests by e-mail', () => {
  describe('when the SMTP server refuses the recipient', () => {
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

    it('records the failure, retries with backoff and delivers exactly once when the server accepts again', async () => {
      smtp.refuse = 'Mailbox unavailable';
      const id = await prepare(w);
      await w.t.jobs.drain();
      let row = await digest(w, id);
      expect([row.delivery_status, Number(row.attempts)]).to.deep.equal(['failed', 1]);
      expect(row.last_error).to.contain('Mailbox unavailable');
      expect(smtp.received).to.have.length(0);
      const job = await w.t.jobs.findByKey(`digest-send:${id}`);
      expect(job!.status).to.equal('queued');
      expect(Date.parse(job!.runAfter) - w.clock.now.getTime()).to.equal(backoffMs(1));

      // Before the backoff has passed nothing runs; the stored digest and its content are intact.
      expect(await w.t.jobs.drain()).to.equal(0);
      expect(JSON.parse(row.content).summary.errors).to.equal(1);

      w.clock.advance(backoffMs(1));
      await w.t.jobs.drain();
      row = await digest(w, id);
      expect([row.delivery_status, Number(row.attempts)]).to.deep.equal(['failed', 2]);

      smtp.refuse = null;
      w.clock.advance(backoffMs(2));
      await w.t.jobs.drain();
      row = await digest(w, id);
      expect([row.delivery_status, Number(row.attempts), row.last_error]).to.deep.equal(['sent', 3, null]);
      expect(smtp.received).to.have.length(1);
      w.clock.advance(60 * 60 * 1000);
      await w.t.jobs.drain();
      expect(smtp.received).to.have.length(1);
    });

    it('after the queue gives up, the digest shows the failure and "retry" sends it', async () => {
      smtp.refuse = 'Mailbox unavailable';
      const id = await prepare(w);
      for (let i = 0; i < SEND_MAX_ATTEMPTS; i++) {
        await w.t.jobs.drain();
        w.clock.advance(backoffMs(SEND_MAX_ATTEMPTS));
      }
      const job = await w.t.jobs.findByKey(`digest-send:${id}`);
      expect(job!.status).to.equal('failed');
      const row = await digest(w, id);
      expect([row.delivery_status, Number(row.attempts)]).to.deep.equal(['failed', SEND_MAX_ATTEMPTS]);
      const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
      const page = await agent.get(`/digests/${id}`);
      expect(page.text).to.contain(`action="/digests/${id}/send"`);
      expect(page.text).to.contain('Mailbox unavailable');

      smtp.refuse = null;
      const before = smtp.received.length;
      const res = await agent.post(`/digests/${id}/send`).type('form').send({ _csrf: await csrf() });
      expect(res.status).to.equal(302);
      await w.t.jobs.drain();
      expect(smtp.received).to.have.length(before + 1);
      expect((await digest(w, id)).delivery_status).to.equal('sent');
    });
  });

  describe('when the SMTP server is down', () => {
    let port: number;
    let w: DigestWorld;
    let smtp: TestSmtp | null = null;
    before(async () => {
      port = await freePort();
      w = await digestWorld({ smtpUrl: `smtp://127.0.0.1:${port}` }, 'uz');
      await failedOn(w, '2026-05-05', { failed: ['CARD-1'], comment: "karta to'liq emas" });
    });
    after(async () => {
      await w.t.close();
      await smtp?.close();
    });

    it('records the connection failure, keeps the digest, and sends it once the server is back', async () => {
      const id = await prepare(w);
      await w.t.jobs.drain();
      let row = await digest(w, id);
      expect([row.delivery_status, Number(row.attempts)]).to.deep.equal(['failed', 1]);
      expect(row.last_error).to.match(/ECONNREFUSED|connect/i);

      smtp = await startSmtp(port);
      w.clock.advance(backoffMs(1));
      await w.t.jobs.drain();
      row = await digest(w, id);
      expect(row.delivery_status).to.equal('sent');
      expect(smtp.received).to.have.length(1);
      const mail = parseMail(smtp.received[0].raw);
      expect(mail.subject).to.equal("Ma'lumotnoma: Bobur Aliyev jamoalari, 01.05.2026 – 07.05.2026");
      expect(mail.text).to.contain('Assalomu alaykum, Bobur Aliyev!');
      expect(mail.text).to.contain("Qayd etilgan xatolar: 1");
      expect(mail.attachments[0].filename).to.equal('malumotnoma-2026-05-01-2026-05-07.xlsx');
    });
  });

  describe('without SMTP configured', () => {
    let w: DigestWorld;
    before(async () => {
      w = await digestWorld({ smtpUrl: null });
    });
    after(() => w.t.close());

    it('keeps digests in the app, queues nothing and says so on the pages', async () => {
      const id = await prepare(w, true);
      const row = await digest(w, id);
      expect(row.delivery_status).to.equal('in_app');
      expect(await w.t.db('jobs').where({ type: 'digests.send' })).to.have.length(0);
      const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
      expect((await agent.get('/digests')).text).to.contain('Электронная почта не настроена (SMTP_URL пуст)');
      const page = await agent.get(`/digests/${id}`);
      expect(page.text).to.contain('Почта не настроена, поэтому справка только здесь.');
      expect(page.text).not.to.contain(`action="/digests/${id}/send"`);
      const send = await agent.post(`/digests/${id}/send`).type('form').send({ _csrf: await csrf() });
      expect(send.status).to.equal(409);
      expect((await digest(w, id)).delivery_status).to.equal('in_app');
    });
  });
});
