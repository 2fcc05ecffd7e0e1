// The rubric pages: list, rubric page, version structure and preview, the draft builder, import
// and export. Parses requests, calls the service, renders or redirects; no SQL here.
import fs from 'node:fs/promises';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { AppError, NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { flash, idParam, wantsJson } from '../../http/guards';
import { cleanupUploads } from '../../http/uploads';
import { CHECKS } from '../checks/catalog';
import { pickLocalized } from '../../i18n';
import {
  ANSWER_TYPES, CRITERION_CODE_PATTERN, ERROR_CATEGORIES, RUBRIC_LANGUAGES, SCALE_MAX_LIMIT, SECTION_KEY_PATTERN, SEVERITIES,
  parseRubricDraft, type Criterion, type RubricDefinition, type RubricValidationError,
} from './rubric.model';
import {
  criterionFromForm, formFieldName, locateError, lockedCodes, sectionFromForm, suggestCriterionCode, summarizeDefinition,
  type DraftEdit, type PlacedError,
} from './draft-edit';
import { CALL_CATEGORIES } from '../calls/calls.model';
import { moveSchema } from './rubrics.schema';
import * as service from './rubrics.service';
import * as repo from './rubrics.repository';

type Body = Record<string, unknown>;

/** One problem as a person reads it: where (section, criterion, field), the raw path, the message. */
export interface ProblemView {
  where: string;
  path: string;
  message: string;
}

function ctxOf(req: Request, deps: AppDeps): service.ActionContext {
  return { actorId: req.user!.id, clock: deps.clock, ip: req.ip };
}

function sectionKeyParam(req: Request): string {
  const key = String(req.params.key ?? '');
  if (!SECTION_KEY_PATTERN.test(key) || key.length > 64) throw new NotFoundError();
  return key;
}

function codeParam(req: Request): string {
  const code = String(req.params.code ?? '');
  if (!CRITERION_CODE_PATTERN.test(code)) throw new NotFoundError();
  return code;
}

/** Params a message can show: language codes become language names, lists are joined. */
function messageParams(req: Request, params: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(params ?? {}) };
  if (typeof out.language === 'string') out.language = req.t(`common.languageName.${out.language}`);
  if (Array.isArray(out.allowed)) out.allowed = out.allowed.join(', ');
  return out;
}

function fieldLabel(req: Request, field: string): string | null {
  const [head, lang] = field.split('.');
  const known = ['code', 'text', 'guidance', 'points', 'answerType', 'scaleMax', 'naAllowed', 'critical', 'errorCategory', 'defaultSeverity', 'standardRef', 'key', 'title', 'criteria', 'name', 'description', 'callCategory'];
  if (!known.includes(head)) return null;
  const label = req.t(`rubrics.field.${head}`);
  return lang && (RUBRIC_LANGUAGES as readonly string[]).includes(lang) ? `${label} (${req.t(`common.languageName.${lang}`)})` : label;
}

/** Problems with their place, for the builder's and the import page's error lists. */
export function presentProblems(req: Request, errors: readonly RubricValidationError[], raw: unknown, prefix = '', wholeKey: string | null = null): ProblemView[] {
  return errors.map((e) => {
    const at = locateError(e, raw, prefix);
    if (at.field === 'sections' && at.section === null) at.field = null; // "the rubric has no criteria": the rubric as a whole
    const parts: string[] = [];
    if (at.section !== null) parts.push(req.t('rubrics.path.section', { n: at.section }));
    if (at.criterion !== null) parts.push(req.t('rubrics.path.criterion', { code: at.criterion }));
    if (at.field) {
      const head = at.field.split('.')[0];
      const label = head === 'rubric' ? fieldLabel(req, at.field.split('.').slice(1).join('.')) : fieldLabel(req, at.field);
      parts.push(label ?? at.field);
    }
    if (typeof e.params?.line === 'number') parts.push(req.t('rubrics.path.lineColumn', { line: e.params.line, column: e.params.column }));
    return { where: parts.join(' › ') || (wholeKey ? req.t(wholeKey) : ''), path: e.path, message: req.t(e.key, messageParams(req, e.params)) };
  });
}

