// Signing in and out, and the language switch.
import { Router } from 'express';
import type { AppDeps, Feature } from '../../app-context';
import { requireUser, flash } from '../../http/guards';
import { isLanguage } from '../../i18n';
import { ValidationError } from '../../http/errors';
import { signIn, setLanguage } from '../users/users.service';
import { audit } from '../../audit/audit';

function safeNext(next: unknown): string {
  // Only local paths: never redirect to another site after sign-in.
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/';
}

export function authRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/login', (req, res) => {
    if (req.user) return res.redirect('/');
    res.renderPage('auth/login', { title: req.t('auth.signIn.title'), next: safeNext(req.query.next), username: '', error: null });
  });
  r.post('/login', async (req, res) => {
    const { username, password } = req.body as Record<string, string>;
    const result = await signIn(deps.db, { username, password, ip: req.ip ?? '' }, { ...deps.config.login, clock: deps.clock });
    if (!result.ok) {
      res.status(result.key === 'auth.signIn.tooMany' ? 429 : 401);
      return res.renderPage('auth/login', { title: req.t('auth.signIn.title'), next: safeNext(req.body.next), username: String(username ?? '').slice(0, 64), error: req.t(result.key, { count: result.retryMinutes }) });
    }
    // A new session id at sign-in (no session fixation).
    req.session.regenerate((err) => {
      if (err) throw err;
      req.session.userId = result.user.id;
      req.session.save(() => res.redirect(safeNext(req.body.next)));
    });
  });
  r.post('/logout', requireUser, async (req, res) => {
    await audit(deps.db, { userId: req.user!.id, action: 'auth.signOut', entityType: 'user', entityId: req.user!.id, ip: req.ip }, deps.clock);
    req.session.destroy(() => {
      res.clearCookie('sifat.sid');
      res.redirect('/login');
    });
  });
  r.post('/language', async (req, res) => {
    const lang = String(req.body.language ?? '');
    if (!isLanguage(lang)) throw new ValidationError([{ field: 'language', key: 'users.form.languageInvalid' }], 'users.form.languageInvalid');
    if (req.user) await setLanguage(deps.db, req.user.id, lang);
    else (req.session as unknown as { lang: string }).lang = lang;
    const back = safeNext(req.body.back);
    if (req.user) flash(req, { type: 'success', key: 'common.languageChanged' });
    res.redirect(back);
  });
  return r;
}

export const authFeature: Feature = {
  name: 'auth',
  routes: authRoutes,
};
