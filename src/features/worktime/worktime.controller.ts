// The working-time pages: figures per operator and shift with satisfaction (/worktime), and the
// shift plan — what is planned, the format, the template and the upload (/worktime/plans).
import fs from 'node:fs';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ForbiddenError, ValidationError, type FieldError } from '../../http/errors';
import { flash } from '../../http/guards';
import { cleanupUploads } from '../../http/uploads';
import { tashkentClock, tashkentToday } from '../../time';
import { jsonForScript } from '../reports/dashboard-view';
import { pickLocalized } from '../../i18n';
import { REPORT_ROLES } from '../reports/reports.service';
import { toExcelCsv, uploadedFileName } from '../imports/imports.manifest';
import * as repo from './worktime.repository';
import { worktimeCharts } from './worktime.charts';
import { parseWorktimeFilters, type WorktimeFilters } from './worktime.schema';
import { SHIFT_PLAN_COLUMNS, SHIFT_PLAN_MAX_BYTES, SHIFT_MAX_HOURS, templateRows, type PlanProblem } from './shift-plan';
import { PLAN_ROLES, PlanRefused, importShiftPlan, satisfactionOf, scopeFor, workingTimeOf } from './worktime.service';

/** The shifts table lists this many (newest first); the operators table and the export have them all. */
const SHIFT_ROWS_ON_PAGE = 200;
const PROBLEMS_ON_PAGE = 200;
const UPCOMING_ON_PAGE = 100;

/** "7:05" for seconds: hours and minutes, as a shift is read. */
export function hoursMinutes(sec: number): string {
  const m = Math.round(sec / 60);
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}

export function worktimeController(deps: AppDeps) {
  const { db, config } = deps;

  async function renderPlans(req: Request, res: Response, o: { problems?: PlanProblem[]; fileName?: string; errors?: FieldError[] } = {}, status = 200) {
    const scope = await scopeFor(db, req.user!, null);
    const now = deps.clock().toISOString();
    const [upcoming, total, people] = await Promise.all([repo.upcomingShifts(db, now, scope.teamIds, UPCOMING_ON_PAGE), repo.countUpcomingShifts(db, now, scope.teamIds), repo.operators(db, scope.teamIds)]);
    const who = new Map(people.map((p) => [p.id, p]));
    const problems = o.problems ?? [];
    res.status(status).renderPage('worktime/plans', {
      title: req.t('worktime.plans.title'),
      upcoming: upcoming.map((s) => ({ ...s, operator: who.get(s.operatorId) ?? null })),
      upcomingTotal: total,
      problems: problems.slice(0, PROBLEMS_ON_PAGE),
      problemsMore: Math.max(0, problems.length - PROBLEMS_ON_PAGE),
      problemRows: new Set(problems.filter((p) => p.row > 0).map((p) => p.row)).size,
      fileName: o.fileName ?? null,
      errors: o.errors ?? [],
      columns: SHIFT_PLAN_COLUMNS,
      maxHours: SHIFT_MAX_HOURS,
      maxMb: SHIFT_PLAN_MAX_BYTES / 1048576,
      ownTeamsOnly: scope.ownTeamsOnly,
      teamNames: scope.teamOptions.map((x) => x.name),
    });
  }

  return {
    async page(req: Request, res: Response) {
      const today = tashkentToday(deps.clock);
      const parsed = parseWorktimeFilters(req.query as Record<string, unknown>, today);
      let filters: WorktimeFilters;
      let errors: FieldError[] = [];
      if (parsed.ok) filters = parsed.filters;
      else {
        errors = parsed.errors;
        filters = { from: today, to: today, teamId: null };
      }
      let scope;
      try {
        scope = await scopeFor(db, req.user!, filters.teamId);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        errors = [...errors, ...e.fields];
        scope = await scopeFor(db, req.user!, null);
      }
      const values = parsed.ok ? { from: filters.from, to: filters.to, team: filters.teamId ? String(filters.teamId) : '' } : parsed.values;
      if (errors.length) {
        return res.status(400).renderPage('worktime/index', { title: req.t('worktime.title'), errors, values, today, scope, view: null, satisfaction: null, canPlan: PLAN_ROLES.includes(req.user!.role) });
      }
      const lang = req.lang;
      const [view, satisfaction] = await Promise.all([
        workingTimeOf(db, config.shiftDayStart, filters, scope.teamIds, deps.clock()),
        satisfactionOf(db, filters, scope.teamIds, { none: req.t('worktime.none'), category: (c) => req.t(`calls.category.${c}`, { defaultValue: c }), region: (names) => pickLocalized(names, lang) }),
      ]);
      const { charts, timeChartRows } = worktimeCharts(view, satisfaction, req.t);
      const query = new URLSearchParams({ from: filters.from, to: filters.to, ...(filters.teamId ? { team: String(filters.teamId) } : {}) }).toString();
      res.renderPage('worktime/index', {
        title: req.t('worktime.title'),
        scripts: ['dashboard'],
        errors,
        values,
        today,
        scope,
        filters,
        view,
        shiftRows: view.rows.slice(0, SHIFT_ROWS_ON_PAGE),
        shiftRowsMore: Math.max(0, view.rows.length - SHIFT_ROWS_ON_PAGE),
        satisfaction,
        chartData: { charts },
        timeChartRows,
        jsonForScript,
        hm: hoursMinutes,
        clock: tashkentClock,
        canPlan: PLAN_ROLES.includes(req.user!.role),
        csvHref: REPORT_ROLES.includes(req.user!.role) ? `/reports/working_time.csv?${query}` : null,
        shiftDayStart: config.shiftDayStart,
      });
    },

    async plans(req: Request, res: Response) {
      await renderPlans(req, res);
    },

    async upload(req: Request, res: Response) {
      try {
        const file = (req.files as Record<string, Express.Multer.File[]> | undefined)?.file?.[0];
        if (!file) return await renderPlans(req, res, { errors: [{ field: 'file', key: 'worktime.plans.fileRequired' }] }, 400);
        const name = uploadedFileName(file.originalname);
        const bytes = await fs.promises.readFile(file.path);
        try {
          const r = await importShiftPlan(deps, req.user!, { bytes, name }, req.ip);
          flash(req, { type: 'success', key: 'worktime.plans.imported', params: { shifts: r.shifts, added: r.added, replaced: r.replaced, from: req.fmt.date(r.firstDate), to: req.fmt.date(r.lastDate), file: name } });
          if (r.ignoredColumns.length) flash(req, { type: 'info', key: 'worktime.plans.ignoredColumns', params: { columns: r.ignoredColumns.join(', ') } });
          res.redirect(303, '/worktime/plans');
        } catch (e) {
          if (!(e instanceof PlanRefused)) throw e;
          await renderPlans(req, res, { problems: e.problems, fileName: name }, 400);
        }
      } finally {
        cleanupUploads(req);
      }
    },

    async template(req: Request, res: Response) {
      if (!PLAN_ROLES.includes(req.user!.role)) throw new ForbiddenError();
      const scope = await scopeFor(db, req.user!, null);
      const codes = (await repo.operators(db, scope.teamIds)).slice(0, 2).map((o) => o.code);
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.attachment('sifat-shift-plan-template.csv');
      res.send(toExcelCsv(templateRows(tashkentToday(deps.clock), codes)));
    },
  };
}
