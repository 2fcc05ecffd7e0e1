// Deciding things about rubrics: creating, copying, importing, building a draft step by step,
// publishing (which freezes the version and retires the one before), and which rubric version a
// call is evaluated with. Collaborators come in as arguments; the SQL is in the repository.
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { pickLocalized, type Language } from '../../i18n';
import { audit } from '../../audit/audit';
import { AppError, ConflictError, NotFoundError, ValidationError, fieldErrorsFromZod, type FieldError } from '../../http/errors';
import {
  deriveDraft, parseRubricDefinition, parseRubricDraft, parseRubricImport, planEdit, rubricJsonExport, selectRubricForCall,
  type RubricDefinition, type RubricValidationError, type RubricVersionStatus,
} from './rubric.model';
import { DEFAULT_RUBRIC_DESCRIPTION, DEFAULT_RUBRIC_NAME, defaultRubricDefinition } from './default-rubric';
import { applyDraftEdit, codeChangeError, lockedCodes, placeErrors, type DraftEdit } from './draft-edit';
import { rubricSettingsSchema, RUBRIC_NAME_MAX } from './rubrics.schema';
import * as repo from './rubrics.repository';

export interface ActionContext {
  actorId: number | null;
  clock: () => Date;
  ip?: string;
}

// ---------------------------------------------------------------------------------------------
// Errors a page can show

/** A builder step or a publish that would leave the rubric invalid: field errors for the form
 *  that was sent, plus problems elsewhere in the definition, with their paths. */
export class RubricDefinitionError extends ValidationError {
  constructor(
    fields: FieldError[],
    public readonly problems: RubricValidationError[],
    key = 'rubrics.builder.invalid',
  ) {
    super(fields, key, 400);
  }
}

/** A change to a published or retired version: refused, the version is evidence. */
export class VersionFrozenError extends ConflictError {
  constructor(public readonly version: { id: number; rubricId: number; versionNo: number; status: RubricVersionStatus }) {
    super('rubrics.builder.notDraft', { version: version.versionNo });
  }
}

// ---------------------------------------------------------------------------------------------
// Names and who sees what (pure)

/** The seeded default rubric is stored under its Uzbek name; show it in the viewer's language. */
export function rubricDisplayName(rubric: Pick<repo.Rubric, 'name'>, lang: Language): string {
  return rubric.name === DEFAULT_RUBRIC_NAME.uz ? pickLocalized(DEFAULT_RUBRIC_NAME, lang) : rubric.name;
}

export function rubricDisplayDescription(rubric: Pick<repo.Rubric, 'name' | 'description'>, lang: Language): string | null {
  if (rubric.name === DEFAULT_RUBRIC_NAME.uz && rubric.description === DEFAULT_RUBRIC_DESCRIPTION.uz) return pickLocalized(DEFAULT_RUBRIC_DESCRIPTION, lang);
  return rubric.description;
}

export const RUBRIC_VIEW_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor'];

/** Administrators see every version; specialists and supervisors the frozen ones (published, and
 *  retired: what older evaluations were scored on). Drafts are work in progress. */
export function canViewVersion(role: Role, status: RubricVersionStatus): boolean {
  if (role === 'admin') return true;
  return RUBRIC_VIEW_ROLES.includes(role) && status !== 'draft';
}

/** A file name for an export: ASCII letters and digits of the name, and the version. */
export function exportFileName(name: string, versionNo: number): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return `${slug || 'rubric'}-v${versionNo}.json`;
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface VersionBrief {
  id: number;
  versionNo: number;
  status: RubricVersionStatus;
  publishedAt: string | null;
  updatedAt: string;
  definition: RubricDefinition;
}

export interface RubricListItem extends repo.Rubric {
  published: VersionBrief | null;
  draft: VersionBrief | null;
}

function brief(v: repo.RubricVersion): VersionBrief {
  return { id: v.id, versionNo: v.versionNo, status: v.status, publishedAt: v.publishedAt, updatedAt: v.updatedAt, definition: v.definition };
}

