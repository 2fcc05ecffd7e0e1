import { expect } from 'chai';
import fc from 'fast-check';
import {
  applyDraftEdit, codeChangeError, criterionFromForm, formFieldName, locateError, lockedCodes, parseFormNumber, placeErrors,
  sectionFromForm, suggestCriterionCode, suggestSectionKey, summarizeDefinition, type DraftEdit, type RawDefinition,
} from '../../../src/features/rubrics/draft-edit';
import { parseRubricDefinition, parseRubricDraft, RUBRIC_DEFINITION_ERROR_KEYS as K, type RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';
import { definitionArb, makeCriterion, makeDefinition, makeText } from './rubric-builders';

function codes(def: RubricDefinition | RawDefinition): string[][] {
  return def.sections.map((s) => s.criteria.map((c) => (c as { code: string }).code));
}

function applied(def: RubricDefinition, edit: DraftEdit): RawDefinition {
  const result = applyDraftEdit(def, edit);
  if (!result.ok) throw new Error(`edit ${edit.op} was refused`);
  return result.definition;
}

/** Two sections, A-3 | B-1. */
function twoSections(): RubricDefinition {
  return makeDefinition(
    [makeCriterion({ code: 'A-1' }), makeCriterion({ code: 'A-2' }), makeCriterion({ code: 'A-3' })],
    [makeCriterion({ code: 'B-1' })],
  );
}

const form = (over: Record<string, unknown> = {}) => ({
  code: 'info-6', text: makeText('asked the age'), guidance: { uz: '', ru: '', en: '' }, points: '5', answerType: 'yesno',
  errorCategory: 'information', defaultSeverity: 'minor', ...over,
});

describe('rubric builder steps', () => {
  describe('reading forms', () => {
    it('reads a decimal comma as Uzbek and Russian users type it, and blank as absent', () => {
      expect(parseFormNumber('2,5')).to.equal(2.5);
      expect(parseFormNumber(' 10 ')).to.equal(10);
      expect(parseFormNumber('')).to.equal(undefined);
      expect(parseFormNumber('five')).to.be.NaN;
      expect(parseFormNumber('1e3')).to.be.NaN;
    });

    it('turns a criterion form into a valid criterion: code upper-cased, checkboxes as booleans', () => {
      const c = criterionFromForm(form({ naAllowed: '1' }));
      expect(c).to.include({ code: 'INFO-6', points: 5, answerType: 'yesno', naAllowed: true, critical: false });
      const parsed = parseRubricDefinition(makeDefinition([c as never]));
      expect(parsed.ok).to.equal(true);
    });

    it('ignores a scale value left on a yes/no criterion and reads it for a scale', () => {
      expect(criterionFromForm(form({ scaleMax: '4' }))).not.to.have.property('scaleMax');
      expect(criterionFromForm(form({ answerType: 'scale', scaleMax: '4' }))).to.include({ scaleMax: 4 });
    });

    it('keeps bad points so validation can name them, rather than dropping the field', () => {
      const c = criterionFromForm(form({ points: 'abc' }));
      const result = parseRubricDefinition(makeDefinition([c as never]));
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.errors.map((e) => e.key)).to.include(K.pointsNotPositive);
    });

    it('makes a section key from the English title when none is typed, unique among the others', () => {
      expect(sectionFromForm({ key: '', title: { uz: 'Ochilish', ru: 'Приём', en: 'Opening the call' } }, [])).to.deep.include({ key: 'opening-the-call' });
      expect(suggestSectionKey({ en: 'Opening' }, ['opening', 'opening-2'])).to.equal('opening-3');
      expect(suggestSectionKey({ en: '' , uz: "Yo'naltirish" }, [])).to.equal('yo-naltirish');
      expect(suggestSectionKey({ en: '123 go' }, [])).to.equal('section');
    });

    it('offers the next free code with the prefix the section already uses', () => {
      const def = defaultRubricDefinition();
      const info = def.sections.find((s) => s.key === 'information')!;
      const all = def.sections.flatMap((s) => s.criteria.map((c) => c.code));
      expect(suggestCriterionCode(info, all)).to.equal('INFO-6');
      expect(suggestCriterionCode({ key: 'follow-up', criteria: [] }, all)).to.equal('FOLL-1');
      expect(suggestCriterionCode({ key: 'card', criteria: [] }, all)).to.equal('CARD-3');
    });
  });

  describe('applyDraftEdit()', () => {
    it('never changes the definition it is given', () => {
      const def = twoSections();
      const before = JSON.stringify(def);
      applied(def, { op: 'removeCriterion', code: 'A-2' });
      applied(def, { op: 'moveSection', key: 'section-2', direction: 'up' });
      expect(JSON.stringify(def)).to.equal(before);
    });

    it('adds a criterion at the end of its section and points at it for errors', () => {
      const result = applyDraftEdit(twoSections(), { op: 'addCriterion', sectionKey: 'section-2', criterion: { code: 'B-2' } });
      expect(result.ok && result.target).to.equal('sections.1.criteria.1');
      expect(result.ok && codes(result.definition)).to.deep.equal([['A-1', 'A-2', 'A-3'], ['B-1', 'B-2']]);
    });

    it('moves a criterion within its section, and across the section boundary at either end', () => {
      expect(codes(applied(twoSections(), { op: 'moveCriterion', code: 'A-2', direction: 'up' }))).to.deep.equal([['A-2', 'A-1', 'A-3'], ['B-1']]);
      expect(codes(applied(twoSections(), { op: 'moveCriterion', code: 'A-3', direction: 'down' }))).to.deep.equal([['A-1', 'A-2'], ['A-3', 'B-1']]);
      expect(codes(applied(twoSections(), { op: 'moveCriterion', code: 'B-1', direction: 'up' }))).to.deep.equal([['A-1', 'A-2', 'A-3', 'B-1'], []]);
    });

    it('leaves the first criterion first and the last last when moved past the end', () => {
      expect(codes(applied(twoSections(), { op: 'moveCriterion', code: 'A-1', direction: 'up' }))).to.deep.equal(codes(twoSections()));
      expect(codes(applied(twoSections(), { op: 'moveCriterion', code: 'B-1', direction: 'down' }))).to.deep.equal(codes(twoSections()));
    });

    it('moves a dragged criterion to a place in another section, clamping the place to the list', () => {
      expect(codes(applied(twoSections(), { op: 'moveCriterionTo', code: 'A-1', toSection: 'section-2', toIndex: 0 }))).to.deep.equal([['A-2', 'A-3'], ['A-1', 'B-1']]);
      expect(codes(applied(twoSections(), { op: 'moveCriterionTo', code: 'A-1', toSection: 'section-1', toIndex: 99 }))).to.deep.equal([['A-2', 'A-3', 'A-1'], ['B-1']]);
    });

    it('moves sections up and down, and to a position', () => {
      const three = makeDefinition([makeCriterion({ code: 'A-1' })], [makeCriterion({ code: 'B-1' })], [makeCriterion({ code: 'C-1' })]);
      const keys = (d: RawDefinition) => d.sections.map((s) => s.key);
      expect(keys(applied(three, { op: 'moveSection', key: 'section-3', direction: 'up' }))).to.deep.equal(['section-1', 'section-3', 'section-2']);
      expect(keys(applied(three, { op: 'moveSection', key: 'section-1', direction: 'up' }))).to.deep.equal(['section-1', 'section-2', 'section-3']);
      expect(keys(applied(three, { op: 'moveSectionTo', key: 'section-1', toIndex: 2 }))).to.deep.equal(['section-2', 'section-3', 'section-1']);
    });

    it('refuses an edit of a section or criterion that is not there', () => {
      expect(applyDraftEdit(twoSections(), { op: 'removeCriterion', code: 'Z-9' })).to.deep.equal({ ok: false, reason: 'notFound' });
      expect(applyDraftEdit(twoSections(), { op: 'addCriterion', sectionKey: 'nope', criterion: {} })).to.deep.equal({ ok: false, reason: 'notFound' });
      expect(applyDraftEdit(twoSections(), { op: 'updateSection', key: 'nope', section: { key: 'x', title: {} } })).to.deep.equal({ ok: false, reason: 'notFound' });
    });

    it('keeps every criterion exactly once whatever moves are made', () => {
      const moveArb = fc.record({ pick: fc.nat(), direction: fc.constantFrom('up' as const, 'down' as const), to: fc.nat(10), section: fc.nat() });
      fc.assert(fc.property(definitionArb, fc.array(moveArb, { maxLength: 12 }), (def, moves) => {
        let current: RubricDefinition | RawDefinition = def;
        const all = codes(def).flat().sort();
        for (const m of moves) {
          const list = codes(current).flat();
          const code = list[m.pick % list.length];
          const toSection = current.sections[m.section % current.sections.length].key as string;
          const edit: DraftEdit = m.to % 2 ? { op: 'moveCriterion', code, direction: m.direction } : { op: 'moveCriterionTo', code, toSection, toIndex: m.to };
          const r = applyDraftEdit(current, edit);
          expect(r.ok).to.equal(true);
          if (r.ok) current = r.definition;
        }
        expect(codes(current).flat().sort()).to.deep.equal(all);
      }), { numRuns: 150 });
    });
  });

  describe('drafts and their errors', () => {
    it('accepts an empty draft and a draft with an empty section as incomplete, not invalid', () => {
      const empty = parseRubricDraft({ sections: [] });
      expect(empty.ok).to.equal(true);
      if (empty.ok) expect(empty.incomplete.map((e) => e.key)).to.deep.equal([K.noCriteria]);
      const withEmpty = parseRubricDraft(JSON.parse(JSON.stringify(makeDefinition([makeCriterion({ code: 'A-1' })], []))));
      expect(withEmpty.ok).to.equal(true);
      if (withEmpty.ok) expect(withEmpty.incomplete).to.deep.equal([{ path: 'sections.1.criteria', key: K.emptySection }]);
    });

    it('still rejects a draft with a real error, and does not report completeness alongside it', () => {
      const bad = { sections: [{ key: 'a', title: makeText('a'), criteria: [] }, { key: 'a', title: makeText('b'), criteria: [] }] };
      const result = parseRubricDraft(bad);
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.errors.map((e) => e.key)).to.deep.equal([K.duplicateSectionKey]);
    });

    it('accepts a complete draft with nothing incomplete', () => {
      const result = parseRubricDraft(defaultRubricDefinition());
      expect(result.ok && result.incomplete).to.deep.equal([]);
    });

    it('puts the errors of the edited item on its form fields and the rest above the form', () => {
      const errors = [
        { path: 'sections.1.criteria.0.points', key: K.pointsNotPositive },
        { path: 'sections.1.criteria.0.text.ru', key: K.missingText, params: { language: 'ru' } },
        { path: 'sections.0.criteria.2.code', key: K.duplicateCode, params: { code: 'A-1' } },
      ];
      const placed = placeErrors(errors, 'sections.1.criteria.0');
      expect(placed.fields).to.deep.equal([
        { field: 'points', key: K.pointsNotPositive },
        { field: 'text.ru', key: K.missingText, params: { language: 'ru' } },
      ]);
      expect(placed.other).to.deep.equal([errors[2]]);
      expect(placeErrors(errors, 'sections.1.criteria.1').fields).to.deep.equal([]);
      expect(placeErrors(errors, null).other).to.have.length(3);
    });

    it('names form controls the way the forms post them', () => {
      expect(formFieldName('text.ru')).to.equal('text[ru]');
      expect(formFieldName('points')).to.equal('points');
    });

    it('locates an error by section number and criterion code, under an optional prefix', () => {
      const raw = { definition: JSON.parse(JSON.stringify(twoSections())) };
      expect(locateError({ path: 'definition.sections.0.criteria.1.points', key: K.pointsNotPositive }, raw, 'definition'))
        .to.deep.equal({ section: 1, criterion: 'A-2', field: 'points' });
      expect(locateError({ path: 'sections.1.key', key: K.invalidSectionKey }, raw.definition)).to.deep.equal({ section: 2, criterion: null, field: 'key' });
      expect(locateError({ path: 'rubric.name', key: 'x' }, raw, 'definition')).to.deep.equal({ section: null, criterion: null, field: 'rubric.name' });
      expect(locateError({ path: '', key: 'x' }, null)).to.deep.equal({ section: null, criterion: null, field: null });
      expect(locateError({ path: 'sections.0.criteria.7.code', key: 'x' }, raw.definition)).to.deep.equal({ section: 1, criterion: '#8', field: 'code' });
    });
  });

  describe('reading a definition', () => {
    it('summarises the default rubric: 7 sections, 19 criteria, 115 points, 3 critical, 4 with N/A', () => {
      expect(summarizeDefinition(defaultRubricDefinition())).to.deep.equal({ sections: 7, criteria: 19, points: 115, critical: 3, naAllowed: 4, scales: 2 });
    });

    it('locks the codes of earlier versions against renaming, but not new codes', () => {
      const locked = lockedCodes([defaultRubricDefinition()]);
      expect(codeChangeError('OPEN-1', 'OPEN-9', locked)).to.deep.equal({ field: 'code', key: 'rubrics.builder.codeLocked', params: { code: 'OPEN-1' } });
      expect(codeChangeError('OPEN-1', 'OPEN-1', locked)).to.equal(null);
      expect(codeChangeError('NEW-1', 'NEW-2', locked)).to.equal(null);
    });
  });
});
