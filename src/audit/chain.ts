// The audit log as a hash chain: each row carries the SHA-256 of its own content and of the row
// before it, so editing, deleting or inserting a row in the middle breaks every link after it.
// Rows are chained in id order; audit() appends under a lock (see audit.ts), and
// `npm run cli -- audit verify` walks the chain and names the first broken link.
// (The migration 20261207100200 that hashed the rows written before the chain existed keeps its own
// copy of auditRowHash: migrations never import app code. Both must stay byte-for-byte the same.)
import crypto from 'node:crypto';
import type { Knex } from 'knex';

/** The "previous hash" of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** PostgreSQL advisory lock key that orders audit appends across instances ("sifat-audit" as a number). */
export const AUDIT_CHAIN_LOCK = 7_301_112_000;

export interface ChainedRow {
  id: number | string;
  at: string;
  user_id: number | string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  subject: string | null;
  ip: string | null;
  details: string | null;
}

/** SHA-256 (hex) of a row's content and the previous row's hash. Pure. */
export function auditRowHash(r: ChainedRow, prevHash: string): string {
  const canonical = JSON.stringify([String(r.id), r.at, r.user_id == null ? null : Number(r.user_id), r.action, r.entity_type ?? null, r.entity_id ?? null, r.subject ?? null, r.ip ?? null, r.details ?? null, prevHash]);
  return crypto.createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export type BrokenReason = 'unhashed' | 'contentChanged' | 'linkBroken';

export interface ChainCheck {
  rows: number;
  /** The first row whose link does not hold, or null when the whole chain holds. */
  broken: { id: number; reason: BrokenReason } | null;
  lastId: number | null;
}

/**
 * Checks one row against the hash of the row before it. Pure.
 * contentChanged: the row's own fields no longer give its hash (edited). linkBroken: its
 * prev_hash is not the hash of the row before (a row before it was deleted, inserted or re-hashed).
 */
export function checkLink(row: ChainedRow & { prev_hash: string | null; hash: string | null }, prevHash: string): BrokenReason | null {
  if (!row.hash || !row.prev_hash) return 'unhashed';
  if (row.prev_hash !== prevHash) return 'linkBroken';
  if (auditRowHash(row, row.prev_hash) !== row.hash) return 'contentChanged';
  return null;
}

const COLUMNS = ['id', 'at', 'user_id', 'action', 'entity_type', 'entity_id', 'subject', 'ip', 'details', 'prev_hash', 'hash'];

/** Walks the whole chain in id order, a page at a time, and stops at the first broken link. */
export async function verifyAuditChain(db: Knex, opts: { pageSize?: number } = {}): Promise<ChainCheck> {
  const pageSize = opts.pageSize ?? 5000;
  let prevHash = GENESIS_HASH;
  let after = 0;
  let rows = 0;
  let lastId: number | null = null;
  for (;;) {
    const page = await db('audit_log').select(COLUMNS).where('id', '>', after).orderBy('id').limit(pageSize);
    for (const r of page) {
      const reason = checkLink(r, prevHash);
      if (reason) return { rows, broken: { id: Number(r.id), reason }, lastId };
      prevHash = r.hash;
      lastId = Number(r.id);
      rows++;
    }
    if (page.length < pageSize) return { rows, broken: null, lastId };
    after = Number(page[page.length - 1].id);
  }
}