/** The rubrics a role may see, each with its published version and open draft. */
export async function listRubricsFor(db: Knex, role: Role): Promise<RubricListItem[]> {
  const [rubrics, versions] = await Promise.all([repo.listRubrics(db), repo.listCurrentVersions(db)]);
  const items = rubrics.map((r) => {
    const mine = versions.filter((v) => v.rubricId === r.id);
    const published = mine.find((v) => v.status === 'published');
    const draft = mine.find((v) => v.status === 'draft');
    return { ...r, published: published ? brief(published) : null, draft: role === 'admin' && draft ? brief(draft) : null };
  });
  return role === 'admin' ? items : items.filter((i) => i.published);
}

export interface RubricPage {
  rubric: repo.Rubric;
  versions: (repo.RubricVersion & { evaluationCount: number })[];
  published: repo.RubricVersion | null;
  draft: repo.RubricVersion | null;
}

/** A rubric with the versions the role may see; null when the rubric does not exist for them. */
export async function getRubricPage(db: Knex, rubricId: number, role: Role): Promise<RubricPage | null> {
  const rubric = await repo.findRubric(db, rubricId);
  if (!rubric) return null;
  const all = await repo.listVersions(db, rubricId);
  const visible = all.filter((v) => canViewVersion(role, v.status));
  const published = all.find((v) => v.status === 'published') ?? null;
  if (role !== 'admin' && !published) return null;
  const counts = await repo.evaluationCounts(db, visible.map((v) => v.id));
  return {
    rubric,
    versions: visible.map((v) => ({ ...v, evaluationCount: counts.get(v.id) ?? 0 })),
    published,
    draft: role === 'admin' ? (all.find((v) => v.status === 'draft') ?? null) : null,
  };
}

export interface VersionWithRubric extends repo.RubricVersion {
  rubricName: string;
}

/** One version with its rubric's name. Evaluations keep the version they were scored on and
 *  read it back through this. */
export async function getRubricVersion(db: Knex, versionId: number): Promise<VersionWithRubric | null> {
  const version = await repo.findVersion(db, versionId);
  if (!version) return null;
  const rubric = await repo.findRubric(db, version.rubricId);
  return { ...version, rubricName: rubric?.name ?? '' };
}

/**
 * The rubric version a call is evaluated with: the published version of the rubric bound to the
 * call's category, else of the default rubric, else null (nothing to evaluate with yet).
 */
export async function rubricVersionForCall(db: Knex, callCategory: string | null | undefined): Promise<{ rubricId: number; versionId: number; definition: RubricDefinition } | null> {
  const [rubrics, versions] = await Promise.all([repo.listRubrics(db), repo.listPublishedVersions(db)]);
  // Newest first, so a rubric's newest published version wins should there ever be two.
  const published = new Map<number, repo.RubricVersion>();
  for (const v of versions) if (!published.has(v.rubricId)) published.set(v.rubricId, v);
  const chosen = selectRubricForCall(
    rubrics.map((r) => ({ id: r.id, callCategory: r.callCategory, isDefault: r.isDefault, publishedVersionId: published.get(r.id)?.id ?? null })),
    callCategory,
  );
  if (!chosen) return null;
  const version = published.get(chosen.id)!;
  return { rubricId: chosen.id, versionId: version.id, definition: version.definition };
}

/** The version for a page, or 404 / 403 as the role and the version's status decide. */
export async function versionForViewer(db: Knex, rubricId: number, versionId: number, role: Role): Promise<{ rubric: repo.Rubric; version: repo.RubricVersion }> {
  const version = await repo.findVersion(db, versionId);
  if (!version || version.rubricId !== rubricId) throw new NotFoundError();
  if (!canViewVersion(role, version.status)) throw new AppError(403, 'rubrics.version.draftHidden');
  const rubric = await repo.findRubric(db, rubricId);
  if (!rubric) throw new NotFoundError();
  return { rubric, version };
}

