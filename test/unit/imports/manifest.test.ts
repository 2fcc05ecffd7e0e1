import { expect } from 'chai';
import {
  analyseHeader,
  baseName,
  buildOperatorMaps,
  buildRegionMap,
  differingColumns,
  findRegion,
  isBlankRow,
  ManifestError,
  normaliseCallerNumber,
  normaliseColumnName,
  parseBoolean,
  parseDurationSec,
  parseInstant,
  parseLanguage,
  recordingRejection,
  relativeRecordingPath,
  tashkentDayOf,
  toExcelCsv,
  uploadedFileName,
  validateRow,
  type CallDraft,
  type ExistingCall,
  type ReferenceData,
} from '../../../src/features/imports/imports.manifest';
import { tashkentDate } from '../../../src/time';

const NOW = new Date('2026-11-25T08:00:00Z');

function refs(): ReferenceData {
  return {
    ...buildOperatorMaps([{ id: 7, employeeCode: 'OP-101' }, { id: 8, employeeCode: 'OP-102' }]),
    regions: buildRegionMap([
      { id: 1, code: 'QR', names: { uz: "Qoraqalpog'iston Respublikasi", ru: 'Республика Каракалпакстан', en: 'Republic of Karakalpakstan' } },
      { id: 14, code: 'TK', names: { uz: 'Toshkent shahri', ru: 'город Ташкент', en: 'Tashkent City' } },
    ]),
    now: NOW,
    defaultSource: 'telephony',
  };
}

const COLUMNS = ['external_id', 'started_at', 'answered_at', 'ended_at', 'duration_sec', 'operator_code', 'caller_number', 'language', 'channel', 'category', 'services', 'region', 'dropped', 'callback_of', 'recording_file', 'extra.card_number'];
const header = analyseHeader(COLUMNS);

function row(values: Partial<Record<string, string>>): string[] {
  const base: Record<string, string> = { external_id: 'C-1', started_at: '2026-11-20 09:15:30', operator_code: 'OP-101' };
  const all = { ...base, ...values };
  return COLUMNS.map((c) => all[c] ?? '');
}

function problemsOf(values: Partial<Record<string, string>>) {
  const r = validateRow(row(values), 2, header, refs());
  return r.ok ? [] : r.problems;
}

describe('imports: the manifest header', () => {
  it('names every missing required column and refuses the whole manifest', () => {
    try {
      analyseHeader(['external_id', 'caller_number']);
      expect.fail('should refuse');
    } catch (e) {
      expect(e).to.be.instanceOf(ManifestError);
      expect((e as ManifestError).key).to.equal('imports.manifest.missingColumns');
      expect((e as ManifestError).params.columns).to.equal('started_at, operator_code');
    }
  });

  it('reads column names whatever their case, spacing or a BOM, keeps extra.* keys, and lists unknown columns as ignored', () => {
    const h = analyseHeader(['\uFEFFExternal ID', ' Started-At ', 'OPERATOR_CODE', 'extra.Karta raqami', 'comment']);
    expect(h.index.external_id).to.equal(0);
    expect(h.index.started_at).to.equal(1);
    expect(h.index.operator_code).to.equal(2);
    expect(h.extra).to.deep.equal([{ key: 'Karta raqami', index: 3 }]);
    expect(h.ignored).to.deep.equal(['comment']);
    expect(h.has('region')).to.equal(false);
    expect(normaliseColumnName('Recording File')).to.equal('recording_file');
  });

  it('refuses a manifest with the same column twice', () => {
    expect(() => analyseHeader(['external_id', 'started_at', 'operator_code', 'Started_At'])).to.throw(ManifestError).with.property('key', 'imports.manifest.duplicateColumns');
  });

  it('refuses a header row with no names at all', () => {
    expect(() => analyseHeader(['', ' '])).to.throw(ManifestError).with.property('key', 'imports.manifest.noHeader');
  });
});

