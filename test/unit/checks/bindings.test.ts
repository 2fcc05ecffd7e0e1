// Check bindings live in the rubric version: validated with the rubric, carried by drafts, copies,
// export and import, read from the builder's form.
import { expect } from 'chai';
import { bindingKey, bindingsOf, checkBindingFromForm, parseBindingKey } from '../../../src/features/checks/bindings';
import { defaultRubricDefinition } from '../../../src/features/rubrics/default-rubric';
import { deriveDraft, parseRubricDefinition, parseRubricImport, rubricJsonExport, type RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { criterionFromForm } from '../../../src/features/rubrics/draft-edit';
import { loadResources } from '../../../src/i18n';
import { CHECK_BINDING_ERROR_KEYS, CHECK_IDS, CHECKS } from '../../../src/features/checks/catalog';

function withBinding(autoCheck: unknown): unknown {
  const d = defaultRubricDefinition() as unknown as { sections: { criteria: Record<string, unknown>[] }[] };
  d.sections[0]!.criteria[0]!.autoCheck = autoCheck;
  return d;
}

describe('check bindings in the rubric', () => {
  it('the default rubric binds OPEN-1, INFO-5, CARD-1, COMM-1 and CLOSE-2 with the stated thresholds', () => {
    const parsed = parseRubricDefinition(defaultRubricDefinition());
    expect(parsed.ok).to.equal(true);
    const bound = bindingsOf((parsed as { definition: RubricDefinition }).definition);
    expect(bound.map((b) => [b.code, b.key])).to.deep.equal([
      ['OPEN-1', 'answerAndGreeting:10,3'],
      ['INFO-5', 'silence:15'],
      ['CARD-1', 'cardComplete'],
      ['COMM-1', 'talkOver:10'],
      ['CLOSE-2', 'callback:10,3'],
    ]);
  });

  it('fills missing thresholds with their defaults and drops unknown ones', () => {
    const parsed = parseRubricDefinition(withBinding({ check: 'answerAndGreeting', params: { answerSec: 15, colour: 3 } }));
    expect(parsed.ok).to.equal(true);
    const c = (parsed as { definition: RubricDefinition }).definition.sections[0]!.criteria[0]!;
    expect(c.autoCheck).to.deep.equal({ check: 'answerAndGreeting', params: { answerSec: 15, greetingSec: 3 } });
  });

  it('refuses an unknown check and a threshold out of range, naming the criterion and the field', () => {
    const bad = parseRubricDefinition(withBinding({ check: 'mindReading' }));
    expect(bad.ok).to.equal(false);
    expect((bad as { errors: { path: string; key: string }[] }).errors[0]).to.deep.include({ path: 'sections.0.criteria.0.autoCheck.check', key: 'checks.binding.unknownCheck' });
    const range = parseRubricDefinition(withBinding({ check: 'silence', params: { maxSec: 0 } }));
    expect((range as { errors: { path: string; key: string; params?: unknown }[] }).errors[0]).to.deep.include({ path: 'sections.0.criteria.0.autoCheck.params.maxSec', key: 'checks.binding.paramOutOfRange', params: { code: 'OPEN-1' } });
    const fraction = parseRubricDefinition(withBinding({ check: 'callback', params: { maxAttempts: 2.5 } }));
    expect(fraction.ok).to.equal(false);
  });

  it('travels with a draft copy and through the JSON export and import', () => {
    const parsed = parseRubricDefinition(defaultRubricDefinition());
    const definition = (parsed as { definition: RubricDefinition }).definition;
    const copy = deriveDraft(definition);
    expect(bindingsOf(copy)).to.deep.equal(bindingsOf(definition));
    const imported = parseRubricImport(rubricJsonExport({ name: 'Copy' }, definition));
    expect(imported.ok).to.equal(true);
    expect(bindingsOf((imported as { definition: RubricDefinition }).definition)).to.deep.equal(bindingsOf(definition));
  });

  it('reads the builder form: the chosen check and its own thresholds, with a decimal comma', () => {
    const body = { code: 'OPEN-1', autoCheck: { check: 'silence', params: { silence: { maxSec: '20,5' }, talkOver: { maxSec: '4' } } } };
    expect(criterionFromForm(body).autoCheck).to.deep.equal({ check: 'silence', params: { maxSec: 20.5 } });
    expect(criterionFromForm({ code: 'OPEN-1', autoCheck: { check: '' } }).autoCheck).to.equal(undefined);
  });

  it('gives one key per check and thresholds, and reads it back', () => {
    expect(bindingKey({ check: 'silence', params: { maxSec: 15.0 } })).to.equal('silence:15');
    expect(parseBindingKey('callback:10,3')).to.deep.equal({ check: 'callback', params: { withinMin: 10, maxAttempts: 3 } });
    expect(parseBindingKey('callback:10')).to.equal(null);
    expect(parseBindingKey('nothing:1')).to.equal(null);
  });

  it('every check, threshold, builder option and binding error has a translation in every language', () => {
    const resources = loadResources();
    for (const lang of ['uz', 'ru', 'en'] as const) {
      const checks = (resources[lang] as { checks: Record<string, Record<string, unknown>> }).checks;
      for (const id of CHECK_IDS) {
        expect(checks.check![id], `${lang} check.${id}`).to.be.a('string');
        expect((checks.builder!.option as Record<string, string>)[id], `${lang} builder.option.${id}`).to.be.a('string');
        for (const p of CHECKS[id].params) expect((checks.param as Record<string, unknown>)[p.name], `${lang} param.${p.name}`).to.be.a('string');
      }
      for (const key of Object.values(CHECK_BINDING_ERROR_KEYS)) expect(checks.binding![key.split('.')[2]!], `${lang} ${key}`).to.be.a('string');
    }
  });
});
