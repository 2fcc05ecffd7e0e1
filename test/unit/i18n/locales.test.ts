// The locale files: every language has every key with the same placeholders, none empty; counted
// nouns are written as i18next plurals with exactly the forms each language needs; and Uzbek in
// Cyrillic is the Latin locale transliterated (no file of its own).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FILE_LANGUAGES, LANGUAGES, LOCALES_DIR, loadResources, translator } from '../../../src/i18n';
import { entries, entryPlaceholders, flatten, placeholders, pluralCategories, PLURAL_SUFFIX, type Tree } from '../../helpers/locales';

/**
 * "{{count}} days", "{{count}} дней": a number followed by a word is a counted noun (en, ru), unless
 * the word does not change with the number ("{{count}} of", "{{count}} left", "{{count}} из").
 */
const NOT_COUNTED = new Set(['of', 'in', 'left', 'failed', 'changed', 'more', 'from', 'long', 'out', 'per', 'and', 'or', 'to', 'at', 'by', 'for', 'on', 'with', 'из', 'в', 'на', 'по', 'и', 'с', 'к', 'от', 'до', 'за', 'или']);
const COUNTED_NOUN = { test: (s: string) => [...s.matchAll(/\{\{count\}\}\s+(\p{L}+)/gu)].some((m) => !NOT_COUNTED.has(m[1]!.toLowerCase())) };

describe('locale files', () => {
  const resources = loadResources();
  const flat = Object.fromEntries(FILE_LANGUAGES.map((l) => [l, flatten(resources[l] as Tree)]));
  const byBase = Object.fromEntries(FILE_LANGUAGES.map((l) => [l, entries(flat[l]!)]));

  it('every language has every key that another language has (a plural counts as its base key)', () => {
    const all = new Set(FILE_LANGUAGES.flatMap((l) => [...byBase[l]!.keys()]));
    const missing: string[] = [];
    for (const l of FILE_LANGUAGES) for (const k of all) if (!byBase[l]!.has(k)) missing.push(`${l}: ${k}`);
    expect(missing, missing.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('every plural has exactly the forms its language needs (en, uz: one/other; ru: one/few/many/other), and no plain key beside it', () => {
    const wrong: string[] = [];
    const plural = new Set(FILE_LANGUAGES.flatMap((l) => [...byBase[l]!].filter(([, e]) => e.forms).map(([k]) => k)));
    for (const l of FILE_LANGUAGES) {
      const need = pluralCategories(l);
      for (const k of plural) {
        const e = byBase[l]!.get(k);
        if (!e) continue;
        if (e.plain !== null) wrong.push(`${l}: ${k} has a plain form beside its plural forms`);
        const have = [...(e.forms?.keys() ?? [])].sort();
        if (have.join() !== need.join()) wrong.push(`${l}: ${k} has ${have.join('/') || 'no plural forms'}, needs ${need.join('/')}`);
      }
    }
    expect(wrong, wrong.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('every translation uses the same placeholders as the others (a singular may leave out the count)', () => {
    const wrong: string[] = [];
    for (const [k, uz] of byBase.uz!) {
      const want = entryPlaceholders(uz);
      for (const l of FILE_LANGUAGES) {
        const e = byBase[l]!.get(k);
        if (!e) continue;
        if (entryPlaceholders(e).join() !== want.join()) wrong.push(`${l}: ${k} (${entryPlaceholders(e)} vs uz ${want})`);
        for (const [cat, v] of e.forms ?? []) {
          const others = placeholders(v);
          const expected = want.filter((p) => !(cat === 'one' && p === 'count'));
          if (!expected.every((p) => others.includes(p))) wrong.push(`${l}: ${k}_${cat} misses ${expected.filter((p) => !others.includes(p))}`);
        }
      }
    }
    expect(wrong, wrong.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('a number followed by a noun is written as a plural ("1 day", "2 days"; "1 день", "5 дней"), in English and Russian', () => {
    const wrong: string[] = [];
    for (const l of ['en', 'ru'] as const) {
      for (const [k, e] of byBase[l]!) if (e.plain !== null && COUNTED_NOUN.test(e.plain)) wrong.push(`${l}: ${k} = "${e.plain}" — write ${k}_one / ${k}_other${l === 'ru' ? ' / _few / _many' : ''}`);
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });

  it('no translation is empty', () => {
    const empty = FILE_LANGUAGES.flatMap((l) => [...flat[l]!].filter(([, v]) => !v.trim()).map(([k]) => `${l}: ${k}`));
    expect(empty).to.deep.equal([]);
  });

  it('the checks themselves catch a missing key, a wrong placeholder, a missing plural form and an unpluralised count', () => {
    const a = flatten({ x: { y: 'Hello {{name}}' } });
    const b = flatten({ x: { y: 'Salom {{nom}}' } });
    expect([...a.keys()]).to.deep.equal(['x.y']);
    expect(placeholders(a.get('x.y')!)).to.not.deep.equal(placeholders(b.get('x.y')!));
    const ru = entries(flatten({ d_one: '{{count}} день', d_other: '{{count}} дня' }));
    expect([...ru.get('d')!.forms!.keys()].sort()).to.not.deep.equal(pluralCategories('ru'));
    expect(COUNTED_NOUN.test('last {{count}} days')).to.equal(true);
    expect(COUNTED_NOUN.test('Errors: {{count}}')).to.equal(false);
    expect(PLURAL_SUFFIX.test('lastDays_few')).to.equal(true);
  });

  it('i18next picks the plural form by the count in each language', () => {
    expect(translator('en')('reports.filters.lastDays', { count: 1 })).to.equal('last 1 day');
    expect(translator('en')('reports.filters.lastDays', { count: 7 })).to.equal('last 7 days');
    expect(translator('ru')('reports.filters.lastDays', { count: 1 })).to.equal('последний 1 день');
    expect(translator('ru')('reports.filters.lastDays', { count: 3 })).to.equal('последние 3 дня');
    expect(translator('ru')('reports.filters.lastDays', { count: 30 })).to.equal('последние 30 дней');
    expect(translator('ru')('reports.filters.lastDays', { count: 21 })).to.equal('последний 21 день');
    expect(translator('uz')('reports.filters.lastDays', { count: 1 })).to.equal('oxirgi 1 kun');
    expect(translator('en')('training.list.summaryHeld', { count: 1 })).to.equal('training held');
  });

  it('has no locale file for Uzbek in Cyrillic: it is the Latin locale, transliterated, key for key', () => {
    expect(LANGUAGES).to.include('uz-Cyrl');
    expect(fs.existsSync(path.join(LOCALES_DIR, 'uz-Cyrl'))).to.equal(false);
    const latin = flatten(resources.uz as Tree);
    const cyr = flatten(resources['uz-Cyrl'] as Tree);
    expect([...cyr.keys()]).to.deep.equal([...latin.keys()]);
    for (const [k, v] of cyr) expect(placeholders(v), k).to.deep.equal(placeholders(latin.get(k)!));
    expect(translator('uz-Cyrl')('evaluations.list.title')).to.equal('Баҳолашлар');
    expect(translator('uz-Cyrl')('common.languageName.uz')).to.equal("O'zbekcha");
  });
});
