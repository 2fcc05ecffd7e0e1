// The rubric as data: the shape of a rubric version's definition (rubric_versions.definition JSON),
// its validation with i18n-keyed errors, the export/import file, and the pure versioning rules.
// No HTTP, no DB: services and controllers call these functions; the UI translates the keys.
import { z } from 'zod';
import type { Language } from '../../i18n';
import { normalizeStrings, textProblems } from '../../http/text';
import { checkBindingSchema, type CheckBinding } from '../checks/bindings';

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** Every text in a rubric exists in all three interface languages. */
export const RUBRIC_LANGUAGES = ['uz', 'ru', 'en'] as const satisfies readonly Language[];
export type RubricLanguage = (typeof RUBRIC_LANGUAGES)[number];
export type LocalizedText = Record<RubricLanguage, string>;

export const ANSWER_TYPES = ['yesno', 'scale'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Topics errors are grouped by (inbox, digests, training plans). A closed list so every category
 *  has a translation (`rubrics.category.<name>`) and reports can group on it. */
export const ERROR_CATEGORIES = ['greeting', 'information', 'routing', 'card', 'help', 'communication', 'closing', 'other'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export const RUBRIC_VERSION_STATUSES = ['draft', 'published', 'retired'] as const;
export type RubricVersionStatus = (typeof RUBRIC_VERSION_STATUSES)[number];

export const CRITERION_CODE_PATTERN = /^[A-Z]+-\d+$/;
export const SECTION_KEY_PATTERN = /^[a-z][a-z0-9_-]*$/;
export const SCALE_MAX_LIMIT = 10;
export const POINTS_LIMIT = 1000;
/** evaluation_answers.criterion_code and evaluation_marks.criterion_code are varchar(32). */
export const CODE_MAX_LENGTH = 32;

export interface Criterion {
  /** Stable across versions: answers, errors and reports refer to a criterion by its code. */
  code: string;
  text: LocalizedText;
  /** Short hint for the specialist; may be empty in a language. */
  guidance: LocalizedText;
  points: number;
  answerType: AnswerType;
  /** Highest value of a scale criterion (answers run 0..scaleMax); absent for yes/no. */
  scaleMax?: number;
  naAllowed: boolean;
  /** A failed critical criterion fails the whole evaluation whatever the points. */
  critical: boolean;
  errorCategory: ErrorCategory;
  defaultSeverity: Severity;
  /** Where the criterion comes from, e.g. the standard's task code "A1.01.3". */
  standardRef?: string;
  /** The automatic check whose result is offered as a suggestion (src/features/checks). */
  autoCheck?: CheckBinding;
}

export interface RubricSection {
  key: string;
  title: LocalizedText;
  criteria: Criterion[];
}

export interface RubricDefinition {
  sections: RubricSection[];
}

/** One problem, as an i18n key the UI translates with params; `path` is dotted into the input
 *  ("sections.0.criteria.2.points"), '' for the whole thing. */
export interface RubricValidationError {
  path: string;
  key: string;
  params?: Record<string, unknown>;
}

export type RubricParseResult =
  | { ok: true; definition: RubricDefinition }
  | { ok: false; errors: RubricValidationError[] };

// ---------------------------------------------------------------------------------------------
// Error keys (exported so a locale test can check every key has a translation)

export const RUBRIC_DEFINITION_ERROR_KEYS = {
  required: 'rubrics.definition.required',
  invalidType: 'rubrics.definition.invalidType',
  invalid: 'rubrics.definition.invalid',
  missingText: 'rubrics.definition.missingText',
  textTooLong: 'rubrics.definition.textTooLong',
  invalidSectionKey: 'rubrics.definition.invalidSectionKey',
  duplicateSectionKey: 'rubrics.definition.duplicateSectionKey',
  invalidCode: 'rubrics.definition.invalidCode',
  duplicateCode: 'rubrics.definition.duplicateCode',
  pointsNotPositive: 'rubrics.definition.pointsNotPositive',
  pointsTooLarge: 'rubrics.definition.pointsTooLarge',
  pointsTooPrecise: 'rubrics.definition.pointsTooPrecise',
  unknownAnswerType: 'rubrics.definition.unknownAnswerType',
  scaleMaxRequired: 'rubrics.definition.scaleMaxRequired',
  scaleMaxOutOfRange: 'rubrics.definition.scaleMaxOutOfRange',
  unknownErrorCategory: 'rubrics.definition.unknownErrorCategory',
  unknownSeverity: 'rubrics.definition.unknownSeverity',
  criticalNeedsCriticalSeverity: 'rubrics.definition.criticalNeedsCriticalSeverity',
  noCriteria: 'rubrics.definition.noCriteria',
  emptySection: 'rubrics.definition.emptySection',
  tooMany: 'rubrics.definition.tooMany',
} as const;

export const RUBRIC_IMPORT_ERROR_KEYS = {
  empty: 'rubrics.import.empty',
  tooLarge: 'rubrics.import.tooLarge',
  malformedJson: 'rubrics.import.malformedJson',
  notRubricFile: 'rubrics.import.notRubricFile',
  unsupportedFormatVersion: 'rubrics.import.unsupportedFormatVersion',
  invalidName: 'rubrics.import.invalidName',
  invalidDescription: 'rubrics.import.invalidDescription',
  invalidCallCategory: 'rubrics.import.invalidCallCategory',
} as const;

const K = RUBRIC_DEFINITION_ERROR_KEYS;

// ---------------------------------------------------------------------------------------------
// Schema

const TEXT_MAX = 500;
const GUIDANCE_MAX = 2000;

/** A field's error: "required" when it is absent, else the given key. */
function keyed(key: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? K.required : key);
}

function localizedText(max: number, allowEmpty: boolean) {
  const one = z
    .string({ error: K.missingText })
    .trim()
    .min(allowEmpty ? 0 : 1, { error: K.missingText })
    .max(max, { error: K.textTooLong });
  return z.object({ uz: one, ru: one, en: one }, { error: K.missingText });
}

const criterionSchema = z
  .object({
    code: z
      .string({ error: keyed(K.invalidCode) })
      .trim()
      .max(CODE_MAX_LENGTH, { error: K.invalidCode })
      .regex(CRITERION_CODE_PATTERN, { error: K.invalidCode }),
    text: localizedText(TEXT_MAX, false),
    guidance: localizedText(GUIDANCE_MAX, true),
    points: z
      .number({ error: keyed(K.pointsNotPositive) })
      .positive({ error: K.pointsNotPositive })
      .max(POINTS_LIMIT, { error: K.pointsTooLarge })
      // Two decimals at most (2.5 is fine): sums and stored scores stay exact to the cent.
      .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6, { error: K.pointsTooPrecise }),
    answerType: z.enum(ANSWER_TYPES, { error: keyed(K.unknownAnswerType) }),
    scaleMax: z
      .int({ error: K.scaleMaxOutOfRange })
      .min(1, { error: K.scaleMaxOutOfRange })
      .max(SCALE_MAX_LIMIT, { error: K.scaleMaxOutOfRange })
      .optional(),
    naAllowed: z.boolean().default(false),
    critical: z.boolean().default(false),
    errorCategory: z.enum(ERROR_CATEGORIES, { error: keyed(K.unknownErrorCategory) }),
    defaultSeverity: z.enum(SEVERITIES, { error: keyed(K.unknownSeverity) }),
    standardRef: z.string().trim().max(64).optional(),
    autoCheck: checkBindingSchema.optional(),
  })
  // A yes/no criterion has no scale: drop a stray scaleMax so scoring never sees one.
  .transform((c): Criterion => {
    const { scaleMax, standardRef, autoCheck, ...rest } = c;
    const out: Criterion = { ...rest };
    if (c.answerType === 'scale' && scaleMax !== undefined) out.scaleMax = scaleMax;
    if (standardRef) out.standardRef = standardRef;
    if (autoCheck) out.autoCheck = autoCheck;
    return out;
  });

