import { expect } from 'chai';
import fc from 'fast-check';
import { decodeCursor, encodeCursor, filtersToQuery, parseCallListQuery, periodRange, walksDurationIndex } from '../../../src/features/calls/calls.filters';

const today = '2026-11-25';
const parse = (q: Record<string, string>) => parseCallListQuery(q, { today, maxDays: 366 });

describe('call list filters', () => {
  it('default to the last 7 Tashkent days, newest first', () => {
    const { filters, errors, cursor } = parse({});
    expect(filters).to.deep.equal({ from: '2026-11-19', to: '2026-11-25', sort: 'newest' });
    expect(errors).to.deep.equal([]);
    expect(cursor).to.equal(null);
  });

  it('bound the period in UTC by Tashkent midnights (UTC+5)', () => {
    expect(periodRange({ from: '2026-11-19', to: '2026-11-25' })).to.deep.equal({ startIso: '2026-11-18T19:00:00.000Z', endIso: '2026-11-25T19:00:00.000Z' });
  });

  it('take a start date alone as a 7-day period from it (never past today)', () => {
    expect(parse({ from: '2026-10-01' }).filters).to.include({ from: '2026-10-01', to: '2026-10-07' });
    expect(parse({ from: '2026-11-23' }).filters).to.include({ from: '2026-11-23', to: today });
  });

  it('replace a bad date by the default and say so', () => {
    const { filters, errors } = parse({ from: '2026-02-30', to: 'soon' });
    expect(filters).to.include({ from: '2026-11-19', to: today });
    expect(errors.map((e) => [e.field, e.key])).to.deep.equal([['to', 'calls.filters.dateInvalid'], ['from', 'calls.filters.dateInvalid']]);
  });

  it('turn a reversed period into one day, and shorten one that is too long', () => {
    expect(parse({ from: '2026-11-20', to: '2026-11-10' }).filters).to.include({ from: '2026-11-10', to: '2026-11-10' });
    const long = parseCallListQuery({ from: '2020-01-01', to: today }, { today, maxDays: 31 });
    expect(long.filters).to.include({ from: '2026-10-26', to: today });
    expect(long.errors[0]).to.deep.include({ field: 'from', key: 'calls.filters.periodTooLong', params: { count: 31 } });
  });

  it('read every filter, and ignore unknown values with an error', () => {
    const { filters, errors } = parse({ operator: '3', team: '2', region: '14', category: 'gas', language: 'kaa', minDuration: '30', maxDuration: '600', dropped: 'yes', evaluated: 'no', sort: 'longest' });
    expect(filters).to.deep.include({ operatorId: 3, teamId: 2, regionId: 14, category: 'gas', language: 'kaa', minDurationSec: 30, maxDurationSec: 600, dropped: true, evaluated: false, sort: 'longest' });
    expect(errors).to.deep.equal([]);
    const bad = parse({ operator: '-1', category: 'volcano', language: 'xx', minDuration: 'long', sort: 'random' });
    expect(bad.filters).to.deep.equal({ from: '2026-11-19', to: today, sort: 'newest' });
    expect(bad.errors.map((e) => e.field)).to.deep.equal(['operator', 'category', 'language', 'minDuration']);
  });

  it('drop a maximum duration below the minimum', () => {
    const { filters, errors } = parse({ minDuration: '60', maxDuration: '30' });
    expect(filters.minDurationSec).to.equal(60);
    expect(filters.maxDurationSec).to.equal(undefined);
    expect(errors[0]!.key).to.equal('calls.filters.durationOrder');
  });

  it('round-trip through the query string', () => {
    const q = { from: '2026-11-01', to: '2026-11-05', operator: '3', category: 'fire', dropped: 'no', evaluated: 'yes', minDuration: '5', sort: 'oldest' };
    const { filters } = parse(q);
    expect(parse(filtersToQuery(filters)).filters).to.deep.equal(filters);
  });

  it('accept only cursors that fit the sort', () => {
    const c = encodeCursor({ value: '2026-11-24T10:00:00.000Z', id: 42 });
    expect(decodeCursor(c, 'after', 'newest')).to.deep.equal({ value: '2026-11-24T10:00:00.000Z', id: 42, direction: 'after' });
    expect(decodeCursor(c, 'after', 'longest')).to.equal(null);
    const d = encodeCursor({ value: 95.5, startedAt: '2026-11-24T10:00:00.000Z', id: 7 });
    expect(decodeCursor(d, 'before', 'shortest')).to.deep.equal({ value: 95.5, startedAt: '2026-11-24T10:00:00.000Z', id: 7, direction: 'before' });
    expect(decodeCursor(d, 'after', 'newest')).to.equal(null);
    expect(decodeCursor(encodeCursor({ value: 95.5, id: 7 }), 'after', 'longest')).to.equal(null);
    expect(decodeCursor('not base64 json', 'after', 'newest')).to.equal(null);
    expect(decodeCursor(encodeCursor({ value: 'x', id: -1 }), 'after', 'newest')).to.equal(null);
    expect(parse({ after: c, before: encodeCursor({ value: '2026-11-20T00:00:00.000Z', id: 1 }) }).cursor?.direction).to.equal('after');
  });

  it('walk the duration index only for duration sorts with many matches', () => {
    expect(walksDurationIndex('longest', true)).to.equal(true);
    expect(walksDurationIndex('shortest', true)).to.equal(true);
    expect(walksDurationIndex('longest', false)).to.equal(false);
    expect(walksDurationIndex('newest', true)).to.equal(false);
  });

  it('never give a period longer than the limit or reversed, whatever the query', () => {
    const date = fc.integer({ min: 0, max: 4000 }).map((d) => new Date(Date.UTC(2020, 0, 1) + d * 86400000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.option(date, { nil: undefined }), fc.option(date, { nil: undefined }), fc.integer({ min: 1, max: 400 }), (from, to, maxDays) => {
        const q: Record<string, string> = {};
        if (from) q.from = from;
        if (to) q.to = to;
        const { filters } = parseCallListQuery(q, { today, maxDays });
        const days = (Date.parse(filters.to) - Date.parse(filters.from)) / 86400000 + 1;
        expect(days).to.be.within(1, maxDays);
      }),
    );
  });
});
