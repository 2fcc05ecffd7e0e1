// CSRF protection on every state-changing request, whatever the body's content type. Forms carry
// the token as _csrf; fetch() sends it as the x-csrf-token header.
//
// Signed in: a per-session token (synchronizer pattern, csrf-sync). Not signed in (the sign-in
// form, the language switch): a signed double-submit token — a random value in an HttpOnly cookie,
// the token its HMAC under the session secret — so showing the sign-in page stores no session row;
// a session is stored only once there is something to keep. The anonymous token is accepted only
// while nobody is signed in on that session.
//
// A multipart body cannot be read before its route parses it, so:
//   - on a route that takes files (http/uploads.ts), the upload middleware checks the token after
//     parsing (or refuses at once when the parse fails);
//   - on any other route a multipart body is never read: the token must come in the header, and even
//     then the request is refused (415), since the route would see no body.
// The token API (/api/v1/*) authenticates each request with a bearer token, never a cookie, so it
// needs no CSRF token; its routes must refuse a request without one (a test walks them).
import crypto from 'node:crypto';
import { csrfSync } from 'csrf-sync';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
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

/** Marks a handler that parses multipart bodies and checks the CSRF token itself (see uploads.ts). */
export const TAKES_MULTIPART = Symbol('sifat.takesMultipart');

/** Paths of the token-authenticated API: no cookie session, so no CSRF token. */
export function isTokenApiPath(path: string): boolean {
  return path.startsWith('/api/v1/');
}

interface RouterLayer {
  route?: { stack: { handle: unknown }[]; _handlesMethod(method: string): boolean };
  handle?: { stack?: RouterLayer[] };
  match(path: string): boolean;
}

/** The route layers whose handlers include one marked TAKES_MULTIPART (features mount their routers at the root). */
function multipartRoutes(app: Express): RouterLayer[] {
  const out: RouterLayer[] = [];
  const walk = (stack: RouterLayer[]) => {
    for (const l of stack) {
      if (l.route) {
        if (l.route.stack.some((h) => (h.handle as Record<symbol, unknown>)[TAKES_MULTIPART])) out.push(l);
      } else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return out;
}

/**
 * The app-wide CSRF check, mounted before the routes. Which routes take files is read from the
 * router on the first request (all routes are mounted by then), so a new upload route needs
 * nothing but uploadMiddleware().
 */
export function csrfEverywhere(app: Express): RequestHandler {
  let uploads: RouterLayer[] | null = null;
  const takesMultipart = (req: Request) => {
    uploads ??= multipartRoutes(app);
    return uploads.some((l) => l.match(req.path) && l.route!._handlesMethod(req.method));
  };
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || isTokenApiPath(req.path)) return next();
    if (req.is('multipart/form-data')) {
      if (takesMultipart(req)) return next();
      return csrfProtection(req, res, (err?: unknown) => next(err ?? new AppError(415, 'http.multipartNotAccepted.text')));
    }
    csrfProtection(req, res, next);
  };
}
