// Parses the training requests, calls the service, renders or redirects. No SQL here.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { cleanupUploads } from '../../http/uploads';
import { addDays, tashkentToday } from '../../time';
import { pickLocalized } from '../../i18n';
import { contentDisposition } from './materials';
import { criteriaQuery, feedbackInput, operatorIdsInput, ruleChangeFormInput, shortcomingQuerySchema, trainingFormInput, type RuleChangeFormInput, type TrainingFormInput } from './training.schema';
import * as service from './training.service';

type ShowExtras = {
  feedbackFor?: number;
  feedbackErrors?: FieldError[];
  feedbackValues?: Record<string, unknown>;
  materialErrors?: FieldError[];
  actionError?: { key: string; params?: Record<string, unknown> };
};

export function trainingController(deps: AppDeps) {
  async function renderShow(req: Request, res: Response, id: number, extras: ShowExtras = {}, status = 200) {
    const data = await service.trainingPage(deps, req.user!, id, req.query.window);
    res.status(status).renderPage('training/show', {
      title: data.training.topic,
      scripts: ['training'],
      ...data,
      feedbackFor: extras.feedbackFor ?? null,
      feedbackErrors: extras.feedbackErrors ?? [],
      feedbackValues: extras.feedbackValues ?? {},
      materialErrors: extras.materialErrors ?? [],
      actionError: extras.actionError ?? null,
      windowDays: data.effect?.windowDays ?? null,
    });
  }

  async function renderForm(req: Request, res: Response, mode: { kind: 'new' } | { kind: 'edit'; id: number }, values: TrainingFormInput, errors: FieldError[], period: { from: string; to: string }, status = 200) {
    const [operators, criteriaOptions] = await Promise.all([service.operatorChoices(deps, req.user!, values.criteria, period), service.criterionOptions(deps)]);
    res.status(status).renderPage('training/form', {
      title: mode.kind === 'new' ? req.t('training.new.title') : req.t('training.edit.title'),
      scripts: ['training'],
      mode,
      values,
      errors,
      operators,
      criteriaOptions,
      period,
    });
  }

  async function renderRuleForm(req: Request, res: Response, values: RuleChangeFormInput, errors: FieldError[], status = 200) {
    res.status(status).renderPage('training/rule-change', { title: req.t('training.ruleChange.title'), values, errors, criteriaOptions: await service.criterionOptions(deps) });
  }

  /** Refusals of an action on the training page (409s) are shown on the page, not as a bare error page. */
  async function onShowAction(req: Request, res: Response, id: number, action: () => Promise<void>, extras: (e: unknown) => ShowExtras | null) {
    try {
      await action();
    } catch (e) {
      const shown = extras(e);
      if (shown && e instanceof AppError) return renderShow(req, res, id, shown, e.status);
      throw e;
    }
  }

  return {
    /** GET /training — plans, rule changes and the top shortcomings of the last 30 days. */
    async index(req: Request, res: Response) {
      const data = await service.trainingList(deps, req.user!);
      res.renderPage('training/index', { title: req.t('training.list.title'), scripts: ['training'], tab: 'plans', ...data });
    },

    /** GET /training/shortcomings — the most frequent failed criteria by team / operator over a period. */
    async shortcomings(req: Request, res: Response) {
      const q = shortcomingQuerySchema.parse(req.query);
      const data = await service.frequentShortcomings(deps, req.user!, q);
      res.status(data.problems.length ? 400 : 200).renderPage('training/shortcomings', { title: req.t('training.shortcomings.title'), scripts: ['training'], tab: 'shortcomings', canManage: service.canManageTrainings(req.user!.role), ...data });
    },

    /** GET /training/new — the plan form, pre-filled from a shortcoming (?criteria=&from=&to=). */
    async newForm(req: Request, res: Response) {
      const criteria = criteriaQuery(req.query.criteria);
      const today = tashkentToday(deps.clock);
      const q = shortcomingQuerySchema.parse(req.query);
      const period = service.shortcomingPeriod(q, today, deps.config.maxReportDays);
      const texts = await service.criterionOptions(deps);
      const operators = await service.operatorChoices(deps, req.user!, criteria, period);
      const first = texts.find((c) => c.code === criteria[0]);
      const values: TrainingFormInput = {
        topic: first ? req.t('training.new.topicFrom', { text: pickLocalized(first.text, req.lang) }) : '',
        description: '',
        trainingDate: addDays(today, 7),
        trainer: req.user!.displayName,
        location: '',
        criteria,
        // Operators with errors on those criteria come pre-ticked.
        participantIds: operators.filter((o) => o.suggested).map((o) => o.id),
        suggestedIds: operators.filter((o) => o.suggested).map((o) => o.id),
      };
      await renderForm(req, res, { kind: 'new' }, values, [], period);
    },

    /** POST /training */
    async create(req: Request, res: Response) {
      const values = trainingFormInput(req.body ?? {});
      try {
        const id = await service.createTraining(deps, req.user!, values, req.ip);
        flash(req, { type: 'success', key: 'training.new.created' });
        res.redirect(303, `/training/${id}`);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const period = service.shortcomingPeriod({}, tashkentToday(deps.clock), deps.config.maxReportDays);
        await renderForm(req, res, { kind: 'new' }, values, e.fields, period, 400);
      }
    },

    /** GET /training/:id?window=30 */
    async show(req: Request, res: Response) {
      await renderShow(req, res, idParam(req));
    },

    async editForm(req: Request, res: Response) {
      const id = idParam(req);
      const { training, participants } = await service.editForm(deps, req.user!, id);
      const period = service.shortcomingPeriod({}, tashkentToday(deps.clock), deps.config.maxReportDays);
      await renderForm(req, res, { kind: 'edit', id }, {
        topic: training.topic, description: training.description ?? '', trainingDate: training.trainingDate, trainer: training.trainer ?? '', location: training.location ?? '',
        criteria: training.criteria, participantIds: participants.map((p) => p.operatorId), suggestedIds: participants.filter((p) => p.suggested).map((p) => p.operatorId),
      }, [], period);
    },

    async update(req: Request, res: Response) {
      const id = idParam(req);
      const values = trainingFormInput(req.body ?? {});
      try {
        await service.updateTraining(deps, req.user!, id, values, req.ip);
        flash(req, { type: 'success', key: 'training.edit.saved' });
        res.redirect(303, `/training/${id}`);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const period = service.shortcomingPeriod({}, tashkentToday(deps.clock), deps.config.maxReportDays);
        await renderForm(req, res, { kind: 'edit', id }, values, e.fields, period, 400);
      }
    },

    async cancel(req: Request, res: Response) {
      const id = idParam(req);
      await service.cancelTraining(deps, req.user!, id, req.ip);
      flash(req, { type: 'success', key: 'training.cancel.done' });
      res.redirect(303, `/training/${id}`);
    },

    /** POST /training/:id/attendance — attended[] are the ticked operator ids. */
    async attendance(req: Request, res: Response) {
      const id = idParam(req);
      await onShowAction(req, res, id, async () => {
        const r = await service.recordAttendance(deps, req.user!, id, operatorIdsInput(req.body ?? {}, 'attended'), req.ip);
        flash(req, { type: 'success', key: 'training.attendance.saved', params: r });
        res.redirect(303, `/training/${id}#attendance`);
      }, (e) => (e instanceof AppError && e.status === 409 ? { actionError: { key: e.key, params: e.params } } : null));
    },

    /** POST /training/:id/feedback/:operatorId — the supervisor enters the questionnaire. */
    async feedback(req: Request, res: Response) {
      const id = idParam(req);
      const operatorId = idParam(req, 'operatorId');
      const values = feedbackInput(req.body ?? {});
      await onShowAction(req, res, id, async () => {
        await service.recordFeedback(deps, req.user!, id, operatorId, values, req.ip);
        flash(req, { type: 'success', key: 'training.feedback.saved' });
        res.redirect(303, `/training/${id}#attendance`);
      }, (e) => (e instanceof ValidationError ? { feedbackFor: operatorId, feedbackErrors: e.fields, feedbackValues: values } : e instanceof AppError && e.status === 409 ? { actionError: { key: e.key, params: e.params } } : null));
    },

    /** POST /training/:id/acknowledge — a supervisor marks a rule change acknowledged for operators. */
    async acknowledge(req: Request, res: Response) {
      const id = idParam(req);
      const n = await service.markAcknowledged(deps, req.user!, id, operatorIdsInput(req.body ?? {}), req.ip);
      flash(req, { type: 'success', key: 'training.acknowledge.marked', params: { count: n } });
      res.redirect(303, `/training/${id}#attendance`);
    },

    /** POST /training/:id/materials (multipart, field "material"). */
    async uploadMaterials(req: Request, res: Response) {
      const id = idParam(req);
      const files = ((req.files as Record<string, Express.Multer.File[]> | undefined)?.material ?? []).map((f) => ({ path: f.path, originalname: f.originalname, size: f.size }));
      try {
        await onShowAction(req, res, id, async () => {
          const n = await service.addMaterials(deps, req.user!, id, files, req.ip);
          flash(req, { type: 'success', key: 'training.materials.added', params: { count: n } });
          res.redirect(303, `/training/${id}#materials`);
        }, (e) => (e instanceof ValidationError ? { materialErrors: e.fields } : null));
      } finally {
        cleanupUploads(req);
      }
    },

    /** GET /training/:id/materials/:materialId — the file under its original name. */
    async downloadMaterial(req: Request, res: Response) {
      const file = await service.materialForDownload(deps, req.user!, idParam(req), idParam(req, 'materialId'), req.ip);
      sendMaterial(res, file);
    },

    async removeMaterial(req: Request, res: Response) {
      const id = idParam(req);
      await service.removeMaterial(deps, req.user!, id, idParam(req, 'materialId'), req.ip);
      flash(req, { type: 'success', key: 'training.materials.removed' });
      res.redirect(303, `/training/${id}#materials`);
    },

    async ruleChangeForm(req: Request, res: Response) {
      await renderRuleForm(req, res, { topic: '', description: '', trainingDate: tashkentToday(deps.clock), criteria: criteriaQuery(req.query.criteria) }, []);
    },

    async createRuleChange(req: Request, res: Response) {
      const values = ruleChangeFormInput(req.body ?? {});
      try {
        const id = await service.createRuleChange(deps, req.user!, values, req.ip);
        flash(req, { type: 'success', key: 'training.ruleChange.created' });
        res.redirect(303, `/training/${id}`);
      } catch (e) {
        if (e instanceof ValidationError) return renderRuleForm(req, res, values, e.fields, 400);
        throw e;
      }
    },
  };
}

/** Sends a stored material with its type decided at upload and its original name, safely encoded. */
export function sendMaterial(res: Response, file: { path: string; name: string; mime: string }): Promise<void> {
  res.setHeader('Content-Disposition', contentDisposition(file.name));
  res.type(file.mime);
  return new Promise((resolve, reject) => {
    res.sendFile(file.path, { dotfiles: 'deny', lastModified: false, headers: { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store', 'Content-Security-Policy': "default-src 'none'; sandbox" } }, (err) => {
      if (err && !res.headersSent) reject(new AppError(404, 'training.materials.missing'));
      else resolve();
    });
  });
}
