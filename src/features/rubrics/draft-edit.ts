// The builder's editing steps on a draft definition, as pure functions: read a form into a
// criterion or section, apply one edit (add, change, move, remove), and place validation errors on
// the form that caused them. The service validates every result with parseRubricDraft and stores
// it only when valid, so a failed step never changes the draft.
import { checkBindingFromForm } from '../checks/bindings';
import {
  RUBRIC_LANGUAGES, SECTION_KEY_PATTERN,
  type RubricDefinition, type RubricValidationError,
} from './rubric.model';

/** A definition while an edit is applied: the edited item may still be raw form input. */
export interface RawSection {
  key: unknown;
  title: unknown;
  criteria: unknown[];
}
export interface RawDefinition {
  sections: RawSection[];
}

export type MoveDirection = 'up' | 'down';

export type DraftEdit =
  | { op: 'addSection'; section: RawSectionInput }
  | { op: 'updateSection'; key: string; section: RawSectionInput }
  | { op: 'moveSection'; key: string; direction: MoveDirection }
  | { op: 'moveSectionTo'; key: string; toIndex: number }
  | { op: 'removeSection'; key: string }
  | { op: 'addCriterion'; sectionKey: string; criterion: Record<string, unknown> }
  | { op: 'updateCriterion'; code: string; criterion: Record<string, unknown> }
  | { op: 'moveCriterion'; code: string; direction: MoveDirection }
  | { op: 'moveCriterionTo'; code: string; toSection: string; toIndex: number }
  | { op: 'removeCriterion'; code: string };

export interface RawSectionInput {
  key: unknown;
  title: unknown;
}

export type DraftEditResult =
  | {
      ok: true;
      definition: RawDefinition;
      /** Path of the added or changed item ("sections.1", "sections.1.criteria.3"), whose
       *  validation errors belong on the form; null for moves and removals. */
      target: string | null;
    }
  | { ok: false; reason: 'notFound' };

// ---------------------------------------------------------------------------------------------
// Reading forms

function text(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1] ?? '') : '';
}

function localized(v: unknown): Record<string, string> {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return Object.fromEntries(RUBRIC_LANGUAGES.map((l) => [l, text(o[l])]));
}

/** A number typed by a person: "2,5" (Uzbek and Russian write a decimal comma) is 2.5; blank is
 *  absent (so the error says "required"); anything else unreadable is NaN (rejected with the
 *  field's own message). */
export function parseFormNumber(v: unknown): number | undefined {
  const s = text(v).trim().replace(/\s/g, '').replace(',', '.');
  if (s === '') return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
}

/** A checkbox is sent as "1" when ticked (a hidden "0" before it may also be sent). */
function checked(v: unknown): boolean {
  return Array.isArray(v) ? v.map(String).includes('1') : String(v ?? '') === '1';
}

/**
 * The criterion a builder form describes, in the shape parseRubricDefinition reads. Codes are
 * upper-cased (people type "open-1"); scaleMax is read only for a scale, so a value left in the
 * hidden field of a yes/no criterion cannot cause an error.
 */
export function criterionFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const answerType = text(body.answerType).trim();
  const out: Record<string, unknown> = {
    code: text(body.code).trim().toUpperCase(),
    text: localized(body.text),
    guidance: localized(body.guidance),
    points: parseFormNumber(body.points),
    answerType: answerType || undefined,
    naAllowed: checked(body.naAllowed),
    critical: checked(body.critical),
    errorCategory: text(body.errorCategory).trim() || undefined,
    defaultSeverity: text(body.defaultSeverity).trim() || undefined,
  };
  if (answerType === 'scale') out.scaleMax = parseFormNumber(body.scaleMax);
  const ref = text(body.standardRef).trim();
  if (ref) out.standardRef = ref;
  const check = checkBindingFromForm(body.autoCheck);
  if (check) out.autoCheck = check;
  return out;
}

/** A section form: a key (suggested from the title when left blank) and the title in each language. */
export function sectionFromForm(body: Record<string, unknown>, existingKeys: readonly string[]): RawSectionInput {
  const title = localized(body.title);
  const key = text(body.key).trim().toLowerCase();
  return { key: key || suggestSectionKey(title, existingKeys), title };
}

