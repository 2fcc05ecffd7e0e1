// Administration of users, teams, operators and regions; the audit log view.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app-context';
import { ValidationError, fieldErrorsFromZod, NotFoundError, FieldError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { ROLES } from '../../auth/roles';
import { LANGUAGES } from '../../i18n';
import { audit, listAudit } from '../../audit/audit';
import { actionLabel, auditActions, auditLines, displayNames } from './audit-view';
import * as repo from './users.repository';
import * as service from './users.service';

const OPERATOR_LANGUAGES = ['uz', 'kaa', 'ru', 'en', 'sign', 'other'] as const;

function roleOptions(req: Request) {
  return ROLES.map((r) => ({ value: r, label: req.t(`users.role.${r}`) }));
}
function languageOptions(req: Request) {
  return LANGUAGES.map((l) => ({ value: l, label: req.t(`common.languageName.${l}`) }));
}
async function operatorOptions(deps: AppDeps, req: Request) {
  const ops = await repo.listOperators(deps.db, { active: true });
  return [{ value: '', label: req.t('common.none') }, ...ops.map((o) => ({ value: o.id, label: `${o.fullName} (${o.employeeCode})` }))];
}

export function usersController(deps: AppDeps) {
  const rounds = deps.config.passwordHashRounds;

  async function renderUserForm(req: Request, res: Response, data: { mode: 'new' | 'edit'; values: Record<string, unknown>; errors: FieldError[]; editUser?: repo.User }, status = 200) {
    res.status(status).renderPage('users/user-form', {
      title: data.mode === 'new' ? req.t('users.new.title') : req.t('users.edit.title', { name: data.editUser?.displayName }),
      ...data,
      roleOptions: roleOptions(req),
      languageOptions: languageOptions(req),
      operatorOptions: await operatorOptions(deps, req),
    });
  }

  return {
    async list(req: Request, res: Response) {
      const users = await repo.listUsers(deps.db);
      res.renderPage('users/list', { title: req.t('users.list.title'), users });
    },
    async newForm(req: Request, res: Response) {
      await renderUserForm(req, res, { mode: 'new', values: { role: 'specialist', language: 'uz' }, errors: [] });
    },
    async create(req: Request, res: Response) {
      const b = req.body as Record<string, string>;
      const input = { username: b.username, displayName: b.displayName, email: b.email ?? '', role: b.role, language: b.language, password: b.password, operatorId: b.operatorId || undefined };
      try {
        await service.createUser(deps.db, input, { rounds, actorId: req.user!.id, clock: deps.clock });
      } catch (e) {
        if (e instanceof ValidationError) return renderUserForm(req, res, { mode: 'new', values: { ...input, password: '' }, errors: e.fields }, 400);
        throw e;
      }
      flash(req, { type: 'success', key: 'users.created', params: { username: input.username } });
      res.redirect('/admin/users');
    },
    async editForm(req: Request, res: Response) {
      const editUser = await repo.findUserById(deps.db, idParam(req));
      if (!editUser) throw new NotFoundError();
      await renderUserForm(req, res, { mode: 'edit', editUser, values: { ...editUser }, errors: [] });
    },
    async update(req: Request, res: Response) {
      const id = idParam(req);
      const editUser = await repo.findUserById(deps.db, id);
      if (!editUser) throw new NotFoundError();
      const b = req.body as Record<string, string>;
      const input = { displayName: b.displayName, email: b.email ?? '', role: b.role, language: b.language, isActive: b.isActive === '1', operatorId: b.operatorId || undefined };
      try {
        await service.updateUserByAdmin(deps.db, id, input, { actorId: req.user!.id, clock: deps.clock });
      } catch (e) {
        if (e instanceof ValidationError) return renderUserForm(req, res, { mode: 'edit', editUser, values: { ...editUser, ...input }, errors: e.fields }, 400);
        throw e;
      }
      flash(req, { type: 'success', key: 'users.updated', params: { username: editUser.username } });
      res.redirect('/admin/users');
    },
    async resetPassword(req: Request, res: Response) {
      const id = idParam(req);
      const editUser = await repo.findUserById(deps.db, id);
      if (!editUser) throw new NotFoundError();
      try {
        await service.resetPassword(deps.db, id, String(req.body.password ?? ''), { rounds, actorId: req.user!.id, clock: deps.clock, keepSessionId: req.sessionID });
      } catch (e) {
        if (e instanceof ValidationError) return renderUserForm(req, res, { mode: 'edit', editUser, values: { ...editUser }, errors: e.fields }, 400);
        throw e;
      }
      flash(req, { type: 'success', key: 'users.passwordReset', params: { username: editUser.username } });
      res.redirect(`/admin/users/${id}/edit`);
    },

    // ---- teams ----
    async teams(req: Request, res: Response) {
      const [teams, supervisors] = await Promise.all([repo.listTeams(deps.db), repo.listUsers(deps.db, { role: 'supervisor', active: true })]);
      res.renderPage('users/teams', { title: req.t('teams.title'), teams, supervisors, values: {}, errors: [] });
    },
    async saveTeam(req: Request, res: Response) {
      const schema = z.object({ name: z.string().trim().min(1, 'teams.form.nameRequired').max(200, 'users.form.tooLong'), supervisorUserId: z.union([z.literal(''), z.coerce.number().int().positive()]) });
      const parsed = schema.safeParse(req.body);
      const id = req.params.id ? idParam(req) : null;
      const teams = await repo.listTeams(deps.db);
      const supervisors = await repo.listUsers(deps.db, { role: 'supervisor', active: true });
      let errors: FieldError[] = parsed.success ? [] : fieldErrorsFromZod(parsed.error.issues);
      if (parsed.success) {
        const name = parsed.data.name;
        if (teams.some((t) => t.name.toLowerCase() === name.toLowerCase() && t.id !== id)) errors = [{ field: 'name', key: 'teams.form.nameTaken' }];
        const sup = parsed.data.supervisorUserId === '' ? null : parsed.data.supervisorUserId;
        if (sup && !supervisors.some((s) => s.id === sup)) errors = [...errors, { field: 'supervisorUserId', key: 'teams.form.supervisorInvalid' }];
        if (!errors.length) {
          if (id) {
            if (!teams.some((t) => t.id === id)) throw new NotFoundError();
            await repo.updateTeam(deps.db, id, { name, supervisorUserId: sup }, deps.clock);
          }
          const teamId = id ?? (await repo.insertTeam(deps.db, { name, supervisorUserId: sup }, deps.clock));
          await audit(deps.db, { userId: req.user!.id, action: id ? 'team.update' : 'team.create', entityType: 'team', entityId: teamId, details: { name, supervisorUserId: sup } }, deps.clock);
          flash(req, { type: 'success', key: 'teams.saved', params: { name } });
          return res.redirect('/admin/teams');
        }
      }
      res.status(400).renderPage('users/teams', { title: req.t('teams.title'), teams, supervisors, values: { ...req.body, id }, errors });
    },

    // ---- operators ----
    async operators(req: Request, res: Response) {
      const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
      const teamId = Number(req.query.team) || undefined;
      const [operators, teams] = await Promise.all([repo.listOperators(deps.db, { q, teamId }), repo.listTeams(deps.db)]);
      res.renderPage('users/operators', { title: req.t('operators.title'), operators, teams, q, teamId });
    },
    async operatorForm(req: Request, res: Response) {
      const id = req.params.id ? idParam(req) : null;
      const op = id ? await repo.findOperator(deps.db, id) : null;
      if (id && !op) throw new NotFoundError();
      res.renderPage('users/operator-form', { title: op ? op.fullName : req.t('operators.new.title'), op, values: op ?? { languages: ['uz'], isActive: true }, errors: [], teams: await repo.listTeams(deps.db), allLanguages: OPERATOR_LANGUAGES });
    },
    async saveOperator(req: Request, res: Response) {
      const id = req.params.id ? idParam(req) : null;
      const op = id ? await repo.findOperator(deps.db, id) : null;
      if (id && !op) throw new NotFoundError();
      const b = req.body as Record<string, unknown>;
      const langs = ([] as unknown[]).concat(b.languages ?? []).map(String);
      const schema = z.object({
        employeeCode: z.string().trim().regex(/^[A-Za-z0-9_-]{1,32}$/, 'operators.form.codeInvalid'),
        fullName: z.string().trim().min(1, 'operators.form.nameRequired').max(200, 'users.form.tooLong'),
        teamId: z.union([z.literal(''), z.coerce.number().int().positive()]),
        category: z.string().trim().max(32, 'users.form.tooLong'),
        languages: z.array(z.enum(OPERATOR_LANGUAGES, 'operators.form.languageInvalid')).min(1, 'operators.form.languagesRequired'),
      });
      const parsed = schema.safeParse({ employeeCode: b.employeeCode ?? '', fullName: b.fullName ?? '', teamId: b.teamId ?? '', category: b.category ?? '', languages: langs });
      let errors: FieldError[] = parsed.success ? [] : fieldErrorsFromZod(parsed.error.issues);
      const values = { employeeCode: b.employeeCode, fullName: b.fullName, teamId: b.teamId, category: b.category, languages: langs, isActive: b.isActive === '1' };
      if (parsed.success) {
        const existing = await repo.findOperatorByCode(deps.db, parsed.data.employeeCode);
        if (existing && existing.id !== id) errors = [{ field: 'employeeCode', key: 'operators.form.codeTaken' }];
        const teamId = parsed.data.teamId === '' ? null : parsed.data.teamId;
        if (teamId && !(await repo.findTeam(deps.db, teamId))) errors.push({ field: 'teamId', key: 'operators.form.teamInvalid' });
        if (!errors.length) {
          const input = { ...parsed.data, teamId, category: parsed.data.category || null, isActive: id ? values.isActive : true };
          const opId = id ?? (await repo.insertOperator(deps.db, input, deps.clock));
          if (id) await repo.updateOperator(deps.db, id, input, deps.clock);
          await audit(deps.db, { userId: req.user!.id, action: id ? 'operator.update' : 'operator.create', entityType: 'operator', entityId: opId, details: input }, deps.clock);
          flash(req, { type: 'success', key: 'operators.saved', params: { name: input.fullName } });
          return res.redirect('/admin/operators');
        }
      }
      res.status(400).renderPage('users/operator-form', { title: op ? op.fullName : req.t('operators.new.title'), op, values, errors, teams: await repo.listTeams(deps.db), allLanguages: OPERATOR_LANGUAGES });
    },

    async regions(req: Request, res: Response) {
      res.renderPage('users/regions', { title: req.t('regions.title'), regions: await repo.listRegions(deps.db) });
    },

    async auditLog(req: Request, res: Response) {
      const page = Math.max(1, Number(req.query.page) || 1);
      const action = typeof req.query.action === 'string' && /^[a-zA-Z.]{1,64}$/.test(req.query.action) ? req.query.action : undefined;
      const rows = (await listAudit(deps.db, { action, limit: 51, offset: (page - 1) * 50 })).slice(0, 50);
      const names = await displayNames(deps.db, rows.flatMap((r) => (r.userId != null ? [r.userId] : [])));
      const actions = (await auditActions(deps.db)).map((a) => ({ value: a, label: actionLabel(req.t, a) })).sort((a, b) => a.label.localeCompare(b.label));
      // Who looked at the evidence is evidence too.
      await audit(deps.db, { userId: req.user!.id, action: 'audit.view', entityType: 'audit_log', ip: req.ip, details: { page, action: action ?? null } }, deps.clock);
      res.renderPage('users/audit', { title: req.t('audit.title'), lines: auditLines(rows, names, req.t, req.fmt), hasMore: rows.length === 50, page, action, actionOptions: actions });
    },
  };
}
