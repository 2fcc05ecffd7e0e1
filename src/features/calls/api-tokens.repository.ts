// API tokens for the telephony platform: only their sha256 is stored; the token itself is shown once.
import type { Knex } from 'knex';
import { insertReturningId, nowIso } from '../../db';

export interface ApiToken {
  id: number;
  name: string;
  tokenPrefix: string;
  createdBy: number | null;
  createdByName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function mapToken(r: Record<string, unknown>): ApiToken {
  return {
    id: Number(r.id),
    name: r.name as string,
    tokenPrefix: r.token_prefix as string,
    createdBy: r.created_by == null ? null : Number(r.created_by),
    createdByName: (r.created_by_name as string | null) ?? null,
    createdAt: r.created_at as string,
    lastUsedAt: (r.last_used_at as string | null) ?? null,
    revokedAt: (r.revoked_at as string | null) ?? null,
  };
}

const COLUMNS = ['t.id', 't.name', 't.token_prefix', 't.created_by', 'u.display_name as created_by_name', 't.created_at', 't.last_used_at', 't.revoked_at'];

export async function listApiTokens(db: Knex): Promise<ApiToken[]> {
  const rows = await db('api_tokens as t').leftJoin('users as u', 'u.id', 't.created_by').select(COLUMNS).orderBy('t.id', 'desc');
  return rows.map(mapToken);
}

export async function findApiToken(db: Knex, id: number): Promise<ApiToken | null> {
  const r = await db('api_tokens as t').leftJoin('users as u', 'u.id', 't.created_by').where('t.id', id).first(COLUMNS);
  return r ? mapToken(r) : null;
}

export async function insertApiToken(db: Knex | Knex.Transaction, t: { name: string; tokenHash: string; tokenPrefix: string; createdBy: number }, clock?: () => Date): Promise<number> {
  return insertReturningId(db, 'api_tokens', { name: t.name, token_hash: t.tokenHash, token_prefix: t.tokenPrefix, created_by: t.createdBy, created_at: nowIso(clock) });
}

export async function findActiveTokenByHash(db: Knex, tokenHash: string): Promise<{ id: number; name: string; lastUsedAt: string | null } | null> {
  const r = await db('api_tokens').where({ token_hash: tokenHash }).whereNull('revoked_at').first('id', 'name', 'last_used_at');
  return r ? { id: Number(r.id), name: r.name, lastUsedAt: r.last_used_at ?? null } : null;
}

export async function touchApiToken(db: Knex, id: number, at: string): Promise<void> {
  await db('api_tokens').where({ id }).update({ last_used_at: at });
}

/** Marks a token revoked (kept as evidence of what was used). Returns whether it was active. */
export async function revokeApiToken(db: Knex | Knex.Transaction, id: number, clock?: () => Date): Promise<boolean> {
  const n = await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: nowIso(clock) });
  return n > 0;
}