describe('imports: cell values', () => {
  it('parseInstant takes an ISO offset as given and a wall-clock time as Tashkent (UTC+5)', () => {
    expect(parseInstant('2026-11-20T09:15:30+05:00')).to.equal('2026-11-20T04:15:30.000Z');
    expect(parseInstant('2026-11-20T09:15:30Z')).to.equal('2026-11-20T09:15:30.000Z');
    expect(parseInstant('2026-11-20T09:15:30.250-0300')).to.equal('2026-11-20T12:15:30.250Z');
    expect(parseInstant('2026-11-20 09:15:30')).to.equal('2026-11-20T04:15:30.000Z');
    expect(parseInstant('2026-11-20 9:15')).to.equal('2026-11-20T04:15:00.000Z');
    expect(parseInstant('20.11.2026 9:15:30')).to.equal('2026-11-20T04:15:30.000Z');
    // Just after midnight in Tashkent is still the previous day in UTC.
    expect(parseInstant('2026-11-21 00:30:00')).to.equal('2026-11-20T19:30:00.000Z');
  });

  it('parseInstant refuses what is not a real date and time', () => {
    for (const bad of ['', 'yesterday', '2026-13-01 10:00', '2026-02-31 10:00', '2026-11-20 24:00', '2026-11-20 10:60', '2026-11-20', '20/11/2026 10:00', '2026-11-20T10:00+25:00']) {
      expect(parseInstant(bad), bad).to.equal(null);
    }
  });

  it('tashkentDayOf agrees with the Intl-based tashkentDate of time.ts', () => {
    for (const iso of ['2026-11-20T18:59:59.000Z', '2026-11-20T19:00:00.000Z', '2026-03-31T23:30:00.000Z', '2027-01-01T04:00:00.000Z']) {
      expect(tashkentDayOf(iso), iso).to.equal(tashkentDate(iso));
    }
  });

  it('parseBoolean knows yes/no/1/0/true/false (and ha/yo\'q, да/нет), empty meaning no', () => {
    for (const y of ['yes', 'YES', '1', 'true', 'True', 'ha', 'да']) expect(parseBoolean(y), y).to.equal(true);
    for (const n of ['no', '0', 'false', '', "yo'q", 'yoʻq', 'нет']) expect(parseBoolean(n), n).to.equal(false);
    expect(parseBoolean('maybe')).to.equal(null);
  });

  it('parseDurationSec reads seconds with a dot or comma and m:ss / h:mm:ss', () => {
    expect(parseDurationSec('95')).to.equal(95);
    expect(parseDurationSec('95,5')).to.equal(95.5);
    expect(parseDurationSec('1:35')).to.equal(95);
    expect(parseDurationSec('0:01:35')).to.equal(95);
    expect(parseDurationSec('-3')).to.equal(null);
    expect(parseDurationSec('abc')).to.equal(null);
    expect(parseDurationSec('100000')).to.equal(null);
  });

  it('normaliseCallerNumber strips separators and refuses letters', () => {
    expect(normaliseCallerNumber('+998 (90) 123-45-67')).to.equal('+998901234567');
    expect(normaliseCallerNumber('unknown')).to.equal(null);
  });

  it('parseLanguage takes codes and common names in three languages', () => {
    expect(parseLanguage('UZ')).to.equal('uz');
    expect(parseLanguage("O'zbek")).to.equal('uz');
    expect(parseLanguage('Русский')).to.equal('ru');
    expect(parseLanguage('Karakalpak')).to.equal('kaa');
    expect(parseLanguage('klingon')).to.equal(null);
  });

  it('findRegion matches a code or a name in any language, whichever apostrophe was typed', () => {
    const regions = refs().regions;
    expect(findRegion(regions, 'tk')).to.equal(14);
    expect(findRegion(regions, 'город Ташкент')).to.equal(14);
    expect(findRegion(regions, 'Qoraqalpogʻiston respublikasi')).to.equal(1);
    expect(findRegion(regions, 'Qoraqalpog’iston Respublikasi')).to.equal(1);
    expect(findRegion(regions, 'Mars')).to.equal(undefined);
  });
});

