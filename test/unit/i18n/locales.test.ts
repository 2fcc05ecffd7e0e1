import { expect } from 'chai';
import { loadResources, LANGUAGES } from '../../../src/i18n';

type Tree = Record<string, unknown>;
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (v && typeof v === 'object') for (const [kk, vv] of flatten(v as Tree, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, String(v));
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('locale files', () => {
  const resources = loadResources();
  const flat = Object.fromEntries(LANGUAGES.map((l) => [l, flatten(resources[l])]));

  it('every language has every key that another language has', () => {
    const all = new Set(LANGUAGES.flatMap((l) => [...flat[l].keys()]));
    const missing: string[] = [];
    for (const l of LANGUAGES) for (const k of all) if (!flat[l].has(k)) missing.push(`${l}: ${k}`);
    expect(missing, missing.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('every translation uses the same placeholders as the others', () => {
    const wrong: string[] = [];
    for (const [k, uz] of flat.uz) {
      for (const l of LANGUAGES) {
        const v = flat[l].get(k);
        if (v !== undefined && placeholders(v).join() !== placeholders(uz).join()) wrong.push(`${l}: ${k} (${placeholders(v)} vs uz ${placeholders(uz)})`);
      }
    }
    expect(wrong, wrong.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('no translation is empty', () => {
    const empty = LANGUAGES.flatMap((l) => [...flat[l]].filter(([, v]) => !v.trim()).map(([k]) => `${l}: ${k}`));
    expect(empty).to.deep.equal([]);
  });

  it('the comparison catches a missing key and a wrong placeholder (the check itself works)', () => {
    const a = flatten({ x: { y: 'Hello {{name}}' } });
    const b = flatten({ x: { y: 'Salom {{nom}}' } });
    expect([...a.keys()]).to.deep.equal(['x.y']);
    expect(placeholders(a.get('x.y')!)).to.not.deep.equal(placeholders(b.get('x.y')!));
  });
});
