import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { LANGUAGES, LOCALES_DIR, translator } from '../../../src/i18n';
import { ERROR_CATEGORIES, RUBRIC_DEFINITION_ERROR_KEYS, RUBRIC_IMPORT_ERROR_KEYS, SEVERITIES } from '../../../src/features/rubrics/rubric.model';

function flatten(tree: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (v && typeof v === 'object') Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = String(v);
  }
  return out;
}

const files = Object.fromEntries(LANGUAGES.map((l) => [l, flatten(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, l, 'rubrics.json'), 'utf8')), 'rubrics.')]));
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('rubrics translations', () => {
  it('have the same keys in Uzbek, Russian and English', () => {
    expect(Object.keys(files.ru).sort()).to.deep.equal(Object.keys(files.uz).sort());
    expect(Object.keys(files.en).sort()).to.deep.equal(Object.keys(files.uz).sort());
  });

  it('use the same placeholders in every language', () => {
    for (const key of Object.keys(files.uz)) {
      expect(placeholders(files.ru[key]), `ru ${key}`).to.deep.equal(placeholders(files.uz[key]));
      expect(placeholders(files.en[key]), `en ${key}`).to.deep.equal(placeholders(files.uz[key]));
    }
  });

  it('translate every error key of the rubric model, every error category and every severity', () => {
    const keys = [
      ...Object.values(RUBRIC_DEFINITION_ERROR_KEYS),
      ...Object.values(RUBRIC_IMPORT_ERROR_KEYS),
      ...ERROR_CATEGORIES.map((c) => `rubrics.category.${c}`),
      ...SEVERITIES.map((s) => `rubrics.severity.${s}`),
    ];
    for (const lang of LANGUAGES) {
      for (const key of keys) expect(files[lang], `${lang} ${key}`).to.have.property(key).that.is.a('string').and.not.empty;
    }
  });

  it('are loaded by the translator (a key comes back translated, not as itself)', () => {
    expect(translator('uz')('rubrics.definition.duplicateCode', { code: 'OPEN-1' })).to.equal('OPEN-1 kodi boshqa mezonda allaqachon ishlatilgan.');
    expect(translator('ru')('rubrics.severity.critical')).to.equal('Критическая');
  });
});
