// Uzbek Latin → Uzbek Cyrillic, for the fourth interface language (uz-Cyrl): the Cyrillic locale is
// made from the Latin one when the locales load, never copied by hand, so it follows every change.
// The rules are those of the 1995 alphabet read backwards:
//   o‘ → ў, g‘ → ғ (any apostrophe: ' ‘ ’ ʻ ` ʼ), sh → ш, ch → ч, yo → ё, yu → ю, ya → я,
//   ye → е (ъе after a consonant: obyekt → объект), e → э at the start of a word and after a vowel,
//   ts → ц at the start of a word and in -tsiya/-tsion, s'h → сҳ, any other apostrophe between
//   letters → ъ (ma'lumot → маълумот), and the other letters one for one (q → қ, h → ҳ, x → х, j → ж).
// Loanwords whose Cyrillic spelling the rules cannot know (a soft sign, ц written as s) come from a
// short dictionary. Placeholders ({{count}}), markup in angle brackets, acronyms (CSV, SMS), tokens
// with digits, technical English words and one-letter variables before "=" or "<" stay as they are.
// Pure; no Node or DOM imports.

const APOSTROPHES = /['‘’ʻ`ʼ]/;
const LETTER = /[A-Za-z'‘’ʻ`ʼ]/;

const SINGLE: Record<string, string> = {
  a: 'а', b: 'б', c: 'ц', d: 'д', e: 'е', f: 'ф', g: 'г', h: 'ҳ', i: 'и', j: 'ж', k: 'к', l: 'л', m: 'м', n: 'н', o: 'о', p: 'п',
  q: 'қ', r: 'р', s: 'с', t: 'т', u: 'у', v: 'в', w: 'в', x: 'х', y: 'й', z: 'з',
};

/** Words the rules get wrong: Russian loanwords with ь, ц written as s, and the like (lower case). */
export const LOANWORDS: Record<string, string> = {
  yanvar: 'январь', fevral: 'февраль', aprel: 'апрель', iyun: 'июнь', iyul: 'июль', sentyabr: 'сентябрь', oktyabr: 'октябрь', noyabr: 'ноябрь', dekabr: 'декабрь',
  kompyuter: 'компьютер', sentr: 'центр', sex: 'цех', konsert: 'концерт', rayon: 'район', rayoni: 'райони', litsenziya: 'лицензия', litsey: 'лицей',
  tendensiya: 'тенденция', stansiya: 'станция', funksiya: 'функция', funksiyasi: 'функцияси', aksiya: 'акция', reaksiya: 'реакция', instansiya: 'инстанция',
  distansiya: 'дистанция', konferensiya: 'конференция', kvitansiya: 'квитанция', sertifikat: 'сертификат', signal: 'сигнал', sifr: 'сифр',
  budjet: 'бюджет', byudjet: 'бюджет', medal: 'медаль', model: 'модель', modeli: 'модели', fayl: 'файл', portfel: 'портфель',
};

/** Latin words kept as they are (product names and protocol words inside Uzbek sentences; lower case). */
const KEEP_LATIN = new Set(['excel', 'google', 'sheets', 'libreoffice', 'chrome', 'chromium', 'windows', 'authorization', 'bearer', 'seed', 'wavesurfer', 'opus', 'webm']);

function isUpper(s: string): boolean {
  return s !== s.toLowerCase() && s === s.toUpperCase();
}

/** Gives the Cyrillic the case of the Latin it came from (first letter only, or all). */
function withCase(latin: string, cyr: string): string {
  if (latin.length > 1 && isUpper(latin)) return cyr.toUpperCase();
  if (isUpper(latin[0]!)) return cyr[0]!.toUpperCase() + cyr.slice(1);
  return cyr;
}

/** One word of Latin letters and apostrophes. */
function word(w: string): string {
  const lower = w.toLowerCase().replace(/['‘’ʻ`ʼ]/g, "'");
  if (LOANWORDS[lower]) return withCase(w, LOANWORDS[lower]);
  const stem = lower.split("'")[0]!;
  // A product name keeps its Latin; an Uzbek ending after the apostrophe is transliterated (Sheets'da → Sheets'да).
  if (KEEP_LATIN.has(stem)) return stem.length < w.length - 1 ? w.slice(0, stem.length + 1) + word(w.slice(stem.length + 1)) : w;
  if (w.length >= 2 && isUpper(w.replace(APOSTROPHES, ''))) return w; // CSV, SMS, ID
  const out: string[] = [];
  // Does a vowel (or the word's start) come right before? Decides e/э and ye/ъе.
  const prevVowel = () => out.length === 0 || /[аеиоуўэюяё]$/i.test(out[out.length - 1]!);
  for (let i = 0; i < w.length; ) {
    const c = w[i]!;
    const l = lower[i]!;
    const next = lower[i + 1] ?? '';
    const next2 = lower[i + 2] ?? '';
    const emit = (latin: string, cyr: string, len: number) => {
      out.push(withCase(latin, cyr));
      i += len;
    };
    if (l === "'") {
      // o‘/g‘ were taken with their letter; s'h keeps s and h apart; any other is the hard sign.
      if (out.length && i + 1 < w.length && lower[i - 1] === 's' && next === 'h') {
        i += 1;
        continue;
      }
      if (out.length && i + 1 < w.length) out.push('ъ');
      i += 1;
      continue;
    }
    if (l === 'o' && next === "'") { emit(c, 'ў', 2); continue; }
    if (l === 'g' && next === "'") { emit(c, 'ғ', 2); continue; }
    if (l === 's' && next === 'h') { emit(w.slice(i, i + 2), 'ш', 2); continue; }
    if (l === 'c' && next === 'h') { emit(w.slice(i, i + 2), 'ч', 2); continue; }
    if (l === 't' && next === 's' && (out.length === 0 || (next2 === 'i' && /^(ya|on|al)/.test(lower.slice(i + 3))))) { emit(w.slice(i, i + 2), 'ц', 2); continue; }
    if (l === 'y') {
      if (next === 'o' && next2 === "'") { emit(c, 'й', 1); continue; } // yo‘l → йўл
      const iot: Record<string, string> = { o: 'ё', u: 'ю', a: 'я', e: 'е' };
      if (iot[next]) {
        // ye after a consonant keeps its y-sound with the hard sign: obyekt → объект.
        if (next === 'e' && !prevVowel()) out.push('ъ');
        emit(w.slice(i, i + 2), iot[next]!, 2);
        continue;
      }
    }
    if (l === 'e') { emit(c, prevVowel() ? 'э' : 'е', 1); continue; }
    const single = SINGLE[l];
    if (single) { emit(c, single, 1); continue; }
    out.push(c);
    i += 1;
  }
  return out.join('');
}

/** Transliterates a text, leaving placeholders, markup, acronyms, numbers and technical tokens alone. */
export function latinToCyrillic(text: string): string {
  // Protected spans first: {{placeholders}}, <markup>, URLs and paths.
  return text
    .split(/(\{\{[^}]*\}\}|<[^>]*>|https?:\/\/\S+|\b[\w.-]+\/[\w./-]+)/)
    .map((part, i) => (i % 2 ? part : prose(part)))
    .join('');
}

function prose(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (!/[A-Za-z]/.test(text[i]!)) {
      out += text[i];
      i += 1;
      continue;
    }
    let j = i;
    while (j < text.length && LETTER.test(text[j]!)) j++;
    // A trailing apostrophe is a closing quote, not part of the word.
    while (j > i + 1 && APOSTROPHES.test(text[j - 1]!) && !/[oOgG]/.test(text[j - 2]!)) j--;
    const token = text.slice(i, j);
    const before = text[i - 1] ?? '';
    const after = text.slice(j);
    // Tokens glued to digits or underscores (v2, OPEN-1's code, snake_case) and one-letter variables in formulas.
    const technical = /[\d_]/.test(before) || /^[\d_]/.test(after) || (token.length <= 2 && /^\s*[=<>]/.test(after));
    out += technical ? token : word(token);
    i = j;
  }
  return out;
}

/** Parts of the locale kept as written: the languages' own names (the switch shows each in its own script). */
export const KEEP_AS_WRITTEN = ['common.languageName'];

/** A locale tree with every string transliterated (keys unchanged). */
export function transliterateTree<T>(tree: T, at = ''): T {
  if (KEEP_AS_WRITTEN.includes(at)) return tree;
  if (typeof tree === 'string') return latinToCyrillic(tree) as T;
  if (Array.isArray(tree)) return tree.map((v) => transliterateTree(v, at)) as T;
  if (tree && typeof tree === 'object') return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, transliterateTree(v, at ? `${at}.${k}` : k)])) as T;
  return tree;
}
