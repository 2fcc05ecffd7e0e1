// Ending a user's sessions: after a password reset, a role change or a deactivation, every browser
// signed in as that user is signed out at its next request (sessions live in the `sessions` table,
// shared by all instances; see migration 20261125000300).
import type { Knex } from 'knex';

/**
 * Deletes every stored session of a user (all devices, all instances) except `keepSessionId` (the
 * administrator's own, when they change their own password). Returns how many were ended.
 */
export async function endSessionsOf(db: Knex | Knex.Transaction, userId: number, opts: { keepSessionId?: string } = {}): Promise<number> {
  const q = db('sessions');
  // The session is JSON (text on SQLite, json on PostgreSQL): look inside it with each database's operator.
  if (db.client.config.client === 'pg') q.whereRaw("(sess::jsonb ->> 'userId') = ?", [String(userId)]);
  else q.whereRaw("json_extract(sess, '$.userId') = ?", [userId]);
  if (opts.keepSessionId) q.whereNot('sid', opts.keepSessionId);
  return q.delete();
}
