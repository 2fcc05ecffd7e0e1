import { expect } from 'chai';
import fc from 'fast-check';
import {
  canEdit, canPublish, criterionMaxValue, deriveDraft, flattenCriteria, nextVersionNo, parseRubricDefinition,
  parseRubricImport, planEdit, rubricJsonExport, selectRubricForCall,
  RUBRIC_DEFINITION_ERROR_KEYS as K, RUBRIC_IMPORT_ERROR_KEYS as I,
  type RubricValidationError,
} from '../../../src/features/rubrics/rubric.model';
import { DEFAULT_RUBRIC_CODES, defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';
import { definitionArb, makeCriterion, makeDefinition } from './rubric-builders';

/** A plain-JSON copy of a valid definition, for poking bad values into. */
function rawDefinition(): any {
  return JSON.parse(JSON.stringify(makeDefinition(
    [makeCriterion({ code: 'OPEN-1' }), makeCriterion({ code: 'OPEN-2', answerType: 'scale', scaleMax: 3 })],
    [makeCriterion({ code: 'ROUTE-1', critical: true, points: 10 })],
  )));
}

function errorsOf(input: unknown): RubricValidationError[] {
  const result = parseRubricDefinition(input);
  if (result.ok) throw new Error('expected the definition to be rejected');
  return result.errors;
}

describe('rubric model', () => {
  describe('parseRubricDefinition()', () => {
    it('accepts a valid definition and returns it normalised', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].text.uz = '  Salomlashdi  ';
      delete raw.sections[0].criteria[0].naAllowed;
      delete raw.sections[0].criteria[0].critical;
      raw.sections[0].criteria[0].scaleMax = 4; // stray on a yes/no criterion
      const result = parseRubricDefinition(raw);
      expect(result.ok).to.equal(true);
      if (!result.ok) return;
      const first = result.definition.sections[0].criteria[0];
      expect(first.text.uz).to.equal('Salomlashdi');
      expect(first.naAllowed).to.equal(false);
      expect(first.critical).to.equal(false);
      expect(first).not.to.have.property('scaleMax');
      expect(result.definition.sections[0].criteria[1].scaleMax).to.equal(3);
    });

    it('rejects a code used twice in the version, even across sections', () => {
      const raw = rawDefinition();
      raw.sections[1].criteria[0].code = 'OPEN-1';
      expect(errorsOf(raw)).to.deep.include({ path: 'sections.1.criteria.0.code', key: K.duplicateCode, params: { code: 'OPEN-1' } });
    });

    it('rejects a criterion text missing in one language, naming the language', () => {
      const raw = rawDefinition();
      delete raw.sections[0].criteria[1].text.ru;
      const errors = errorsOf(raw);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.deep.equal({ path: 'sections.0.criteria.1.text.ru', key: K.missingText, params: { language: 'ru', code: 'OPEN-2' } });
    });

    it('rejects a blank text and a blank section title', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].text.en = '   ';
      raw.sections[1].title.uz = '';
      const errors = errorsOf(raw);
      expect(errors.map((e) => [e.path, e.key])).to.deep.equal([
        ['sections.0.criteria.0.text.en', K.missingText],
        ['sections.1.title.uz', K.missingText],
      ]);
    });

    it('allows empty guidance but not missing guidance', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].guidance = { uz: '', ru: '', en: '' };
      expect(parseRubricDefinition(raw).ok).to.equal(true);
      delete raw.sections[0].criteria[0].guidance.en;
      expect(errorsOf(raw)[0]).to.include({ path: 'sections.0.criteria.0.guidance.en', key: K.missingText });
    });

    for (const points of [0, -5]) {
      it(`rejects points of ${points}`, () => {
        const raw = rawDefinition();
        raw.sections[0].criteria[0].points = points;
        expect(errorsOf(raw)).to.deep.equal([{ path: 'sections.0.criteria.0.points', key: K.pointsNotPositive, params: { code: 'OPEN-1' } }]);
      });
    }

    it('rejects points with more than two decimals or above the limit', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].points = 2.125;
      raw.sections[0].criteria[1].points = 1001;
      expect(errorsOf(raw).map((e) => [e.key, e.params])).to.deep.equal([
        [K.pointsTooPrecise, { code: 'OPEN-1', decimals: 2 }],
        [K.pointsTooLarge, { code: 'OPEN-2', max: 1000 }],
      ]);
      raw.sections[0].criteria[0].points = 2.5;
      raw.sections[0].criteria[1].points = 0.07;
      expect(parseRubricDefinition(raw).ok).to.equal(true);
    });

    it('rejects points given as text and says a missing field is required', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].points = '5';
      delete raw.sections[0].criteria[1].points;
      expect(errorsOf(raw).map((e) => e.key)).to.deep.equal([K.pointsNotPositive, K.required]);
    });

    it('rejects an unknown answer type, listing the allowed ones', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].answerType = 'multiple-choice';
      expect(errorsOf(raw)).to.deep.equal([{
        path: 'sections.0.criteria.0.answerType', key: K.unknownAnswerType, params: { code: 'OPEN-1', allowed: ['yesno', 'scale'] },
      }]);
    });

    it('rejects codes that are not LETTERS-digits', () => {
      for (const code of ['open-1', 'OPEN1', 'OPEN-', '1-OPEN', 'OP EN-1']) {
        const raw = rawDefinition();
        raw.sections[0].criteria[0].code = code;
        expect(errorsOf(raw).map((e) => e.key), code).to.deep.equal([K.invalidCode]);
      }
    });

    it('requires scaleMax on a scale criterion and keeps it within 1..10', () => {
      const raw = rawDefinition();
      delete raw.sections[0].criteria[1].scaleMax;
      expect(errorsOf(raw).map((e) => e.key)).to.deep.equal([K.scaleMaxRequired]);
      for (const scaleMax of [0, 11, 2.5]) {
        raw.sections[0].criteria[1].scaleMax = scaleMax;
        expect(errorsOf(raw).map((e) => e.key), String(scaleMax)).to.deep.equal([K.scaleMaxOutOfRange]);
      }
    });

    it('rejects a critical criterion whose default severity is not critical', () => {
      const raw = rawDefinition();
      raw.sections[1].criteria[0].defaultSeverity = 'major';
      expect(errorsOf(raw)).to.deep.equal([{ path: 'sections.1.criteria.0.defaultSeverity', key: K.criticalNeedsCriticalSeverity, params: { code: 'ROUTE-1' } }]);
    });

    it('rejects an unknown error category and an unknown severity', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].errorCategory = 'weather';
      raw.sections[0].criteria[1].defaultSeverity = 'catastrophic';
      expect(errorsOf(raw).map((e) => e.key)).to.deep.equal([K.unknownErrorCategory, K.unknownSeverity]);
    });

    it('rejects a rubric without any criterion', () => {
      expect(errorsOf({ sections: [] })).to.deep.equal([{ path: 'sections', key: K.noCriteria }]);
      const raw = rawDefinition();
      raw.sections[0].criteria = [];
      raw.sections[1].criteria = [];
      expect(errorsOf(raw)).to.deep.equal([{ path: 'sections', key: K.noCriteria }]);
    });

    it('rejects an empty section in an otherwise valid rubric', () => {
      const raw = rawDefinition();
      raw.sections[1].criteria = [];
      expect(errorsOf(raw)).to.deep.equal([{ path: 'sections.1.criteria', key: K.emptySection }]);
    });

    it('rejects a section key used twice or not a slug', () => {
      const raw = rawDefinition();
      raw.sections[1].key = raw.sections[0].key;
      expect(errorsOf(raw).map((e) => e.key)).to.deep.equal([K.duplicateSectionKey]);
      raw.sections[1].key = 'Call Card';
      expect(errorsOf(raw).map((e) => e.key)).to.deep.equal([K.invalidSectionKey]);
    });

    it('rejects input that is not an object with sections', () => {
      expect(errorsOf(null)[0]).to.include({ path: '', key: K.invalidType });
      expect(errorsOf({})[0]).to.include({ path: 'sections', key: K.required });
      expect(errorsOf([])[0]).to.include({ path: '', key: K.invalidType });
    });

    it('reports shape errors and cross-field errors together', () => {
      const raw = rawDefinition();
      raw.sections[0].criteria[0].points = 0;
      raw.sections[1].criteria[0].code = 'OPEN-2';
      expect(errorsOf(raw).map((e) => e.key)).to.have.members([K.pointsNotPositive, K.duplicateCode]);
    });

    it('accepts every generated valid rubric unchanged', () => {
      fc.assert(fc.property(definitionArb, (definition) => {
        const result = parseRubricDefinition(definition);
        expect(result.ok).to.equal(true);
        if (result.ok) expect(result.definition).to.deep.equal(definition);
      }));
    });
  });

  describe('the default rubric', () => {
    it('passes parseRubricDefinition', () => {
      const result = parseRubricDefinition(defaultRubricDefinition());
      expect(result.ok, JSON.stringify(!result.ok && result.errors)).to.equal(true);
    });

    it('has the 19 criteria of the design, in order', () => {
      expect(flattenCriteria(defaultRubricDefinition()).map((c) => c.code)).to.deep.equal([
        'OPEN-1', 'OPEN-2', 'INFO-1', 'INFO-2', 'INFO-3', 'INFO-4', 'INFO-5', 'ROUTE-1', 'ROUTE-2',
        'CARD-1', 'CARD-2', 'HELP-1', 'HELP-2', 'HELP-3', 'HELP-4', 'COMM-1', 'COMM-2', 'CLOSE-1', 'CLOSE-2',
      ]);
      expect(DEFAULT_RUBRIC_CODES).to.have.length(19);
    });

    it('has the seven sections of the design', () => {
      expect(defaultRubricDefinition().sections.map((s) => s.title.en)).to.deep.equal([
        'Opening', 'Information gathering', 'Routing', 'Call card', 'Help & guidance', 'Communication', 'Closing',
      ]);
    });

    it('marks ROUTE-1, ROUTE-2 and HELP-3 critical and allows N/A only on HELP-1, HELP-3, HELP-4, CLOSE-2', () => {
      const criteria = flattenCriteria(defaultRubricDefinition());
      expect(criteria.filter((c) => c.critical).map((c) => c.code)).to.deep.equal(['ROUTE-1', 'ROUTE-2', 'HELP-3']);
      expect(criteria.filter((c) => c.naAllowed).map((c) => c.code)).to.deep.equal(['HELP-1', 'HELP-3', 'HELP-4', 'CLOSE-2']);
    });

    it('scores INFO-5 and COMM-1 on a 0..3 scale and everything else yes/no', () => {
      const criteria = flattenCriteria(defaultRubricDefinition());
      expect(criteria.filter((c) => c.answerType === 'scale').map((c) => [c.code, criterionMaxValue(c)])).to.deep.equal([['INFO-5', 3], ['COMM-1', 3]]);
    });

    it('weighs critical criteria and the location at 10 points and the rest at 5', () => {
      const criteria = flattenCriteria(defaultRubricDefinition());
      expect(criteria.filter((c) => c.points === 10).map((c) => c.code)).to.deep.equal(['INFO-2', 'ROUTE-1', 'ROUTE-2', 'HELP-3']);
      expect(criteria.reduce((sum, c) => sum + c.points, 0)).to.equal(115);
    });

    it('has text and guidance in Uzbek, Russian and English for every criterion, not copies of each other', () => {
      for (const c of flattenCriteria(defaultRubricDefinition())) {
        for (const field of [c.text, c.guidance]) {
          expect(field.uz.length, c.code).to.be.greaterThan(10);
          expect(new Set([field.uz, field.ru, field.en]).size, c.code).to.equal(3);
          expect(field.ru, c.code).to.match(/[а-яё]/i);
          expect(field.uz, c.code).not.to.match(/[а-яё]/i); // Uzbek in Latin script
        }
      }
    });

    it('gives a fresh copy each time', () => {
      const a = defaultRubricDefinition();
      a.sections[0].criteria[0].points = 99;
      expect(defaultRubricDefinition().sections[0].criteria[0].points).to.equal(5);
    });
  });

  describe('flattenCriteria()', () => {
    it('lists criteria in display order with their section key and position', () => {
      const flat = flattenCriteria(makeDefinition([makeCriterion({ code: 'A-1' }), makeCriterion({ code: 'A-2' })], [makeCriterion({ code: 'B-1' })]));
      expect(flat.map((c) => [c.code, c.sectionKey, c.position])).to.deep.equal([['A-1', 'section-1', 0], ['A-2', 'section-1', 1], ['B-1', 'section-2', 2]]);
    });
  });

  describe('export and import files', () => {
    const meta = { name: 'Standart', description: 'Asosiy shakl', callCategory: 'medical', versionNo: 3, exportedAt: '2026-11-25T10:00:00.000Z' };

    it('imports what it exports', () => {
      const definition = defaultRubricDefinition();
      const text = rubricJsonExport(meta, definition);
      expect(text.endsWith('\n')).to.equal(true);
      const result = parseRubricImport(text);
      expect(result.ok).to.equal(true);
      if (!result.ok) return;
      expect(result.definition).to.deep.equal(definition);
      expect(result.rubric).to.deep.equal({ name: 'Standart', description: 'Asosiy shakl', callCategory: 'medical' });
    });

    it('reports malformed JSON text with a clear key and, where known, the line', () => {
      const result = parseRubricImport('{\n  "format": "sifat.rubric",\n}');
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.errors).to.have.length(1);
      expect(result.errors[0].key).to.equal(I.malformedJson);
      expect(result.errors[0].params).to.deep.equal({ line: 3, column: 1 });
      const truncated = parseRubricImport('{"format": "sifat.rub');
      expect(!truncated.ok && truncated.errors.map((e) => e.key)).to.deep.equal([I.malformedJson]);
    });

    it('reports an empty file', () => {
      const result = parseRubricImport(' \n ');
      expect(!result.ok && result.errors).to.deep.equal([{ path: '', key: I.empty }]);
    });

    it('tolerates a byte-order mark at the start', () => {
      expect(parseRubricImport(`\uFEFF${rubricJsonExport(meta, defaultRubricDefinition())}`).ok).to.equal(true);
    });

    it('rejects JSON that is not a rubric file', () => {
      for (const text of ['[1,2]', '"text"', '{"format":"other"}', '{"name":"x"}']) {
        const result = parseRubricImport(text);
        expect(!result.ok && result.errors.map((e) => e.key), text).to.deep.equal([I.notRubricFile]);
      }
    });

    it('rejects a file from a newer format version', () => {
      const file = JSON.parse(rubricJsonExport(meta, defaultRubricDefinition()));
      file.formatVersion = 2;
      const result = parseRubricImport(JSON.stringify(file));
      expect(!result.ok && result.errors).to.deep.equal([{ path: 'formatVersion', key: I.unsupportedFormatVersion, params: { version: 2, supported: 1 } }]);
    });

    it('reports definition problems with paths under "definition"', () => {
      const file = JSON.parse(rubricJsonExport(meta, defaultRubricDefinition()));
      file.definition.sections[0].criteria[1].code = 'OPEN-1';
      file.definition.sections[2].criteria[0].answerType = 'stars';
      const result = parseRubricImport(JSON.stringify(file));
      expect(!result.ok && result.errors.map((e) => [e.path, e.key])).to.deep.equal([
        ['definition.sections.2.criteria.0.answerType', K.unknownAnswerType],
        ['definition.sections.0.criteria.1.code', K.duplicateCode],
      ]);
    });

    it('reports a missing definition and a bad name', () => {
      const result = parseRubricImport(JSON.stringify({ format: 'sifat.rubric', formatVersion: 1, rubric: { name: 42 } }));
      expect(!result.ok && result.errors.map((e) => [e.path, e.key])).to.deep.equal([
        ['rubric.name', I.invalidName],
        ['definition', K.required],
      ]);
    });

    it('accepts a bare definition and leaves the name to the importer', () => {
      const result = parseRubricImport(JSON.stringify(defaultRubricDefinition()));
      expect(result.ok && result.rubric).to.deep.equal({ name: null, description: null, callCategory: null });
    });
  });

  describe('versioning', () => {
    it('lets only a draft be edited or published', () => {
      expect(canEdit('draft')).to.equal(true);
      expect(canEdit('published')).to.equal(false);
      expect(canEdit('retired')).to.equal(false);
      expect(canPublish('draft')).to.equal(true);
      expect(canPublish('published')).to.equal(false);
    });

    it('numbers the next version one above the highest, starting at 1', () => {
      expect(nextVersionNo([])).to.equal(1);
      expect(nextVersionNo([1, 3, 2])).to.equal(4);
      expect(nextVersionNo([{ versionNo: 2 }, { versionNo: 5 }])).to.equal(6);
    });

    it('derives a draft as a deep copy that leaves the published definition untouched', () => {
      const published = defaultRubricDefinition();
      const draft = deriveDraft(published);
      expect(draft).to.deep.equal(published);
      draft.sections[0].criteria[0].text.uz = "o'zgartirildi";
      draft.sections[0].criteria.pop();
      expect(published).to.deep.equal(defaultRubricDefinition());
    });

    it('turns editing a published version into a new draft with the next version number', () => {
      const definition = defaultRubricDefinition();
      const plan = planEdit({ versionNo: 2, status: 'published', definition }, [{ versionNo: 1, status: 'retired' }, { versionNo: 2, status: 'published' }]);
      expect(plan.kind).to.equal('create-draft');
      if (plan.kind !== 'create-draft') return;
      expect(plan.versionNo).to.equal(3);
      expect(plan.definition).to.deep.equal(definition);
      expect(plan.definition).not.to.equal(definition);
    });

    it('sends an edit of a published version to the open draft when there is one', () => {
      const plan = planEdit({ versionNo: 2, status: 'published', definition: defaultRubricDefinition() },
        [{ versionNo: 2, status: 'published' }, { versionNo: 3, status: 'draft' }]);
      expect(plan).to.deep.equal({ kind: 'open-existing-draft', versionNo: 3 });
    });

    it('edits a draft in place', () => {
      expect(planEdit({ versionNo: 4, status: 'draft', definition: defaultRubricDefinition() }, [{ versionNo: 4, status: 'draft' }]))
        .to.deep.equal({ kind: 'edit-in-place', versionNo: 4 });
    });
  });

  describe('selectRubricForCall()', () => {
    const standard = { id: 1, callCategory: null, isDefault: true, publishedVersionId: 10 };
    const medical = { id: 2, callCategory: 'medical', isDefault: false, publishedVersionId: 20 };
    const fireDraftOnly = { id: 3, callCategory: 'fire', isDefault: false, publishedVersionId: null };

    it('chooses the rubric bound to the call category when it is published', () => {
      expect(selectRubricForCall([standard, medical, fireDraftOnly], 'medical')).to.equal(medical);
    });

    it('falls back to the default when the category rubric is unpublished or absent', () => {
      expect(selectRubricForCall([standard, medical, fireDraftOnly], 'fire')).to.equal(standard);
      expect(selectRubricForCall([standard, medical], 'police')).to.equal(standard);
      expect(selectRubricForCall([standard, medical], null)).to.equal(standard);
    });

    it('gives null when there is no published default to fall back to', () => {
      expect(selectRubricForCall([{ ...standard, publishedVersionId: null }, medical], 'fire')).to.equal(null);
      expect(selectRubricForCall([], 'fire')).to.equal(null);
    });

    it('breaks ties by lowest id whatever the input order', () => {
      const second = { ...medical, id: 7 };
      expect(selectRubricForCall([second, standard, medical], 'medical')).to.equal(medical);
    });
  });
});
