import { expect } from 'chai';
import { createMailer, isMailConfigured, MailNotConfiguredError } from '../../../src/mail';

describe('the shared mailer', () => {
  it('without SMTP_URL it says so and refuses to send', async () => {
    const mailer = createMailer({ smtpUrl: null, smtpFrom: 'Sifat <sifat@localhost>' });
    expect(mailer.configured).to.equal(false);
    expect(isMailConfigured({ smtpUrl: null })).to.equal(false);
    let thrown: unknown;
    try {
      await mailer.send({ to: 'a@b.uz', subject: 's', text: 't' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(MailNotConfiguredError);
  });

  it('a server that is down fails the send quickly instead of hanging', async () => {
    const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', smtpFrom: 'Sifat <sifat@localhost>' }, { timeoutMs: 2000 });
    expect(mailer.configured).to.equal(true);
    const started = Date.now();
    let thrown: unknown;
    try {
      await mailer.send({ to: 'a@b.uz', subject: 's', text: 't' });
    } catch (e) {
      thrown = e;
    }
    mailer.close();
    expect(String(thrown)).to.match(/ECONNREFUSED|connect/i);
    expect(Date.now() - started).to.be.lessThan(5000);
  });
});