export async function knownCallCategories(db: Knex): Promise<string[]> {
  return repo.knownCallCategories(db);
}

// ---------------------------------------------------------------------------------------------
// Rubric settings, new rubrics, copies

async function checkSettings(db: Knex | Knex.Transaction, input: unknown, rubricId: number | null) {
  const parsed = rubricSettingsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const s = parsed.data;
  const errors: FieldError[] = [];
  if (s.callCategory) {
    // One rubric per category: with two, which one applies would depend on creation order.
    const other = await repo.findRubricByCategory(db, s.callCategory);
    if (other && other.id !== rubricId) errors.push({ field: 'callCategory', key: 'rubrics.form.callCategoryTaken', params: { category: s.callCategory, name: other.name } });
  }
  if (errors.length) throw new ValidationError(errors);
  return s;
}

/** A new rubric with an empty draft (version 1) to build. Never the default: only a rubric with a
 *  published version can be the default. */
export async function createRubric(db: Knex, input: unknown, ctx: ActionContext): Promise<{ rubricId: number; versionId: number }> {
  return db.transaction(async (trx) => {
    const s = await checkSettings(trx, input, null);
    const rubricId = await repo.insertRubric(trx, { name: s.name, description: s.description, callCategory: s.callCategory, isDefault: false }, ctx.clock);
    const versionId = await repo.insertVersion(trx, { rubricId, versionNo: 1, status: 'draft', definition: { sections: [] }, createdBy: ctx.actorId }, ctx.clock);
    await audit(trx, { userId: ctx.actorId, action: 'rubric.create', entityType: 'rubric', entityId: rubricId, details: { name: s.name, callCategory: s.callCategory }, ip: ctx.ip }, ctx.clock);
    return { rubricId, versionId };
  });
}

/**
 * Name, description, call category and the default flag. There is always exactly one default:
 * making a rubric the default takes the flag from the other, and the flag cannot simply be
 * removed (another rubric must be made the default instead). The default needs a published
 * version, or calls of no bound category would have nothing to be evaluated with.
 */
export async function updateRubricSettings(db: Knex, rubricId: number, input: unknown, ctx: ActionContext): Promise<void> {
  await db.transaction(async (trx) => {
    const before = await repo.findRubric(trx, rubricId);
    if (!before) throw new NotFoundError();
    const s = await checkSettings(trx, input, rubricId);
    if (s.isDefault && !before.isDefault && !(await repo.findPublishedVersion(trx, rubricId))) {
      throw new ValidationError([{ field: 'isDefault', key: 'rubrics.form.defaultNeedsPublished' }]);
    }
    if (!s.isDefault && before.isDefault) throw new ValidationError([{ field: 'isDefault', key: 'rubrics.form.defaultRequired' }]);
    await repo.updateRubric(trx, rubricId, { name: s.name, description: s.description, callCategory: s.callCategory, isDefault: s.isDefault }, ctx.clock);
    if (s.isDefault) await repo.clearOtherDefaults(trx, rubricId, ctx.clock);
    const changes: Record<string, unknown> = {};
    for (const k of ['name', 'description', 'callCategory', 'isDefault'] as const) if (before[k] !== s[k]) changes[k] = { from: before[k], to: s[k] };
    await audit(trx, { userId: ctx.actorId, action: 'rubric.update', entityType: 'rubric', entityId: rubricId, details: changes, ip: ctx.ip }, ctx.clock);
  });
}

/** A new rubric (not bound to a category, not the default) whose draft copies the source's
 *  published version, or its newest version when nothing is published yet. */
