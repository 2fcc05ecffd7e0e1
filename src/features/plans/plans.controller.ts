// The plans pages: parse the request, call the service, render or redirect. No SQL here.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError, fieldErrorsFromZod, type FieldError } from '../../http/errors';
import { flash, idParam, wantsJson } from '../../http/guards';
import { addDays, isIsoDate, tashkentToday } from '../../time';
import { SIZING_FORMULA } from './sizing';
import { ALGORITHM_VERSION } from './draw';
import { defaultPlanRules } from './plan-rules';
import {
  CATEGORY_OPTIONS,
  LANGUAGE_OPTIONS,
  SIZING_FORMULA_PARTS,
  dutyFormFromBody,
  parsePeriod,
  ruleFormFromBody,
  ruleFormFromRules,
  rulesInputFromForm,
  sizingFormFromQuery,
  type DutyFormRow,
  type RuleFormValues,
} from './plans.forms';
import * as service from './plans.service';
import * as proposalService from './proposals.service';
import * as coverageService from './coverage.service';
import type { AssignmentStatus } from './plans.repository';

const ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = ['new', 'in_progress', 'done', 'unassigned'];

const id = (key: string) => z.coerce.number({ error: key }).int({ error: key }).positive({ error: key });
const reassignBodySchema = z.object({ specialistUserId: id('plans.reassign.specialistInvalid') });
const drawBodySchema = z.object({ date: z.string().trim().max(20).catch(''), redraw: z.string().optional().catch(undefined) });
const addCallBodySchema = z.object({ callId: id('plans.add.callIdInvalid'), specialistUserId: id('plans.reassign.specialistInvalid') });
const decisionBodySchema = z.object({ note: z.string().trim().max(1000).optional().catch(undefined) });

const viewer = (req: Request): service.Viewer => ({ id: req.user!.id, role: req.user!.role });

/** A form's "come back here" address: only a page of this feature. */
function safeBack(v: unknown, fallback: string): string {
  return typeof v === 'string' && /^\/plans(\/|\?|$)/.test(v) && !v.includes('//') ? v : fallback;
}

const positiveInt = (v: unknown): number | undefined => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

