// Plan rules (B2.01.4 #2): which calls may be drawn, how many per operator, which weigh more, and
// whether unfinished work carries over. Stored as JSON in plan_rules.rules and copied into every
// plan at its draw, so the draw can be re-derived later from the plan row alone.
//
// Every validation message is an i18n key (plans.rules.*); the UI translates them.
import { z } from 'zod';
import { AppError, ValidationError, fieldErrorsFromZod } from '../../http/errors';
import { addDays, isIsoDate } from '../../time';

/** A known problem with planning input or state: carries an i18n key (422 unless told). */
export class PlanError extends AppError {
  constructor(key: string, params: Record<string, unknown> = {}, status = 422) {
    super(status, key, params);
  }
}

/** A message for the UI: an i18n key and its parameters. */
export interface PlanMessage {
  key: string;
  params: Record<string, unknown>;
}

// Unknown keys are refused, not dropped: a typo in an admin's rules must not silently do nothing.
const unknownFieldError = (iss: { code?: string }) =>
  iss.code === 'unrecognized_keys' ? 'plans.rules.unknownField' : undefined;

const nonEmptyString = z.string({ error: 'plans.rules.invalid' }).trim().min(1, { error: 'plans.rules.invalid' });

/** A list of values where empty means "any". Duplicates are removed, order kept. */
const valueList = z
  .array(nonEmptyString, { error: 'plans.rules.invalid' })
  .default([])
  .transform((xs) => [...new Set(xs)]);

const durationSec = z
  .number({ error: 'plans.rules.invalid' })
  .min(0, { error: 'plans.rules.durationNegative' })
  .optional();

export const eligibilitySchema = z
  .strictObject(
    {
      /** How many days before the plan day the calls come from: 1 = the day before only. */
      daysBack: z
        .number({ error: 'plans.rules.invalid' })
        .int({ error: 'plans.rules.daysBackInvalid' })
        .min(1, { error: 'plans.rules.daysBackInvalid' })
        .max(31, { error: 'plans.rules.daysBackInvalid' })
        .default(1),
      minDurationSec: durationSec,
      maxDurationSec: durationSec,
      categories: valueList,
      languages: valueList,
      excludeEvaluated: z.boolean({ error: 'plans.rules.invalid' }).default(true),
      excludeInactiveOperators: z.boolean({ error: 'plans.rules.invalid' }).default(true),
    },
    { error: unknownFieldError },
  )
  .superRefine((e, ctx) => {
    if (e.minDurationSec !== undefined && e.maxDurationSec !== undefined && e.minDurationSec > e.maxDurationSec) {
      ctx.addIssue({ code: 'custom', path: ['maxDurationSec'], message: 'plans.rules.durationInverted' });
    }
  });

// "Below zero" is checked before "whole number" so -1.5 reports the more telling of the two.
const callCount = z
  .number({ error: 'plans.rules.invalid' })
  .min(0, { error: 'plans.rules.quotaNegative' })
  .int({ error: 'plans.rules.quotaNotInteger' });

export const quotaSchema = z.discriminatedUnion(
  'mode',
  [
    /** The same number of calls for every operator each plan day. */
    z.strictObject({ mode: z.literal('perDay'), calls: callCount }, { error: unknownFieldError }),
    /** A share of each operator's eligible calls, rounded up, then held within [min, max]. */
    z.strictObject(
      {
        mode: z.literal('share'),
        share: z
          .number({ error: 'plans.rules.invalid' })
          .gt(0, { error: 'plans.rules.shareOutOfRange' })
          .max(1, { error: 'plans.rules.shareOutOfRange' }),
        min: callCount.default(0),
        max: callCount.optional(),
      },
      { error: unknownFieldError },
    ),
  ],
  { error: (iss) => (iss.input === undefined ? 'plans.rules.quotaRequired' : 'plans.rules.quotaModeInvalid') },
);

// A multiplier on a call's chance of being drawn. 1 = no preference; the cap keeps a typo
// (1000 for 10) from turning a random draw into a hand-pick.
const weight = z
  .number({ error: 'plans.rules.invalid' })
  .min(1, { error: 'plans.rules.weightBelowOne' })
  .max(100, { error: 'plans.rules.weightTooHigh' })
  .default(1);

export const priorityWeightsSchema = z.strictObject(
  {
    suicideRisk: weight,
    line1146: weight,
    dropped: weight,
    longCall: weight,
    longCallSec: z.number({ error: 'plans.rules.invalid' }).positive({ error: 'plans.rules.durationNegative' }).default(600),
  },
  { error: unknownFieldError },
);

export const planRulesSchema = z
  .strictObject(
    {
      eligibility: eligibilitySchema.prefault({}),
      quota: quotaSchema,
      priority: priorityWeightsSchema.prefault({}),
      /** Whether yesterday's unfinished assignments join today's plan. */
      carryOver: z.boolean({ error: 'plans.rules.invalid' }).default(false),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? 'plans.rules.unknownField' : 'plans.rules.invalid') },
  )
  .superRefine((r, ctx) => {
    if (r.quota.mode === 'share' && r.quota.max !== undefined && r.quota.min > r.quota.max) {
      ctx.addIssue({ code: 'custom', path: ['quota', 'max'], message: 'plans.rules.minAboveMax' });
    }
  });

export type PlanRulesInput = z.input<typeof planRulesSchema>;
export type PlanRules = z.output<typeof planRulesSchema>;
export type Eligibility = PlanRules['eligibility'];
export type Quota = PlanRules['quota'];
export type PriorityWeights = PlanRules['priority'];

