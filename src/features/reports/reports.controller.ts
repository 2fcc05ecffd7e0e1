// Parses the report requests, asks the service, renders the dashboard or streams a download.
import type { Request, Response } from 'express';
import { LOCALE_TAGS, type Language } from '../../i18n';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { ValidationError, NotFoundError, type FieldError } from '../../http/errors';
import { flash } from '../../http/guards';
import { isMailConfigured } from '../../mail';
import { WEEKLY_ROLES, isSubscribed, setSubscribed } from './weekly-report';
import { tashkentToday } from '../../time';
import { dashboardChartData, jsonForScript } from './dashboard-view';
import { dashboardTables, isTableSlug, regionName, type TableContext } from './report-tables';
import { writeCsv } from './report-writers';
import { aggregatesOnly, evaluationsExport, reportTables, writeReportWorkbook } from './reports.export';
import { CALL_LANGUAGES, filtersQuery, parseReportFilters, type ReportFilters } from './reports.schema';
import { SAMPLES } from '../evaluations/purpose';
import { MAP_MEASURES, regionTiles, type MapMeasure } from './region-map';
import { buildDashboard, filterOptions, resolveScope, type ResolvedScope } from './reports.service';

export function reportsController(deps: AppDeps) {
  const { db, config } = deps;

  function parse(req: Request): ReportFilters {
    const parsed = parseReportFilters(req.query as Record<string, unknown>, { today: tashkentToday(deps.clock), maxDays: config.maxReportDays });
    if (!parsed.ok) throw new ValidationError(parsed.errors, 'reports.filters.invalid');
    return parsed.filters;
  }

  function tableContext(req: Request, r: ResolvedScope): TableContext {
    const f = r.filters;
    return {
      t: req.t,
      lang: req.lang,
      filters: f,
      filterLabels: {
        team: f.teamId === null ? null : (r.teamOptions.find((x) => x.id === f.teamId)?.name ?? null),
        region: f.regionId === null ? null : regionName(r.regionOptions.find((x) => x.id === f.regionId), req.lang, req.t),
        category: f.category === null ? null : req.t(`calls.category.${f.category}`, { defaultValue: f.category }),
        language: f.language === null ? null : req.t(`calls.language.${f.language}`, { defaultValue: f.language }),
      },
      generatedAt: deps.clock(),
      bands: config.scoreBands,
      reviewTargetDays: config.reviewTargetDays,
    };
  }

  /** A safe download name: the period, ASCII only. */
  function fileName(f: ReportFilters, stem: string, ext: string): string {
    // The sample is in the name too: a file that travels must say what its figures are taken over.
    return `sifat-${stem}-${f.sample}-${f.from}_${f.to}.${ext}`;
  }

  /** Closing the tab mid-download stops the reading of pages. */
  function abortOnClose(res: Response): AbortSignal {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    return controller.signal;
  }

  return {
    async dashboard(req: Request, res: Response) {
      const today = tashkentToday(deps.clock);
      // ?map=calls colours the regions' tile map by call volume instead of score.
      const parsed = parseReportFilters(req.query as Record<string, unknown>, { today, maxDays: config.maxReportDays, extraNames: ['map'] });
      const mapMeasure: MapMeasure = req.query.map === 'calls' ? 'calls' : 'score';
      let errors: FieldError[] = parsed.ok ? [] : parsed.errors;
      let resolved: ResolvedScope | null = null;
      if (parsed.ok) {
        try {
          resolved = await resolveScope(db, req.user!, parsed.filters);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          errors = e.fields;
        }
      }
      if (!resolved) {
        // Show the form again with what was typed and what is wrong, and no figures.
        const o = await filterOptions(db, req.user!);
        res.status(400).renderPage('reports/dashboard', {
          title: req.t('reports.title'),
          errors,
          values: req.query,
          options: { teams: o.teamOptions, regions: o.regionOptions, categories: o.categoryOptions, languages: CALL_LANGUAGES, samples: SAMPLES },
          limitedToOwnTeams: req.user!.role === 'supervisor',
          dashboard: null,
          today,
          maxDays: config.maxReportDays,
        });
        return;
      }
      const dashboard = await buildDashboard(db, resolved.scope, config.scoreBands, undefined, undefined, config.reviewTargetDays);
      const ctx = tableContext(req, resolved);
      const tables = dashboardTables(dashboard, ctx);
      res.renderPage('reports/dashboard', {
        title: req.t('reports.title'),
        scripts: ['dashboard'],
        ...fixedNumbers(req.lang),
        errors: [],
        values: { from: resolved.filters.from, to: resolved.filters.to, team: resolved.filters.teamId ?? '', region: resolved.filters.regionId ?? '', category: resolved.filters.category ?? '', language: resolved.filters.language ?? '', sample: resolved.filters.sample },
        options: optionsFor(resolved),
        limitedToOwnTeams: resolved.limitedToOwnTeams,
        dashboard,
        tables: Object.fromEntries(tables.map((tb) => [tb.slug, tb])),
        chartData: dashboardChartData(dashboard, ctx),
        regionMap: { measure: mapMeasure, measures: MAP_MEASURES, tiles: regionTiles(dashboard.regions, mapMeasure, req.lang, req.t, req.fmt) },
        jsonForScript,
        weekly: WEEKLY_ROLES.includes(req.user!.role)
          ? { subscribed: await isSubscribed(db, req.user!.id), mailConfigured: isMailConfigured(config), hasEmail: !!req.user!.email, back: req.originalUrl }
          : null,
        exportQuery: filtersQuery(resolved.filters),
        filterLabels: ctx.filterLabels,
        today,
        maxDays: config.maxReportDays,
      });
    },

    /** Turns the weekly report e-mail on or off for the signed-in leadership or admin user. */
    async subscription(req: Request, res: Response) {
      const on = String((req.body as Record<string, unknown>).weekly ?? '') === 'on';
      await setSubscribed(db, req.user!.id, on, deps.clock);
      await audit(db, { userId: req.user!.id, action: on ? 'report.subscribe' : 'report.unsubscribe', entityType: 'user', entityId: req.user!.id }, deps.clock);
      flash(req, { type: 'success', key: on ? 'reports.weekly.turnedOn' : 'reports.weekly.turnedOff' });
      const back = typeof (req.body as Record<string, unknown>).back === 'string' && /^\/reports(\?[^\s]*)?$/.test(String((req.body as Record<string, unknown>).back)) ? String((req.body as Record<string, unknown>).back) : '/reports';
      res.redirect(back);
    },

    async exportXlsx(req: Request, res: Response) {
      const filters = parse(req);
      const resolved = await resolveScope(db, req.user!, filters);
      const ctx = tableContext(req, resolved);
      const signal = abortOnClose(res);
      await audit(db, { userId: req.user!.id, action: 'report.export', entityType: 'report', details: { format: 'xlsx', ...filters } }, deps.clock);
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(filters, 'report', 'xlsx')}"`);
      res.setHeader('Cache-Control', 'no-store');
      await writeReportWorkbook(db, resolved, ctx, res, { bands: config.scoreBands, shiftDayStart: config.shiftDayStart, signal, aggregatesOnly: aggregatesOnly(req.user!.role), service: config });
    },

    async exportCsv(req: Request, res: Response) {
      const table = String(req.params.table ?? '');
      if (!isTableSlug(table) || (table === 'evaluations' && aggregatesOnly(req.user!.role))) throw new NotFoundError('reports.export.unknownTable', { name: table });
      const filters = parse(req);
      const resolved = await resolveScope(db, req.user!, filters);
      const ctx = tableContext(req, resolved);
      const signal = abortOnClose(res);
      // Built before the first byte goes out, so a failure is still an error page and not half a file.
      const source = table === 'evaluations' ? await evaluationsExport(db, resolved, ctx) : (await reportTables(db, resolved, ctx, { bands: config.scoreBands, shiftDayStart: config.shiftDayStart })).find((x) => x.slug === table)!;
      await audit(db, { userId: req.user!.id, action: 'report.export', entityType: 'report', details: { format: 'csv', table, ...filters } }, deps.clock);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(filters, table, 'csv')}"`);
      res.setHeader('Cache-Control', 'no-store');
      await writeCsv(res, source.columns, 'pages' in source ? source.pages : source.rows, signal);
    },
  };
}

// Number formats with fixed decimals, made once per language: the i18n formatter builds a new
// Intl.NumberFormat on every call with digits, and the dashboard formats a few thousand numbers.
const fixedFormats = new Map<string, { num0: (v: number | null | undefined) => string; num1: (v: number | null | undefined) => string }>();
export function fixedNumbers(lang: string) {
  let f = fixedFormats.get(lang);
  if (!f) {
    const tag = LOCALE_TAGS[lang as Language] ?? LOCALE_TAGS.uz;
    const nf0 = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
    const nf1 = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const safe = (nf: Intl.NumberFormat) => (v: number | null | undefined) => (v == null || Number.isNaN(v) ? '—' : nf.format(v));
    f = { num0: safe(nf0), num1: safe(nf1) };
    fixedFormats.set(lang, f);
  }
  return f;
}

function optionsFor(r: ResolvedScope) {
  return { teams: r.teamOptions, regions: r.regionOptions, categories: r.categoryOptions, languages: CALL_LANGUAGES, samples: SAMPLES };
}
