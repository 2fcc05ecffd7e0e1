// The retention pages: policies, legal holds, the next purge (dry run) and the deletion log.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam, wantsJson } from '../../http/guards';
import { tashkentClock, tashkentDate } from '../../time';
import { RETENTION_CLASSES, MAX_RETENTION_DAYS } from './retention.policy';
import * as repo from './retention.repository';
import * as service from './retention.service';

const LOG_PAGE = 50;

export function retentionController(deps: AppDeps) {
  async function renderIndex(req: Request, res: Response, o: { status?: number; policyErrors?: FieldError[]; policyValues?: Record<string, unknown>; holdErrors?: FieldError[]; holdValues?: Record<string, unknown> } = {}) {
    const now = deps.clock();
    const [policies, holds, released, plan, log] = await Promise.all([
      repo.listPolicies(deps.db),
      repo.listHolds(deps.db, { active: true }),
      repo.listHolds(deps.db, { active: false, limit: 10 }),
      service.planPurge(deps, now, { listLimit: 10 }),
      repo.listDeletions(deps.db, { limit: 10, offset: 0 }),
    ]);
    const policyValues = o.policyValues ?? Object.fromEntries(policies.map((p) => [p.callClass, p.days == null ? '' : String(p.days)]));
    res.status(o.status ?? 200).renderPage('retention/index', {
      title: req.t('retention.title'),
      classes: RETENTION_CLASSES,
      maxDays: MAX_RETENTION_DAYS,
      policies,
      policyValues,
      policyErrors: o.policyErrors ?? [],
      holds,
      released,
      holdValues: o.holdValues ?? {},
      holdErrors: o.holdErrors ?? [],
      plan,
      nextRun: nextRunAt(now, deps.config.retentionPurgeTime),
      log,
    });
  }

  return {
    index: (req: Request, res: Response) => renderIndex(req, res),

    async savePolicies(req: Request, res: Response) {
      try {
        await service.savePolicies(deps, req.user!.id, req.body ?? {}, req.ip);
      } catch (e) {
        if (!(e instanceof ValidationError) || wantsJson(req)) throw e;
        return renderIndex(req, res, { status: 400, policyErrors: e.fields, policyValues: req.body ?? {} });
      }
      flash(req, { type: 'success', key: 'retention.policies.saved' });
      res.redirect(303, '/admin/retention');
    },

    async placeHold(req: Request, res: Response) {
      try {
        await service.placeHold(deps, req.user!.id, req.body ?? {}, req.ip);
      } catch (e) {
        if (!(e instanceof ValidationError) || wantsJson(req)) throw e;
        return renderIndex(req, res, { status: 400, holdErrors: e.fields, holdValues: req.body ?? {} });
      }
      flash(req, { type: 'success', key: 'retention.holds.placed' });
      res.redirect(303, '/admin/retention#holds');
    },

    async releaseHold(req: Request, res: Response) {
      const id = idParam(req);
      try {
        const hold = await service.releaseHold(deps, req.user!.id, id, req.body ?? {}, req.ip);
        flash(req, { type: 'success', key: 'retention.holds.released', params: { call: hold.externalId } });
      } catch (e) {
        if (!(e instanceof ValidationError) || wantsJson(req)) throw e;
        return renderIndex(req, res, { status: 400, holdErrors: e.fields });
      }
      res.redirect(303, '/admin/retention#holds');
    },

    /** The dry run in full: every recording the next purge deletes, and those a hold keeps. */
    async preview(req: Request, res: Response) {
      const plan = await service.planPurge(deps, deps.clock(), { listLimit: 500 });
      res.renderPage('retention/preview', { title: req.t('retention.preview.title'), plan, crumbs: [{ href: '/admin/retention', label: req.t('retention.title') }] });
    },

    async deletions(req: Request, res: Response) {
      const page = Math.min(100_000, Math.max(1, Number(req.query.page) || 1));
      const log = await repo.listDeletions(deps.db, { limit: LOG_PAGE, offset: (page - 1) * LOG_PAGE });
      res.renderPage('retention/deletions', {
        title: req.t('retention.log.title'),
        log,
        crumbs: [{ href: '/admin/retention', label: req.t('retention.title') }],
        pager: { page, pages: Math.max(1, Math.ceil(log.total / LOG_PAGE)), href: (p: number) => `/admin/retention/deletions?page=${p}` },
      });
    },
  };
}

/** The next time the daily purge runs: today at the purge time if still ahead (Tashkent), else tomorrow. */
export function nextRunAt(now: Date, purgeTime: string): { date: string; time: string } {
  const today = tashkentDate(now);
  if (tashkentClock(now) < purgeTime) return { date: today, time: purgeTime };
  return { date: tashkentDate(new Date(now.getTime() + 86_400_000)), time: purgeTime };
}
