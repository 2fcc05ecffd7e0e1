// Turning the plans pages' form bodies into typed input, and typed values back into form values.
// Pure: the controller passes req.body / req.query in, the service validates what comes out.
import type { FieldError } from '../../http/errors';
import { CALL_CATEGORIES, CALL_LANGUAGES } from '../calls/calls.model';
import type { PlanRules } from './plan-rules';
import { addDays, isIsoDate } from '../../time';

type Body = Record<string, unknown>;

const str = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : v == null ? '' : String(v)).trim();
const list = (v: unknown): string[] => (v == null ? [] : ([] as unknown[]).concat(v).map((x) => String(x).trim()).filter(Boolean));
const checked = (v: unknown): boolean => ['1', 'on', 'true'].includes(str(v));

/** '' → undefined (let the schema default or say "required"); anything else → a number (NaN when not one, which the schema refuses). */
function numberOrUndefined(v: unknown): number | undefined {
  const s = str(v).replace(',', '.');
  return s === '' ? undefined : Number(s);
}

/** The rule-set form's fields, flat, as the page renders them (strings and lists). */
export interface RuleFormValues {
  id?: number;
  name: string;
  isActive: boolean;
  'eligibility.daysBack': string;
  'eligibility.minDurationSec': string;
  'eligibility.maxDurationSec': string;
  'eligibility.categories': string[];
  'eligibility.languages': string[];
  'eligibility.excludeEvaluated': boolean;
  'eligibility.excludeInactiveOperators': boolean;
  'quota.mode': string;
  'quota.calls': string;
  'quota.sharePercent': string;
  'quota.min': string;
  'quota.max': string;
  'priority.suicideRisk': string;
  'priority.line1146': string;
  'priority.dropped': string;
  'priority.longCall': string;
  'priority.longCallSec': string;
  carryOver: boolean;
}

export function ruleFormFromBody(body: Body): RuleFormValues {
  return {
    name: str(body.name),
    isActive: checked(body.isActive),
    'eligibility.daysBack': str(body['eligibility.daysBack']),
    'eligibility.minDurationSec': str(body['eligibility.minDurationSec']),
    'eligibility.maxDurationSec': str(body['eligibility.maxDurationSec']),
    'eligibility.categories': list(body['eligibility.categories']),
    'eligibility.languages': list(body['eligibility.languages']),
    'eligibility.excludeEvaluated': checked(body['eligibility.excludeEvaluated']),
    'eligibility.excludeInactiveOperators': checked(body['eligibility.excludeInactiveOperators']),
    'quota.mode': str(body['quota.mode']),
    'quota.calls': str(body['quota.calls']),
    'quota.sharePercent': str(body['quota.sharePercent']),
    'quota.min': str(body['quota.min']),
    'quota.max': str(body['quota.max']),
    'priority.suicideRisk': str(body['priority.suicideRisk']),
    'priority.line1146': str(body['priority.line1146']),
    'priority.dropped': str(body['priority.dropped']),
    'priority.longCall': str(body['priority.longCall']),
    'priority.longCallSec': str(body['priority.longCallSec']),
    carryOver: checked(body.carryOver),
  };
}

/** The form values for stored rules (share shown in per cent). */
export function ruleFormFromRules(name: string, isActive: boolean, r: PlanRules, id?: number): RuleFormValues {
  const s = (v: number | undefined) => (v === undefined ? '' : String(v));
  return {
    id,
    name,
    isActive,
    'eligibility.daysBack': s(r.eligibility.daysBack),
    'eligibility.minDurationSec': s(r.eligibility.minDurationSec),
    'eligibility.maxDurationSec': s(r.eligibility.maxDurationSec),
    'eligibility.categories': [...r.eligibility.categories],
    'eligibility.languages': [...r.eligibility.languages],
    'eligibility.excludeEvaluated': r.eligibility.excludeEvaluated,
    'eligibility.excludeInactiveOperators': r.eligibility.excludeInactiveOperators,
    'quota.mode': r.quota.mode,
    'quota.calls': r.quota.mode === 'perDay' ? s(r.quota.calls) : '',
    'quota.sharePercent': r.quota.mode === 'share' ? s(Math.round(r.quota.share * 10000) / 100) : '',
    'quota.min': r.quota.mode === 'share' ? s(r.quota.min) : '',
    'quota.max': r.quota.mode === 'share' ? s(r.quota.max) : '',
    'priority.suicideRisk': s(r.priority.suicideRisk),
    'priority.line1146': s(r.priority.line1146),
    'priority.dropped': s(r.priority.dropped),
    'priority.longCall': s(r.priority.longCall),
    'priority.longCallSec': s(r.priority.longCallSec),
    carryOver: r.carryOver,
  };
}

/**
 * The rules object the schema validates, from the form. Only the chosen quota mode's fields are
 * sent, so a stale value in the hidden half of the form cannot fail the save.
 */
