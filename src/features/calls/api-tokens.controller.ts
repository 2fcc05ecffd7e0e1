// /admin/api-tokens: administrators create tokens for the telephony platform (shown once) and revoke them.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import * as repo from './api-tokens.repository';
import * as service from './api-tokens.service';

export function apiTokensController(deps: AppDeps) {
  async function render(req: Request, res: Response, data: { created?: { name: string; token: string } | null; values?: Record<string, unknown>; errors?: FieldError[] } = {}, status = 200) {
    res.status(status).renderPage('calls/api-tokens', {
      title: req.t('calls.apiTokens.title'),
      tokens: await repo.listApiTokens(deps.db),
      created: data.created ?? null,
      values: data.values ?? {},
      errors: data.errors ?? [],
      apiUrl: `${deps.config.appBaseUrl}/api/v1/calls`,
    });
  }
  return {
    async list(req: Request, res: Response) {
      await render(req, res);
    },
    async create(req: Request, res: Response) {
      const name = (req.body as Record<string, unknown>).name;
      try {
        const { token } = await service.createApiToken(deps, { name }, { userId: req.user!.id, ip: req.ip });
        // Rendered, not redirected: the token is shown this once and never stored in a session.
        res.set('Cache-Control', 'no-store');
        await render(req, res, { created: { name: String(name).trim(), token } }, 201);
      } catch (e) {
        if (e instanceof ValidationError) return render(req, res, { values: { name }, errors: e.fields }, 400);
        throw e;
      }
    },
    async revoke(req: Request, res: Response) {
      const id = idParam(req);
      const token = await repo.findApiToken(deps.db, id);
      if (!token) throw new NotFoundError();
      const changed = await service.revokeToken(deps, id, { userId: req.user!.id, ip: req.ip });
      flash(req, { type: 'success', key: changed ? 'calls.apiTokens.revoked' : 'calls.apiTokens.alreadyRevoked', params: { name: token.name } });
      res.redirect('/admin/api-tokens');
    },
  };
}
