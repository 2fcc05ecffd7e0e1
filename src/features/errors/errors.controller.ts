// The errors pages: parse the request, call the service, render or redirect. No SQL here.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam, wantsJson } from '../../http/guards';
import { ERROR_CATEGORIES, SEVERITIES } from '../rubrics/rubric.model';
import { canListen } from './access';
import { ACTION_TYPES, ERROR_STATUSES, type ErrorTransition } from './error-status';
import { analysisQuerySchema, bulkIdsSchema, inboxQuerySchema } from './errors.schema';
import * as service from './errors.service';
import { fieldErrorsFromZod } from '../../http/errors';

/** A local path to go back to after a form, never another site. */
function safeBack(v: unknown, fallback: string): string {
  return typeof v === 'string' && /^\/(errors|operators)(\/|\?|$)/.test(v) && !v.startsWith('//') ? v : fallback;
}

/** The query string of a filter, for links that keep it (pager, tabs). */
function queryString(q: Record<string, unknown>, overrides: Record<string, unknown> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...overrides })) if (v !== undefined && v !== null && v !== '' && v !== false) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function errorsController(deps: AppDeps) {
  const { db, clock } = deps;

  async function renderDetail(req: Request, res: Response, id: number, extra: { status?: number; errors?: FieldError[]; values?: Record<string, unknown>; alert?: { key: string; params?: Record<string, unknown> } } = {}) {
    const error = await service.getError(db, req.user!, id, clock);
    res.status(extra.status ?? 200).renderPage('errors/detail', {
      title: req.t('errors.detail.title', { id: error.id }),
      error,
      actionTypes: ACTION_TYPES,
      errors: extra.errors ?? [],
      values: extra.values ?? {},
      alert: extra.alert ?? null,
      canListen: canListen(req.user!.role),
      back: safeBack(req.query.back ?? req.body?.back, '/errors'),
    });
  }

  function transition(name: ErrorTransition) {
    return async (req: Request, res: Response) => {
      const id = idParam(req);
      try {
        const to = await service.transitionError(db, req.user!, id, name, req.body ?? {}, { clock, ip: req.ip });
        if (wantsJson(req)) return res.json({ id, status: to });
        flash(req, { type: 'success', key: `errors.flash.${name}`, params: { id } });
        res.redirect(safeBack(req.body?.back, `/errors/${id}`));
      } catch (e) {
        if (wantsJson(req) || !(e instanceof AppError)) throw e;
        // The form again with what the supervisor typed and why it was refused.
        if (e instanceof ValidationError) return renderDetail(req, res, id, { status: 400, errors: e.fields, values: req.body ?? {} });
        if (e.status === 409) return renderDetail(req, res, id, { status: 409, alert: { key: e.key, params: e.params } });
        throw e;
      }
    };
  }

  return {
    async inbox(req: Request, res: Response) {
      const q = inboxQuerySchema.parse(req.query);
      const data = await service.listInbox(db, req.user!, q, clock);
      const filterValues = { status: q.status, operator: q.operator, team: q.team, category: q.category, severity: q.severity, overdue: q.overdue ? '1' : undefined, from: q.from, to: q.to };
      res.renderPage('errors/inbox', {
        title: req.t('errors.inbox.title'),
        tab: 'inbox',
        ...data,
        q: filterValues,
        statuses: ERROR_STATUSES,
        categories: ERROR_CATEGORIES,
        severities: SEVERITIES,
        canListen: canListen(req.user!.role),
        here: req.originalUrl,
        pager: { page: q.page, pages: data.pages, href: (n: number) => `/errors${queryString(filterValues, { page: n })}` },
        statusHref: (status: string) => `/errors${queryString({ ...filterValues, overdue: undefined }, { status })}`,
        overdueHref: `/errors${queryString({ ...filterValues, status: undefined }, { overdue: '1' })}`,
      });
    },

    async acknowledgeSelected(req: Request, res: Response) {
      const parsed = bulkIdsSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
      const r = await service.acknowledgeMany(db, req.user!, parsed.data.ids, { clock, ip: req.ip });
      if (wantsJson(req)) return res.json(r);
      flash(req, { type: 'success', key: 'errors.flash.acknowledgedMany', params: { count: r.acknowledged } });
      res.redirect(safeBack(req.body?.back, '/errors'));
    },

    async detail(req: Request, res: Response) {
      await renderDetail(req, res, idParam(req));
    },

    acknowledge: transition('acknowledge'),
    recordAction: transition('recordAction'),
    close: transition('close'),

    async analysis(req: Request, res: Response) {
      const q = analysisQuerySchema.parse(req.query);
      const data = await service.errorAnalysis(db, req.user!, q, { clock, maxDays: deps.config.maxReportDays });
      res.status(data.problems.length ? 400 : 200).renderPage('errors/analysis', {
        title: req.t('errors.analysis.title'),
        tab: 'analysis',
        ...data,
        errors: data.problems,
        categories: ERROR_CATEGORIES,
        severities: SEVERITIES,
        canListen: canListen(req.user!.role),
        scripts: ['errors'],
      });
    },

    async complex(req: Request, res: Response) {
      const show = req.query.show === 'resolved' ? 'resolved' : req.query.show === 'all' ? 'all' : 'open';
      const data = await service.listComplex(db, req.user!, show === 'all' ? undefined : show === 'resolved');
      res.renderPage('errors/complex', { title: req.t('errors.complex.title'), tab: 'complex', show, ...data, canListen: canListen(req.user!.role), formErrors: {}, formValues: {} });
    },

    async resolveComplex(req: Request, res: Response) {
      const id = idParam(req);
      try {
        await service.resolveComplexCase(db, req.user!, id, req.body ?? {}, { clock, ip: req.ip });
      } catch (e) {
        if (wantsJson(req) || !(e instanceof ValidationError)) throw e;
        const data = await service.listComplex(db, req.user!, false);
        return res.status(400).renderPage('errors/complex', {
          title: req.t('errors.complex.title'), tab: 'complex', show: 'open', ...data, canListen: canListen(req.user!.role),
          formErrors: { [id]: e.fields }, formValues: { [id]: String(req.body?.resolution ?? '') },
        });
      }
      if (wantsJson(req)) return res.json({ id, resolved: true });
      flash(req, { type: 'success', key: 'errors.flash.complexResolved' });
      res.redirect('/errors/complex');
    },
  };
}
