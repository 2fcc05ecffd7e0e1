// The follow-up worklist pages: the list with counts by service and region, one item with its
// contacts, recording a contact, and a supervisor closing an item handed to them.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { addDays, tashkentDayRange, tashkentToday } from '../../time';
import * as repo from './followups.repository';
import { CONTACT_RESULTS, canSee, closeBySupervisor, isOverdue, localInput, recordContact } from './followups.service';

export function followupsController(deps: AppDeps) {
  const { db } = deps;

  async function renderShow(req: Request, res: Response, id: number, o: { errors?: ValidationError['fields']; values?: Record<string, unknown>; status?: number } = {}) {
    const f = await repo.findFollowup(db, id);
    if (!f) throw new NotFoundError();
    if (!canSee(req.user!, f)) throw new ForbiddenError();
    const now = deps.clock();
    res.status(o.status ?? 200).renderPage('followups/show', {
      title: req.t('followups.show.title', { call: f.externalId }),
      f: { ...f, overdue: isOverdue(f, now) },
      contacts: await repo.contactsOf(db, id),
      results: CONTACT_RESULTS,
      errors: o.errors ?? [],
      values: o.values ?? { contactedAt: localInput(now) },
      canClose: req.user!.role === 'admin' || req.user!.role === 'supervisor',
    });
  }

  return {
    async list(req: Request, res: Response) {
      const status = req.query.status === 'closed' ? 'closed' : 'active';
      const now = deps.clock();
      const today = tashkentToday(deps.clock);
      const from = addDays(today, -29);
      const range = { startIso: tashkentDayRange(from).startIso, endIso: tashkentDayRange(today).endIso };
      const supervisorUserId = req.user!.role === 'supervisor' ? req.user!.id : null;
      const [rows, byService, byRegion, regions] = await Promise.all([
        repo.listFollowups(db, { status, supervisorUserId, limit: 300 }),
        repo.countsBy(db, 'service', range.startIso, range.endIso, now.toISOString()),
        repo.countsBy(db, 'region', range.startIso, range.endIso, now.toISOString()),
        db('regions').select('code', 'name_uz', 'name_ru', 'name_en'),
      ]);
      const regionName = new Map(regions.map((r) => [r.code as string, { uz: r.name_uz, ru: r.name_ru, en: r.name_en }]));
      res.renderPage('followups/list', {
        title: req.t('followups.title'),
        status,
        rows: rows.map((r) => ({ ...r, overdue: isOverdue(r, now) })),
        byService,
        byRegion: byRegion.map((r) => ({ ...r, names: regionName.get(r.key) ?? null })),
        period: { from, to: today },
      });
    },

    async show(req: Request, res: Response) {
      await renderShow(req, res, idParam(req));
    },

    async contact(req: Request, res: Response) {
      const id = idParam(req);
      try {
        const r = await recordContact(deps, req.user!, id, req.body, req.ip);
        flash(req, { type: 'success', key: `followups.flash.${r.status}` });
        res.redirect(`/followups/${id}`);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        await renderShow(req, res, id, { errors: e.fields, values: req.body as Record<string, unknown>, status: 400 });
      }
    },

    async close(req: Request, res: Response) {
      const id = idParam(req);
      try {
        await closeBySupervisor(deps, req.user!, id, req.body, req.ip);
        flash(req, { type: 'success', key: 'followups.flash.closed' });
        res.redirect(`/followups/${id}`);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        await renderShow(req, res, id, { errors: e.fields, values: req.body as Record<string, unknown>, status: 400 });
      }
    },
  };
}
