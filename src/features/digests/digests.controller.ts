// The digests pages: the list with the "prepare" and schedule forms, the printable digest, its
// workbook, and sending it. Parses, calls the service, renders or redirects.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { AppError, ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam, wantsJson } from '../../http/guards';
import { isLanguage, DEFAULT_LANGUAGE } from '../../i18n';
import { buildDigestWorkbook, scopeLabel, workbookFileName } from './digest-render';
import { nextSendDay } from './digest-schedule';
import * as service from './digests.service';

export function digestsController(deps: AppDeps) {
  const viewer = (req: Request): service.Viewer => ({ id: req.user!.id, role: req.user!.role, displayName: req.user!.displayName, language: req.user!.language });

  async function renderList(req: Request, res: Response, extra: { status?: number; errors?: FieldError[]; values?: Record<string, unknown>; scheduleErrors?: FieldError[]; scheduleValues?: Record<string, unknown> } = {}) {
    const page = Math.max(1, Math.min(100000, Number(req.query.page) || 1));
    const data = await service.digestsPage(deps, viewer(req), page);
    const schedule = data.schedule;
    res.status(extra.status ?? 200).renderPage('digests/list', {
      title: req.t('digests.list.title'),
      ...data,
      errors: extra.errors ?? [],
      values: extra.values ?? { from: data.defaultFrom, to: data.defaultTo, scope: req.user!.role === 'admin' ? 'centre' : req.user!.role === 'specialist' ? (data.teams[0] ? `team:${data.teams[0].id}` : '') : `supervisor:${req.user!.id}`, send: data.smtpConfigured ? '1' : '' },
      scheduleErrors: extra.scheduleErrors ?? [],
      scheduleValues: extra.scheduleValues ?? (schedule ? { frequency: schedule.isActive ? schedule.frequency : 'off', weekday: schedule.weekday ?? 1, sendTime: schedule.sendTime } : { frequency: 'off', weekday: 1, sendTime: '08:00' }),
      nextSend: schedule ? nextSendDay(schedule, deps.clock()) : null,
      scopeName: (d: { scopeType: 'supervisor' | 'team' | 'centre'; scopeName: string | null }) => scopeLabel({ type: d.scopeType, name: d.scopeName }, req.t),
      pager: { page, pages: data.pages, href: (n: number) => `/digests?page=${n}` },
    });
  }

  async function renderDigest(req: Request, res: Response, id: number, extra: { status?: number; alert?: { key: string; params?: Record<string, unknown> } } = {}) {
    const digest = await service.getDigest(deps.db, viewer(req), id);
    await service.markOpened(deps, viewer(req), digest);
    const deliverable = service.isDeliverable(deps.config, digest.recipients);
    const inAppReason = !deps.config.smtpUrl ? 'smtpOff' : !deliverable ? 'noEmail' : 'notRequested';
    res.status(extra.status ?? 200).renderPage('digests/show', {
      title: req.t('digests.doc.title'),
      digest,
      content: digest.content,
      scope: scopeLabel(digest.content.header.scope, req.t),
      deliverable,
      inAppReason,
      alert: extra.alert ?? null,
      printCss: true,
      scripts: ['errors'],
    });
  }

  return {
    list: (req: Request, res: Response) => renderList(req, res),

    async create(req: Request, res: Response) {
      try {
        const id = await service.prepareDigest(deps, viewer(req), req.body ?? {}, req.ip);
        if (wantsJson(req)) return res.status(201).json({ id });
        flash(req, { type: 'success', key: 'digests.flash.prepared' });
        res.redirect(`/digests/${id}`);
      } catch (e) {
        if (wantsJson(req) || !(e instanceof ValidationError)) throw e;
        await renderList(req, res, { status: 400, errors: e.fields, values: req.body ?? {} });
      }
    },

    show: (req: Request, res: Response) => renderDigest(req, res, idParam(req)),

    async workbook(req: Request, res: Response) {
      const digest = await service.getDigest(deps.db, viewer(req), idParam(req));
      // The same file the e-mail carries: in the recipient's language.
      const lang = isLanguage(digest.language) ? digest.language : DEFAULT_LANGUAGE;
      const buffer = await buildDigestWorkbook(digest.content, lang);
      await audit(deps.db, { userId: req.user!.id, action: 'digest.download', entityType: 'digest', entityId: digest.id, ip: req.ip }, deps.clock);
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="${workbookFileName(digest.content, lang)}"`);
      res.send(buffer);
    },

    async send(req: Request, res: Response) {
      const id = idParam(req);
      try {
        await service.requestSend(deps, viewer(req), id, req.ip);
      } catch (e) {
        if (wantsJson(req) || !(e instanceof AppError) || e.status !== 409) throw e;
        return renderDigest(req, res, id, { status: 409, alert: { key: e.key, params: e.params } });
      }
      if (wantsJson(req)) return res.status(202).json({ id, status: 'pending' });
      flash(req, { type: 'success', key: 'digests.flash.queued' });
      res.redirect(`/digests/${id}`);
    },

    async handover(req: Request, res: Response) {
      const id = idParam(req);
      let emailed = false;
      try {
        ({ emailed } = await service.handOver(deps, viewer(req), id, req.ip));
      } catch (e) {
        if (wantsJson(req) || !(e instanceof AppError) || e.status !== 409) throw e;
        return renderDigest(req, res, id, { status: 409, alert: { key: e.key, params: e.params } });
      }
      if (wantsJson(req)) return res.status(202).json({ id, handedOver: true, emailed });
      flash(req, { type: 'success', key: emailed ? 'digests.handover.doneEmailed' : 'digests.handover.done' });
      res.redirect(`/digests/${id}`);
    },

    async schedule(req: Request, res: Response) {
      try {
        await service.saveSchedule(deps, viewer(req), req.body ?? {}, req.ip);
      } catch (e) {
        if (wantsJson(req) || !(e instanceof ValidationError)) throw e;
        return renderList(req, res, { status: 400, scheduleErrors: e.fields, scheduleValues: req.body ?? {} });
      }
      if (wantsJson(req)) return res.json({ saved: true });
      flash(req, { type: 'success', key: req.body?.frequency === 'off' ? 'digests.flash.scheduleOff' : 'digests.flash.scheduleSaved' });
      res.redirect('/digests');
    },
  };
}
