// CSRF protection on every state-changing request. Forms carry the token as _csrf; fetch() sends it
// as the x-csrf-token header.
//
// Signed in: a per-session token (synchronizer pattern, csrf-sync). Not signed in (the sign-in
// form, the language switch): a signed double-submit token — a random value in an HttpOnly cookie,
// the token its HMAC under the session secret — so showing the sign-in page stores no session row;
// a session is stored only once there is something to keep. The anonymous token is accepted only
// while nobody is signed in on that session.
import crypto from 'node:crypto';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors';

const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req: Request) => requestToken(req),
  errorConfig: { statusCode: 403, message: 'csrf', code: 'EBADCSRFTOKEN' },
});

function requestToken(req: Request): string | undefined {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string' && header) return header;
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : undefined;
}

export const ANONYMOUS_CSRF_COOKIE = 'sifat.csrf';
const ANONYMOUS_PREFIX = 'a.';

/** What the anonymous token needs from the app: the secret it is signed with and the cookie's Secure flag. */
export interface AnonymousCsrfOptions {
  secret: string;
  secure: boolean | 'auto';
}

/** createApp puts the options here so every request (and its res.locals.csrfToken) can reach them. */
export function setAnonymousCsrfOptions(app: { locals: Record<string, unknown> }, o: AnonymousCsrfOptions): void {
  app.locals.anonymousCsrf = o;
}

function options(req: Request): AnonymousCsrfOptions {
  const o = req.app?.locals?.anonymousCsrf as AnonymousCsrfOptions | undefined;
  if (!o) throw new Error('anonymous CSRF options not set (createApp sets them)');
  return o;
}

function cookieValue(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === ANONYMOUS_CSRF_COOKIE) {
      const value = v.join('=');
      return /^[A-Za-z0-9_-]{20,64}$/.test(value) ? value : null;
    }
  }
  return null;
}

function sign(secret: string, value: string): string {
  return ANONYMOUS_PREFIX + crypto.createHmac('sha256', secret).update(`anonymous-csrf:${value}`).digest('base64url');
}

function anonymousToken(req: Request, res: Response): string {
  const o = options(req);
  let value = cookieValue(req) ?? ((req as { anonymousCsrfValue?: string }).anonymousCsrfValue ?? null);
  if (!value) {
    value = crypto.randomBytes(24).toString('base64url');
    (req as { anonymousCsrfValue?: string }).anonymousCsrfValue = value;
    if (!res.headersSent) res.cookie(ANONYMOUS_CSRF_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: o.secure === 'auto' ? req.secure : o.secure, path: '/' });
  }
  return sign(o.secret, value);
}

function anonymousTokenValid(req: Request): boolean {
  const token = requestToken(req);
  const value = cookieValue(req);
  if (!token?.startsWith(ANONYMOUS_PREFIX) || !value) return false;
  const expected = Buffer.from(sign(options(req).secret, value));
  const got = Buffer.from(token);
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

const signedIn = (req: Request) => !!(req.session as { userId?: number } | undefined)?.userId;

/** The token for this request's forms: the session's when signed in, else the anonymous one. */
export function csrfToken(req: Request): string {
  if (signedIn(req) || !req.res) return generateToken(req);
  return anonymousToken(req, req.res);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (!SAFE_METHODS.has(req.method) && !signedIn(req) && anonymousTokenValid(req)) return next();
  csrfSynchronisedProtection(req, res, next);
}

export class CsrfError extends AppError {
  constructor() {
    super(403, 'http.csrf.text');
  }
}
