// /admin/channel-roles: which side of stereo recordings is the operator, per source.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError, type FieldError } from '../../http/errors';
import { flash } from '../../http/guards';
import { channelRolesOverview, removeChannelRole, setChannelRole } from './channel-roles';

export function factsController(deps: AppDeps) {
  async function render(req: Request, res: Response, data: { values?: Record<string, unknown>; errors?: FieldError[] } = {}, status = 200) {
    const overview = await channelRolesOverview(deps);
    res.status(status).renderPage('facts/channel-roles', {
      title: req.t('facts.roles.title'),
      ...overview,
      values: data.values ?? { operatorChannel: '0' },
      errors: data.errors ?? [],
    });
  }
  return {
    async channelRoles(req: Request, res: Response) {
      await render(req, res);
    },
    async saveChannelRole(req: Request, res: Response) {
      const body = req.body as Record<string, unknown>;
      try {
        const saved = await setChannelRole(deps, body, { userId: req.user!.id, ip: req.ip });
        flash(req, { type: 'success', key: 'facts.roles.saved', params: { source: saved.source === '*' ? req.t('facts.roles.defaultSource') : saved.source, side: req.t(`facts.roles.side.${saved.operatorChannel}`) } });
        res.redirect('/admin/channel-roles');
      } catch (e) {
        if (e instanceof ValidationError) return render(req, res, { values: body, errors: e.fields }, 400);
        throw e;
      }
    },
    async removeChannelRole(req: Request, res: Response) {
      const source = String((req.body as Record<string, unknown>).source ?? '');
      const removed = await removeChannelRole(deps, source, { userId: req.user!.id, ip: req.ip });
      flash(req, { type: removed ? 'success' : 'info', key: removed ? 'facts.roles.removed' : 'facts.roles.notConfigured', params: { source } });
      res.redirect('/admin/channel-roles');
    },
  };
}
