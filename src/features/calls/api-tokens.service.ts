// API tokens: made and revoked by administrators, presented by the telephony platform as
// `Authorization: Bearer <token>`. A token is 32 random bytes; the database keeps its sha256 and
// the first characters (to tell tokens apart), never the token, so it is shown once at creation.
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { AppError, ValidationError } from '../../http/errors';
import { nowIso } from '../../db';
import * as repo from './api-tokens.repository';

export const TOKEN_PREFIX = 'sft_';
/** last_used_at is written at most this often per token (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(random: (n: number) => Buffer = crypto.randomBytes): string {
  return TOKEN_PREFIX + random(32).toString('base64url');
}

/** The token from an Authorization header, or null when there is none or it is not `Bearer <token>`. Pure. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\s*Bearer\s+([A-Za-z0-9_\-.~+/=]{16,200})\s*$/i.exec(header);
  return m ? m[1]! : null;
}

export async function createApiToken(deps: Pick<AppDeps, 'db' | 'clock'>, input: { name: unknown }, actor: { userId: number; ip?: string }): Promise<{ id: number; token: string }> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name) throw new ValidationError([{ field: 'name', key: 'calls.apiTokens.nameRequired' }]);
  if (name.length > 100) throw new ValidationError([{ field: 'name', key: 'calls.apiTokens.nameTooLong' }]);
  const token = generateToken();
  const id = await deps.db.transaction(async (trx) => {
    const tokenId = await repo.insertApiToken(trx, { name, tokenHash: hashToken(token), tokenPrefix: token.slice(0, 12), createdBy: actor.userId }, deps.clock);
    await audit(trx, { userId: actor.userId, action: 'apiToken.create', entityType: 'api_token', entityId: tokenId, ip: actor.ip, details: { name, prefix: token.slice(0, 12) } }, deps.clock);
    return tokenId;
  });
  return { id, token };
}

export async function revokeToken(deps: Pick<AppDeps, 'db' | 'clock'>, id: number, actor: { userId: number; ip?: string }): Promise<boolean> {
  return deps.db.transaction(async (trx) => {
    const changed = await repo.revokeApiToken(trx, id, deps.clock);
    if (changed) await audit(trx, { userId: actor.userId, action: 'apiToken.revoke', entityType: 'api_token', entityId: id, ip: actor.ip }, deps.clock);
    return changed;
  });
}

/**
 * Authenticates an /api request by its bearer token: 401 `calls.api.tokenMissing` without one,
 * `calls.api.tokenInvalid` for an unknown or revoked one. Sets req.apiTokenId.
 */
export function requireApiToken(deps: Pick<AppDeps, 'db' | 'clock'>): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer');
      return next(new AppError(401, req.get('authorization') ? 'calls.api.tokenInvalid' : 'calls.api.tokenMissing'));
    }
    const found = await repo.findActiveTokenByHash(deps.db, hashToken(token));
    if (!found) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return next(new AppError(401, 'calls.api.tokenInvalid'));
    }
    req.apiTokenId = found.id;
    const now = deps.clock();
    if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > TOUCH_EVERY_MS) await repo.touchApiToken(deps.db, found.id, nowIso(() => now));
    next();
  };
}