describe('imports: validating a row', () => {
  it('turns a good row into a call draft', () => {
    const r = validateRow(
      row({ answered_at: '2026-11-20 09:15:34', ended_at: '2026-11-20 09:18:02', caller_number: '+998 90 123 45 67', language: 'ru', channel: 'Voice', category: 'Road accident', services: '101;103', region: 'TK', dropped: 'yes', callback_of: 'C-0', recording_file: 'a/b.wav', 'extra.card_number': 'Карта №5 — yoʻl' }),
      7,
      header,
      refs(),
    );
    expect(r.ok).to.equal(true);
    const d = (r as { draft: CallDraft }).draft;
    expect(d).to.include({ row: 7, source: 'telephony', externalId: 'C-1', startedAt: '2026-11-20T04:15:30.000Z', answeredAt: '2026-11-20T04:15:34.000Z', endedAt: '2026-11-20T04:18:02.000Z', callDate: '2026-11-20' });
    expect(d).to.include({ operatorId: 7, callerNumber: '+998901234567', language: 'ru', channel: 'voice', category: 'road_accident', services: '101,103', regionId: 14, dropped: true, callbackOf: 'C-0', recordingFile: 'a/b.wav' });
    // Without a duration column value, the talk time runs from the answer to the end.
    expect(d.durationSec).to.equal(148);
    expect(d.extra).to.deep.equal({ card_number: 'Карта №5 — yoʻl' });
  });

  it('rejects an unknown operator code, naming the column and the value', () => {
    expect(problemsOf({ operator_code: 'OP-999' })).to.deep.equal([{ column: 'operator_code', key: 'imports.reject.unknownOperator', params: { value: 'OP-999' } }]);
  });

  it('matches operator codes without regard to case, and allows an empty operator (an unanswered call)', () => {
    expect(problemsOf({ operator_code: 'op-102' })).to.deep.equal([]);
    expect(problemsOf({ operator_code: '' })).to.deep.equal([]);
  });

  it('rejects a bad date, a missing start and times before the start', () => {
    expect(problemsOf({ started_at: '2026-02-30 10:00' })).to.deep.equal([{ column: 'started_at', key: 'imports.reject.badDate', params: { value: '2026-02-30 10:00' } }]);
    expect(problemsOf({ started_at: '' })).to.deep.equal([{ column: 'started_at', key: 'imports.reject.required' }]);
    expect(problemsOf({ ended_at: '2026-11-20 09:00:00' })).to.deep.equal([{ column: 'ended_at', key: 'imports.reject.beforeStart' }]);
    expect(problemsOf({ started_at: '2026-12-30 10:00' }).map((p) => p.key)).to.deep.equal(['imports.reject.inFuture']);
  });

  it('rejects an unknown region, language, channel, category and service, and lists every problem of the row at once', () => {
    const p = problemsOf({ region: 'XX', language: 'klingon', channel: 'fax', category: 'aliens', services: '101;999', dropped: 'perhaps' });
    expect(p.map((x) => `${x.column}:${x.key}`)).to.deep.equal([
      'language:imports.reject.unknownLanguage',
      'channel:imports.reject.unknownChannel',
      'category:imports.reject.unknownCategory',
      'services:imports.reject.unknownService',
      'region:imports.reject.unknownRegion',
      'dropped:imports.reject.badBoolean',
    ]);
    expect(p.find((x) => x.column === 'services')!.params).to.deep.equal({ value: '999' });
  });

  it('maps service 1050 to 101 and keeps the list in a stable order', () => {
    const r = validateRow(row({ services: '103, 1050 101' }), 2, header, refs());
    expect((r as { draft: CallDraft }).draft.services).to.equal('101,103');
  });

  it('a row without an id is rejected; a source column must hold a valid source', () => {
    expect(problemsOf({ external_id: '' })).to.deep.equal([{ column: 'external_id', key: 'imports.reject.required' }]);
    const h = analyseHeader([...COLUMNS, 'source']);
    const cells = [...row({}), 'Tele phony'];
    const r = validateRow(cells, 2, h, refs());
    expect(r.ok).to.equal(false);
    expect((r as { problems: unknown[] }).problems).to.deep.equal([{ column: 'source', key: 'imports.reject.badSource', params: { value: 'Tele phony' } }]);
  });

  it('a call cannot call itself back', () => {
    expect(problemsOf({ callback_of: 'C-1' })).to.deep.equal([{ column: 'callback_of', key: 'imports.reject.callbackSelf' }]);
  });

  it('isBlankRow sees rows of empty cells', () => {
    expect(isBlankRow(['', '  ', ''])).to.equal(true);
    expect(isBlankRow(['', 'x'])).to.equal(false);
  });
});

