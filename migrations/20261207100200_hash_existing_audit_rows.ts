// Hashes the audit rows written before the chain existed, in id order, continuing from the last row
// already hashed. auditRowHash below is a copy of src/audit/chain.ts (migrations never import app
// code); a test checks that `audit verify` accepts what this migration wrote.
import crypto from 'node:crypto';
import type { Knex } from 'knex';

const GENESIS_HASH = '0'.repeat(64);
const AUDIT_CHAIN_LOCK = 7_301_112_000;

interface Row {
  id: number | string;
  at: string;
  user_id: number | string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  subject: string | null;
  ip: string | null;
  details: string | null;
  hash: string | null;
}

function auditRowHash(r: Row, prevHash: string): string {
  const canonical = JSON.stringify([String(r.id), r.at, r.user_id == null ? null : Number(r.user_id), r.action, r.entity_type ?? null, r.entity_id ?? null, r.subject ?? null, r.ip ?? null, r.details ?? null, prevHash]);
  return crypto.createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') await knex.raw('select pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
  let prevHash = GENESIS_HASH;
  let after = 0;
  for (;;) {
    const page: Row[] = await knex('audit_log').select('id', 'at', 'user_id', 'action', 'entity_type', 'entity_id', 'subject', 'ip', 'details', 'hash').where('id', '>', after).orderBy('id').limit(2000);
    for (const r of page) {
      if (r.hash) {
        prevHash = r.hash;
        continue;
      }
      const hash = auditRowHash(r, prevHash);
      await knex('audit_log').where({ id: r.id }).update({ prev_hash: prevHash, hash });
      prevHash = hash;
    }
    if (page.length < 2000) return;
    after = Number(page[page.length - 1]!.id);
  }
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
