// Parses the Service page's requests, asks for the view, renders the page or streams a download.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { tashkentToday } from '../../time';
import { jsonForScript } from '../reports/dashboard-view';
import { writeCsv, writeWorkbook } from '../reports/report-writers';
import { CALL_LANGUAGES } from '../reports/reports.schema';
import { chartTables, isServiceTableSlug } from './service-tables';
import { fixedNumbers } from '../reports/reports.controller';
import { STANDARD_NAMES } from './service-model';
import { parseServiceQuery, serviceQueryString, type ServiceQuery } from './service.schema';
import { buildServiceView, type ServiceView } from './service.view';
import { resolveServiceScope } from './service.service';

export function serviceController(deps: AppDeps) {
  const { db, config } = deps;
  const ctxOf = (req: Request) => ({ t: req.t, lang: req.lang, clock: deps.clock });

  function parse(req: Request): ServiceQuery {
    const parsed = parseServiceQuery(req.query as Record<string, unknown>, { today: tashkentToday(deps.clock), maxDays: config.maxReportDays, defaultStandard: config.service.standard });
    if (!parsed.ok) throw new ValidationError(parsed.errors, 'reports.filters.invalid');
    return parsed.query;
  }

  function fileName(q: ServiceQuery, stem: string, ext: string): string {
    return `sifat-${stem}-${q.filters.from}_${q.filters.to}.${ext}`;
  }

  function options(v: Pick<ServiceView, 'resolved'>['resolved']) {
    return { teams: v.teamOptions, regions: v.regionOptions, categories: v.categoryOptions, languages: CALL_LANGUAGES, standards: STANDARD_NAMES };
  }

  return {
    async page(req: Request, res: Response) {
      const today = tashkentToday(deps.clock);
      const parsed = parseServiceQuery(req.query as Record<string, unknown>, { today, maxDays: config.maxReportDays, defaultStandard: config.service.standard });
      let errors: FieldError[] = parsed.ok ? [] : parsed.errors;
      let view: ServiceView | null = null;
      if (parsed.ok) {
        try {
          view = await buildServiceView(db, config, req.user!, parsed.query, ctxOf(req));
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          errors = e.fields;
        }
      }
      const isSupervisor = req.user!.role === 'supervisor';
      if (!view || !parsed.ok) {
        // The form again with what was typed and what is wrong, and no figures.
        const fallback = await resolveServiceScope(db, req.user!, { from: today, to: today, teamId: null, regionId: null, category: null, language: null, sample: 'random' });
        res.status(400).renderPage('service/page', {
          title: req.t('service.title'),
          errors,
          values: req.query,
          options: options(fallback),
          view: null,
          today,
          isSupervisor,
        });
        return;
      }
      const q = parsed.query;
      const f = q.filters;
      res.renderPage('service/page', {
        title: req.t('service.title'),
        scripts: ['dashboard'],
        errors: [],
        values: { from: f.from, to: f.to, team: f.teamId ?? '', region: f.regionId ?? '', category: f.category ?? '', language: f.language ?? '', standard: q.standard, scope: q.wholeService ? 'service' : '' },
        options: options(view.resolved),
        view,
        ...fixedNumbers(req.lang),
        tables: chartTables(view.tables),
        chartData: { charts: view.charts },
        jsonForScript,
        exportQuery: serviceQueryString(q),
        csvBase: '/service/',
        today,
        isSupervisor,
      });
    },

    async exportXlsx(req: Request, res: Response) {
      const q = parse(req);
      const view = await buildServiceView(db, config, req.user!, q, ctxOf(req));
      await audit(db, { userId: req.user!.id, action: 'service.export', entityType: 'report', details: { format: 'xlsx', ...q.filters, wholeService: q.wholeService } }, deps.clock);
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(q, 'service', 'xlsx')}"`);
      res.setHeader('Cache-Control', 'no-store');
      await writeWorkbook(res, view.tables, null, { bands: config.scoreBands, creator: 'Sifat' });
    },

    async exportCsv(req: Request, res: Response) {
      const slug = String(req.params.table ?? '');
      if (!isServiceTableSlug(slug)) throw new NotFoundError('reports.export.unknownTable', { name: slug });
      const q = parse(req);
      const view = await buildServiceView(db, config, req.user!, q, ctxOf(req));
      const table = view.tables.find((x) => x.slug === slug)!;
      await audit(db, { userId: req.user!.id, action: 'service.export', entityType: 'report', details: { format: 'csv', table: slug, ...q.filters, wholeService: q.wholeService } }, deps.clock);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(q, slug, 'csv')}"`);
      res.setHeader('Cache-Control', 'no-store');
      await writeCsv(res, table.columns, table.rows);
    },
  };
}
