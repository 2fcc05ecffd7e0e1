// A criterion's binding to an automatic check: which check and its thresholds. Bindings live in
// the rubric version's definition (criterion.autoCheck), so drafts, publishing, copies and the
// JSON export/import carry them as they carry the criterion's text: a published version's
// bindings are frozen with it. Pure: the schema the rubric model validates with, the key results
// are stored under, reading a builder form.
import { z } from 'zod';
import type { RubricDefinition } from '../rubrics/rubric.model';
import { CHECK_BINDING_ERROR_KEYS as E, CHECK_IDS, CHECKS, isCheckId, type CheckId } from './catalog';

export interface CheckBinding {
  check: CheckId;
  /** every parameter of the check, in catalog order (missing ones take the default) */
  params: Record<string, number>;
}

/** The default parameters of a check. */
export function defaultParams(check: CheckId): Record<string, number> {
  return Object.fromEntries(CHECKS[check].params.map((p) => [p.name, p.default]));
}

/**
 * The schema of `autoCheck` in a rubric definition. Unknown parameters are dropped, missing ones
 * take their default, and each must lie in its range (an answer threshold of 0 s or 2 hours is a
 * typo, not a policy).
 */
export const checkBindingSchema = z
  .object({
    check: z.enum(CHECK_IDS, { error: E.unknownCheck }),
    params: z.record(z.string(), z.number({ error: E.paramOutOfRange })).optional(),
  })
  .superRefine((b, ctx) => {
    for (const spec of CHECKS[b.check].params) {
      const v = b.params?.[spec.name];
      if (v === undefined) continue;
      if (!Number.isFinite(v) || v < spec.min || v > spec.max || (spec.integer && !Number.isInteger(v))) {
        ctx.addIssue({ code: 'custom', path: ['params', spec.name], message: E.paramOutOfRange });
      }
    }
  })
  .transform((b): CheckBinding => ({ check: b.check, params: Object.fromEntries(CHECKS[b.check].params.map((p) => [p.name, b.params?.[p.name] ?? p.default])) }));

/** A number as written in a key: no trailing zeros ("10", "2.5"). */
function keyNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * The key results are stored under: the check and its thresholds ("answerAndGreeting:10,3").
 * Two criteria (or two rubric versions) bound to the same check with the same thresholds share
 * one stored result per call; a new threshold is a new key, computed for every call.
 */
export function bindingKey(b: CheckBinding): string {
  const params = CHECKS[b.check].params.map((p) => keyNumber(b.params[p.name] ?? p.default));
  return params.length ? `${b.check}:${params.join(',')}` : b.check;
}

/** Reads a key back into its binding; null for a key that names no check or has the wrong shape. */
export function parseBindingKey(key: string): CheckBinding | null {
  const [check, rest] = key.split(':', 2);
  if (!isCheckId(check)) return null;
  const specs = CHECKS[check].params;
  const values = rest === undefined ? [] : rest.split(',').map(Number);
  if (values.length !== specs.length || values.some((v) => !Number.isFinite(v))) return null;
  return { check, params: Object.fromEntries(specs.map((p, i) => [p.name, values[i]!])) };
}

export interface BoundCriterion {
  code: string;
  binding: CheckBinding;
  key: string;
}

/** The criteria of a definition that are bound to a check, in rubric order. */
export function bindingsOf(definition: RubricDefinition): BoundCriterion[] {
  const out: BoundCriterion[] = [];
  for (const s of definition.sections) for (const c of s.criteria) if (c.autoCheck) out.push({ code: c.code, binding: c.autoCheck, key: bindingKey(c.autoCheck) });
  return out;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1] ?? '') : '';
}

/**
 * The binding a criterion form describes (`autoCheck[check]`, `autoCheck[params][<check>][answerSec]`…),
 * in the raw shape the rubric model validates; undefined when no check is chosen. Numbers typed
 * with a decimal comma are read; an unreadable one is kept as NaN so validation names it.
 */
export function checkBindingFromForm(raw: unknown): Record<string, unknown> | undefined {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const check = text(o.check).trim();
  if (!check) return undefined;
  const params: Record<string, number> = {};
  // The form names each check's inputs apart (autoCheck[params][silence][maxSec]), since checks share parameter names.
  const all = (typeof o.params === 'object' && o.params !== null ? o.params : {}) as Record<string, unknown>;
  const own = all[check];
  const given = (typeof own === 'object' && own !== null ? own : all) as Record<string, unknown>;
  if (isCheckId(check)) {
    for (const spec of CHECKS[check].params) {
      const s = text(given[spec.name]).trim().replace(/\s/g, '').replace(',', '.');
      if (s === '') continue;
      params[spec.name] = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
    }
  }
  return { check, params };
}