export async function copyRubric(db: Knex, sourceId: number, name: string, ctx: ActionContext): Promise<{ rubricId: number; versionId: number }> {
  return db.transaction(async (trx) => {
    const source = await repo.findRubric(trx, sourceId);
    if (!source) throw new NotFoundError();
    const versions = await repo.listVersions(trx, sourceId);
    const from = versions.find((v) => v.status === 'published') ?? versions[0] ?? null;
    const copyName = name.trim().slice(0, RUBRIC_NAME_MAX) || source.name;
    const rubricId = await repo.insertRubric(trx, { name: copyName, description: source.description, callCategory: null, isDefault: false }, ctx.clock);
    const definition = from ? deriveDraft(from.definition) : { sections: [] };
    const versionId = await repo.insertVersion(trx, { rubricId, versionNo: 1, status: 'draft', definition, createdBy: ctx.actorId }, ctx.clock);
    await audit(trx, { userId: ctx.actorId, action: 'rubric.copy', entityType: 'rubric', entityId: rubricId, details: { fromRubricId: sourceId, fromVersionNo: from?.versionNo ?? null, name: copyName }, ip: ctx.ip }, ctx.clock);
    return { rubricId, versionId };
  });
}

// ---------------------------------------------------------------------------------------------
// Drafts

/** "Edit this rubric": the open draft, or a new draft copied from the published version (or the
 *  newest one). Published versions are never changed (see planEdit). */
export async function openDraft(db: Knex, rubricId: number, ctx: ActionContext): Promise<{ versionId: number; created: boolean }> {
  return db.transaction(async (trx) => {
    const rubric = await repo.findRubric(trx, rubricId);
    if (!rubric) throw new NotFoundError();
    const versions = await repo.listVersions(trx, rubricId);
    const base = versions.find((v) => v.status === 'draft') ?? versions.find((v) => v.status === 'published') ?? versions[0];
    if (!base) {
      const versionId = await repo.insertVersion(trx, { rubricId, versionNo: 1, status: 'draft', definition: { sections: [] }, createdBy: ctx.actorId }, ctx.clock);
      await audit(trx, { userId: ctx.actorId, action: 'rubric.draft', entityType: 'rubric_version', entityId: versionId, details: { rubricId, versionNo: 1 }, ip: ctx.ip }, ctx.clock);
      return { versionId, created: true };
    }
    const plan = planEdit(base, versions);
    if (plan.kind !== 'create-draft') {
      return { versionId: versions.find((v) => v.versionNo === plan.versionNo)!.id, created: false };
    }
    const versionId = await repo.insertVersion(trx, { rubricId, versionNo: plan.versionNo, status: 'draft', definition: plan.definition, createdBy: ctx.actorId }, ctx.clock);
    await audit(trx, { userId: ctx.actorId, action: 'rubric.draft', entityType: 'rubric_version', entityId: versionId, details: { rubricId, versionNo: plan.versionNo, fromVersionNo: base.versionNo }, ip: ctx.ip }, ctx.clock);
    return { versionId, created: true };
  });
}

async function draftForChange(trx: Knex.Transaction, rubricId: number, versionId: number): Promise<repo.RubricVersion> {
  const version = await repo.findVersionForUpdate(trx, versionId);
  if (!version || version.rubricId !== rubricId) throw new NotFoundError();
  if (version.status !== 'draft') throw new VersionFrozenError(version);
  return version;
}

/**
 * One builder step on a draft. The result is validated as a draft (everything but completeness)
 * and stored only when valid; otherwise nothing changes and the errors say what and where.
 */
