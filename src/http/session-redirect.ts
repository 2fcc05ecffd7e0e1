// Saves a session changed by this request before its redirect leaves. express-session saves it while
// the response ends, but a browser follows a redirect as soon as the headers arrive: under load the
// next page could load the session before the save landed and miss what the redirecting request
// put there (a flash message, a language). An unchanged session is left to express-session, so an
// anonymous visitor's redirect still stores nothing (saveUninitialized: false).
import type { NextFunction, Request, Response } from 'express';

export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const loaded = req.session ? JSON.stringify(req.session) : '';
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || JSON.stringify(req.session) === loaded) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
}