const sectionSchema = z.object({
  key: z.string({ error: keyed(K.invalidSectionKey) }).trim().max(64, { error: K.invalidSectionKey }).regex(SECTION_KEY_PATTERN, { error: K.invalidSectionKey }),
  title: localizedText(TEXT_MAX, false),
  criteria: z.array(criterionSchema).max(100, { error: K.tooMany }),
});

/** The zod schema of the definition's shape. Cross-field rules (unique codes, critical severity,
 *  scaleMax for scales, no empty rubric) are in parseRubricDefinition, which callers should use. */
export const rubricDefinitionSchema = z.object({
  sections: z.array(sectionSchema).max(50, { error: K.tooMany }),
});

// ---------------------------------------------------------------------------------------------
// Validation

const LANGUAGE_SET: ReadonlySet<string> = new Set(RUBRIC_LANGUAGES);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The raw criterion at sections[i].criteria[j] of the input, when the path points into one. */
function criterionAt(raw: unknown, path: readonly PropertyKey[]): Record<string, unknown> | null {
  if (path[0] !== 'sections' || path[2] !== 'criteria' || typeof path[1] !== 'number' || typeof path[3] !== 'number') return null;
  const sections = isRecord(raw) ? raw.sections : undefined;
  const section = Array.isArray(sections) ? sections[path[1]] : undefined;
  const criteria = isRecord(section) ? section.criteria : undefined;
  const criterion = Array.isArray(criteria) ? criteria[path[3]] : undefined;
  return isRecord(criterion) ? criterion : null;
}