export async function editDraft(db: Knex, rubricId: number, versionId: number, edit: DraftEdit, ctx: ActionContext): Promise<{ definition: RubricDefinition; incomplete: RubricValidationError[] }> {
  return db.transaction(async (trx) => {
    const version = await draftForChange(trx, rubricId, versionId);
    const applied = applyDraftEdit(version.definition, edit);
    if (!applied.ok) throw new NotFoundError('rubrics.builder.itemNotFound');
    const extra: FieldError[] = [];
    if (edit.op === 'updateCriterion') {
      const earlier = (await repo.listVersions(trx, rubricId)).filter((v) => v.id !== versionId).map((v) => v.definition);
      const locked = codeChangeError(edit.code, edit.criterion.code, lockedCodes(earlier));
      if (locked) extra.push(locked);
    }
    const parsed = parseRubricDraft(applied.definition);
    if (!parsed.ok || extra.length) {
      const placed = placeErrors(parsed.ok ? [] : parsed.errors, applied.target);
      const fields = [...extra, ...placed.fields.filter((f) => !extra.some((x) => x.field === f.field))];
      throw new RubricDefinitionError(fields, placed.other);
    }
    await repo.updateDraftDefinition(trx, versionId, parsed.definition, ctx.clock);
    const subject = 'code' in edit ? { code: edit.code } : 'key' in edit ? { key: edit.key } : 'sectionKey' in edit ? { sectionKey: edit.sectionKey } : {};
    await audit(trx, { userId: ctx.actorId, action: 'rubric.draftEdit', entityType: 'rubric_version', entityId: versionId, details: { op: edit.op, ...subject }, ip: ctx.ip }, ctx.clock);
    return { definition: parsed.definition, incomplete: parsed.incomplete };
  });
}

/**
 * Publishes a draft: it must pass every rule (an empty draft cannot be published). The version
 * is frozen from then on, the previously published version of the rubric is retired, and new
 * evaluations use this one; evaluations already made keep the version they were scored on.
 */
export async function publishDraft(db: Knex, rubricId: number, versionId: number, ctx: ActionContext): Promise<{ versionNo: number; retiredVersionNo: number | null }> {
  return db.transaction(async (trx) => {
    const version = await draftForChange(trx, rubricId, versionId);
    const parsed = parseRubricDefinition(version.definition);
    if (!parsed.ok) throw new RubricDefinitionError([], parsed.errors, 'rubrics.publish.invalid');
    const previous = await repo.findPublishedVersion(trx, rubricId);
    const now = ctx.clock().toISOString();
    if (previous) await repo.setVersionStatus(trx, previous.id, 'retired', ctx.clock);
    await repo.updateDraftDefinition(trx, versionId, parsed.definition, ctx.clock);
    await repo.setVersionStatus(trx, versionId, 'published', ctx.clock, now);
    await audit(trx, { userId: ctx.actorId, action: 'rubric.publish', entityType: 'rubric_version', entityId: versionId, details: { rubricId, versionNo: version.versionNo, retiredVersionNo: previous?.versionNo ?? null }, ip: ctx.ip }, ctx.clock);
    return { versionNo: version.versionNo, retiredVersionNo: previous?.versionNo ?? null };
  });
}

/** Throws a draft away. Nothing was scored on a draft, so it is deleted rather than marked. */
export async function discardDraft(db: Knex, rubricId: number, versionId: number, ctx: ActionContext): Promise<{ versionNo: number }> {
  return db.transaction(async (trx) => {
    const version = await draftForChange(trx, rubricId, versionId);
    if (((await repo.evaluationCounts(trx, [versionId])).get(versionId) ?? 0) > 0) throw new ConflictError('rubrics.builder.draftInUse');
    await repo.deleteDraft(trx, versionId);
    await audit(trx, { userId: ctx.actorId, action: 'rubric.discardDraft', entityType: 'rubric_version', entityId: versionId, details: { rubricId, versionNo: version.versionNo }, ip: ctx.ip }, ctx.clock);
    return { versionNo: version.versionNo };
  });
}

// ---------------------------------------------------------------------------------------------
// Export and import

export async function exportVersion(db: Knex, rubricId: number, versionId: number, clock: () => Date): Promise<{ fileName: string; body: string }> {
  const version = await repo.findVersion(db, versionId);
  const rubric = await repo.findRubric(db, rubricId);
  if (!version || !rubric || version.rubricId !== rubricId) throw new NotFoundError();
  const body = rubricJsonExport(
    { name: rubric.name, description: rubric.description, callCategory: rubric.callCategory, versionNo: version.versionNo, exportedAt: clock().toISOString() },
    version.definition,
  );
  return { fileName: exportFileName(rubric.name, version.versionNo), body };
}