/** A call category as people read it: the calls feature's name for a known one, else as stored. */
function callCategoryLabel(req: Request, category: string | null): string {
  if (!category) return '';
  return (CALL_CATEGORIES as readonly string[]).includes(category) ? req.t(`calls.category.${category}`) : category;
}

/** Categories offered on the settings form: the known ones and any other that calls arrived with. */
async function categoryChoices(req: Request, deps: AppDeps): Promise<{ value: string; label: string }[]> {
  const seen = await service.knownCallCategories(deps.db);
  const values = [...CALL_CATEGORIES, ...seen.filter((c) => !(CALL_CATEGORIES as readonly string[]).includes(c))];
  return values.map((value) => ({ value, label: callCategoryLabel(req, value) }));
}

function toFieldErrors(placed: readonly (PlacedError | FieldError)[]): FieldError[] {
  return placed.map((p) => ({ field: formFieldName(p.field || '_'), key: p.key, ...(p.params ? { params: p.params } : {}) }));
}

function optionLists(req: Request) {
  return {
    answerTypeOptions: ANSWER_TYPES.map((v) => ({ value: v, label: req.t(`rubrics.answerType.${v}`) })),
    categoryOptions: ERROR_CATEGORIES.map((v) => ({ value: v, label: req.t(`rubrics.category.${v}`) })),
    severityOptions: SEVERITIES.map((v) => ({ value: v, label: req.t(`rubrics.severity.${v}`) })),
    scaleMaxOptions: Array.from({ length: SCALE_MAX_LIMIT }, (_, i) => ({ value: i + 1, label: `0…${i + 1}` })),
  };
}

/** Criterion values as the form shows them (numbers as typed text). */
function criterionValues(c: Criterion): Body {
  return { ...c, points: String(c.points), scaleMax: c.scaleMax ?? 3, standardRef: c.standardRef ?? '' };
}