/**
 * A suggested starting set for the admin form (the schema's own defaults are neutral: weights of 1).
 * Suicide-risk and 1146 (women's support line) calls weigh more because their failures cost most.
 * A fresh object each call, so a caller's edits never leak into the next one.
 */
export function defaultPlanRules(): PlanRules {
  return {
    eligibility: {
      daysBack: 1,
      categories: [],
      languages: [],
      excludeEvaluated: true,
      excludeInactiveOperators: true,
    },
    quota: { mode: 'perDay', calls: 3 },
    priority: { suicideRisk: 3, line1146: 2, dropped: 1.5, longCall: 1.5, longCallSec: 600 },
    carryOver: false,
  };
}

/** Parses rules (a form's values or the stored JSON); throws ValidationError with field keys. */
export function parsePlanRules(input: unknown): PlanRules {
  const raw = typeof input === 'string' ? parseJson(input) : input;
  const result = planRulesSchema.safeParse(raw);
  if (!result.success) throw new ValidationError(fieldErrorsFromZod(result.error.issues), 'plans.rules.invalid');
  return result.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: '_', key: 'plans.rules.notJson' }], 'plans.rules.invalid');
  }
}

/**
 * The operator's quota for one plan day given how many eligible calls they have.
 * Share mode rounds up (a small epsilon absorbs 0.1 × 30 = 3.0000000000000004), then clamps to [min, max].
 * The result may exceed `eligible` (a perDay quota, or a share minimum); the draw then takes all.
 */
export function quotaFor(quota: Quota, eligible: number): number {
  if (quota.mode === 'perDay') return quota.calls;
  let n = Math.ceil(quota.share * eligible - 1e-9);
  if (n < quota.min) n = quota.min;
  if (quota.max !== undefined && n > quota.max) n = quota.max;
  return n;
}

/** The call_date range [fromDate, toDate] (inclusive, Asia/Tashkent days) a plan day draws from. */
export function eligibilityDates(planDate: string, eligibility: Pick<Eligibility, 'daysBack'>): { fromDate: string; toDate: string } {
  if (!isIsoDate(planDate)) throw new PlanError('plans.rules.planDateInvalid', { planDate });
  return { fromDate: addDays(planDate, -eligibility.daysBack), toDate: addDays(planDate, -1) };
}

/**
 * The eligibility checks that depend on the call alone (duration, category, language), for code
 * that filters in memory; the repository applies the same rules in SQL, together with the ones that
 * need other tables (date window, already evaluated, inactive operator, deleted).
 * A null category or language only passes when that list is empty ("any").
 */
export function matchesEligibility(
  call: { durationSec: number | null; category: string | null; language: string | null },
  eligibility: Pick<Eligibility, 'minDurationSec' | 'maxDurationSec' | 'categories' | 'languages'>,
): boolean {
  const { minDurationSec, maxDurationSec, categories, languages } = eligibility;
  if (minDurationSec !== undefined || maxDurationSec !== undefined) {
    if (call.durationSec === null || !Number.isFinite(call.durationSec)) return false;
    if (minDurationSec !== undefined && call.durationSec < minDurationSec) return false;
    if (maxDurationSec !== undefined && call.durationSec > maxDurationSec) return false;
  }
  if (categories.length > 0 && (call.category === null || !categories.includes(call.category))) return false;
  if (languages.length > 0 && (call.language === null || !languages.includes(call.language))) return false;
  return true;
}

export interface RuleSet {
  id: number;
  name?: string;
  isActive: boolean;
  rules: { eligibility: Pick<Eligibility, 'categories' | 'languages'> };
}

/** Where two rule sets meet: null means "any" on that dimension. */
export interface RuleSetOverlap extends PlanMessage {
  key: 'plans.rules.overlap';
  params: {
    firstId: number;
    firstName: string | null;
    secondId: number;
    secondName: string | null;
    categories: string[] | null;
    languages: string[] | null;
  };
}

/**
 * Pairs of active rule sets whose eligibility overlaps, i.e. a call could be claimed by both:
 * their categories intersect and their languages intersect (an empty list means "any", which
 * meets everything). Duration bounds are not considered. Pairs come out ordered by id.
 */
export function findOverlaps(ruleSets: readonly RuleSet[]): RuleSetOverlap[] {
  const active = ruleSets.filter((r) => r.isActive).slice().sort((a, b) => a.id - b.id);
  const out: RuleSetOverlap[] = [];
  for (let i = 0; i < active.length; i++) {
    for (let j = i + 1; j < active.length; j++) {
      const a = active[i];
      const b = active[j];
      const categories = intersect(a.rules.eligibility.categories, b.rules.eligibility.categories);
      const languages = intersect(a.rules.eligibility.languages, b.rules.eligibility.languages);
      if ((categories === null || categories.length > 0) && (languages === null || languages.length > 0)) {
        out.push({
          key: 'plans.rules.overlap',
          params: { firstId: a.id, firstName: a.name ?? null, secondId: b.id, secondName: b.name ?? null, categories, languages },
        });
      }
    }
  }
  return out;
}

/** Intersection of two "empty means any" lists; null when both are "any". Sorted. */
function intersect(a: readonly string[], b: readonly string[]): string[] | null {
  if (a.length === 0 && b.length === 0) return null;
  if (a.length === 0) return [...new Set(b)].sort();
  if (b.length === 0) return [...new Set(a)].sort();
  const inB = new Set(b);
  return [...new Set(a.filter((x) => inB.has(x)))].sort();
}
