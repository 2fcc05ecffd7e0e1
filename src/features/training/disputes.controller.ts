// The supervisor's side of operators' disputes (/training/disputes): review, accept (the
// evaluation is re-scored), reject with a reason. The decisions live in the operator portal's service.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { acceptDispute, disputesForReview, rejectDispute } from '../operator-portal/portal.service';
import { DISPUTE_STATUSES, type DisputeStatus } from '../operator-portal/disputes';

export function disputesController(deps: AppDeps) {
  async function renderList(req: Request, res: Response, extras: { errorFor?: number; errors?: { field: string; key: string; params?: Record<string, unknown> }[]; note?: string } = {}, status = 200) {
    const filter = typeof req.query.status === 'string' && (DISPUTE_STATUSES as readonly string[]).includes(req.query.status) ? (req.query.status as DisputeStatus) : undefined;
    const data = await disputesForReview(deps, req.user!, filter);
    res.status(status).renderPage('training/disputes', { title: req.t('training.disputes.title'), tab: 'disputes', filter, ...data, errorFor: extras.errorFor ?? null, errors: extras.errors ?? [], note: extras.note ?? '' });
  }
  return {
    async list(req: Request, res: Response) {
      await renderList(req, res);
    },
    async accept(req: Request, res: Response) {
      const id = idParam(req);
      let r;
      try {
        r = await acceptDispute(deps, req.user!, id, { note: req.body?.note }, req.ip);
      } catch (e) {
        if (e instanceof ValidationError) return renderList(req, res, { errorFor: id, errors: e.fields, note: String(req.body?.note ?? '').slice(0, 1000) }, 400);
        throw e;
      }
      flash(req, { type: 'success', key: 'training.disputes.accepted', params: { before: r.scoreBefore == null ? '—' : req.fmt.number(r.scoreBefore, 1), after: r.scoreAfter == null ? '—' : req.fmt.number(r.scoreAfter, 1) } });
      res.redirect(303, '/training/disputes');
    },
    async reject(req: Request, res: Response) {
      const id = idParam(req);
      try {
        await rejectDispute(deps, req.user!, id, { note: req.body?.note }, req.ip);
      } catch (e) {
        if (e instanceof ValidationError) return renderList(req, res, { errorFor: id, errors: e.fields, note: String(req.body?.note ?? '').slice(0, 1000) }, 400);
        throw e;
      }
      flash(req, { type: 'success', key: 'training.disputes.rejected' });
      res.redirect(303, '/training/disputes');
    },
  };
}
