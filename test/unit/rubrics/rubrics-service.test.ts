import { expect } from 'chai';
import { canViewVersion, decodeTextFile, exportFileName, rubricDisplayDescription, rubricDisplayName } from '../../../src/features/rubrics/rubrics.service';
import { DEFAULT_RUBRIC_DESCRIPTION, DEFAULT_RUBRIC_NAME } from '../../../src/features/rubrics/default-rubric';

describe('rubric service decisions', () => {
  it('shows the seeded default rubric in the viewer language and any other rubric as named', () => {
    const seeded = { name: DEFAULT_RUBRIC_NAME.uz, description: DEFAULT_RUBRIC_DESCRIPTION.uz };
    expect(rubricDisplayName(seeded, 'ru')).to.equal(DEFAULT_RUBRIC_NAME.ru);
    expect(rubricDisplayDescription(seeded, 'en')).to.equal(DEFAULT_RUBRIC_DESCRIPTION.en);
    expect(rubricDisplayName({ name: 'Tibbiy chaqiruvlar' }, 'ru')).to.equal('Tibbiy chaqiruvlar');
    // A renamed copy keeps its own description even if it was copied from the default.
    expect(rubricDisplayDescription({ name: 'Copy', description: DEFAULT_RUBRIC_DESCRIPTION.uz }, 'en')).to.equal(DEFAULT_RUBRIC_DESCRIPTION.uz);
  });

  it('lets administrators see every version and specialists and supervisors only frozen ones', () => {
    expect(canViewVersion('admin', 'draft')).to.equal(true);
    for (const role of ['specialist', 'supervisor'] as const) {
      expect(canViewVersion(role, 'published')).to.equal(true);
      expect(canViewVersion(role, 'retired')).to.equal(true);
      expect(canViewVersion(role, 'draft')).to.equal(false);
    }
    for (const role of ['leadership', 'operator'] as const) expect(canViewVersion(role, 'published')).to.equal(false);
  });

  it('names an export file with an ASCII slug of the rubric name and the version', () => {
    expect(exportFileName(DEFAULT_RUBRIC_NAME.uz, 3)).to.equal('112-chaqiruvlarini-baholash-shakli-standart-v3.json');
    expect(exportFileName('Форма оценки', 1)).to.equal('rubric-v1.json');
  });

  it('reads uploaded files as UTF-8, or UTF-16 when they carry its byte-order mark', () => {
    const text = '{"name":"Qoʻngʻiroq — звонок"}';
    expect(decodeTextFile(Buffer.from(text, 'utf8'))).to.equal(text);
    expect(decodeTextFile(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).to.equal(text);
    const be = Buffer.from(text, 'utf16le');
    be.swap16();
    expect(decodeTextFile(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).to.equal(text);
  });
});
