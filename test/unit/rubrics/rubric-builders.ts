// Small builders and fast-check arbitraries for rubric definitions, shared by the rubric and
// scoring tests. Every call returns fresh objects: tests never share mutable fixtures.
import fc from 'fast-check';
import type { Criterion, RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import type { Answer, Answers } from '../../../src/features/evaluations/scoring';

export function makeText(word: string) {
  return { uz: `${word} (uz)`, ru: `${word} (ru)`, en: `${word} (en)` };
}

export function makeCriterion(overrides: Partial<Criterion> & { code: string }): Criterion {
  return {
    text: makeText(`criterion ${overrides.code}`),
    guidance: makeText(`guidance ${overrides.code}`),
    points: 5,
    answerType: 'yesno',
    naAllowed: false,
    critical: false,
    errorCategory: 'other',
    defaultSeverity: overrides.critical ? 'critical' : 'minor',
    ...overrides,
  };
}

/** One section per argument list; `makeDefinition([a, b], [c])` is two sections. */
export function makeDefinition(...sections: Criterion[][]): RubricDefinition {
  return {
    sections: sections.map((criteria, i) => ({ key: `section-${i + 1}`, title: makeText(`section ${i + 1}`), criteria })),
  };
}

export const yes: Answer = { value: 1, na: false };
export const no: Answer = { value: 0, na: false };
export const na: Answer = { value: null, na: true };
export const scale = (value: number): Answer => ({ value, na: false });

// ---------------------------------------------------------------------------------------------
// Arbitraries

const pointsArb = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.integer({ min: 1, max: 100_000 }).map((cents) => cents / 100), // 0.01 … 1000, two decimals
);

const criterionShapeArb = fc.record({
  points: pointsArb,
  answerType: fc.constantFrom('yesno' as const, 'scale' as const),
  scaleMax: fc.integer({ min: 1, max: 10 }),
  naAllowed: fc.boolean(),
  critical: fc.boolean(),
});

/** Any valid definition: 1–5 sections of 1–6 criteria, unique codes, … */
export const definitionArb: fc.Arbitrary<RubricDefinition> = fc
  .array(fc.array(criterionShapeArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 })
  .map((sections) => {
    let n = 0;
    return makeDefinition(...sections.map((criteria) => criteria.map((c) => {
      n += 1;
      const { scaleMax, ...rest } = c;
      return makeCriterion({ code: `Q-${n}`, ...rest, ...(c.answerType === 'scale' ? { scaleMax } : {}) });
    })));
  });

/** A valid answer for one criterion: unanswered, N/A where allowed, or a value in range. */
export function answerArb(c: Criterion): fc.Arbitrary<Answer | undefined> {
  const max = c.answerType === 'scale' ? (c.scaleMax ?? 1) : 1;
  const options: fc.Arbitrary<Answer | undefined>[] = [
    fc.constant(undefined),
    fc.constant({ value: null, na: false }),
    fc.integer({ min: 0, max }).map((value) => ({ value, na: false })),
    fc.integer({ min: 0, max }).map((value) => ({ value, na: false })),
  ];
  if (c.naAllowed) options.push(fc.constant({ value: null, na: true }));
  return fc.oneof(...options);
}

/** Valid answers for every criterion of a definition (some unanswered). */
export function answersArb(definition: RubricDefinition): fc.Arbitrary<Answers> {
  const criteria = definition.sections.flatMap((s) => s.criteria);
  return fc.tuple(...criteria.map(answerArb)).map((list) => {
    const out: Record<string, Answer> = {};
    list.forEach((a, i) => { if (a) out[criteria[i].code] = a; });
    return out;
  });
}

export const definitionWithAnswersArb = definitionArb.chain((definition) =>
  answersArb(definition).map((answers) => ({ definition, answers })));
