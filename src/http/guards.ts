// Route guards: signed in, and of a role that belongs there. JSON under /api, pages elsewhere.
import type { RequestHandler, Request } from 'express';
import type { Role } from '../auth/roles';
import { AppError, ForbiddenError } from './errors';
import type { Flash } from './types';

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/') || (req.get('accept') ?? '').startsWith('application/json') || req.xhr;
}

export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (wantsJson(req)) return next(new AppError(401, 'http.unauthorized.text'));
  const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(`/login${back}`);
};

/** Signed in AND one of these roles; otherwise 401 / 403. */
export function requireRole(...roles: Role[]): RequestHandler[] {
  return [
    requireUser,
    (req, _res, next) => {
      if (req.user && roles.includes(req.user.role)) return next();
      next(new ForbiddenError());
    },
  ];
}

export function flash(req: Request, f: Flash): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), f];
}

/** Parses a positive integer route parameter or throws 404. */
export function idParam(req: Request, name = 'id'): number {
  const raw = req.params[name];
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || String(n) !== raw) throw new AppError(404, 'http.notFound.text');
  return n;
}