export function plansController(deps: AppDeps) {
  interface PlanRender {
    planDate?: string;
    planId?: number;
    status?: number;
    error?: { key: string; params?: Record<string, unknown>; fields?: FieldError[] } | null;
    addValues?: Record<string, unknown>;
  }

  async function renderPlan(req: Request, res: Response, o: PlanRender): Promise<void> {
    const specialistUserId = positiveInt(req.query.specialist);
    const status = ASSIGNMENT_STATUSES.includes(req.query.status as AssignmentStatus) ? (req.query.status as AssignmentStatus) : undefined;
    const page = positiveInt(req.query.page) ?? 1;
    const model = await service.planPage(deps, { planDate: o.planDate, planId: o.planId, specialistUserId, status, page }, viewer(req));
    const scheduledFailure = model.plans.length ? null : await service.scheduledDrawFailure(deps, model.planDate);
    // Coverage over the 30 days of calls before the plan day.
    const coverage = await coverageService.coveragePage(deps, { fromDate: addDays(model.planDate, -30), toDate: addDays(model.planDate, -1) }, req.query as Record<string, unknown>, deps.config.highAcuityCategories, viewer(req));
    const dateLabel = req.fmt.date(model.planDate);
    res.status(o.status ?? 200).renderPage('plans/plan', {
      title: o.planId ? req.t('plans.plan.titleById', { id: o.planId }) : req.t('plans.plan.title'),
      subtitle: req.t('plans.plan.subtitle', { date: dateLabel }),
      tab: 'plan',
      m: model,
      filters: { specialistUserId, status, page },
      statuses: ASSIGNMENT_STATUSES,
      error: o.error ?? null,
      scheduledFailure,
      coverage,
      coverageHidden: o.planId === undefined ? { date: model.planDate } : {},
      addValues: o.addValues ?? {},
      drawTime: deps.config.planDrawTime,
      algorithmVersion: ALGORITHM_VERSION,
      backUrl: req.originalUrl,
      pagerHref: (p: number) => {
        const qs = new URLSearchParams();
        if (o.planId === undefined) qs.set('date', model.planDate);
        if (specialistUserId) qs.set('specialist', String(specialistUserId));
        if (status) qs.set('status', status);
        qs.set('page', String(p));
        return `${o.planId ? `/plans/${o.planId}` : '/plans'}?${qs}`;
      },
    });
  }

  /** Known refusals re-render the page with the message and their status; JSON callers get the error handler's JSON. */
  function asPageError(req: Request, e: unknown): { status: number; key: string; params: Record<string, unknown>; fields?: FieldError[] } {
    if (!(e instanceof AppError) || wantsJson(req)) throw e;
    return { status: e.status, key: e.key, params: e.params, fields: e instanceof ValidationError ? e.fields : undefined };
  }

  // ---- rules & duty page ----
  async function renderRules(
    req: Request,
    res: Response,
    o: { form?: RuleFormValues; formErrors?: FieldError[]; dutyRows?: DutyFormRow[]; dutyErrors?: FieldError[]; status?: number },
  ): Promise<void> {
    const [ruleSets, duty, proposals] = await Promise.all([service.listRuleSets(deps), service.listDuty(deps), proposalService.listProposals(deps, viewer(req))]);
    let form = o.form;
    const editId = positiveInt(req.query.id);
    if (!form) {
      const editing = editId ? ruleSets.find((r) => r.id === editId) : req.query.new ? undefined : ruleSets.find((r) => r.isActive) ?? ruleSets[0];
      if (editing && editing.rules) form = ruleFormFromRules(editing.name, editing.isActive, editing.rules, editing.id);
      else form = ruleFormFromRules(req.t('plans.rules.defaultName'), ruleSets.every((r) => !r.isActive), defaultPlanRules());
      const suggested = positiveInt(req.query.suggestedQuota);
      if (suggested !== undefined) {
        form['quota.mode'] = 'perDay';
        form['quota.calls'] = String(suggested);
      }
    }
    const dutyRows: DutyFormRow[] = o.dutyRows ?? duty.map((d) => ({ userId: d.userId, onDuty: d.onDuty, capacity: d.configured ? String(d.capacity) : '20', languages: d.configured ? d.languages : ['uz', 'ru'] }));
    res.status(o.status ?? 200).renderPage('plans/rules', {
      title: req.t('plans.rules.title'),
      subtitle: req.t('plans.rules.subtitle'),
      tab: 'rules',
      ruleSets,
      form,
      formErrors: o.formErrors ?? [],
      duty,
      dutyRows,
      dutyErrors: o.dutyErrors ?? [],
      categories: CATEGORY_OPTIONS,
      callLanguages: LANGUAGE_OPTIONS,
      suggestedQuota: positiveInt(req.query.suggestedQuota) ?? null,
      proposals,
      proposer: req.user!.role === 'specialist',
      appliesAtOnce: deps.config.specialistRulesApply,
    });
  }

  return {
    // GET /plans?date=
    async plan(req: Request, res: Response) {
      const date = typeof req.query.date === 'string' && isIsoDate(req.query.date) ? req.query.date : tashkentToday(deps.clock);
      await renderPlan(req, res, { planDate: date });
    },

    // GET /plans/:id
    async planById(req: Request, res: Response) {
      await renderPlan(req, res, { planId: idParam(req) });
    },

    // POST /plans/draw
    async draw(req: Request, res: Response) {
      // The day is checked by the service (a clear "not a valid day" / "future day" refusal).
      const body = drawBodySchema.parse(req.body ?? {});
      const planDate = body.date || tashkentToday(deps.clock);
      try {
        const r = await service.drawDay(deps, { planDate, actorId: req.user!.id, redraw: body.redraw === '1', source: 'manual' });
        if (wantsJson(req)) return res.status(201).json(r);
        flash(req, { type: 'success', key: r.supersededIds.length ? 'plans.draw.redrawn' : 'plans.draw.drawn', params: { picked: r.picked, assigned: r.assigned, unassigned: r.unassigned, carried: r.carried } });
        res.redirect(303, `/plans?date=${planDate}`);
      } catch (e) {
        const err = asPageError(req, e);
        await renderPlan(req, res, { planDate: isIsoDate(planDate) ? planDate : tashkentToday(deps.clock), status: err.status, error: err });
      }
    },

    // GET /plans/:id/verify
    async verify(req: Request, res: Response) {
      const outcome = await service.verifyStoredPlan(deps, idParam(req));
      if (wantsJson(req)) return res.json({ planId: outcome.plan.id, ...outcome.result, currentPopulation: outcome.currentPopulation, storedPicks: outcome.storedPicks, lateArrivals: outcome.lateArrivals });
      res.renderPage('plans/verify', {
        title: req.t('plans.verify.title', { id: outcome.plan.id }),
        subtitle: req.t('plans.plan.subtitle', { date: req.fmt.date(outcome.plan.planDate) }),
        tab: 'plan',
        o: outcome,
        algorithmVersion: ALGORITHM_VERSION,
      });
    },

    // POST /plans/assignments/:id/reassign
    async reassign(req: Request, res: Response) {
      const id = idParam(req);
      const parsed = reassignBodySchema.safeParse(req.body);
      const back = safeBack((req.body as Record<string, unknown>).back, '/plans');
      try {
        if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues), 'plans.reassign.specialistInvalid');
        const a = await service.reassign(deps, { assignmentId: id, specialistUserId: parsed.data.specialistUserId, actor: viewer(req) });
        flash(req, { type: 'success', key: 'plans.reassign.done', params: { callId: a.callId } });
        res.redirect(303, back);
      } catch (e) {
        const err = asPageError(req, e);
        if (err.status === 403 || err.status === 404) throw e;
        await renderPlan(req, res, { ...planTarget(back, deps), status: err.status, error: err });
      }
    },

    // POST /plans/:id/assignments
    async addCall(req: Request, res: Response) {
      const planId = idParam(req);
      const body = req.body as Record<string, unknown>;
      const parsed = addCallBodySchema.safeParse(body);
      try {
        if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues), 'plans.add.invalid');
        await service.addCall(deps, { planId, callId: parsed.data.callId, specialistUserId: parsed.data.specialistUserId, actor: viewer(req) });
        flash(req, { type: 'success', key: 'plans.add.done', params: { callId: parsed.data.callId } });
        res.redirect(303, `/plans/${planId}`);
      } catch (e) {
        const err = asPageError(req, e);
        if (err.status === 404 && !err.fields) throw e;
        await renderPlan(req, res, { planId, status: err.status, error: err, addValues: { callId: body.callId, specialistUserId: body.specialistUserId } });
      }
    },

    // GET /plans/today
    async today(req: Request, res: Response) {
      const m = await service.todayPage(deps, req.user!.id);
      res.renderPage('plans/today', { title: req.t('plans.today.title'), subtitle: req.t('plans.today.subtitle', { date: req.fmt.date(m.today) }), m });
    },

    // GET /plans/rules
    async rules(req: Request, res: Response) {
      await renderRules(req, res, {});
    },

    // POST /plans/rules and /plans/rules/:id
    async saveRules(req: Request, res: Response) {
      const id = req.params.id ? idParam(req) : undefined;
      const form = { ...ruleFormFromBody(req.body as Record<string, unknown>), id };
      try {
        const input = { id, name: form.name, isActive: form.isActive, rules: rulesInputFromForm(form) };
        if (req.user!.role === 'specialist') {
          // A specialist proposes; a supervisor or an administrator approves (unless set to apply at once).
          const outcome = await proposalService.proposeRuleSet(deps, input, req.user!.id, { applyAtOnce: deps.config.specialistRulesApply });
          flash(req, { type: 'success', key: outcome.kind === 'applied' ? 'plans.proposals.appliedAtOnce' : 'plans.proposals.sent', params: { name: form.name } });
          res.redirect(303, outcome.kind === 'applied' ? `/plans/rules?id=${outcome.ruleSetId}` : '/plans/rules#proposals');
          return;
        }
        const savedId = await service.saveRuleSet(deps, input, req.user!.id);
        flash(req, { type: 'success', key: 'plans.rules.saved', params: { name: form.name } });
        res.redirect(303, `/plans/rules?id=${savedId}`);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const overlap = e.fields.some((f) => f.key === 'plans.rules.overlap');
        await renderRules(req, res, { form, formErrors: e.fields, status: overlap ? 409 : 400 });
      }
    },

    // POST /plans/rules/proposals/:id/approve
    async approveProposal(req: Request, res: Response) {
      const body = decisionBodySchema.parse(req.body ?? {});
      try {
        const ruleSetId = await proposalService.approveProposal(deps, idParam(req), req.user!.id, body.note || null);
        flash(req, { type: 'success', key: 'plans.proposals.approved' });
        res.redirect(303, `/plans/rules?id=${ruleSetId}`);
      } catch (e) {
        // Approving checks the rules again: an overlap that appeared since is shown like a save's.
        if (!(e instanceof ValidationError)) throw e;
        await renderRules(req, res, { formErrors: e.fields, status: e.fields.some((f) => f.key === 'plans.rules.overlap') ? 409 : 400 });
      }
    },

    // POST /plans/rules/proposals/:id/reject
    async rejectProposal(req: Request, res: Response) {
      const body = decisionBodySchema.parse(req.body ?? {});
      await proposalService.rejectProposal(deps, idParam(req), req.user!.id, body.note || null);
      flash(req, { type: 'success', key: 'plans.proposals.rejected' });
      res.redirect(303, '/plans/rules#proposals');
    },

    // POST /plans/duty
    async saveDuty(req: Request, res: Response) {
      const duty = await service.listDuty(deps);
      const rows = dutyFormFromBody(req.body as Record<string, unknown>, duty.map((d) => d.userId));
      try {
        const changed = await service.saveDuty(deps, rows, req.user!.id);
        flash(req, { type: 'success', key: 'plans.duty.saved', params: { count: changed } });
        res.redirect(303, '/plans/rules#duty');
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        await renderRules(req, res, { dutyRows: rows, dutyErrors: e.fields, status: 400 });
      }
    },

    // GET /plans/sizing
    async sizing(req: Request, res: Response) {
      const defaults = await service.sizingDefaults(deps);
      const values = sizingFormFromQuery(req.query as Record<string, unknown>, defaults);
      const m = await service.sizingPage(deps, values, viewer(req));
      const period = parsePeriod(values.from, values.to);
      const coverage = Array.isArray(period) ? null : await coverageService.coveragePage(deps, period, req.query as Record<string, unknown>, deps.config.highAcuityCategories, viewer(req));
      res.status(m.errors.length || coverage?.errors.length ? 400 : 200).renderPage('plans/sizing', {
        title: req.t('plans.sizing.title'),
        subtitle: req.t('plans.sizing.subtitle'),
        tab: 'sizing',
        m,
        formula: SIZING_FORMULA,
        formulaParts: SIZING_FORMULA_PARTS,
        confidences: service.SIZING_CONFIDENCES,
        scripts: m.result ? ['plans'] : [],
        coverage,
        coverageHidden: values,
      });
    },
  };
}

/** Where a "back" address points: a plan by id or a day. */
function planTarget(back: string, deps: AppDeps): { planId?: number; planDate?: string } {
  const url = new URL(back, 'http://sifat.local');
  const byId = /^\/plans\/(\d+)$/.exec(url.pathname);
  if (byId) return { planId: Number(byId[1]) };
  const date = url.searchParams.get('date');
  return { planDate: date && isIsoDate(date) ? date : tashkentToday(deps.clock) };
}
