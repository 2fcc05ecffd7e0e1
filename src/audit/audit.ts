// The audit log: evidence of sign-ins, user changes, playbacks, plan changes... Rows are only added,
// each chained to the one before by its hash (chain.ts), so an edited or removed row shows.
import type { Knex } from 'knex';
import { insertReturningId, isPostgres, nowIso } from '../db';
import { AUDIT_CHAIN_LOCK, GENESIS_HASH, auditRowHash, type ChainedRow } from './chain';

export interface AuditEvent {
  userId?: number | null;
  action: string;
  entityType?: string;
  entityId?: string | number;
  subject?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

/**
 * Appends a row to the audit log, chained to the row before it (chain.ts). Inside a transaction the
 * row commits with it; otherwise it gets a small one of its own. The append is ordered: on
 * PostgreSQL a transaction-scoped advisory lock (several instances may write at once), on SQLite
 * the insert itself takes the database's write lock, held until commit.
 */
export async function audit(db: Knex | Knex.Transaction, e: AuditEvent, clock: () => Date = () => new Date()): Promise<void> {
  const row = {
    at: nowIso(clock),
    user_id: e.userId ?? null,
    action: e.action,
    entity_type: e.entityType ?? null,
    entity_id: e.entityId != null ? String(e.entityId) : null,
    subject: e.subject ?? null,
    ip: e.ip ?? null,
    details: e.details ? JSON.stringify(e.details) : null,
  };
  if ((db as Knex.Transaction).isTransaction) return appendChained(db as Knex.Transaction, row);
  await (db as Knex).transaction((trx) => appendChained(trx, row));
}

async function appendChained(trx: Knex.Transaction, row: Omit<ChainedRow, 'id'>): Promise<void> {
  if (isPostgres(trx)) await trx.raw('select pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
  const id = await insertReturningId(trx, 'audit_log', row);
  const prev = await trx('audit_log').where('id', '<', id).orderBy('id', 'desc').first('hash');
  const prevHash = (prev?.hash as string | undefined) ?? GENESIS_HASH;
  await trx('audit_log').where({ id }).update({ prev_hash: prevHash, hash: auditRowHash({ id, ...row }, prevHash) });
}

export interface AuditRow {
  id: number;
  at: string;
  userId: number | null;
  username: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  subject: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

export async function listAudit(db: Knex, filter: { action?: string; entityType?: string; entityId?: string; limit?: number; offset?: number } = {}): Promise<AuditRow[]> {
  const q = db('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select('a.id', 'a.at', 'a.user_id', 'u.username', 'a.action', 'a.entity_type', 'a.entity_id', 'a.subject', 'a.ip', 'a.details')
    .orderBy('a.id', 'desc')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0);
  if (filter.action) q.where('a.action', filter.action);
  if (filter.entityType) q.where('a.entity_type', filter.entityType);
  if (filter.entityId) q.where('a.entity_id', filter.entityId);
  const rows = await q;
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    at: r.at as string,
    userId: (r.user_id as number | null) ?? null,
    username: (r.username as string | null) ?? null,
    action: r.action as string,
    entityType: (r.entity_type as string | null) ?? null,
    entityId: (r.entity_id as string | null) ?? null,
    subject: (r.subject as string | null) ?? null,
    ip: (r.ip as string | null) ?? null,
    details: r.details ? (JSON.parse(r.details as string) as Record<string, unknown>) : null,
  }));
}
