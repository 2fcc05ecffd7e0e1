import { expect } from 'chai';
import { latinToCyrillic as cyr, transliterateTree } from '../../../src/i18n/transliterate';
import { pickLocalized } from '../../../src/i18n';

describe('i18n/transliterate: Uzbek Latin to Cyrillic', () => {
  it('writes the apostrophe letters o‘ and g‘ as ў and ғ, whichever apostrophe the text uses', () => {
    expect(cyr("O'zbekiston")).to.equal('Ўзбекистон');
    expect(cyr('Oʻzbekiston')).to.equal('Ўзбекистон');
    expect(cyr('qo‘ng‘iroq')).to.equal('қўнғироқ');
    expect(cyr("g'oya, tog'")).to.equal('ғоя, тоғ');
    expect(cyr("G'alaba")).to.equal('Ғалаба');
  });

  it('turns any other apostrophe between letters into the hard sign, and keeps s and h apart in s‘h', () => {
    expect(cyr("ma'lumotnoma, ta'lim, san'at")).to.equal('маълумотнома, таълим, санъат');
    expect(cyr("e'tiroz")).to.equal('эътироз');
    expect(cyr("Is'hoq")).to.equal('Исҳоқ');
  });

  it('writes sh and ch as one letter, ng as two', () => {
    expect(cyr('Shahar, choy, tong')).to.equal('Шаҳар, чой, тонг');
    expect(cyr('SHAHAR')).to.equal('SHAHAR'); // an all-capitals word is taken for an acronym
  });

  it('writes e as э at the start of a word and after a vowel, else е', () => {
    expect(cyr('Elektron ekspert')).to.equal('Электрон эксперт');
    expect(cyr('poeziya aeroport')).to.equal('поэзия аэропорт');
    expect(cyr('kelmoqda')).to.equal('келмоқда');
  });

  it('writes yo, yu, ya, ye as ё, ю, я, е (ъе after a consonant), and yo‘ as йў', () => {
    expect(cyr('yoki ayol yubor qoya')).to.equal('ёки аёл юбор қоя');
    expect(cyr('Yer yetkazib, qayerda')).to.equal('Ер етказиб, қаерда');
    expect(cyr('obyekt, subyekt')).to.equal('объект, субъект');
    expect(cyr("Yo'q, yo'l")).to.equal('Йўқ, йўл');
    expect(cyr("ko'ryapsiz, menyu")).to.equal('кўряпсиз, меню');
  });

  it('writes ts as ц at the start of a word and in -tsiya, but not where a suffix meets a stem (ketsa)', () => {
    expect(cyr('tsement')).to.equal('цемент');
    expect(cyr('Autentifikatsiya, operatsiya')).to.equal('Аутентификация, операция');
    expect(cyr('ketsa, aytsa')).to.equal('кетса, айтса');
    expect(cyr('sessiya, versiya, tavsiya')).to.equal('сессия, версия, тавсия');
  });

  it('takes Russian loanwords from its dictionary (soft sign, ц written as s)', () => {
    expect(cyr('Oktyabr, kompyuter')).to.equal('Октябрь, компьютер');
    expect(cyr('tendensiya, stansiya, funksiya')).to.equal('тенденция, станция, функция');
    expect(cyr('sentr')).to.equal('центр');
  });

  it('maps the other letters one for one: q → қ, h → ҳ, x → х, j → ж', () => {
    expect(cyr('Xizmat haqida jadval')).to.equal('Хизмат ҳақида жадвал');
    expect(cyr('u keldi')).to.equal('у келди');
  });

  it('leaves placeholders, markup, acronyms, codes, product names and formula variables alone', () => {
    expect(cyr('{{count}} ta baholash, {{name}}')).to.equal('{{count}} та баҳолаш, {{name}}');
    expect(cyr('CSV fayl, OPEN-1 mezoni, v2 versiya')).to.equal('CSV файл, OPEN-1 мезони, v2 версия');
    expect(cyr('Authorization: Bearer <token> sarlavhasi')).to.equal('Authorization: Bearer <token> сарлавҳаси');
    expect(cyr('multipart/form-data ko‘rinishida')).to.equal('multipart/form-data кўринишида');
    expect(cyr("Excel yoki Google Sheets'da")).to.equal("Excel ёки Google Sheets'да");
    expect(cyr("p < 0,05 bo'lsa, t = {{t}}")).to.equal('p < 0,05 бўлса, t = {{t}}');
    expect(cyr('Ольга Ким')).to.equal('Ольга Ким');
  });

  it('transliterates every string of a locale tree and keeps its keys and the languages’ own names', () => {
    const tree = { common: { languageName: { uz: "O'zbekcha" }, yes: 'Ha' }, calls: { title: "Qo'ng'iroqlar" } };
    expect(transliterateTree(tree)).to.deep.equal({ common: { languageName: { uz: "O'zbekcha" }, yes: 'Ҳа' }, calls: { title: 'Қўнғироқлар' } });
  });

  it('gives data stored in Latin Uzbek (rubric texts, region names) in Cyrillic to a Cyrillic reader', () => {
    const names = { uz: "Qoraqalpog'iston Respublikasi", ru: 'Республика Каракалпакстан', en: 'Republic of Karakalpakstan' };
    expect(pickLocalized(names, 'uz-Cyrl')).to.equal('Қорақалпоғистон Республикаси');
    expect(pickLocalized(names, 'uz')).to.equal("Qoraqalpog'iston Respublikasi");
  });
});