/** The text of an uploaded file: UTF-8, or UTF-16 when it starts with a UTF-16 byte-order mark
 *  (Windows Notepad's "Unicode"). A UTF-8 byte-order mark is left for parseRubricImport. */
export function decodeTextFile(buffer: Buffer): string {
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2, 2 + ((buffer.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return buffer.toString('utf8');
}

export type ImportOutcome =
  | { ok: true; rubricId: number; versionId: number; name: string; droppedCallCategory: string | null }
  | { ok: false; errors: RubricValidationError[] };

/**
 * Imports a rubric file as a new rubric with a draft (an administrator reviews and publishes it).
 * Everything is checked before anything is written: on any problem nothing is stored and every
 * problem is returned with its path. A name typed on the form wins over the file's. A call
 * category already bound to another rubric is left off (and reported) rather than refusing.
 */
export async function importRubric(db: Knex, text: string, nameOverride: string | null, ctx: ActionContext): Promise<ImportOutcome> {
  const parsed = parseRubricImport(text);
  if (!parsed.ok) return parsed;
  const name = (nameOverride?.trim() || parsed.rubric.name || '').trim();
  if (!name) return { ok: false, errors: [{ path: 'rubric.name', key: 'rubrics.importPage.nameRequired' }] };
  if (name.length > RUBRIC_NAME_MAX) return { ok: false, errors: [{ path: 'rubric.name', key: 'rubrics.import.invalidName', params: { max: RUBRIC_NAME_MAX } }] };
  return db.transaction(async (trx) => {
    let callCategory = parsed.rubric.callCategory;
    let droppedCallCategory: string | null = null;
    if (callCategory && (await repo.findRubricByCategory(trx, callCategory))) {
      droppedCallCategory = callCategory;
      callCategory = null;
    }
    const rubricId = await repo.insertRubric(trx, { name, description: parsed.rubric.description, callCategory, isDefault: false }, ctx.clock);
    const versionId = await repo.insertVersion(trx, { rubricId, versionNo: 1, status: 'draft', definition: parsed.definition, createdBy: ctx.actorId }, ctx.clock);
    await audit(trx, { userId: ctx.actorId, action: 'rubric.import', entityType: 'rubric', entityId: rubricId, details: { name, criteria: parsed.definition.sections.reduce((n, s) => n + s.criteria.length, 0) }, ip: ctx.ip }, ctx.clock);
    return { ok: true as const, rubricId, versionId, name, droppedCallCategory };
  });
}

// ---------------------------------------------------------------------------------------------
// The default rubric

/**
 * Makes sure a deployment has a rubric to evaluate with: on a database without any rubric, the
 * default 112 rubric is created, published and made the default. Runs at every start; once any
 * rubric exists it does nothing, so it never makes a second copy, and never undoes what
 * administrators have done since.
 */
export async function ensureDefaultRubric(deps: Pick<AppDeps, 'db' | 'clock'>): Promise<{ created: boolean; rubricId?: number; versionId?: number }> {
  return deps.db.transaction(async (trx) => {
    await repo.lockForDefaultRubric(trx);
    if ((await repo.countRubrics(trx)) > 0) return { created: false };
    const rubricId = await repo.insertRubric(trx, { name: DEFAULT_RUBRIC_NAME.uz, description: DEFAULT_RUBRIC_DESCRIPTION.uz, callCategory: null, isDefault: true }, deps.clock);
    const definition = parseRubricDefinition(defaultRubricDefinition());
    if (!definition.ok) throw new Error(`the default rubric is invalid: ${JSON.stringify(definition.errors)}`);
    const versionId = await repo.insertVersion(trx, { rubricId, versionNo: 1, status: 'published', definition: definition.definition, createdBy: null, publishedAt: deps.clock().toISOString() }, deps.clock);
    await audit(trx, { userId: null, action: 'rubric.bootstrapDefault', entityType: 'rubric', entityId: rubricId, details: { versionId } }, deps.clock);
    return { created: true, rubricId, versionId };
  });
}