/** A slug for a section from its English (else Uzbek) title, unique among the given keys. */
export function suggestSectionKey(title: Partial<Record<string, string>>, existingKeys: readonly string[]): string {
  const source = title.en?.trim() || title.uz?.trim() || '';
  let base = source.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  if (!base || !SECTION_KEY_PATTERN.test(base)) base = 'section';
  const taken = new Set(existingKeys);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * A code to offer for a new criterion of a section: the prefix the section's criteria already use
 * (else letters from the section key) and the first free number, e.g. "INFO-6".
 */
export function suggestCriterionCode(section: { key: string; criteria: readonly { code: string }[] }, allCodes: readonly string[]): string {
  const fromCriteria = section.criteria.map((c) => /^([A-Z]+)-\d+$/.exec(c.code)?.[1]).find(Boolean);
  // Short like the default rubric's prefixes (OPEN, INFO, ROUTE): a long word gives its first four letters.
  const letters = section.key.toUpperCase().replace(/[^A-Z]/g, '');
  const fromKey = letters.length <= 5 ? letters : letters.slice(0, 4);
  const prefix = fromCriteria ?? (fromKey || 'Q');
  const taken = new Set(allCodes);
  for (let n = 1; ; n++) if (!taken.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

// ---------------------------------------------------------------------------------------------
// Applying an edit

function copy(definition: RubricDefinition | RawDefinition): RawDefinition {
  return structuredClone(definition) as RawDefinition;
}

function codeOf(criterion: unknown): unknown {
  return typeof criterion === 'object' && criterion !== null ? (criterion as { code?: unknown }).code : undefined;
}

function findCriterion(def: RawDefinition, code: string): { s: number; c: number } | null {
  for (let s = 0; s < def.sections.length; s++) {
    const c = def.sections[s].criteria.findIndex((x) => codeOf(x) === code);
    if (c >= 0) return { s, c };
  }
  return null;
}

function clampIndex(i: number, length: number): number {
  return Math.max(0, Math.min(Number.isInteger(i) ? i : length, length));
}

/**
 * Applies one edit to a copy of the definition (the input is never changed). A move past either
 * end is a no-op; moving a criterion up from the top of its section puts it at the end of the
 * section above (and down from the bottom, at the start of the next), so the arrow buttons alone
 * can take a criterion anywhere.
 */
export function applyDraftEdit(definition: RubricDefinition | RawDefinition, edit: DraftEdit): DraftEditResult {
  const def = copy(definition);
  const sectionIndex = (key: string) => def.sections.findIndex((s) => s.key === key);
  switch (edit.op) {
    case 'addSection': {
      def.sections.push({ key: edit.section.key, title: edit.section.title, criteria: [] });
      return { ok: true, definition: def, target: `sections.${def.sections.length - 1}` };
    }
    case 'updateSection': {
      const i = sectionIndex(edit.key);
      if (i < 0) return { ok: false, reason: 'notFound' };
      def.sections[i] = { ...def.sections[i], key: edit.section.key, title: edit.section.title };
      return { ok: true, definition: def, target: `sections.${i}` };
    }
    case 'moveSection':
    case 'moveSectionTo': {
      const i = sectionIndex(edit.key);
      if (i < 0) return { ok: false, reason: 'notFound' };
      const to = edit.op === 'moveSection' ? i + (edit.direction === 'up' ? -1 : 1) : clampIndex(edit.toIndex, def.sections.length - 1);
      if (to < 0 || to >= def.sections.length || to === i) return { ok: true, definition: def, target: null };
      const [moved] = def.sections.splice(i, 1);
      def.sections.splice(to, 0, moved);
      return { ok: true, definition: def, target: null };
    }
    case 'removeSection': {
      const i = sectionIndex(edit.key);
      if (i < 0) return { ok: false, reason: 'notFound' };
      def.sections.splice(i, 1);
      return { ok: true, definition: def, target: null };
    }
    case 'addCriterion': {
      const i = sectionIndex(edit.sectionKey);
      if (i < 0) return { ok: false, reason: 'notFound' };
      def.sections[i].criteria.push(edit.criterion);
      return { ok: true, definition: def, target: `sections.${i}.criteria.${def.sections[i].criteria.length - 1}` };
    }
    case 'updateCriterion': {
      const at = findCriterion(def, edit.code);
      if (!at) return { ok: false, reason: 'notFound' };
      def.sections[at.s].criteria[at.c] = edit.criterion;
      return { ok: true, definition: def, target: `sections.${at.s}.criteria.${at.c}` };
    }
    case 'moveCriterion': {
      const at = findCriterion(def, edit.code);
      if (!at) return { ok: false, reason: 'notFound' };
      const list = def.sections[at.s].criteria;
      const [moved] = list.splice(at.c, 1);
      if (edit.direction === 'up') {
        if (at.c > 0) list.splice(at.c - 1, 0, moved);
        else if (at.s > 0) def.sections[at.s - 1].criteria.push(moved);
        else list.unshift(moved);
      } else if (at.c < list.length) list.splice(at.c + 1, 0, moved);
      else if (at.s < def.sections.length - 1) def.sections[at.s + 1].criteria.unshift(moved);
      else list.push(moved);
      return { ok: true, definition: def, target: null };
    }
    case 'moveCriterionTo': {
      const at = findCriterion(def, edit.code);
      const to = sectionIndex(edit.toSection);
      if (!at || to < 0) return { ok: false, reason: 'notFound' };
      const [moved] = def.sections[at.s].criteria.splice(at.c, 1);
      const list = def.sections[to].criteria;
      list.splice(clampIndex(edit.toIndex, list.length), 0, moved);
      return { ok: true, definition: def, target: null };
    }
    case 'removeCriterion': {
      const at = findCriterion(def, edit.code);
      if (!at) return { ok: false, reason: 'notFound' };
      def.sections[at.s].criteria.splice(at.c, 1);
      return { ok: true, definition: def, target: null };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Placing errors

export interface PlacedError {
  /** Dotted path inside the edited item ("text.ru", "points"); '' for the item as a whole. */
  field: string;
  key: string;
  params?: Record<string, unknown>;
}

/**
 * Splits validation errors into those of the edited item (placed on its form's fields) and the
 * rest (shown above the form). An error on the item's container ("sections.1.criteria" of an
 * added section) belongs to the item too.
 */
export function placeErrors(errors: readonly RubricValidationError[], target: string | null): { fields: PlacedError[]; other: RubricValidationError[] } {
  const fields: PlacedError[] = [];
  const other: RubricValidationError[] = [];
  for (const e of errors) {
    if (target !== null && (e.path === target || e.path.startsWith(`${target}.`))) {
      fields.push({ field: e.path.slice(target.length + 1), key: e.key, ...(e.params ? { params: e.params } : {}) });
    } else other.push(e);
  }
  return { fields, other };
}

/** "text.ru" → "text[ru]": the name of the form control a dotted field path came from. */
export function formFieldName(field: string): string {
  const [head, ...rest] = field.split('.');
  return head + rest.map((p) => `[${p}]`).join('');
}

// ---------------------------------------------------------------------------------------------
// Reading a definition for the pages

/**
 * Where an error points, for a list a person can act on: the section (1-based), the criterion
 * (its code when known, else its 1-based place) and the field. `prefix` is stripped first
 * ("definition" in import files).
 */
export function locateError(error: RubricValidationError, raw: unknown, prefix = ''): { section: number | null; criterion: string | null; field: string | null } {
  let parts = error.path ? error.path.split('.') : [];
  if (prefix && parts[0] === prefix) parts = parts.slice(1);
  else if (prefix) return { section: null, criterion: null, field: parts.join('.') || null };
  if (parts[0] !== 'sections' || parts.length < 2 || !/^\d+$/.test(parts[1])) {
    return { section: null, criterion: null, field: parts.join('.') || null };
  }
  const s = Number(parts[1]);
  if (parts[2] !== 'criteria' || parts.length < 4 || !/^\d+$/.test(parts[3])) {
    return { section: s + 1, criterion: null, field: parts.slice(2).join('.') || null };
  }
  const c = Number(parts[3]);
  const root = prefix && typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[prefix] : raw;
  const sections = (root as { sections?: unknown } | null)?.sections;
  const crit = Array.isArray(sections) ? (sections[s] as { criteria?: unknown } | undefined)?.criteria : undefined;
  const code = Array.isArray(crit) ? codeOf(crit[c]) : undefined;
  const paramCode = error.params?.code;
  const label = typeof paramCode === 'string' && paramCode ? paramCode : typeof code === 'string' && code.trim() ? code.trim() : `#${c + 1}`;
  return { section: s + 1, criterion: label, field: parts.slice(4).join('.') || null };
}

export interface DefinitionSummary {
  sections: number;
  criteria: number;
  points: number;
  critical: number;
  naAllowed: number;
  scales: number;
}

/** Counts for list and header lines: sections, criteria, total points, critical criteria. */
export function summarizeDefinition(definition: RubricDefinition): DefinitionSummary {
  const all = definition.sections.flatMap((s) => s.criteria);
  return {
    sections: definition.sections.length,
    criteria: all.length,
    points: Math.round(all.reduce((sum, c) => sum + c.points, 0) * 100) / 100,
    critical: all.filter((c) => c.critical).length,
    naAllowed: all.filter((c) => c.naAllowed).length,
    scales: all.filter((c) => c.answerType === 'scale').length,
  };
}

/** Codes used by a rubric's earlier versions. Evaluations and error records refer to a criterion
 *  by code, so a draft may not rename one of these (it may remove it, or add a new code). */
export function lockedCodes(earlierDefinitions: readonly RubricDefinition[]): Set<string> {
  const out = new Set<string>();
  for (const d of earlierDefinitions) for (const s of d.sections) for (const c of s.criteria) out.add(c.code);
  return out;
}

/** The error for renaming a criterion whose code earlier versions use, or null when allowed. */
export function codeChangeError(oldCode: string, newCode: unknown, locked: ReadonlySet<string>): PlacedError | null {
  if (typeof newCode !== 'string' || newCode === oldCode || !locked.has(oldCode)) return null;
  return { field: 'code', key: 'rubrics.builder.codeLocked', params: { code: oldCode } };
}
