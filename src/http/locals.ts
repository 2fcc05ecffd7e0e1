// Per-request: the signed-in user, the language, translation and formatting helpers, flash messages,
// and res.renderPage, which renders a view inside the main layout.
import type { RequestHandler, Request, Response } from 'express';
import type { Knex } from 'knex';
import { DEFAULT_LANGUAGE, formatters, isLanguage, translator, LANGUAGES, pickLocalized } from '../i18n';
import { findUserById } from '../features/users/users.repository';
import type { NavItem } from '../app-context';
import { navFor } from './nav';
import { csrfToken } from './csrf';
import { chunksFor } from './assets';

export function loadUser(db: Knex): RequestHandler {
  return async (req, _res, next) => {
    const id = req.session?.userId;
    if (id) {
      const user = await findUserById(db, id);
      if (user && user.isActive) req.user = user;
      else delete req.session.userId; // disabled since sign-in: signed out at the next request
    }
    next();
  };
}

export function i18nLocals(): RequestHandler {
  return (req, res, next) => {
    const sessionLang = (req.session as { lang?: string } | undefined)?.lang;
    const lang = req.user?.language ?? (isLanguage(sessionLang) ? sessionLang : DEFAULT_LANGUAGE);
    req.lang = lang;
    req.t = translator(lang);
    req.fmt = formatters(lang);
    next();
  };
}

export function pageLocals(navItems: NavItem[]): RequestHandler {
  return (req, res, next) => {
    res.locals.t = req.t;
    res.locals.lang = req.lang;
    res.locals.languages = LANGUAGES;
    res.locals.fmt = req.fmt;
    res.locals.user = req.user ?? null;
    res.locals.nav = navFor(navItems, req.user?.role);
    res.locals.currentPath = req.path;
    res.locals.localized = (texts: Record<string, string> | null | undefined) => pickLocalized(texts, req.lang);
    res.locals.csrfToken = () => (req.session ? csrfToken(req) : '');
    res.locals.query = req.query;
    res.locals.chunksFor = chunksFor;
    res.renderPage = (view: string, data: Record<string, unknown> = {}) => renderPage(req, res, view, data);
    next();
  };
}

function renderPage(req: Request, res: Response, view: string, data: Record<string, unknown>): void {
  const flashes = req.session?.flash ?? [];
  // Only a session that had messages is changed: an untouched anonymous one stays unsaved.
  if (req.session && flashes.length) req.session.flash = [];
  res.render(view, { ...data }, (err, body) => {
    if (err) return req.next!(err);
    res.render('layouts/main', { ...data, body, flashes }, (err2, html) => {
      if (err2) return req.next!(err2);
      res.send(html);
    });
  });
}