function issueToError(issue: z.core.$ZodIssue, raw: unknown): RubricValidationError {
  const params: Record<string, unknown> = {};
  const last = issue.path[issue.path.length - 1];
  if (typeof last === 'string' && LANGUAGE_SET.has(last)) params.language = last;
  // Name the criterion by its code so "OPEN-1: Russian text missing" reads well.
  const criterion = criterionAt(raw, issue.path);
  if (criterion && typeof criterion.code === 'string' && issue.path.length > 4) params.code = criterion.code;
  if (issue.code === 'too_big') params.max = Number(issue.maximum);
  if (issue.message === K.scaleMaxOutOfRange) Object.assign(params, { min: 1, max: SCALE_MAX_LIMIT });
  if (issue.message === K.pointsTooPrecise) params.decimals = 2;
  if (issue.code === 'invalid_value') params.allowed = issue.values;
  if (issue.code === 'invalid_type' && issue.message === K.invalidType) params.expected = issue.expected;
  return {
    path: issue.path.map(String).join('.'),
    key: issue.message,
    ...(Object.keys(params).length ? { params } : {}),
  };
}

/** Rules that span several fields, checked on the raw input wherever its shape allows, so a
 *  file with both a type error and a duplicate code reports both at once. */
function crossFieldErrors(raw: unknown): RubricValidationError[] {
  const errors: RubricValidationError[] = [];
  if (!isRecord(raw) || !Array.isArray(raw.sections)) return errors;
  const seenCodes = new Set<string>();
  const seenKeys = new Set<string>();
  let criteriaCount = 0;
  const emptySections: number[] = [];
  raw.sections.forEach((section, i) => {
    if (!isRecord(section)) return;
    if (typeof section.key === 'string') {
      const key = section.key.trim();
      if (seenKeys.has(key)) errors.push({ path: `sections.${i}.key`, key: K.duplicateSectionKey, params: { key } });
      seenKeys.add(key);
    }
    if (!Array.isArray(section.criteria)) return;
    if (section.criteria.length === 0) emptySections.push(i);
    criteriaCount += section.criteria.length;
    section.criteria.forEach((criterion, j) => {
      if (!isRecord(criterion)) return;
      const at = `sections.${i}.criteria.${j}`;
      if (typeof criterion.code === 'string') {
        const code = criterion.code.trim();
        if (seenCodes.has(code)) errors.push({ path: `${at}.code`, key: K.duplicateCode, params: { code } });
        seenCodes.add(code);
      }
      const code = typeof criterion.code === 'string' ? { code: criterion.code.trim() } : {};
      if (criterion.answerType === 'scale' && criterion.scaleMax === undefined) {
        errors.push({ path: `${at}.scaleMax`, key: K.scaleMaxRequired, params: code });
      }
      if (criterion.critical === true && typeof criterion.defaultSeverity === 'string' && criterion.defaultSeverity !== 'critical'
        && (SEVERITIES as readonly string[]).includes(criterion.defaultSeverity)) {
        errors.push({ path: `${at}.defaultSeverity`, key: K.criticalNeedsCriticalSeverity, params: code });
      }
    });
  });
  if (criteriaCount === 0) {
    errors.push({ path: 'sections', key: K.noCriteria });
  } else {
    // An empty section would render as a heading with nothing to answer.
    for (const i of emptySections) errors.push({ path: `sections.${i}.criteria`, key: K.emptySection });
  }
  return errors;
}

