import { expect } from 'chai';
import { metadataFromUploadForm, parseCallMetadata, parseMetadataJson } from '../../../src/features/calls/calls.schema';
import { normaliseServices } from '../../../src/features/calls/calls.model';

const valid = { externalId: 'TEL-1', startedAt: '2026-11-24T09:15:00+05:00', operatorCode: 'OP-101', language: 'uz' };

function fieldsOf(raw: unknown) {
  const r = parseCallMetadata(raw);
  if (r.ok) throw new Error('expected field errors');
  return Object.fromEntries(r.fields.map((f) => [f.field, f.key]));
}

describe('call metadata (API and upload form)', () => {
  it('normalises a minimal call: UTC instant, telephony source, voice, not dropped, no services', () => {
    const r = parseCallMetadata(valid);
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.value).to.deep.include({ source: 'telephony', externalId: 'TEL-1', startedAt: '2026-11-24T04:15:00.000Z', channel: 'voice', dropped: false, services: [] });
  });

  it('takes services as a list or a comma string, maps 1050 to 101 and drops repeats', () => {
    const r = parseCallMetadata({ ...valid, services: '103, 1050,102,103' });
    expect(r.ok && r.value.services).to.deep.equal(['101', '102', '103']);
    expect(normaliseServices([104, '1146', 'x'].map(String))).to.deep.equal({ services: ['104', '1146'], unknown: ['x'] });
  });

  it('names every bad field with an i18n key', () => {
    expect(fieldsOf({ startedAt: '2026-11-24 09:15', operatorCode: '', language: 'fr', channel: 'fax', category: 'alien', services: ['105'], dropped: 'yes', callerNumber: 'abc', durationSec: -1, extra: [1] })).to.deep.equal({
      externalId: 'calls.metadata.required',
      startedAt: 'calls.metadata.instantInvalid',
      operatorCode: 'calls.metadata.required',
      language: 'calls.metadata.languageInvalid',
      channel: 'calls.metadata.channelInvalid',
      category: 'calls.metadata.categoryInvalid',
      services: 'calls.metadata.servicesInvalid',
      dropped: 'calls.metadata.droppedInvalid',
      callerNumber: 'calls.metadata.callerNumberInvalid',
      durationSec: 'calls.metadata.durationInvalid',
      extra: 'calls.metadata.extraInvalid',
    });
  });

  it('refuses fields it does not know, naming each, and times before the start', () => {
    expect(fieldsOf({ ...valid, colour: 'red', size: 1 })).to.include({ colour: 'calls.metadata.unknownField', size: 'calls.metadata.unknownField' });
    expect(fieldsOf({ ...valid, endedAt: '2026-11-24T09:00:00+05:00' })).to.deep.equal({ endedAt: 'calls.metadata.beforeStart' });
  });

  it('refuses extra fields over 16 KB and an external id with spaces', () => {
    expect(fieldsOf({ ...valid, extra: { blob: 'x'.repeat(17000) } })).to.deep.equal({ extra: 'calls.metadata.extraTooLarge' });
    expect(fieldsOf({ ...valid, externalId: 'has space' })).to.deep.equal({ externalId: 'calls.metadata.externalIdInvalid' });
  });

  it('refuses metadata that is missing, not JSON, or not an object', () => {
    const key = (text: unknown) => {
      const r = parseMetadataJson(text);
      return r.ok ? null : r.fields[0]!.key;
    };
    expect(key(undefined)).to.equal('calls.metadata.missing');
    expect(key('{nope')).to.equal('calls.metadata.notJson');
    expect(key('[1,2]')).to.equal('calls.metadata.notObject');
    expect(key(JSON.stringify(valid))).to.equal(null);
  });

  it('reads the upload form in Tashkent time, with a generated id when none is typed', () => {
    const raw = metadataFromUploadForm({ startedAt: '2026-11-24T09:15', operatorCode: 'OP-101', language: 'ru', services: '103', dropped: '1', externalId: '' }, 'upload-20261124-abc');
    const r = parseCallMetadata(raw);
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.value).to.deep.include({ source: 'upload', externalId: 'upload-20261124-abc', startedAt: '2026-11-24T04:15:00.000Z', language: 'ru', dropped: true, services: ['103'] });
    const bad = parseCallMetadata(metadataFromUploadForm({ startedAt: '24.11.2026', operatorCode: 'OP-1', language: 'uz' }, 'g'));
    expect(!bad.ok && bad.fields[0]).to.deep.include({ field: 'startedAt', key: 'calls.metadata.instantInvalid' });
  });
});
