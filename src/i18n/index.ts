// i18next with one JSON file per feature and language: locales/<lang>/<feature>.json holds the keys
// under "<feature>.", so features add their strings without touching each other's files. Uzbek in
// Cyrillic (uz-Cyrl) has no files: it is made from the Latin locale when the locales load
// (transliterate.ts). Counted nouns use i18next plurals: key_one / key_other (Russian also
// key_few / key_many), chosen by Intl.PluralRules from the `count` parameter.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { i18n as I18n, TFunction } from 'i18next';
import { latinToCyrillic, transliterateTree } from './transliterate';

/** Interface languages, in the order the language switch offers them. */
export const LANGUAGES = ['uz', 'uz-Cyrl', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** The languages written in locale files; the others are derived from them. */
export const FILE_LANGUAGES = ['uz', 'ru', 'en'] as const;
export const DEFAULT_LANGUAGE: Language = 'uz';
export const LOCALES_DIR = path.join(__dirname, 'locales');

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

export type Resources = Record<Language, Record<string, unknown>>;

export function loadResources(dir = LOCALES_DIR): Resources {
  const out = {} as Resources;
  for (const lang of FILE_LANGUAGES) {
    const tree: Record<string, unknown> = {};
    const langDir = path.join(dir, lang);
    for (const file of fs.readdirSync(langDir).filter((f) => f.endsWith('.json')).sort()) {
      tree[path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(langDir, file), 'utf8'));
    }
    out[lang] = tree;
  }
  out['uz-Cyrl'] = transliterateTree(out.uz);
  return out;
}

let instance: I18n | null = null;

export function getI18n(): I18n {
  if (instance) return instance;
  const resources = loadResources();
  const i = i18next.createInstance();
  void i.init({
    initAsync: false,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: resources[l] }])),
    // EJS escapes on output; escaping here too would show &amp; to the user.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  instance = i;
  return i;
}

export type Translate = (key: string, params?: Record<string, unknown>) => string;

const translators = new Map<Language, Translate>();

/**
 * t() for one language, made once per language. A key asked without parameters (most of a page's
 * labels) is looked up in i18next once and remembered: the evaluation page alone asks for a few
 * hundred, and the locales never change while the app runs.
 */
export function translator(lang: Language): Translate {
  const made = translators.get(lang);
  if (made) return made;
  const t: TFunction = getI18n().getFixedT(lang);
  const plain = new Map<string, string>();
  const tr: Translate = (key, params) => {
    if (params && Object.keys(params).length) return t(key, params) as string;
    let v = plain.get(key);
    if (v === undefined) plain.set(key, (v = t(key, {}) as string));
    return v;
  };
  translators.set(lang, tr);
  return tr;
}

const cyrillicCache = new Map<string, string>();

/**
 * Picks the localized member of {uz, ru, en} objects stored in data (rubric texts, region names);
 * Cyrillic Uzbek is the Latin text transliterated.
 */
export function pickLocalized(texts: Partial<Record<Language, string>> | null | undefined, lang: Language): string {
  if (!texts) return '';
  if (lang === 'uz-Cyrl' && !texts[lang] && texts.uz) {
    let cyr = cyrillicCache.get(texts.uz);
    if (cyr === undefined) {
      cyr = latinToCyrillic(texts.uz);
      if (cyrillicCache.size > 5000) cyrillicCache.clear();
      cyrillicCache.set(texts.uz, cyr);
    }
    return cyr;
  }
  return texts[lang] || texts.uz || texts.ru || texts.en || '';
}

/** BCP 47 tags for Intl (numbers, plurals); also what the browser scripts format with. */
export const LOCALE_TAGS: Record<Language, string> = { uz: 'uz-Latn-UZ', 'uz-Cyrl': 'uz-Cyrl-UZ', ru: 'ru-RU', en: 'en-GB' };

/** Every date as dd.mm.yyyy and every time as 24-hour hh:mm, in Asia/Tashkent, whatever the language. */
const dateTimeFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit' });
const timeFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Tashkent', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A Tashkent day (YYYY-MM-DD) as it is written and typed: dd.mm.yyyy. Anything else is returned as is. */
export function dayForInput(isoDay: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDay ?? '');
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (isoDay ?? '');
}

/** A local date-time (YYYY-MM-DDTHH:MM) as it is typed: dd.mm.yyyy hh:mm. Anything else as is. */
export function dateTimeForInput(local: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(local ?? '');
  return m ? `${m[3]}.${m[2]}.${m[1]} ${m[4]}:${m[5]}` : (local ?? '');
}

const formatterCache = new Map<Language, ReturnType<typeof makeFormatters>>();

/** Formatting in the user's language and Asia/Tashkent time (made once per language). */
export function formatters(lang: Language) {
  let f = formatterCache.get(lang);
  if (!f) formatterCache.set(lang, (f = makeFormatters(lang)));
  return f;
}

function makeFormatters(lang: Language) {
  const tag = LOCALE_TAGS[lang];
  const number = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  const fixed = new Map<number, Intl.NumberFormat>();
  const fixedFormat = (digits: number) => {
    let nf = fixed.get(digits);
    if (!nf) fixed.set(digits, (nf = new Intl.NumberFormat(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
    return nf;
  };
  return {
    dateTime: (v: string | Date | null | undefined) => (v ? dateTimeFormat.format(new Date(v)) : '—'),
    date: (v: string | Date | null | undefined) => (v ? dateFormat.format(typeof v === 'string' && v.length === 10 ? new Date(`${v}T12:00:00Z`) : new Date(v)) : '—'),
    /** hh:mm in Tashkent. */
    time: (v: string | Date | null | undefined) => (v ? timeFormat.format(new Date(v)) : '—'),
    /** A Tashkent day as a date field shows it (dd.mm.yyyy). */
    dayInput: dayForInput,
    /** A local date-time as a date-time field shows it (dd.mm.yyyy hh:mm). */
    dateTimeInput: dateTimeForInput,
    number: (v: number | null | undefined, digits?: number) => (v == null || Number.isNaN(v) ? '—' : digits == null ? number.format(v) : fixedFormat(digits).format(v)),
    /** A length or a moment in a recording, m:ss or h:mm:ss, whole seconds cut (as the player shows them). */
    duration: (sec: number | null | undefined) => {
      if (sec == null) return '—';
      const s = Math.floor(sec + 1e-6);
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const r = s % 60;
      return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
    },
  };
}
export type Formatters = ReturnType<typeof formatters>;
