// The call list's keyset paging, straight against the repository: every sort, both ways of reading
// a duration sort (sorting the matches, or walking calls_duration_started_idx), forwards and
// backwards, gives exactly the order a plain sort of the rows gives.
import { expect } from 'chai';
import { createTestDb, type TestDb } from '../../helpers/app';
import { makeCall } from '../../helpers/builders';
import { listCalls, type CallListPage } from '../../../src/features/calls/calls.repository';
import { CALL_SORTS, type CallListCursor, type CallListFilters, type CallSort } from '../../../src/features/calls/calls.filters';
import { tashkentDate } from '../../../src/time';
import { mulberry32 } from '../../../src/features/media/synth';

describe('call list keyset paging (repository)', () => {
  let tdb: TestDb;
  const rows: { id: number; startedAt: string; duration: number }[] = [];
  const now = Date.now();
  let filters: Omit<CallListFilters, 'sort'>;

  before(async () => {
    tdb = await createTestDb();
    const rand = mulberry32(5);
    for (let i = 0; i < 230; i++) {
      // ties on purpose: 20 distinct durations (one of them "unknown"), start times shared in pairs
      const d = Math.floor(rand() * 20);
      const startedAt = new Date(now - 3600_000 - Math.floor(i / 2) * 61_000).toISOString();
      const duration = d === 0 ? null : d * 15;
      const id = await makeCall(tdb.db, { startedAt, durationSec: duration as number });
      if (duration === null) await tdb.db('calls').where({ id }).update({ duration_sec: null });
      rows.push({ id, startedAt, duration: duration ?? 0 });
    }
    const today = tashkentDate(new Date(now));
    filters = { from: tashkentDate(new Date(now - 3 * 86400_000)), to: today };
  });
  after(() => tdb.destroy());

  function expected(sort: CallSort): number[] {
    const sign = sort === 'newest' || sort === 'longest' ? -1 : 1;
    const cmp = (a: (typeof rows)[number], b: (typeof rows)[number]) => {
      if (sort === 'longest' || sort === 'shortest') {
        if (a.duration !== b.duration) return sign * (a.duration - b.duration);
      }
      if (a.startedAt !== b.startedAt) return sign * (a.startedAt < b.startedAt ? -1 : 1);
      return sign * (a.id - b.id);
    };
    return [...rows].sort(cmp).map((r) => r.id);
  }

  async function walk(sort: CallSort, walkSortIndex: boolean): Promise<{ forward: number[][]; backward: number[][] }> {
    const read = (cursor: CallListCursor | null): Promise<CallListPage> => listCalls(tdb.db, { filters: { ...filters, sort }, cursor, visibility: { kind: 'all' }, lang: 'en', limit: 40, walkSortIndex });
    const forward: number[][] = [];
    let page = await read(null);
    forward.push(page.rows.map((r) => r.id));
    while (page.next) {
      page = await read({ ...page.next, direction: 'after' });
      forward.push(page.rows.map((r) => r.id));
    }
    const backward: number[][] = [];
    while (page.prev) {
      page = await read({ ...page.prev, direction: 'before' });
      backward.unshift(page.rows.map((r) => r.id));
    }
    return { forward, backward };
  }

  for (const sort of CALL_SORTS) {
    for (const walkSortIndex of [false, true]) {
      it(`${sort}${walkSortIndex ? ', walking the duration index' : ''}: pages hold the sorted calls once each, forwards and backwards`, async () => {
        const { forward, backward } = await walk(sort, walkSortIndex);
        expect(forward.flat()).to.deep.equal(expected(sort));
        expect(forward).to.have.length(6);
        expect(forward.slice(0, -1).every((p) => p.length === 40)).to.equal(true);
        expect(backward).to.deep.equal(forward.slice(0, -1));
      });
    }
  }
});
