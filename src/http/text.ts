// What people type and the names of the files they send: one Unicode form (NFC), so "й" typed on
// two keyboards is one name, and no invisible characters that change how text reads. Bidi controls
// can make a name or a file name display as something it is not ("evil\u202Ewav.exe"); NUL and the
// other C0 controls have no place in a form, and PostgreSQL text cannot even store NUL.
import type { RequestHandler } from 'express';
import querystring from 'node:querystring';
import { ValidationError, type FieldError } from './errors';

/** Bidi embedding, override and isolate controls, and the marks (U+061C, U+200E, U+200F). */
export const BIDI_CONTROL_RE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** NUL and the C0/C1 controls except tab, line feed and carriage return (which multi-line notes use). */
export const CONTROL_CHAR_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Why a piece of text is refused, as an i18n key; null when it is fine. Pure. */
export function textProblem(text: string): 'common.text.bidiControl' | 'common.text.controlChar' | null {
  if (CONTROL_CHAR_RE.test(text)) return 'common.text.controlChar';
  if (BIDI_CONTROL_RE.test(text)) return 'common.text.bidiControl';
  return null;
}

/** Passwords are compared as typed (their hashes were made from the typed form); the CSRF token is opaque. */
function leftAsTyped(key: string): boolean {
  return /password/i.test(key) || key === '_csrf';
}

/** NFC form of every string in a parsed body or query (arrays and plain objects walked), in place. */
export function normalizeStrings<T>(value: T, depth = 0): T {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (leftAsTyped(k)) continue;
    const v = obj[k];
    if (typeof v === 'string') obj[k] = v.normalize('NFC');
    else if (v && typeof v === 'object') normalizeStrings(v, depth + 1);
  }
  return value;
}

/** Every string field (dotted path) holding a refused character, with its reason. Pure. */
export function textProblems(value: unknown, path = '', depth = 0): FieldError[] {
  if (typeof value === 'string') {
    const key = textProblem(value);
    return key ? [{ field: path || '_', key, params: { field: path || '_' } }] : [];
  }
  if (depth > 32 || value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (leftAsTyped(k) ? [] : textProblems(v, path ? `${path}.${k}` : k, depth + 1)));
}

/** A name or file name, normalised; throws ValidationError (on `field`) when it holds a refused character. */
export function cleanText(text: string, field: string): string {
  const key = textProblem(text);
  if (key) throw new ValidationError([{ field, key, params: { field } }], key);
  return text.normalize('NFC');
}

/**
 * Every form and JSON body: strings to NFC, and a body with NUL, control or bidi characters refused
 * with 400 naming the field. (Multipart bodies are checked the same way once parsed: uploads.ts.)
 */
export const cleanBodies: RequestHandler = (req, _res, next) => {
  if (!req.body || typeof req.body !== 'object') return next();
  const problems = textProblems(req.body);
  if (problems.length) return next(new ValidationError(problems));
  normalizeStrings(req.body);
  next();
};

/**
 * The query parser (Express's "simple" one) with strings in NFC and control characters dropped: a
 * query only filters, and PostgreSQL would refuse a NUL in a parameter.
 */
export function parseQuery(str: string): Record<string, unknown> {
  const parsed = querystring.parse(str) as Record<string, string | string[]>;
  const clean = (s: string) => s.replace(new RegExp(CONTROL_CHAR_RE.source, 'g'), '').normalize('NFC');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed)) out[clean(k)] = Array.isArray(v) ? v.map(clean) : clean(v);
  return out;
}
