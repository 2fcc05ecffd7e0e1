// The calls and media locale files: the same keys and placeholders in uz, ru and en, and every
// calls.* / media.* key the code and views use exists.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { LOCALES_DIR, FILE_LANGUAGES as LANGUAGES } from '../../../src/i18n';
import { entries, entryPlaceholders } from '../../helpers/locales';
import { CALL_CARD_FIELDS } from '../../../src/features/calls/call-card';
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_LANGUAGES, CALL_SERVICES } from '../../../src/features/calls/calls.model';
import { CALL_SORTS } from '../../../src/features/calls/calls.filters';

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix: string, out: Map<string, string> = new Map()): Map<string, string> {
  for (const [k, v] of Object.entries(tree)) {
    const key = `${prefix}.${k}`;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

function load(feature: string) {
  return Object.fromEntries(LANGUAGES.map((l) => [l, flatten(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, l, `${feature}.json`), 'utf8')) as Tree, feature)])) as Record<string, Map<string, string>>;
}


const ROOT = path.resolve(__dirname, '..', '..', '..');
function sources(): string {
  const files = [
    ...fs.readdirSync(path.join(ROOT, 'src/features/calls')).map((f) => path.join(ROOT, 'src/features/calls', f)),
    ...fs.readdirSync(path.join(ROOT, 'views/calls')).map((f) => path.join(ROOT, 'views/calls', f)),
  ];
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

describe('calls and media translations', () => {
  for (const feature of ['calls', 'media']) {
    it(`${feature}.json has the same keys and placeholders in uz, ru and en, none empty`, () => {
      const t = load(feature);
      // Plural forms (key_one, key_few…) count as their base key.
      const en = entries(t.en!);
      for (const lang of ['uz', 'ru']) {
        const other = entries(t[lang]!);
        expect([...other.keys()].sort(), lang).to.deep.equal([...en.keys()].sort());
        for (const [k, e] of en) expect(entryPlaceholders(other.get(k)!), `${lang} ${k}`).to.deep.equal(entryPlaceholders(e));
        for (const [k, v] of t[lang]!) expect(v.trim(), `${lang} ${k}`).not.to.equal('');
      }
    });
  }

  it('has a message for every reason the media module refuses a recording', () => {
    const probe = fs.readFileSync(path.join(ROOT, 'src/features/media/errors.ts'), 'utf8');
    const reasons = [...probe.matchAll(/'(media\.rejected\.\w+)'/g)].map((m) => m[1]!);
    expect(reasons.length).to.be.greaterThan(4);
    const en = load('media').en!;
    for (const r of new Set(reasons)) expect(en.has(r), r).to.equal(true);
  });

  it('has every calls.* key the code and the views name literally', () => {
    const en = new Set(entries(load('calls').en!).keys());
    const used = new Set([...sources().matchAll(/['"`](calls\.[a-zA-Z]+(?:\.[a-zA-Z0-9]+)+)['"`]/g)].map((m) => m[1]!));
    expect(used.size).to.be.greaterThan(50);
    const missing = [...used].filter((k) => !en.has(k));
    expect(missing).to.deep.equal([]);
  });

  it('has a label for every category, language, channel, service, sort and card field', () => {
    const en = load('calls').en!;
    const keys = [
      ...CALL_CATEGORIES.map((c) => `calls.category.${c}`),
      ...CALL_LANGUAGES.map((l) => `calls.language.${l}`),
      ...CALL_CHANNELS.map((c) => `calls.channel.${c}`),
      ...CALL_SERVICES.flatMap((s) => [`calls.service.${s}.short`, `calls.service.${s}.long`]),
      ...CALL_SORTS.map((s) => `calls.sort.${s}`),
      ...Object.keys(CALL_CARD_FIELDS).map((f) => `calls.card.field.${f}`),
      ...['none', 'queued', 'running', 'ready', 'failed'].map((s) => `calls.prepare.status.${s}`),
    ];
    expect(keys.filter((k) => !en.has(k))).to.deep.equal([]);
  });
});
