// Reading the locale files the way i18next does: flattened dotted keys, plural forms grouped under
// their base key (key_one, key_few, key_many, key_other → key), the categories each language needs
// from Intl.PluralRules. Shared by the locale tests.
export type Tree = { [k: string]: string | Tree };

export const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

export function flatten(tree: Tree, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

export const placeholders = (s: string) => [...new Set([...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))].sort();

export interface Entry {
  /** The plural forms by category, or null for a plain string. */
  forms: Map<string, string> | null;
  plain: string | null;
}

/** Base key → its plain value and/or plural forms. */
export function entries(flat: Map<string, string>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [key, value] of flat) {
    const m = PLURAL_SUFFIX.exec(key);
    const base = m ? key.slice(0, m.index) : key;
    const e = out.get(base) ?? { forms: null, plain: null };
    if (m) (e.forms ??= new Map()).set(m[1]!, value);
    else e.plain = value;
    out.set(base, e);
  }
  return out;
}

/** The plural categories i18next asks for in a language (Intl.PluralRules). */
export function pluralCategories(lang: string): string[] {
  return [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
}

/** Every placeholder of an entry (the union over its forms). */
export function entryPlaceholders(e: Entry): string[] {
  return [...new Set([...(e.plain !== null ? placeholders(e.plain) : []), ...[...(e.forms?.values() ?? [])].flatMap(placeholders)])].sort();
}
