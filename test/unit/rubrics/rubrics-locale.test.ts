import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FILE_LANGUAGES as LANGUAGES, LOCALES_DIR, translator } from '../../../src/i18n';
import { entries, entryPlaceholders, flatten as flattenTree, type Tree } from '../../helpers/locales';
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

// Plural forms (key_one, key_few…) grouped under their base key, as i18next reads them.
const bases = Object.fromEntries(LANGUAGES.map((l) => [l, entries(flattenTree(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, l, 'rubrics.json'), 'utf8')) as Tree, 'rubrics'))]));

describe('rubrics translations', () => {
  it('have the same keys in Uzbek, Russian and English', () => {
    expect([...bases.ru!.keys()].sort()).to.deep.equal([...bases.uz!.keys()].sort());
    expect([...bases.en!.keys()].sort()).to.deep.equal([...bases.uz!.keys()].sort());
  });

  it('use the same placeholders in every language', () => {
    for (const [key, uz] of bases.uz!) {
      expect(entryPlaceholders(bases.ru!.get(key)!), `ru ${key}`).to.deep.equal(entryPlaceholders(uz));
      expect(entryPlaceholders(bases.en!.get(key)!), `en ${key}`).to.deep.equal(entryPlaceholders(uz));
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
