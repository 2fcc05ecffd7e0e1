import { expect } from 'chai';
import fc from 'fast-check';
import { jsonErrorOffset, parseRubricImport } from '../../../src/features/rubrics/rubric.model';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('finding where an import file stops being JSON', () => {
  it('points at the first character that breaks the grammar', () => {
    expect(jsonErrorOffset('{"a":1,}')).to.equal(7);
    expect(jsonErrorOffset('[1,2')).to.equal(4);
    expect(jsonErrorOffset('{"a" 1}')).to.equal(5);
    expect(jsonErrorOffset('[01]')).to.equal(2);
    expect(jsonErrorOffset('{} x')).to.equal(3);
  });

  it('gives the line and column of an error Node reports without a position', () => {
    const result = parseRubricImport('{\n  "format": "sifat.rubric",\n  "definition": { "sections": [ }\n}');
    expect(result).to.deep.equal({ ok: false, errors: [{ path: '', key: 'rubrics.import.malformedJson', params: { line: 3, column: 33 } }] });
  });

  it('agrees with JSON.parse on valid JSON and on every broken variant of it', () => {
    fc.assert(fc.property(fc.json(), fc.nat(), fc.constantFrom('', '}', ']', ',', '"', ':', 'x', '\n', '\\'), fc.boolean(), (json, at, insert, remove) => {
      expect(jsonErrorOffset(json)).to.equal(null);
      const i = at % (json.length + 1);
      const mutated = remove ? json.slice(0, i) + json.slice(i + 1) : json.slice(0, i) + insert + json.slice(i);
      expect(jsonErrorOffset(mutated) === null).to.equal(parses(mutated));
    }), { numRuns: 500 });
  });
});