export function rulesInputFromForm(v: RuleFormValues): Record<string, unknown> {
  const mode = v['quota.mode'];
  const sharePercent = numberOrUndefined(v['quota.sharePercent']);
  const quota =
    mode === 'perDay'
      ? { mode, calls: numberOrUndefined(v['quota.calls']) }
      : mode === 'share'
        ? { mode, share: sharePercent === undefined ? undefined : sharePercent / 100, min: numberOrUndefined(v['quota.min']), max: numberOrUndefined(v['quota.max']) }
        : mode === ''
          ? undefined
          : { mode };
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  return {
    eligibility: drop({
      daysBack: numberOrUndefined(v['eligibility.daysBack']),
      minDurationSec: numberOrUndefined(v['eligibility.minDurationSec']),
      maxDurationSec: numberOrUndefined(v['eligibility.maxDurationSec']),
      categories: v['eligibility.categories'],
      languages: v['eligibility.languages'],
      excludeEvaluated: v['eligibility.excludeEvaluated'],
      excludeInactiveOperators: v['eligibility.excludeInactiveOperators'],
    }),
    quota: quota ? drop(quota) : undefined,
    priority: drop({
      suicideRisk: numberOrUndefined(v['priority.suicideRisk']),
      line1146: numberOrUndefined(v['priority.line1146']),
      dropped: numberOrUndefined(v['priority.dropped']),
      longCall: numberOrUndefined(v['priority.longCall']),
      longCallSec: numberOrUndefined(v['priority.longCallSec']),
    }),
    carryOver: v.carryOver,
  };
}

/** The schema speaks of quota.share (a fraction); the form of quota.sharePercent. */
export function ruleFieldName(field: string): string {
  return field === 'quota.share' ? 'quota.sharePercent' : field;
}

export const CATEGORY_OPTIONS: readonly string[] = CALL_CATEGORIES;
export const LANGUAGE_OPTIONS: readonly string[] = CALL_LANGUAGES;

// ---------------------------------------------------------------------------------------------
// Duty

export interface DutyEntry {
  userId: number;
  onDuty: boolean;
  capacity: number;
  languages: string[];
}

export interface DutyFormRow {
  userId: number;
  onDuty: boolean;
  capacity: string;
  languages: string[];
}

/** Reads `duty.<userId>.onDuty|capacity|languages` for the listed specialists. */
export function dutyFormFromBody(body: Body, userIds: readonly number[]): DutyFormRow[] {
  return userIds.map((userId) => ({
    userId,
    onDuty: checked(body[`duty.${userId}.onDuty`]),
    capacity: str(body[`duty.${userId}.capacity`]),
    languages: list(body[`duty.${userId}.languages`]),
  }));
}

export const MAX_DAILY_CAPACITY = 500;

/** Validates the duty rows: a whole capacity in 0..500, known languages, at least one when on duty. */
export function parseDuty(rows: readonly DutyFormRow[]): { entries: DutyEntry[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const entries: DutyEntry[] = [];
  for (const r of rows) {
    const capacity = r.capacity === '' ? NaN : Number(r.capacity);
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_DAILY_CAPACITY) {
      errors.push({ field: `duty.${r.userId}.capacity`, key: 'plans.duty.capacityInvalid', params: { max: MAX_DAILY_CAPACITY } });
    }
    const languages = [...new Set(r.languages)];
    if (languages.some((l) => !(LANGUAGE_OPTIONS as readonly string[]).includes(l))) errors.push({ field: `duty.${r.userId}.languages`, key: 'plans.duty.languageInvalid' });
    else if (r.onDuty && languages.length === 0) errors.push({ field: `duty.${r.userId}.languages`, key: 'plans.duty.languagesRequired' });
    entries.push({ userId: r.userId, onDuty: r.onDuty, capacity, languages: LANGUAGE_OPTIONS.filter((l) => languages.includes(l)) });
  }
  return { entries, errors };
}

// ---------------------------------------------------------------------------------------------
// Sizing form (GET)

export interface SizingFormValues {
  from: string;
  to: string;
  estimate: string;
  margin: string;
  confidence: string;
  sigma: string;
  overheadMinutes: string;
  hoursPerDay: string;
  specialists: string;
  workingDays: string;
}

export function sizingFormFromQuery(q: Body, defaults: SizingFormValues): SizingFormValues {
  const pick = (k: keyof SizingFormValues) => (q[k] === undefined ? defaults[k] : str(q[k]));
  return {
    from: pick('from'),
    to: pick('to'),
    estimate: pick('estimate'),
    margin: pick('margin'),
    confidence: pick('confidence'),
    sigma: pick('sigma'),
    overheadMinutes: pick('overheadMinutes'),
    hoursPerDay: pick('hoursPerDay'),
    specialists: pick('specialists'),
    workingDays: pick('workingDays'),
  };
}

export const MAX_SIZING_DAYS = 366;

/** The period: two dates, in order, at most a year. */
export function parsePeriod(from: string, to: string): { fromDate: string; toDate: string } | FieldError[] {
  const errors: FieldError[] = [];
  if (!isIsoDate(from)) errors.push({ field: 'from', key: 'plans.sizing.periodInvalid' });
  if (!isIsoDate(to)) errors.push({ field: 'to', key: 'plans.sizing.periodInvalid' });
  if (errors.length) return errors;
  if (from > to) return [{ field: 'to', key: 'plans.sizing.periodInverted' }];
  if (addDays(from, MAX_SIZING_DAYS - 1) < to) return [{ field: 'from', key: 'plans.sizing.periodTooLong', params: { max: MAX_SIZING_DAYS } }];
  return { fromDate: from, toDate: to };
}

/** A number from a sizing field; '' → undefined; percentages accepted for the margin of a proportion by the service. */
export function sizingNumber(v: string): number | undefined {
  return numberOrUndefined(v);
}

/**
 * SIZING_FORMULA in its three parts, so the page can label each in the reader's language
 * (a unit test keeps them equal to the formula sizePlan() reports).
 */
export const SIZING_FORMULA_PARTS = {
  mean: 'n₀ = (z·σ / E)²',
  proportion: 'n₀ = z²·p(1−p) / E², p = 0.5',
  correction: 'n = n₀ / (1 + (n₀ − 1) / N)',
} as const;
