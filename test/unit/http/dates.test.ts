import { expect } from 'chai';
import { dottedToIso, normalizeDateFields } from '../../../src/http/dates';
import { dateTimeForInput, dayForInput, formatters } from '../../../src/i18n';

describe('http/dates: dates typed as dd.mm.yyyy', () => {
  it('reads dd.mm.yyyy as the ISO day the schemas check, and a date with a time as a local date-time', () => {
    expect(dottedToIso('07.12.2026')).to.equal('2026-12-07');
    expect(dottedToIso(' 7.1.2026 ')).to.equal('2026-01-07');
    expect(dottedToIso('07.12.2026 09:30')).to.equal('2026-12-07T09:30');
    expect(dottedToIso('7.12.2026 9:05')).to.equal('2026-12-07T09:05');
  });

  it('passes ISO and anything else through for the schema to judge (31.02 is still refused there)', () => {
    expect(dottedToIso('2026-12-07')).to.equal('2026-12-07');
    expect(dottedToIso('12/07/2026')).to.equal('12/07/2026');
    expect(dottedToIso('31.02.2026')).to.equal('2026-02-31');
    expect(dottedToIso('yesterday')).to.equal('yesterday');
  });

  it('rewrites only the date fields of a form, not a note that looks like a date', () => {
    const body = { from: '01.11.2026', to: '30.11.2026', note: '01.11.2026', startedAt: '05.11.2026 14:20' };
    normalizeDateFields(body);
    expect(body).to.deep.equal({ from: '2026-11-01', to: '2026-11-30', note: '01.11.2026', startedAt: '2026-11-05T14:20' });
  });

  it('shows stored days and local times back as they are typed, the same in every language', () => {
    expect(dayForInput('2026-12-07')).to.equal('07.12.2026');
    expect(dateTimeForInput('2026-12-07T09:30')).to.equal('07.12.2026 09:30');
    for (const lang of ['uz', 'uz-Cyrl', 'ru', 'en'] as const) {
      expect(formatters(lang).date('2026-12-07'), lang).to.equal('07.12.2026');
      // 23:30 UTC on 6 December is 04:30 on 7 December in Tashkent (UTC+5).
      expect(formatters(lang).dateTime('2026-12-06T23:30:00Z'), lang).to.equal('07.12.2026, 04:30');
      expect(formatters(lang).time('2026-12-06T23:30:00Z'), lang).to.equal('04:30');
    }
  });
});