export function rubricsController(deps: AppDeps) {
  const { db } = deps;

  function nameOf(req: Request, rubric: repo.Rubric): string {
    return service.rubricDisplayName(rubric, req.lang);
  }

  function crumbsFor(req: Request, rubric: repo.Rubric, extra: { href: string; label: string }[] = []) {
    return [{ href: '/rubrics', label: req.t('rubrics.list.title') }, { href: `/rubrics/${rubric.id}`, label: nameOf(req, rubric) }, ...extra];
  }

  /** Sends the browser back after a successful step; a fetch() gets JSON instead. */
  function done(req: Request, res: Response, to: string, key: string, params: Record<string, unknown> = {}) {
    if (wantsJson(req)) return res.json({ ok: true, redirect: to });
    flash(req, { type: 'success', key, params });
    res.redirect(to);
  }

  async function draftFor(req: Request) {
    const rubricId = idParam(req);
    const versionId = idParam(req, 'versionId');
    const { rubric, version } = await service.versionForViewer(db, rubricId, versionId, req.user!.role);
    return { rubric, version };
  }

  /** A refused change to a frozen version: a page that says why and offers the way forward. */
  function renderFrozen(req: Request, res: Response, e: service.VersionFrozenError) {
    if (wantsJson(req)) throw e;
    res.status(409).renderPage('rubrics/frozen', { title: req.t('rubrics.builder.notDraftTitle'), message: req.t(e.key, e.params), rubricId: e.version.rubricId, versionId: e.version.id });
  }

  async function renderBuilder(req: Request, res: Response, rubric: repo.Rubric, version: repo.RubricVersion, opts: { status?: number; problems?: RubricValidationError[]; problemsKey?: string } = {}) {
    const draft = parseRubricDraft(version.definition);
    const definition = draft.ok ? draft.definition : version.definition;
    const earlier = (await repo.listVersions(db, rubric.id)).filter((v) => v.id !== version.id).map((v) => v.definition);
    res.status(opts.status ?? 200).renderPage('rubrics/builder', {
      title: req.t('rubrics.builder.title', { no: version.versionNo }),
      rubric, version, definition,
      rubricName: nameOf(req, rubric),
      crumbs: crumbsFor(req, rubric),
      summary: summarizeDefinition(definition),
      incomplete: draft.ok ? presentProblems(req, draft.incomplete, definition) : [],
      problems: opts.problems ? presentProblems(req, opts.problems, definition) : [],
      problemsKey: opts.problemsKey ?? null,
      lockedCodes: [...lockedCodes(earlier)],
      base: `/rubrics/${rubric.id}/versions/${version.id}`,
      scripts: ['rubric-builder'],
    });
  }

  /** Runs one builder step; on bad input re-renders the form (or the builder) with the errors. */
  async function step(req: Request, res: Response, edit: DraftEdit, onInvalid: (e: service.RubricDefinitionError) => Promise<void> | void, success: { anchor: string; key: string; params?: Record<string, unknown> }) {
    const { rubric, version } = await draftFor(req);
    try {
      await service.editDraft(db, rubric.id, version.id, edit, ctxOf(req, deps));
    } catch (e) {
      if (e instanceof service.VersionFrozenError) return renderFrozen(req, res, e);
      if (e instanceof service.RubricDefinitionError && !wantsJson(req)) return onInvalid(e);
      throw e;
    }
    done(req, res, `/rubrics/${rubric.id}/versions/${version.id}/edit${success.anchor}`, success.key, success.params);
  }

  async function renderSectionForm(req: Request, res: Response, data: { rubric: repo.Rubric; version: repo.RubricVersion; mode: 'new' | 'edit'; sectionKey?: string; values: Body; errors: FieldError[]; problems?: ProblemView[] }, status = 200) {
    const base = `/rubrics/${data.rubric.id}/versions/${data.version.id}`;
    res.status(status).renderPage('rubrics/section-form', {
      title: data.mode === 'new' ? req.t('rubrics.section.newTitle') : req.t('rubrics.section.editTitle'),
      crumbs: crumbsFor(req, data.rubric, [{ href: `${base}/edit`, label: req.t('rubrics.builder.title', { no: data.version.versionNo }) }]),
      action: data.mode === 'new' ? `${base}/sections` : `${base}/sections/${data.sectionKey}`,
      base, problems: [], ...data,
      scripts: ['rubric-builder'],
    });
  }

  async function renderCriterionForm(req: Request, res: Response, data: { rubric: repo.Rubric; version: repo.RubricVersion; mode: 'new' | 'edit'; sectionKey: string; code?: string; values: Body; errors: FieldError[]; problems?: ProblemView[] }, status = 200) {
    const base = `/rubrics/${data.rubric.id}/versions/${data.version.id}`;
    const definition = data.version.definition;
    const section = definition.sections.find((s) => s.key === data.sectionKey);
    const earlier = (await repo.listVersions(db, data.rubric.id)).filter((v) => v.id !== data.version.id).map((v) => v.definition);
    res.status(status).renderPage('rubrics/criterion-form', {
      title: data.mode === 'new' ? req.t('rubrics.criterion.newTitle') : req.t('rubrics.criterion.editTitle', { code: data.code }),
      crumbs: crumbsFor(req, data.rubric, [{ href: `${base}/edit`, label: req.t('rubrics.builder.title', { no: data.version.versionNo }) }]),
      action: data.mode === 'new' ? `${base}/sections/${data.sectionKey}/criteria` : `${base}/criteria/${data.code}`,
      sectionTitle: section ? pickLocalized(section.title, req.lang) : '',
      codeLocked: data.mode === 'edit' && !!data.code && lockedCodes(earlier).has(data.code),
      base, problems: [], ...optionLists(req), ...data,
      checkCatalog: CHECKS,
      scripts: ['rubric-builder'],
    });
  }

  function findSection(definition: RubricDefinition, key: string) {
    const section = definition.sections.find((s) => s.key === key);
    if (!section) throw new NotFoundError('rubrics.builder.itemNotFound');
    return section;
  }

  function findCriterion(definition: RubricDefinition, code: string) {
    for (const s of definition.sections) {
      const c = s.criteria.find((x) => x.code === code);
      if (c) return { section: s, criterion: c };
    }
    throw new NotFoundError('rubrics.builder.itemNotFound');
  }

  function requireDraft(version: repo.RubricVersion) {
    if (version.status !== 'draft') throw new service.VersionFrozenError(version);
  }

  return {
    // ---- list, new, settings ----
    async list(req: Request, res: Response) {
      const rubrics = await service.listRubricsFor(db, req.user!.role);
      res.renderPage('rubrics/list', {
        title: req.t('rubrics.list.title'),
        rubrics: rubrics.map((r) => ({
          ...r,
          displayName: nameOf(req, r),
          publishedSummary: r.published ? summarizeDefinition(r.published.definition) : null,
          draftSummary: r.draft ? summarizeDefinition(r.draft.definition) : null,
        })),
        isAdmin: req.user!.role === 'admin',
        categoryLabel: (c: string | null) => callCategoryLabel(req, c),
      });
    },

    async newForm(req: Request, res: Response) {
      res.renderPage('rubrics/rubric-form', { title: req.t('rubrics.form.newTitle'), mode: 'new', values: {}, errors: [], categories: await categoryChoices(req, deps), rubric: null });
    },

    async create(req: Request, res: Response) {
      const b = req.body as Body;
      const input = { name: b.name, description: b.description, callCategory: b.callCategory, isDefault: false };
      try {
        const { rubricId, versionId } = await service.createRubric(db, input, ctxOf(req, deps));
        flash(req, { type: 'success', key: 'rubrics.created', params: { name: String(b.name ?? '').trim() } });
        return res.redirect(`/rubrics/${rubricId}/versions/${versionId}/edit`);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        res.status(400).renderPage('rubrics/rubric-form', { title: req.t('rubrics.form.newTitle'), mode: 'new', values: input, errors: e.fields, categories: await categoryChoices(req, deps), rubric: null });
      }
    },

    async settingsForm(req: Request, res: Response) {
      const page = await service.getRubricPage(db, idParam(req), 'admin');
      if (!page) throw new NotFoundError();
      res.renderPage('rubrics/rubric-form', {
        title: req.t('rubrics.form.settingsTitle'), mode: 'edit', rubric: page.rubric, hasPublished: !!page.published,
        crumbs: crumbsFor(req, page.rubric), values: page.rubric, errors: [], categories: await categoryChoices(req, deps),
      });
    },

    async updateSettings(req: Request, res: Response) {
      const id = idParam(req);
      const page = await service.getRubricPage(db, id, 'admin');
      if (!page) throw new NotFoundError();
      const b = req.body as Body;
      const input = { name: b.name, description: b.description, callCategory: b.callCategory, isDefault: b.isDefault };
      try {
        await service.updateRubricSettings(db, id, input, ctxOf(req, deps));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return res.status(400).renderPage('rubrics/rubric-form', {
          title: req.t('rubrics.form.settingsTitle'), mode: 'edit', rubric: page.rubric, hasPublished: !!page.published,
          crumbs: crumbsFor(req, page.rubric), values: { ...input, isDefault: input.isDefault === '1' }, errors: e.fields, categories: await categoryChoices(req, deps),
        });
      }
      flash(req, { type: 'success', key: 'rubrics.updated' });
      res.redirect(`/rubrics/${id}`);
    },

    // ---- the rubric page ----
    async show(req: Request, res: Response) {
      const page = await service.getRubricPage(db, idParam(req), req.user!.role);
      if (!page) throw new NotFoundError();
      res.renderPage('rubrics/show', {
        title: nameOf(req, page.rubric),
        description: service.rubricDisplayDescription(page.rubric, req.lang),
        ...page,
        publishedSummary: page.published ? summarizeDefinition(page.published.definition) : null,
        versions: page.versions.map((v) => ({ ...v, summary: summarizeDefinition(v.definition) })),
        isAdmin: req.user!.role === 'admin',
        categoryLabel: (c: string | null) => callCategoryLabel(req, c),
      });
    },

    async copy(req: Request, res: Response) {
      const id = idParam(req);
      const source = await repo.findRubric(db, id);
      if (!source) throw new NotFoundError();
      const name = req.t('rubrics.copy.name', { name: nameOf(req, source) });
      const { rubricId, versionId } = await service.copyRubric(db, id, name, ctxOf(req, deps));
      flash(req, { type: 'success', key: 'rubrics.copy.done', params: { name } });
      res.redirect(`/rubrics/${rubricId}/versions/${versionId}/edit`);
    },

    async openDraft(req: Request, res: Response) {
      const id = idParam(req);
      const { versionId, created } = await service.openDraft(db, id, ctxOf(req, deps));
      if (created) flash(req, { type: 'info', key: 'rubrics.builder.draftCreated' });
      res.redirect(`/rubrics/${id}/versions/${versionId}/edit`);
    },

    // ---- a version: structure, preview, export ----
    async version(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      res.renderPage('rubrics/version', {
        title: req.t('rubrics.version.title', { no: version.versionNo }),
        rubric, version, rubricName: nameOf(req, rubric), crumbs: crumbsFor(req, rubric),
        summary: summarizeDefinition(version.definition), isAdmin: req.user!.role === 'admin', tab: 'structure',
      });
    },

    async preview(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      const draft = parseRubricDraft(version.definition);
      const definition = draft.ok ? draft.definition : version.definition;
      res.renderPage('rubrics/preview', {
        title: req.t('rubrics.preview.title', { no: version.versionNo }),
        rubric, version, definition, rubricName: nameOf(req, rubric), crumbs: crumbsFor(req, rubric),
        summary: summarizeDefinition(definition), bands: deps.config.scoreBands, isAdmin: req.user!.role === 'admin', tab: 'preview',
        // The definition for the live score, as JSON in a non-executed script block (CSP forbids inline scripts).
        definitionJson: JSON.stringify(definition).replace(/</g, '\\u003c'),
        scripts: ['rubric-builder'],
      });
    },

    async exportJson(req: Request, res: Response) {
      const file = await service.exportVersion(db, idParam(req), idParam(req, 'versionId'), deps.clock);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
      res.send(file.body);
    },

    // ---- the builder ----
    async builder(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      if (version.status !== 'draft') return res.redirect(`/rubrics/${rubric.id}/versions/${version.id}`);
      await renderBuilder(req, res, rubric, version);
    },

    async publish(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      try {
        const result = await service.publishDraft(db, rubric.id, version.id, ctxOf(req, deps));
        flash(req, result.retiredVersionNo
          ? { type: 'success', key: 'rubrics.publish.doneRetired', params: { no: result.versionNo, retired: result.retiredVersionNo } }
          : { type: 'success', key: 'rubrics.publish.done', params: { no: result.versionNo } });
        return res.redirect(`/rubrics/${rubric.id}`);
      } catch (e) {
        if (e instanceof service.VersionFrozenError) return renderFrozen(req, res, e);
        if (e instanceof service.RubricDefinitionError) return renderBuilder(req, res, rubric, version, { status: 400, problems: e.problems, problemsKey: e.key });
        throw e;
      }
    },

    async discard(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      try {
        const result = await service.discardDraft(db, rubric.id, version.id, ctxOf(req, deps));
        flash(req, { type: 'success', key: 'rubrics.builder.discarded', params: { no: result.versionNo } });
      } catch (e) {
        if (e instanceof service.VersionFrozenError) return renderFrozen(req, res, e);
        throw e;
      }
      res.redirect(`/rubrics/${rubric.id}`);
    },

    async sectionForm(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      try {
        requireDraft(version);
      } catch (e) {
        return renderFrozen(req, res, e as service.VersionFrozenError);
      }
      if (req.params.key === undefined) return renderSectionForm(req, res, { rubric, version, mode: 'new', values: { key: '', title: { uz: '', ru: '', en: '' } }, errors: [] });
      const key = sectionKeyParam(req);
      const section = findSection(version.definition, key);
      await renderSectionForm(req, res, { rubric, version, mode: 'edit', sectionKey: key, values: { key: section.key, title: section.title }, errors: [] });
    },

    async addSection(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      const section = sectionFromForm(req.body as Body, version.definition.sections.map((s) => s.key));
      await step(req, res, { op: 'addSection', section },
        (e) => renderSectionForm(req, res, { rubric, version, mode: 'new', values: req.body as Body, errors: toFieldErrors(e.fields), problems: presentProblems(req, e.problems, version.definition) }, 400),
        { anchor: `#s-${String(section.key)}`, key: 'rubrics.builder.sectionAdded' });
    },

    async updateSection(req: Request, res: Response) {
      const key = sectionKeyParam(req);
      const { rubric, version } = await draftFor(req);
      const section = sectionFromForm(req.body as Body, version.definition.sections.map((s) => s.key).filter((k) => k !== key));
      await step(req, res, { op: 'updateSection', key, section },
        (e) => renderSectionForm(req, res, { rubric, version, mode: 'edit', sectionKey: key, values: req.body as Body, errors: toFieldErrors(e.fields), problems: presentProblems(req, e.problems, version.definition) }, 400),
        { anchor: `#s-${String(section.key)}`, key: 'rubrics.builder.sectionSaved' });
    },

    async moveSection(req: Request, res: Response) {
      const key = sectionKeyParam(req);
      const m = moveSchema.safeParse(req.body);
      if (!m.success || (m.data.direction === undefined && m.data.toIndex === undefined)) throw new AppError(400, 'rubrics.builder.badMove');
      const edit: DraftEdit = m.data.direction ? { op: 'moveSection', key, direction: m.data.direction } : { op: 'moveSectionTo', key, toIndex: m.data.toIndex! };
      const { rubric, version } = await draftFor(req);
      await step(req, res, edit, (e) => renderBuilder(req, res, rubric, version, { status: 400, problems: e.problems }), { anchor: `#s-${key}`, key: 'rubrics.builder.moved' });
    },

    async removeSection(req: Request, res: Response) {
      const key = sectionKeyParam(req);
      const { rubric, version } = await draftFor(req);
      await step(req, res, { op: 'removeSection', key }, (e) => renderBuilder(req, res, rubric, version, { status: 400, problems: e.problems }), { anchor: '', key: 'rubrics.builder.sectionRemoved' });
    },

    async criterionForm(req: Request, res: Response) {
      const { rubric, version } = await draftFor(req);
      try {
        requireDraft(version);
      } catch (e) {
        return renderFrozen(req, res, e as service.VersionFrozenError);
      }
      const definition = version.definition;
      if (req.params.code === undefined) {
        const section = findSection(definition, sectionKeyParam(req));
        const code = suggestCriterionCode(section, definition.sections.flatMap((s) => s.criteria.map((c) => c.code)));
        const values = { code, text: { uz: '', ru: '', en: '' }, guidance: { uz: '', ru: '', en: '' }, points: '5', answerType: 'yesno', scaleMax: 3, naAllowed: false, critical: false, errorCategory: 'other', defaultSeverity: 'minor', standardRef: '' };
        return renderCriterionForm(req, res, { rubric, version, mode: 'new', sectionKey: section.key, values, errors: [] });
      }
      const code = codeParam(req);
      const found = findCriterion(definition, code);
      await renderCriterionForm(req, res, { rubric, version, mode: 'edit', sectionKey: found.section.key, code, values: criterionValues(found.criterion), errors: [] });
    },

    async addCriterion(req: Request, res: Response) {
      const sectionKey = sectionKeyParam(req);
      const { rubric, version } = await draftFor(req);
      const criterion = criterionFromForm(req.body as Body);
      await step(req, res, { op: 'addCriterion', sectionKey, criterion },
        (e) => renderCriterionForm(req, res, { rubric, version, mode: 'new', sectionKey, values: req.body as Body, errors: toFieldErrors(e.fields), problems: presentProblems(req, e.problems, version.definition) }, 400),
        { anchor: `#c-${String(criterion.code)}`, key: 'rubrics.builder.criterionAdded', params: { code: criterion.code } });
    },

    async updateCriterion(req: Request, res: Response) {
      const code = codeParam(req);
      const { rubric, version } = await draftFor(req);
      const criterion = criterionFromForm(req.body as Body);
      const sectionKey = version.definition.sections.find((s) => s.criteria.some((c) => c.code === code))?.key ?? '';
      await step(req, res, { op: 'updateCriterion', code, criterion },
        (e) => renderCriterionForm(req, res, { rubric, version, mode: 'edit', sectionKey, code, values: req.body as Body, errors: toFieldErrors(e.fields), problems: presentProblems(req, e.problems, version.definition) }, 400),
        { anchor: `#c-${String(criterion.code)}`, key: 'rubrics.builder.criterionSaved', params: { code: criterion.code } });
    },

    async moveCriterion(req: Request, res: Response) {
      const code = codeParam(req);
      const m = moveSchema.safeParse(req.body);
      const ok = m.success && (m.data.direction !== undefined || (m.data.toIndex !== undefined && !!m.data.toSection));
      if (!ok) throw new AppError(400, 'rubrics.builder.badMove');
      const d = m.data;
      const edit: DraftEdit = d.direction ? { op: 'moveCriterion', code, direction: d.direction } : { op: 'moveCriterionTo', code, toSection: d.toSection!, toIndex: d.toIndex! };
      const { rubric, version } = await draftFor(req);
      await step(req, res, edit, (e) => renderBuilder(req, res, rubric, version, { status: 400, problems: e.problems }), { anchor: `#c-${code}`, key: 'rubrics.builder.moved' });
    },

    async removeCriterion(req: Request, res: Response) {
      const code = codeParam(req);
      const { rubric, version } = await draftFor(req);
      const sectionKey = version.definition.sections.find((s) => s.criteria.some((c) => c.code === code))?.key ?? '';
      await step(req, res, { op: 'removeCriterion', code }, (e) => renderBuilder(req, res, rubric, version, { status: 400, problems: e.problems }), { anchor: sectionKey ? `#s-${sectionKey}` : '', key: 'rubrics.builder.criterionRemoved', params: { code } });
    },

    // ---- import ----
    async importForm(req: Request, res: Response) {
      res.renderPage('rubrics/import', { title: req.t('rubrics.importPage.title'), crumbs: [{ href: '/rubrics', label: req.t('rubrics.list.title') }], values: {}, problems: [] });
    },

    async importSubmit(req: Request, res: Response) {
      const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>;
      const file = files.file?.[0];
      const b = req.body as Body;
      let text = '';
      try {
        if (file && file.size > 0) text = service.decodeTextFile(await fs.readFile(file.path));
      } finally {
        cleanupUploads(req);
      }
      if (!text) text = typeof b.json === 'string' ? b.json : '';
      const values = { name: typeof b.name === 'string' ? b.name : '', json: file ? '' : text };
      const render = (problems: ProblemView[]) => res.status(400).renderPage('rubrics/import', { title: req.t('rubrics.importPage.title'), crumbs: [{ href: '/rubrics', label: req.t('rubrics.list.title') }], values, problems, fileName: file?.originalname ?? null });
      if (!text.trim()) return render(presentProblems(req, [{ path: '', key: 'rubrics.importPage.noInput' }], null, '', 'rubrics.path.whole'));
      const outcome = await service.importRubric(db, text, values.name || null, ctxOf(req, deps));
      if (!outcome.ok) {
        let raw: unknown = null;
        try { raw = JSON.parse(text.replace(/^\uFEFF/, '')); } catch { /* malformed: the error says so */ }
        const isBare = typeof raw === 'object' && raw !== null && !('format' in raw);
        return render(presentProblems(req, outcome.errors, raw, isBare ? '' : 'definition', 'rubrics.path.whole'));
      }
      flash(req, { type: 'success', key: 'rubrics.importPage.done', params: { name: outcome.name } });
      if (outcome.droppedCallCategory) flash(req, { type: 'info', key: 'rubrics.importPage.categoryDropped', params: { category: outcome.droppedCallCategory } });
      res.redirect(`/rubrics/${outcome.rubricId}/versions/${outcome.versionId}/edit`);
    },
  };
}
