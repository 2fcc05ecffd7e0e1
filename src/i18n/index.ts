// i18next with one JSON file per feature and language: locales/<lang>/<feature>.json holds the keys
// under "<feature>.", so features add their strings without touching each other's files.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { i18n as I18n, TFunction } from 'i18next';

export const LANGUAGES = ['uz', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'uz';
export const LOCALES_DIR = path.join(__dirname, 'locales');

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

export type Resources = Record<Language, Record<string, unknown>>;

export function loadResources(dir = LOCALES_DIR): Resources {
  const out = {} as Resources;
  for (const lang of LANGUAGES) {
    const tree: Record<string, unknown> = {};
    const langDir = path.join(dir, lang);
    for (const file of fs.readdirSync(langDir).filter((f) => f.endsWith('.json')).sort()) {
      tree[path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(langDir, file), 'utf8'));
    }
    out[lang] = tree;
  }
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

export function translator(lang: Language): Translate {
  const t: TFunction = getI18n().getFixedT(lang);
  return (key, params) => t(key, params ?? {}) as string;
}

/** Picks the localized member of {uz, ru, en} objects stored in data (rubric texts, region names). */
export function pickLocalized(texts: Partial<Record<Language, string>> | null | undefined, lang: Language): string {
  if (!texts) return '';
  return texts[lang] || texts.uz || texts.ru || texts.en || '';
}

const localeTags: Record<Language, string> = { uz: 'uz-Latn-UZ', ru: 'ru-RU', en: 'en-GB' };

/** Formatting in the user's language and Asia/Tashkent time. */
export function formatters(lang: Language) {
  const tag = localeTags[lang];
  // Uzbek and Russian write dates as 25.11.2026 (Intl gives 25/11/2026 for uz).
  const dotted = lang !== 'en';
  const dtf = new Intl.DateTimeFormat(tag, { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const df = new Intl.DateTimeFormat(tag, { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit' });
  const dateTime = { format: (d: Date) => (dotted ? dtf.format(d).replace(/\//g, '.') : dtf.format(d)) };
  const date = { format: (d: Date) => (dotted ? df.format(d).replace(/\//g, '.') : df.format(d)) };
  const number = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  return {
    dateTime: (v: string | Date | null | undefined) => (v ? dateTime.format(new Date(v)) : '—'),
    date: (v: string | Date | null | undefined) => (v ? date.format(typeof v === 'string' && v.length === 10 ? new Date(`${v}T12:00:00Z`) : new Date(v)) : '—'),
    number: (v: number | null | undefined, digits?: number) =>
      v == null || Number.isNaN(v) ? '—' : digits == null ? number.format(v) : new Intl.NumberFormat(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v),
    duration: (sec: number | null | undefined) => {
      if (sec == null) return '—';
      const s = Math.round(sec);
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const r = s % 60;
      return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
    },
  };
}
export type Formatters = ReturnType<typeof formatters>;