/** Validates a definition (from the editor, an import or the database) and returns it normalised
 *  (trimmed texts, defaults filled, unknown fields dropped), or every problem found. */
export function parseRubricDefinition(json: unknown): RubricParseResult {
  const parsed = rubricDefinitionSchema.safeParse(json, {
    error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? K.required
      : iss.code === 'invalid_type' ? K.invalidType
      : K.invalid),
  });
  const errors = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => issueToError(issue, json))),
    ...crossFieldErrors(json),
  ];
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, definition: parsed.data };
}

/** Problems that only mean "not finished yet": a draft may have them while it is being built
 *  (a new rubric starts with no sections; a new section starts with no criteria), publishing may not. */
export const DRAFT_INCOMPLETE_KEYS: readonly string[] = [K.noCriteria, K.emptySection];

export type RubricDraftParseResult =
  | { ok: true; definition: RubricDefinition; incomplete: RubricValidationError[] }
  | { ok: false; errors: RubricValidationError[] };

/**
 * Validates a draft: every rule of parseRubricDefinition except completeness. A draft with only
 * completeness problems is accepted (normalised) and the problems are returned as `incomplete`,
 * so the builder can store each step and still show what stands between the draft and publishing.
 */
export function parseRubricDraft(json: unknown): RubricDraftParseResult {
  const full = parseRubricDefinition(json);
  if (full.ok) return { ok: true, definition: full.definition, incomplete: [] };
  const blocking = full.errors.filter((e) => !DRAFT_INCOMPLETE_KEYS.includes(e.key));
  if (blocking.length) return { ok: false, errors: blocking };
  const shape = rubricDefinitionSchema.safeParse(json);
  if (!shape.success) return { ok: false, errors: full.errors };
  return { ok: true, definition: shape.data, incomplete: full.errors };
}

// ---------------------------------------------------------------------------------------------
// Reading a definition

export interface FlatCriterion extends Criterion {
  sectionKey: string;
  /** 0-based position across the whole rubric, in display order. */
  position: number;
}

/** The criteria in display order, each with its section's key. */
export function flattenCriteria(definition: RubricDefinition): FlatCriterion[] {
  const out: FlatCriterion[] = [];
  for (const section of definition.sections) {
    for (const criterion of section.criteria) out.push({ ...criterion, sectionKey: section.key, position: out.length });
  }
  return out;
}

/** Highest answer value: 1 for yes/no (1 = yes, 0 = no), scaleMax for a scale. */
export function criterionMaxValue(criterion: Pick<Criterion, 'answerType' | 'scaleMax'>): number {
  return criterion.answerType === 'scale' ? (criterion.scaleMax ?? 1) : 1;
}

// ---------------------------------------------------------------------------------------------
// Versioning: a published version is frozen because submitted evaluations point at it.

/** Only a draft may be changed in place; published and retired versions are evidence. */
export function canEdit(status: RubricVersionStatus): boolean {
  return status === 'draft';
}

/** Only a draft may be published. */
export function canPublish(status: RubricVersionStatus): boolean {
  return status === 'draft';
}

/** The number for a rubric's next version: one above the highest so far, 1 for the first. */
export function nextVersionNo(existing: ReadonlyArray<number | { versionNo: number }>): number {
  let max = 0;
  for (const v of existing) max = Math.max(max, typeof v === 'number' ? v : v.versionNo);
  return max + 1;
}

/** The starting definition of a new draft made from an existing version: a deep copy, so editing
 *  the draft can never touch the frozen version's object. */
export function deriveDraft(definition: RubricDefinition): RubricDefinition {
  return structuredClone(definition);
}

export type RubricEditPlan =
  | { kind: 'edit-in-place'; versionNo: number }
  | { kind: 'open-existing-draft'; versionNo: number }
  | { kind: 'create-draft'; versionNo: number; definition: RubricDefinition };