describe('imports: comparing with a call imported before', () => {
  const draft = (validateRow(row({ language: 'uz', region: 'TK', 'extra.card_number': 'K-1' }), 2, header, refs()) as { draft: CallDraft }).draft;
  const existing: ExistingCall = {
    id: 1, startedAt: draft.startedAt, answeredAt: null, endedAt: null, durationSec: null, operatorId: 7, callerNumber: null, language: 'uz', channel: 'voice',
    category: null, services: null, regionId: 14, dropped: false, callbackExternalId: null, recordingSha256: null, extra: { card_number: 'K-1', other: 'x' },
  };

  it('finds no difference for the same data (already imported), however the same instant is written', () => {
    expect(differingColumns(draft, existing, header, null)).to.deep.equal([]);
    expect(differingColumns(draft, { ...existing, startedAt: draft.startedAt.replace('.000Z', 'Z') }, header, null)).to.deep.equal([]);
    expect(differingColumns(draft, { ...existing, startedAt: '2026-11-20T04:15:31Z' }, header, null)).to.deep.equal(['started_at']);
  });

  it('names the columns that differ, including a different recording', () => {
    expect(differingColumns(draft, { ...existing, operatorId: 8, recordingSha256: 'abc' }, header, 'def')).to.deep.equal(['operator_code', 'recording_file']);
    expect(differingColumns(draft, { ...existing, extra: { card_number: 'K-2' } }, header, null)).to.deep.equal(['extra.card_number']);
  });

  it('does not compare columns the manifest does not have', () => {
    const small = analyseHeader(['external_id', 'started_at', 'operator_code']);
    const d = (validateRow(['C-1', '2026-11-20 09:15:30', 'OP-101'], 2, small, refs()) as { draft: CallDraft }).draft;
    expect(differingColumns(d, { ...existing, category: 'fire', regionId: 3, recordingSha256: 'abc' }, small, null)).to.deep.equal([]);
  });
});

describe('imports: recordings and file names', () => {
  it('relativeRecordingPath keeps a name inside the folder and refuses anything that leaves it', () => {
    expect(relativeRecordingPath('2026/11/a.wav')).to.deep.equal(['2026', '11', 'a.wav']);
    expect(relativeRecordingPath('2026\\11\\a.wav')).to.deep.equal(['2026', '11', 'a.wav']);
    expect(relativeRecordingPath('./a.wav')).to.deep.equal(['a.wav']);
    for (const bad of ['../secret.wav', 'a/../../b.wav', '/etc/passwd', 'C:\\x.wav', '\\\\server\\x.wav', '']) expect(relativeRecordingPath(bad), bad).to.equal(null);
  });

  it('baseName gives the last part of a name with either slash', () => {
    expect(baseName('a/b\\c.wav')).to.equal('c.wav');
  });

  it('uploadedFileName recovers UTF-8 names that multer decoded as Latin-1, and leaves proper names alone', () => {
    const mangled = Buffer.from('запись-1 yoʻl.wav', 'utf8').toString('latin1');
    expect(uploadedFileName(mangled)).to.equal('запись-1 yoʻl.wav');
    expect(uploadedFileName('запись.wav')).to.equal('запись.wav');
    expect(uploadedFileName('café.wav')).to.equal('café.wav');
  });

  it('recordingRejection turns the media module\'s refusal into this feature\'s reason', () => {
    expect(recordingRejection('media.rejected.notAudio', { hasVideo: false })).to.deep.equal({ key: 'imports.reject.recording.notAudio', params: {} });
    expect(recordingRejection('media.rejected.tooLarge', { maxMb: 512, sizeBytes: 1 })).to.deep.equal({ key: 'imports.reject.recording.tooLarge', params: { maxMb: 512 } });
    expect(recordingRejection('media.rejected.somethingNew').key).to.equal('imports.reject.recording.corrupt');
  });
});

describe('imports: CSV for Excel', () => {
  it('writes a BOM, semicolons and quotes where needed', () => {
    expect(toExcelCsv([['a', 'b;c', 'd"e'], [1, null, 'Ташкент']])).to.equal('\uFEFFa;"b;c";"d""e"\r\n1;;Ташкент\r\n');
  });

  it('guards text Excel would run as a formula', () => {
    expect(toExcelCsv([['=HYPERLINK("x")', '@SUM(1)', 'ok', 5]], { guardFormulas: true })).to.equal('\uFEFF"\'=HYPERLINK(""x"")";\'@SUM(1);ok;5\r\n');
  });
});
