// The operator's pages (/my/...): parse, call the services, render or redirect. No SQL here.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { tashkentToday } from '../../time';
import { feedbackInput } from '../training/training.schema';
import { acknowledgeOwn, feedbackOwn, materialForDownload, operatorTrainings } from '../training/training.service';
import { listMaterials } from '../training/training.repository';
import { sendMaterial } from '../training/training.controller';
import { acknowledgeEvaluation, ownEvaluation, ownEvaluations, raiseDispute } from './portal.service';

function portalUser(req: Request) {
  const u = req.user!;
  return { id: u.id, role: u.role, operatorId: u.operatorId };
}

export function portalController(deps: AppDeps) {
  async function renderEvaluation(req: Request, res: Response, id: number, extras: { disputeFor?: string; errors?: FieldError[]; values?: Record<string, unknown>; refusal?: { key: string; params?: Record<string, unknown> } } = {}, status = 200) {
    const data = await ownEvaluation(deps, portalUser(req), id, deps.config.disputeWindowDays);
    res.status(status).renderPage('operator-portal/evaluation', {
      title: req.t('portal.evaluation.title', { call: data.evaluation.call.externalId }),
      ...data,
      disputeFor: extras.disputeFor ?? null,
      errors: extras.errors ?? [],
      values: extras.values ?? {},
      refusal: extras.refusal ?? null,
    });
  }

  async function renderTrainings(req: Request, res: Response, extras: { feedbackFor?: number; errors?: FieldError[]; values?: Record<string, unknown>; refusal?: { key: string; params?: Record<string, unknown> } } = {}, status = 200) {
    const trainings = await operatorTrainings(deps, req.user!.operatorId!);
    const materials = new Map<number, Awaited<ReturnType<typeof listMaterials>>>();
    for (const t of trainings) materials.set(t.id, await listMaterials(deps.db, t.id));
    res.status(status).renderPage('operator-portal/trainings', {
      title: req.t('portal.trainings.title'),
      tab: 'trainings',
      trainings,
      materials,
      today: tashkentToday(deps.clock),
      feedbackFor: extras.feedbackFor ?? null,
      errors: extras.errors ?? [],
      values: extras.values ?? {},
      refusal: extras.refusal ?? null,
    });
  }

  return {
    async evaluations(req: Request, res: Response) {
      const data = await ownEvaluations(deps, portalUser(req), Number(req.query.page) || 1);
      res.renderPage('operator-portal/evaluations', {
        title: req.t('portal.evaluations.title'), tab: 'evaluations', scripts: ['training'], ...data,
        pager: { page: data.page, pages: data.pages, href: (p: number) => `/my/evaluations?page=${p}` },
      });
    },

    async evaluation(req: Request, res: Response) {
      await renderEvaluation(req, res, idParam(req));
    },

    async acknowledge(req: Request, res: Response) {
      const id = idParam(req);
      const changed = await acknowledgeEvaluation(deps, portalUser(req), id, req.ip);
      flash(req, { type: changed ? 'success' : 'info', key: changed ? 'portal.evaluation.acknowledged' : 'portal.evaluation.alreadyAcknowledged' });
      res.redirect(303, `/my/evaluations/${id}`);
    },

    /** POST /my/evaluations/:id/disputes — criterionCode, comment. */
    async dispute(req: Request, res: Response) {
      const id = idParam(req);
      const values = { criterionCode: typeof req.body?.criterionCode === 'string' ? req.body.criterionCode : '', comment: typeof req.body?.comment === 'string' ? req.body.comment.slice(0, 4000) : '' };
      try {
        await raiseDispute(deps, portalUser(req), id, values, { ip: req.ip, windowDays: deps.config.disputeWindowDays });
      } catch (e) {
        if (e instanceof ValidationError) return renderEvaluation(req, res, id, { disputeFor: values.criterionCode, errors: e.fields, values }, 400);
        // The window has closed, or this criterion is already disputed: said on the page, nothing stored.
        if (e instanceof AppError && e.status === 409) return renderEvaluation(req, res, id, { refusal: { key: e.key, params: e.params } }, 409);
        throw e;
      }
      flash(req, { type: 'success', key: 'portal.dispute.raised' });
      res.redirect(303, `/my/evaluations/${id}#disputes`);
    },

    async trainings(req: Request, res: Response) {
      await renderTrainings(req, res);
    },

    async acknowledgeTraining(req: Request, res: Response) {
      const changed = await acknowledgeOwn(deps, portalUser(req), idParam(req), req.ip);
      flash(req, { type: changed ? 'success' : 'info', key: changed ? 'portal.trainings.acknowledged' : 'portal.trainings.alreadyAcknowledged' });
      res.redirect(303, '/my/trainings');
    },

    async trainingFeedback(req: Request, res: Response) {
      const id = idParam(req);
      const values = feedbackInput(req.body ?? {});
      try {
        await feedbackOwn(deps, portalUser(req), id, values, req.ip);
      } catch (e) {
        if (e instanceof ValidationError) return renderTrainings(req, res, { feedbackFor: id, errors: e.fields, values }, 400);
        if (e instanceof AppError && e.status === 409) return renderTrainings(req, res, { refusal: { key: e.key, params: e.params } }, 409);
        throw e;
      }
      flash(req, { type: 'success', key: 'portal.trainings.feedbackSaved' });
      res.redirect(303, '/my/trainings');
    },

    async material(req: Request, res: Response) {
      const file = await materialForDownload(deps, portalUser(req), idParam(req), idParam(req, 'materialId'), req.ip);
      await sendMaterial(res, file);
    },
  };
}