/**
 * What "edit this version" means. A draft is edited in place. A published or retired version is
 * never changed: the rubric's open draft is reused if there is one (one draft at a time keeps two
 * editors from forking the rubric), otherwise a new draft is copied from the version being edited.
 */
export function planEdit(
  version: { versionNo: number; status: RubricVersionStatus; definition: RubricDefinition },
  rubricVersions: ReadonlyArray<{ versionNo: number; status: RubricVersionStatus }>,
): RubricEditPlan {
  if (canEdit(version.status)) return { kind: 'edit-in-place', versionNo: version.versionNo };
  const openDraft = rubricVersions.filter((v) => v.status === 'draft').sort((a, b) => b.versionNo - a.versionNo)[0];
  if (openDraft) return { kind: 'open-existing-draft', versionNo: openDraft.versionNo };
  return {
    kind: 'create-draft',
    versionNo: nextVersionNo([...rubricVersions, version]),
    definition: deriveDraft(version.definition),
  };
}

// ---------------------------------------------------------------------------------------------
// Choosing the rubric for a call

export interface RubricChoiceCandidate {
  id: number;
  callCategory: string | null;
  isDefault: boolean;
  /** The rubric's current published version; null when it has none yet. */
  publishedVersionId: number | null;
}

/**
 * The rubric a call is evaluated with: a rubric bound to the call's category if one has a
 * published version, otherwise the published default, otherwise null (nothing to evaluate with).
 * Ties go to the lowest id so the choice does not depend on query order.
 */
