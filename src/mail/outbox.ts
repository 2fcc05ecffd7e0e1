// Sending an e-mail once (digests, the weekly report). A job can run twice: its instance crashed
// after the SMTP server took the message but before the job was marked done, or it froze past its
// lease and another instance took the job over. So the message is recorded under its key before it
// is handed to SMTP, and marked sent right after; a later run finds "sent" and stops.
//
// Who may send: the first run claims the key. A later run of the same job (holding the job's lease
// now, so the earlier run crashed or was fenced off) takes the claim over; outside a job a claim
// is taken over only once stale. What no marker can close is the instant between the SMTP
// server's "250 OK" and our "sent": a crash exactly there resends — with the same Message-ID,
// which mail systems use to drop a repeated message.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { nowIso } from '../db';

export interface SendOnceOptions {
  /** what makes this message unique, e.g. `digest:42` or `weekly:2026-11-23:7` */
  key: string;
  /** the job run's fencing token (JobContext.holder); without one, a claim is taken over only when stale */
  holder?: string | null;
  /** called right before the message goes out: throws when the run no longer holds its job */
  assertHeld?: () => Promise<void>;
  /** domain of the Message-ID (the app's host) */
  domain: string;
  clock?: () => Date;
  /** outside a job: a "sending" claim older than this is taken over (default 10 minutes) */
  staleMs?: number;
}

export type SendOnceResult = { sent: true; messageId: string } | { sent: false; reason: 'alreadySent'; messageId: string };

export class MailInProgressError extends Error {
  constructor(key: string) {
    super(`e-mail ${key} is being sent by another process`);
  }
}

/** The Message-ID a key's message always carries. */
export function outboxMessageId(key: string, domain: string): string {
  return `<sifat.${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain.replace(/[^A-Za-z0-9.-]/g, '') || 'sifat.local'}>`;
}

async function claim(db: Knex, o: SendOnceOptions, messageId: string): Promise<'claimed' | 'alreadySent'> {
  const now = nowIso(o.clock);
  const holder = o.holder ?? null;
  const inserted = await db('mail_outbox')
    .insert({ outbox_key: o.key, status: 'sending', holder, message_id: messageId, attempts: 1, claimed_at: now, created_at: now, updated_at: now })
    .onConflict('outbox_key')
    .ignore()
    .returning('id');
  if (inserted.length) return 'claimed';
  for (let tries = 0; tries < 3; tries++) {
    const row = await db('mail_outbox').where({ outbox_key: o.key }).first('status', 'holder', 'claimed_at');
    if (!row) break;
    if (row.status === 'sent') return 'alreadySent';
    const stale = !row.claimed_at || Date.parse(row.claimed_at as string) < (o.clock ? o.clock() : new Date()).getTime() - (o.staleMs ?? 10 * 60_000);
    // A job run holds its job's lease now, so an earlier claim is from a run that crashed or was fenced off.
    const mayTakeOver = row.status === 'failed' || holder !== null || stale;
    if (!mayTakeOver) throw new MailInProgressError(o.key);
    const n = await db('mail_outbox')
      .where({ outbox_key: o.key, status: row.status })
      .andWhere((w) => (row.holder == null ? w.whereNull('holder') : w.where('holder', row.holder)))
      .update({ status: 'sending', holder, attempts: db.raw('attempts + 1'), claimed_at: now, updated_at: now });
    if (n === 1) return 'claimed';
  }
  throw new MailInProgressError(o.key);
}

/**
 * Sends a message at most once per key (see above). `send` gets the Message-ID to put on it.
 * A failed send releases the claim (status failed) and rethrows, so the job retries.
 */
export async function sendOnce(db: Knex, o: SendOnceOptions, send: (messageId: string) => Promise<unknown>): Promise<SendOnceResult> {
  const messageId = outboxMessageId(o.key, o.domain);
  if ((await claim(db, o, messageId)) === 'alreadySent') return { sent: false, reason: 'alreadySent', messageId };
  await o.assertHeld?.();
  try {
    await send(messageId);
  } catch (e) {
    await db('mail_outbox')
      .where({ outbox_key: o.key, status: 'sending' })
      .update({ status: 'failed', last_error: String((e as Error)?.message ?? e).slice(0, 2000), updated_at: nowIso(o.clock) })
      .catch(() => undefined);
    throw e;
  }
  // Recorded whoever holds the claim now: the message did go out.
  await db('mail_outbox').where({ outbox_key: o.key }).update({ status: 'sent', sent_at: nowIso(o.clock), last_error: null, updated_at: nowIso(o.clock) });
  return { sent: true, messageId };
}

/** Whether the message under this key went out. */
export async function wasSent(db: Knex, key: string): Promise<boolean> {
  const r = await db('mail_outbox').where({ outbox_key: key }).first('status');
  return r?.status === 'sent';
}
