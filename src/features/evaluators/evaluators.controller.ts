// The evaluators pages: parse, call the service, render or redirect. No SQL here.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { tashkentToday } from '../../time';
import { ALPHA_RELIABLE, ALPHA_TENTATIVE } from '../calibration/agreement';
import * as service from './evaluators.service';

export function evaluatorsController(deps: AppDeps) {
  async function renderPage(req: Request, res: Response, o: { status?: number; requestErrors?: FieldError[]; requestValues?: Record<string, unknown> } = {}) {
    const today = tashkentToday(deps.clock);
    const parsed = service.parsePeriod(req.query as Record<string, unknown>, today, deps.config.maxReportDays);
    const errors = Array.isArray(parsed) ? parsed : [];
    const period = Array.isArray(parsed) ? service.defaultPeriod(today) : parsed;
    const data = await service.evaluatorsPage(deps, period);
    res.status(o.status ?? (errors.length ? 400 : 200)).renderPage('evaluators/index', {
      title: req.t('evaluators.title'),
      subtitle: req.t('evaluators.subtitle'),
      ...data,
      period,
      today,
      errors,
      values: { from: typeof req.query.from === 'string' ? req.query.from : period.from, to: typeof req.query.to === 'string' ? req.query.to : period.to },
      requestErrors: o.requestErrors ?? [],
      requestValues: o.requestValues ?? { sharePercent: '10', from: period.from, to: period.to },
      alphaLevels: { reliable: ALPHA_RELIABLE, tentative: ALPHA_TENTATIVE },
    });
  }

  return {
    // GET /evaluators
    page: (req: Request, res: Response) => renderPage(req, res),

    // POST /evaluators/second-reviews
    async request(req: Request, res: Response) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const r = await service.requestSecondReviews(deps, req.user!.id, { sharePercent: body.sharePercent, from: body.from, to: body.to });
        flash(req, { type: r.unassigned ? 'info' : 'success', key: r.unassigned ? 'evaluators.request.doneSome' : 'evaluators.request.done', params: { assigned: r.assigned, unassigned: r.unassigned } });
        res.redirect(303, '/evaluators');
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        await renderPage(req, res, { status: 400, requestErrors: e.fields, requestValues: { sharePercent: String(body.sharePercent ?? ''), from: String(body.from ?? ''), to: String(body.to ?? '') } });
      }
    },

    // GET /evaluators/mine
    async mine(req: Request, res: Response) {
      const tasks = await service.myReviews(deps, req.user!.id);
      res.renderPage('evaluators/mine', { title: req.t('evaluators.mine.title'), subtitle: req.t('evaluators.mine.subtitle'), tasks });
    },

    // POST /evaluators/second-reviews/:id/start
    async start(req: Request, res: Response) {
      const evaluationId = await service.startReview(deps, req.user!.id, idParam(req), req.ip);
      res.redirect(303, `/evaluations/${evaluationId}`);
    },
  };
}
