// CSRF protection: a per-session token (synchronizer pattern) on every state-changing request,
// whatever the body's content type. Forms carry it as _csrf; fetch() sends it as the x-csrf-token
// header. A multipart body cannot be read before its route parses it, so:
//   - on a route that takes files (http/uploads.ts), the upload middleware checks the token after
//     parsing (or refuses at once when the parse fails);
//   - on any other route a multipart body is never read: the token must come in the header, and even
//     then the request is refused (415), since the route would see no body.
// The token API (/api/v1/*) authenticates each request with a bearer token, never a cookie, so it
// needs no CSRF token; its routes must refuse a request without one (a test walks them).
import { csrfSync } from 'csrf-sync';
import type { Express, Request, RequestHandler } from 'express';
import { AppError } from './errors';

const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string' && header) return header;
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === 'string' ? body._csrf : undefined;
  },
  errorConfig: { statusCode: 403, message: 'csrf', code: 'EBADCSRFTOKEN' },
});

export { generateToken as csrfToken };

export const csrfProtection = csrfSynchronisedProtection;

export class CsrfError extends AppError {
  constructor() {
    super(403, 'http.csrf.text');
  }
}

/** Marks a handler that parses multipart bodies and checks the CSRF token itself (see uploads.ts). */
export const TAKES_MULTIPART = Symbol('sifat.takesMultipart');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