export function selectRubricForCall<T extends RubricChoiceCandidate>(rubrics: readonly T[], callCategory: string | null | undefined): T | null {
  const published = rubrics.filter((r) => r.publishedVersionId !== null).sort((a, b) => a.id - b.id);
  if (callCategory) {
    const bound = published.find((r) => r.callCategory === callCategory);
    if (bound) return bound;
  }
  return published.find((r) => r.isDefault) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Export / import files

export const RUBRIC_FILE_FORMAT = 'sifat.rubric';
export const RUBRIC_FILE_FORMAT_VERSION = 1;
/** Far above any real rubric (the default one exports to about 24 KB); keeps a wrong file from being parsed. */
export const RUBRIC_IMPORT_MAX_CHARS = 2_000_000;

export interface RubricFileMeta {
  name: string;
  description?: string | null;
  callCategory?: string | null;
  /** Version the file was exported from, for the reader's information only. */
  versionNo?: number | null;
  /** ISO-8601 UTC; passed in (no clock here). */
  exportedAt?: string | null;
}

/** The text of a rubric export file (pretty JSON, ends with a newline). */
export function rubricJsonExport(rubric: RubricFileMeta, definition: RubricDefinition): string {
  const file = {
    format: RUBRIC_FILE_FORMAT,
    formatVersion: RUBRIC_FILE_FORMAT_VERSION,
    exportedAt: rubric.exportedAt ?? null,
    rubric: {
      name: rubric.name,
      description: rubric.description ?? null,
      callCategory: rubric.callCategory ?? null,
      versionNo: rubric.versionNo ?? null,
    },
    definition,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export interface ImportedRubric {
  /** null when the file carried no usable name (a bare definition): the importer asks for one. */
  name: string | null;
  description: string | null;
  callCategory: string | null;
}

export type RubricImportResult =
  | { ok: true; rubric: ImportedRubric; definition: RubricDefinition }
  | { ok: false; errors: RubricValidationError[] };

const I = RUBRIC_IMPORT_ERROR_KEYS;

/**
 * Offset of the first character that breaks the JSON grammar (text.length when the text ends too
 * early), or null when the text is valid. Only used after JSON.parse failed: Node 20's messages
 * give a position for some mistakes ("at position 15") and not for others ("Unexpected token").
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const fail = (): never => { throw i; };
  const lit = (word: string) => { for (const ch of word) { if (text[i] !== ch) fail(); i++; } };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const ch = text[i];
      if (ch === '"') { i++; return; }
      if (ch < ' ') fail();
      if (ch === '\\') {
        i++;
        if (text[i] === 'u') { for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) { i += k; fail(); } i += 5; }
        else if ('"\\/bfnrt'.includes(text[i] ?? '') && i < text.length) i++;
        else fail();
      } else i++;
    }
  };
  const numberAt = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' ) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws(); if (text[i] !== '"') fail(); str(); ws();
        if (text[i] !== ':') fail(); i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail();
      }
    }
    if (ch === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail();
      }
    }
    if (ch === '"') return str();
    if (ch === 't') return lit('true');
    if (ch === 'f') return lit('false');
    if (ch === 'n') return lit('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return numberAt();
    fail();
  };
  try {
    value(); ws();
    return i < text.length ? i : null;
  } catch (at) {
    return Math.min(at as number, text.length);
  }
}

/** Line and column (1-based) of a JSON.parse failure. */
function jsonErrorPosition(text: string, error: unknown): { line: number; column: number } | null {
  const m = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  const offset = m ? Number(m[1]) : jsonErrorOffset(text);
  if (offset === null) return null;
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function optionalText(value: unknown, max: number): { ok: true; value: string | null } | { ok: false } {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== 'string' || value.trim().length > max) return { ok: false };
  return { ok: true, value: value.trim() || null };
}

/**
 * Reads an import file: either an export made by rubricJsonExport, or a bare definition
 * (`{ "sections": [...] }`). Tolerates a UTF-8 byte-order mark (Windows editors add one).
 */
export function parseRubricImport(text: string): RubricImportResult {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { ok: false, errors: [{ path: '', key: I.empty }] };
  if (body.length > RUBRIC_IMPORT_MAX_CHARS) return { ok: false, errors: [{ path: '', key: I.tooLarge, params: { maxChars: RUBRIC_IMPORT_MAX_CHARS } }] };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const at = jsonErrorPosition(body, error);
    return { ok: false, errors: [{ path: '', key: I.malformedJson, ...(at ? { params: at } : {}) }] };
  }
  if (!isRecord(json)) return { ok: false, errors: [{ path: '', key: I.notRubricFile }] };
  // Names and texts as the forms take them: NFC, no NUL / control / bidi characters (http/text.ts).
  const textIssues = textProblems(json);
  if (textIssues.length) return { ok: false, errors: textIssues.map((p) => ({ path: p.field, key: p.key, params: p.params })) };
  normalizeStrings(json);

  // A bare definition, e.g. hand-written or copied out of the database.
  if (json.format === undefined && 'sections' in json) {
    const parsed = parseRubricDefinition(json);
    if (!parsed.ok) return parsed;
    return { ok: true, rubric: { name: null, description: null, callCategory: null }, definition: parsed.definition };
  }
  if (json.format !== RUBRIC_FILE_FORMAT) return { ok: false, errors: [{ path: 'format', key: I.notRubricFile }] };
  if (json.formatVersion !== RUBRIC_FILE_FORMAT_VERSION) {
    return { ok: false, errors: [{ path: 'formatVersion', key: I.unsupportedFormatVersion, params: { version: json.formatVersion ?? null, supported: RUBRIC_FILE_FORMAT_VERSION } }] };
  }

  const errors: RubricValidationError[] = [];
  const meta = isRecord(json.rubric) ? json.rubric : {};
  const name = optionalText(meta.name, 200);
  const description = optionalText(meta.description, 5000);
  const callCategory = optionalText(meta.callCategory, 64);
  if (!name.ok) errors.push({ path: 'rubric.name', key: I.invalidName, params: { max: 200 } });
  if (!description.ok) errors.push({ path: 'rubric.description', key: I.invalidDescription, params: { max: 5000 } });
  if (!callCategory.ok) errors.push({ path: 'rubric.callCategory', key: I.invalidCallCategory, params: { max: 64 } });

  const parsed = parseRubricDefinition(json.definition);
  if (!parsed.ok) {
    for (const e of parsed.errors) errors.push({ ...e, path: e.path ? `definition.${e.path}` : 'definition' });
  }
  if (errors.length || !parsed.ok || !name.ok || !description.ok || !callCategory.ok) return { ok: false, errors };
  return { ok: true, rubric: { name: name.value, description: description.value, callCategory: callCategory.value }, definition: parsed.definition };
}
