// Parses the calibration requests, calls the service, renders or answers JSON. No SQL here.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { tashkentToday } from '../../time';
import { candidateQuerySchema, sessionFormInput } from './calibration.schema';
import * as service from './calibration.service';

export function calibrationController(deps: AppDeps) {
  async function renderForm(req: Request, res: Response, values: ReturnType<typeof sessionFormInput>, errors: FieldError[], status = 200) {
    const query = candidateQuerySchema.parse(req.query);
    const options = await service.sessionFormOptions(deps, query, values.callIds);
    res.status(status).renderPage('calibration/new', {
      title: req.t('calibration.new.title'),
      values: { ...values, deadline: values.deadline || options.defaultDeadline },
      errors,
      query,
      ...options,
    });
  }

  return {
    /** GET /calibration — the sessions the viewer runs or takes part in. */
    async list(req: Request, res: Response) {
      const sessions = await service.listForViewer(deps, req.user!);
      res.renderPage('calibration/list', { title: req.t('calibration.list.title'), sessions, canManage: service.canManage(req.user!.role), today: tashkentToday(deps.clock) });
    },

    /** GET /calibration/new — the form (calls filtered by the query). */
    async newForm(req: Request, res: Response) {
      const title = req.t('calibration.new.defaultTitle', { date: req.fmt.date(new Date()) });
      await renderForm(req, res, { ...sessionFormInput(req.query as Record<string, unknown>), title, notes: '' }, []);
    },

    /** POST /calibration — create the session and its draft evaluations. */
    async create(req: Request, res: Response) {
      const values = sessionFormInput(req.body ?? {});
      try {
        const { sessionId, evaluations } = await service.createSession(deps, req.user!, values, req.ip);
        flash(req, { type: 'success', key: 'calibration.new.created', params: { count: evaluations } });
        res.redirect(303, `/calibration/${sessionId}`);
      } catch (e) {
        if (e instanceof ValidationError) return renderForm(req, res, values, e.fields, 400);
        throw e;
      }
    },

    /** GET /calibration/:id — calls, participants and their progress; never answers. */
    async show(req: Request, res: Response) {
      const data = await service.sessionOverview(deps, req.user!, idParam(req));
      res.renderPage('calibration/show', { title: data.session.title, ...data });
    },

    /** POST /calibration/:id/close */
    async close(req: Request, res: Response) {
      const id = idParam(req);
      await service.closeSession(deps, req.user!, id, req.ip);
      flash(req, { type: 'success', key: 'calibration.close.done' });
      res.redirect(303, `/calibration/${id}/results`);
    },

    /** GET /calibration/:id/results — side by side, agreement, spread, alignment (closed sessions only). */
    async results(req: Request, res: Response) {
      const data = await service.sessionResults(deps, req.user!, idParam(req));
      res.renderPage('calibration/results', { title: req.t('calibration.results.title', { title: data.session.title }), scripts: ['calibration'], ...data });
    },

    /** GET /api/calibration/:id/results — the same as JSON. */
    async resultsJson(req: Request, res: Response) {
      const data = await service.sessionResults(deps, req.user!, idParam(req));
      res.json({
        session: { id: data.session.id, title: data.session.title, status: data.session.status, deadline: data.session.deadline, closedAt: data.session.closedAt, expertUserId: data.session.expertUserId },
        participants: data.participants.map((p) => ({ userId: p.userId, displayName: p.displayName, isExpert: p.isExpert })),
        calls: data.calls.map((c) => ({ callId: c.callId, externalId: c.externalId })),
        criteria: data.criteria.map((c) => ({ code: c.code, answerType: c.answerType, maxValue: c.maxValue })),
        evaluations: data.counted.map((e) => ({ id: e.id, callId: e.callId, participantId: e.specialistUserId, score: e.score, submittedAt: e.submittedAt })),
        report: data.report,
        missing: data.missing,
      });
    },
  };
}
