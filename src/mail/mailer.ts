// Sending e-mail over SMTP (nodemailer), configured by Config.smtpUrl / smtpFrom. Shared by every
// feature that mails something (error digests, the weekly leadership report). Without SMTP_URL
// the app works in-app only: `isMailConfigured` says so and `send` refuses with MailNotConfiguredError.
import nodemailer from 'nodemailer';
import type { Config } from '../config';

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
}

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  attachments?: MailAttachment[];
  /** a fixed Message-ID (src/mail/outbox.ts): a resent copy carries the same one */
  messageId?: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

export interface Mailer {
  /** false when SMTP_URL is empty: callers keep things in-app and say so */
  readonly configured: boolean;
  /** Resolves once the SMTP server has accepted the message for at least one recipient; rejects otherwise. */
  send(message: MailMessage): Promise<SentMail>;
  close(): void;
}

export class MailNotConfiguredError extends Error {
  constructor() {
    super('SMTP is not configured (SMTP_URL is empty)');
  }
}

export interface MailerOptions {
  /** Connection, greeting and socket timeouts: a server that is down must fail a send quickly, not hang a job. */
  timeoutMs?: number;
}

export function isMailConfigured(config: Pick<Config, 'smtpUrl'>): boolean {
  return !!config.smtpUrl;
}

/** A mailer for the configured SMTP server (smtp://user:pass@host:port, smtps:// for implicit TLS). */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'smtpFrom'>, opts: MailerOptions = {}): Mailer {
  if (!config.smtpUrl) {
    return {
      configured: false,
      send: () => Promise.reject(new MailNotConfiguredError()),
      close: () => undefined,
    };
  }
  const timeout = opts.timeoutMs ?? 15_000;
  // Settings in the URL (host, port, auth, ?tls.* options) win over these defaults.
  const transport = nodemailer.createTransport(
    { url: config.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout * 2 } as Parameters<typeof nodemailer.createTransport>[0],
    { from: config.smtpFrom },
  );
  return {
    configured: true,
    async send(message) {
      const info = await transport.sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        replyTo: message.replyTo,
        messageId: message.messageId,
        attachments: message.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
      const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String((x as { address?: string }).address ?? x))) : []);
      return { messageId: String(info.messageId ?? ''), accepted: list(info.accepted), rejected: list(info.rejected) };
    },
    close() {
      transport.close();
    },
  };
}
